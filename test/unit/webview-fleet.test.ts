// The mapping-state view of a file with many VMs: the fleet overview (hosts → VMs with their
// verdicts and gauges; search, filters, sorting), the per-VM view with that VM's problems
// only, the verdict banner, and "Copy as Markdown". Rendered in happy-dom.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useHappyDom } from "../support/happy-dom";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import { verdictHeadline as engineHeadline, type Verdict } from "../../server/src/engine/verdict";
import { fleetRows, isFleet } from "../../webview/src/fleet";
import { reportMarkdown } from "../../webview/src/markdown";
import type { Report } from "../../webview/src/report-types";
import { defaultFleetSelection, emptySelection, type Selection } from "../../webview/src/state";
import { verdictHeadline as viewHeadline } from "../../webview/src/verdict";
import { renderView } from "../../webview/src/view";
import { fleetReport } from "../support/webview-scale";

useHappyDom();

const fleet = fleetReport(100);
const view = (selection: Selection, data = fleet) => renderView({ uri: "file:///fleet.vmtopo", fileName: "fleet.vmtopo", version: 1, report: data.report, diagnostics: data.diagnostics }, selection);

describe("the fleet overview", () => {
  test("a file with 100 VMs opens on the overview: hosts, then their VMs, each with its verdict; no wall of tabs", () => {
    const root = view(emptySelection());
    assert.equal(root.querySelectorAll('[role="tab"]').length, 0, "no tabs");
    assert.equal(root.querySelectorAll(".fleet-vm-row").length, 100);
    assert.equal(root.querySelectorAll(".fleet-host").length, 5);
    assert.match(root.querySelector("#fleet-heading")!.textContent!, /100 VMs on 5 hosts/);
    // Host rows come before their VMs.
    const firstRows = Array.from(root.querySelectorAll(".fleet-table tbody tr")).slice(0, 2);
    assert.ok(firstRows[0].classList.contains("fleet-host") && firstRows[1].classList.contains("fleet-vm-row"));
    // Every VM's verdict is the engine's, in the same words.
    for (const vm of fleet.report.vms) {
      const row = root.querySelector(`[data-key="vm:${vm.name}"]`)!;
      assert.ok(row.textContent!.includes(engineHeadline(vm.verdict)), vm.name);
    }
    // Gauges: DMA mappings, memlock and hugepages where they apply.
    const vm0 = root.querySelector('[data-key="vm:vm0000"]')!;
    assert.equal(vm0.querySelectorAll('[role="meter"]').length, 3);
  });

  test("a few VMs keep their tabs", () => {
    const small = fleetReport(3);
    assert.equal(isFleet(small.report), false);
    const root = view(emptySelection(), small);
    assert.equal(root.querySelectorAll('.vm-tabs [role="tab"]').length, 3);
    assert.equal(root.querySelector(".fleet"), null);
  });

  test("search matches names, hosts and codes; every word must match", () => {
    const names = (query: string) => fleetRows(fleet.report, { ...defaultFleetSelection(), query }).map((r) => r.vm.name);
    assert.deepEqual(names("vm0042"), ["vm0042"]);
    assert.ok(names("rack1").every((n) => Number(n.slice(2)) % 5 === 1));
    const refusedByVT104 = fleet.report.vms.filter((vm) => vm.diagnostics.some((d) => d.code === "VT104")).map((vm) => vm.name);
    assert.ok(refusedByVT104.length > 0);
    assert.deepEqual(names("vt104").sort(), refusedByVT104.sort());
    assert.deepEqual(names("rack0 nosuchword"), []);
    const root = view({ ...emptySelection(), fleet: { ...defaultFleetSelection(), query: "vm0042" } });
    assert.equal(root.querySelectorAll(".fleet-vm-row").length, 1);
    assert.match(root.querySelector('[data-key="fleet-count"]')!.textContent!, /Showing 1 of 100 VMs/);
  });

  test("filters by verdict, and sorts worst first", () => {
    const refused = fleetRows(fleet.report, { ...defaultFleetSelection(), verdict: "refused" });
    assert.ok(refused.length > 0 && refused.every((r) => r.vm.verdict.kind === "refused"));
    const byVerdict = fleetRows(fleet.report, { ...defaultFleetSelection(), sort: "verdict" }).map((r) => r.vm.verdict.kind);
    const rank = { refused: 0, "fails-in-scenario": 1, "starts-with-warnings": 2, starts: 3 };
    for (let i = 1; i < byVerdict.length; i++) assert.ok(rank[byVerdict[i - 1]] <= rank[byVerdict[i]]);
    const byMappings = fleetRows(fleet.report, { ...defaultFleetSelection(), sort: "mappings" }).map((r) => r.mappings?.gauge.ratio ?? -1);
    for (let i = 1; i < byMappings.length; i++) assert.ok(byMappings[i - 1] >= byMappings[i], "fullest first");
    const ascending = fleetRows(fleet.report, { ...defaultFleetSelection(), sort: "mappings", descending: true }).map((r) => r.mappings?.gauge.ratio ?? -1);
    assert.deepEqual(ascending, [...byMappings].reverse().sort((a, b) => a - b));
  });

  test("selecting a VM opens its view: the verdict banner, and that VM's diagnostics only", () => {
    const vm = fleet.report.vms.find((v) => v.verdict.kind === "refused" && v.diagnostics.length > 0)!;
    const root = view({ ...emptySelection(), vm: vm.name });
    assert.ok(root.querySelector('[data-action="show-overview"]'), "a way back to the overview");
    assert.equal(root.querySelectorAll('[role="tab"][data-action="select-vm"]').length, 0);
    const banner = root.querySelector(".verdict-banner")!;
    assert.equal(banner.getAttribute("data-verdict"), "refused");
    assert.ok(banner.classList.contains("verdict-error"));
    assert.match(banner.textContent!, new RegExp(`vm ${vm.name} refused by QEMU \\(${vm.verdict.code}\\)`));
    const listed = Array.from(root.querySelectorAll(".diagnostics-panel .diagnostic")).map((b) => b.getAttribute("aria-label"));
    assert.equal(listed.length, vm.diagnostics.length);
    assert.ok(fleet.diagnostics.length > listed.length, "the file has more diagnostics than this VM");
    assert.match(root.querySelector("#diagnostics-heading")!.textContent!, new RegExp(`Diagnostics of vm ${vm.name} \\(${vm.diagnostics.length}\\)`));
  });
});

