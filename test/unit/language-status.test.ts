// What the language status items say (client/src/language-status-text.ts): problem counts,
// and the worst-case DMA mappings of the VM under the cursor or of the file's worst container,
// here from the real report of an example as the server's `vmtopo/mappingState` sends it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { mappingStatus, problemsStatus, vmAtLine, type MappingReport, type OutlineEntry } from "../../client/src/language-status-text";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import { outline } from "../../server/src/lsp/features/document-symbols";
import { repoRoot } from "../support/fixtures";

test("problem counts: severity follows the worst", () => {
  assert.deepEqual(problemsStatus(0, 0), { text: "No problems", detail: "in this file", severity: "information" });
  assert.deepEqual(problemsStatus(2, 1), { text: "2 errors, 1 warning", detail: "in this file", severity: "error" });
  assert.deepEqual(problemsStatus(1, 0).text, "1 error");
  assert.deepEqual(problemsStatus(0, 3), { text: "3 warnings", detail: "in this file", severity: "warning" });
});

const example = "tdx-shared-assignment.vmtopo";
const path = join(repoRoot, "examples", example);
const text = readFileSync(path, "utf8");
const analysis = analyzeText(text, path);
const report: MappingReport = buildReport(analysis); // the client reads a subset of the server's report
const entries: OutlineEntry[] = outline(analysis.parse.ast);
const lines = text.split("\n");
const lineOf = (re: RegExp): number => lines.findIndex((l) => re.test(l));

test("the VM under the cursor: in its block, or in a scenario for it; none elsewhere", () => {
  assert.equal(vmAtLine(entries, report, lineOf(/^vm td0 /)), "td0");
  assert.equal(vmAtLine(entries, report, lineOf(/^vm td0 /) + 5), "td0");
  assert.equal(vmAtLine(entries, report, lineOf(/^vm td1 /) + 1), "td1");
  assert.equal(vmAtLine(entries, report, lineOf(/^scenario td1-default-swiotlb /) + 1), "td1");
  assert.equal(vmAtLine(entries, report, lineOf(/^host spr-type1 /) + 1), undefined);
  assert.equal(vmAtLine(entries, report, 0), undefined);
});

test("a VM's worst container, against its limit", () => {
  const td0 = mappingStatus(report, "td0");
  assert.equal(td0.text, "td0: 4,195,264 DMA mappings worst case");
  assert.equal(td0.detail, "c0 (nic0): over the limit of 65,535");
  assert.equal(td0.severity, "warning");
  assert.equal(td0.vm, "td0");
  const td1 = mappingStatus(report, "td1"); // iommufd: no entry limit
  assert.equal(td1.detail, "c0 (nic0): no entry limit");
  assert.equal(td1.severity, "information");
});

test("outside any VM: the file's worst container; no VM or no device said so", () => {
  const file = mappingStatus(report, undefined);
  assert.match(file.text, /^4,195,264 DMA mappings worst case \(td\d\)$/);
  assert.match(file.detail, /^the file's worst: c0 \(nic0\)/);
  assert.deepEqual(mappingStatus({ vms: [], scenarios: [] }, undefined), { text: "No VMs", detail: "this file declares no VM", severity: "information", vm: undefined });
  const noDevices = mappingStatus({ vms: [{ name: "g", containers: [] }], scenarios: [] }, "g");
  assert.equal(noDevices.text, "g: no VFIO devices");
  assert.equal(mappingStatus(report, "no-such-vm").text, file.text, "an unknown VM falls back to the file");
});

test("one DMA mapping is singular; more than two devices are shortened", () => {
  const container = { id: "c1", backend: "type1", devices: ["a", "b", "c"], limit: 65535, boot: { mappings: 1 }, peak: { mappings: 1 }, worstCase: { mappings: 1 } };
  const status = mappingStatus({ vms: [{ name: "v", containers: [container] }], scenarios: [] }, "v");
  assert.equal(status.text, "v: 1 DMA mapping worst case");
  assert.equal(status.detail, "c1 (a, b, …): limit 65,535");
});
