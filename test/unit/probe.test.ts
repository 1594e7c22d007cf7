// `vmtopo probe`: a host block from procfs and sysfs, here from captured trees
// (test/fixtures/probe/) and from this machine; what cannot be read becomes a comment.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { decodeIntelIommu } from "../../server/src/engine/interop/host-probe";
import { repoRoot } from "../support/fixtures";

const probe = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, "bin", "vmtopo.js"), "probe", ...args], { encoding: "utf8" });
const fixture = (name: string) => join(repoRoot, "test", "fixtures", "probe", name);

test("VT-d capability registers: MGAW + 1 is the address width, SLLPS the large pages, ecap.IR interrupt remapping", () => {
  assert.deepEqual(decodeIntelIommu(0xc002f0400n, 0xf020den), { addressWidth: 48, pageSizes: ["4K", "2M", "1G"], interruptRemapping: true });
  assert.deepEqual(decodeIntelIommu(0x400260000n, 0xf0n), { addressWidth: 39, pageSizes: ["4K", "2M"], interruptRemapping: false });
});

test("an Intel VT-d host tree: iommu, reserved regions (relaxable ones ignored as VFIO does), vfio, hugepages", () => {
  const run = probe("--root", fixture("intel-vtd"));
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^ {2}iommu \{\n {4}vendor = intel-vtd\n {4}page-sizes = \[4K, 2M, 1G\]\n {4}address-width = 48\n {4}interrupt-remapping = on\n {4}reserved msi = 0xfee00000 \.\. 0xfef00000\n {2}\}$/m);
  assert.match(run.stdout, /^ {2}vfio \{\n {4}dma-entry-limit = 65535\n {2}\}$/m);
  assert.match(run.stdout, /^ {2}hugepages \{\n {4}1G = 16\n {2}\}$/m);
  assert.match(run.stdout, /^host spr-01 \{\n {2}arch = x86_64\n {2}kernel = "6\.8"$/m);
  // Unreadable items are comments, and the block is a valid host.
  assert.match(run.stdout, /^\/\/ {3}memory: \/proc\/meminfo not readable$/m);
  assert.deepEqual(analyzeText(run.stdout).diagnostics, []);
});

test("this machine's captured tree: no IOMMU, no vfio module, each said in a comment", () => {
  const run = probe("--root", fixture("this-machine"));
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^\/\/ {3}iommu: no units in \/sys\/class\/iommu/m);
  assert.match(run.stdout, /^\/\/ {3}dma-entry-limit: .* not readable$/m);
  assert.match(run.stdout, /^ {2}phys-bits = \d+$/m);
  assert.deepEqual(analyzeText(run.stdout).diagnostics, []);
});

test("an empty tree: every item a comment, still a valid host block", () => {
  const run = probe("--root", fixture("does-not-exist"));
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^host this-host \{\n\}$|^host this-host \{\}$/m);
  assert.deepEqual(analyzeText(run.stdout).diagnostics, []);
});

test("the live machine: kernel and QEMU versions read", () => {
  const run = probe();
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^ {2}kernel = "\d+\.\d+"$/m);
  assert.deepEqual(analyzeText(run.stdout).diagnostics.filter((d) => d.severity === "error"), []);
});