describe("one verdict, the same words in the engine and the view", () => {
  test("every kind", () => {
    const verdicts: Verdict[] = [
      { kind: "starts" },
      { kind: "starts-with-warnings", code: "VT201", message: "m" },
      { kind: "refused", code: "VT104", message: "m" },
      { kind: "fails-in-scenario", code: "VT202", message: "m", scenario: "s", step: 3 },
    ];
    for (const v of verdicts) assert.equal(viewHeadline(v), engineHeadline(v));
  });

  test("a VM that starts has a quiet banner, with no red and no 'go to problem'", () => {
    const report = buildReport(analyzeText("vm v {\n  memory = 4G\n}\n")) as unknown as Report;
    const root = renderView({ uri: "file:///v.vmtopo", fileName: "v.vmtopo", version: 1, report, diagnostics: [] }, emptySelection());
    const banner = root.querySelector(".verdict-banner")!;
    assert.ok(banner.classList.contains("verdict-ok"));
    assert.match(banner.textContent!, /vm v starts/);
    assert.equal(banner.querySelector(".verdict-go"), null);
  });
});

describe("Copy as Markdown", () => {
  test("a table of the VMs with their verdicts, then each VM, each scenario and the diagnostics", () => {
    const md = reportMarkdown(fleet.report, "fleet.vmtopo", fleet.diagnostics);
    assert.match(md, /^# vmtopo report: fleet\.vmtopo\n/);
    assert.match(md, /\| VM \| host \| verdict \| first reason \| DMA mappings \(worst container\) \| memlock \| hugepages \|/);
    const refused = fleet.report.vms.find((v) => v.verdict.kind === "refused")!;
    assert.ok(md.includes(`| ${refused.name} | ${refused.host} | ✗ refused by QEMU (${refused.verdict.code}) |`));
    assert.match(md, /## Diagnostics/);
  });

  test("text from the document cannot break the table or become markup", () => {
    const report = buildReport(analyzeText('vm v {\n  memory = 4G\n}\nscenario s for v {\n  convert 0 .. 2M to shared\n}\n')) as unknown as Report;
    const md = reportMarkdown(report, "a|b<script>.vmtopo", [{ code: "VT1", severity: "error", message: "a | b\n<img src=x>", range: { start: { line: 0, character: 0 } } }]);
    assert.ok(md.includes("a\\|b\\<script\\>.vmtopo"));
    assert.ok(md.includes("| 1 | error | VT1 | a \\| b \\<img src=x\\> |"));
  });
});
