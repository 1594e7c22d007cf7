// `vmtopo probe`: the host block of a machine, read from a captured sysfs/procfs tree
// (test/fixtures/probe/, whose README.md says where every value comes from) and checked with
// vmtopo's own engine.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { UsageError } from "../../server/src/cli/args";
import { runProbe } from "../../server/src/cli/probe";
import { analyzeText } from "../../server/src/engine/analyze";
import { decodeAmdVi, decodeIntelVtd, mergeReservedRegions, parseReservedRegions } from "../../server/src/engine/interop/host-probe";
import { repoRoot } from "../support/fixtures";

const fixtures = join(repoRoot, "test", "fixtures", "probe");

async function probe(...args: string[]) {
  let out = "";
  let err = "";
  const status = await runProbe(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { status, out, err };
}

/** The block analysed by the engine, with a VM on it so that the host's values are used. */
function analyse(block: string) {
  const name = /^host (\S+) \{/m.exec(block)![1];
  const text = `${block}\nvm probe-check on ${name} {\n  memory = 1G\n}\n`;
  return analyzeText(text, "/probe.vmtopo").diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);
}

describe("vmtopo probe --root: captured trees", () => {
  test("this machine (a VM without an IOMMU): versions, limits and pools; the missing IOMMU is a comment", async () => {
    const { status, out } = await probe("--root", join(fixtures, "this-vm"));
    assert.equal(status, 0);
    assert.match(out, /^  kernel = "6\.18\.44"$/m);
    assert.match(out, /^  qemu = "7\.2\.22"$/m);
    assert.match(out, /^  phys-bits = 48$/m);
    assert.match(out, /^  memlock = 8M$/m);
    assert.match(out, /^  memory = 24684084K$/m);
    assert.match(out, /\/\/ IOMMU: not read \(.*sys\/class\/iommu is empty: no IOMMU is enabled/);
    assert.match(out, /\/\/ vfio_iommu_type1\.dma_entry_limit: not read/);
    assert.doesNotMatch(out, /^\s*iommu \{/m);
    assert.match(out, /hugepages \{\n    2M = 0\n    1G = 0\n  \}/);
    assert.deepEqual(analyse(out), []);
  });

  test("an Intel Xeon (VT-d in legacy mode): second-stage page sizes and MGAW, reserved regions merged per type", async () => {
    const { status, out } = await probe("--root", join(fixtures, "intel-xeon"));
    assert.equal(status, 0);
    assert.match(out, /^    vendor = intel-vtd$/m);
    assert.match(out, /^    page-sizes = \[4K, 2M, 1G\]$/m);
    assert.match(out, /^    address-width = 48$/m);
    assert.match(out, /^    interrupt-remapping = on$/m);
    // 0x6c7ae000-0x6c7bdfff and 0x6c7b0000-0x6c7c0fff of two groups overlap: one range
    assert.match(out, /^    reserved direct = 0x6c7ae000 \.\. 0x6c7c1000$/m);
    // the same MSI window in three groups: once
    assert.equal(out.match(/reserved msi = 0xfee00000 \.\. 0xfef00000/g)?.length, 1);
    assert.match(out, /dma-entry-limit = 65535/);
    assert.match(out, /1G = 64/);
    assert.match(out, /^  memlock = unlimited$/m);
    assert.deepEqual(analyse(out), []);
  });

  test("an AMD EPYC (AMD-Vi): vendor, host table width from HATS, iommufd; an absent limits file is a comment", async () => {
    const { status, out } = await probe("--root", join(fixtures, "amd-epyc"));
    assert.equal(status, 0);
    assert.match(out, /^host epyc-example-org \{$/m);
    assert.match(out, /^    vendor = amd-vi$/m);
    assert.match(out, /^    address-width = 64$/m);
    assert.doesNotMatch(out, /page-sizes/, "AMD-Vi's v1 sizes are the language's amd-vi default");
    assert.match(out, /reserved reserved = 0xfd00000000 \.\. 0x10000000000/);
    assert.match(out, /iommufd: available \(\/dev\/iommu, \/sys\/module\/iommufd\)/);
    assert.match(out, /\/\/ memlock: not read \(.*proc\/self\/limits: absent\)/);
    assert.match(out, /\/\/ qemu: not read/);
    assert.deepEqual(analyse(out), []);
  });

  test("a FIFO, a directory and garbage where files should be: comments, no hang, no failure", async () => {
    const root = mkdtempSync(join(tmpdir(), "vmtopo-probe-"));
    mkdirSync(join(root, "proc/sys/kernel"), { recursive: true });
    mkdirSync(join(root, "proc/meminfo"), { recursive: true });
    execFileSync("mkfifo", [join(root, "proc/sys/kernel/osrelease")]);
    mkdirSync(join(root, "sys/class/iommu/dmar0/intel-iommu"), { recursive: true });
    writeFileSync(join(root, "sys/class/iommu/dmar0/intel-iommu/cap"), "not hex\n");
    writeFileSync(join(root, "sys/class/iommu/dmar0/intel-iommu/ecap"), "f020df\n");
    mkdirSync(join(root, "sys/module/vfio_iommu_type1/parameters"), { recursive: true });
    writeFileSync(join(root, "sys/module/vfio_iommu_type1/parameters/dma_entry_limit"), "lots\n");
    const { status, out } = await probe("--root", root);
    assert.equal(status, 0);
    assert.match(out, /\/\/ kernel: not read \(.*osrelease is not a regular file\)/);
    assert.match(out, /\/\/ memory: not read \(.*meminfo is not a regular file\)/);
    assert.match(out, /not decoded: dmar0: .*cap: not a hex value/);
    assert.match(out, /dma_entry_limit: not read \('lots' is not a number\)/);
    assert.deepEqual(analyse(out), []);
  });

  test("--root that is not a directory is a usage error", async () => {
    await assert.rejects(probe("--root", join(fixtures, "no-such-tree")), (e: Error) => e instanceof UsageError && /--root .* is not a readable directory/.test(e.message));
  });
});

describe("the vmtopo command", () => {
  test("`vmtopo probe --root DIR` through the bundled bin: the block on stdout, exit 0; a FILE argument is a usage error, exit 2", () => {
    const bin = join(repoRoot, "bin", "vmtopo.js");
    const run = spawnSync(process.execPath, [bin, "probe", "--root", join(fixtures, "intel-xeon")], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^host xeon-01 \{$/m);
    const wrong = spawnSync(process.execPath, [bin, "probe", "host.vmtopo"], { encoding: "utf8" });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /^vmtopo: probe takes no FILE$/m);
  });
});

describe("vmtopo probe on this machine", () => {
  test("prints a host block that analyses without errors", async () => {
    const { status, out } = await probe();
    assert.equal(status, 0);
    assert.match(out, /^host \S+ \{$/m);
    assert.deepEqual(analyse(out), []);
  });
});

describe("IOMMU register decoding (Linux drivers/iommu/intel/iommu.h, drivers/iommu/amd/amd_iommu_types.h)", () => {
  test("VT-d legacy mode: SLLPS 2M+1G, MGAW 48, IR", () => {
    const unit = decodeIntelVtd("dmar0", 0x8d2078c106f0466n, 0xf020dfn);
    assert.deepEqual([unit.pageSizes, unit.addressWidth, unit.interruptRemapping], [[4096, 2 << 20, 1 << 30], 48, true]);
  });
  test("VT-d client (Gemini Lake): MGAW 39", () => {
    assert.equal(decodeIntelVtd("dmar0", 0x1c0000c40660462n, 0x9e2ff0505en).addressWidth, 39);
  });
  test("VT-d scalable mode with first-stage tables: Linux uses them; 1G only with FL1GP, 57 bits with FL5LP", () => {
    const sm = (1n << 43n) | (1n << 47n);
    const without = decodeIntelVtd("dmar0", (47n << 16n) | (3n << 34n), sm);
    assert.deepEqual([without.pageSizes, without.addressWidth], [[4096, 2 << 20], 48]);
    const withAll = decodeIntelVtd("dmar0", (47n << 16n) | (1n << 56n) | (1n << 60n), sm);
    assert.deepEqual([withAll.pageSizes, withAll.addressWidth], [[4096, 2 << 20, 1 << 30], 57]);
    assert.equal(withAll.interruptRemapping, false);
  });
  test("AMD-Vi: HATS 0 is a 4-level table (48 bits), 1 is 5-level (57)", () => {
    assert.equal(decodeAmdVi("ivhd0", 0x40n, 0n).addressWidth, 48);
    assert.equal(decodeAmdVi("ivhd0", 0x40n, 1n << 10n).addressWidth, 57);
  });
  test("reserved regions: end inclusive in sysfs, exclusive here; touching ranges of one type join, other types stay apart", () => {
    const regions = parseReservedRegions("0x0000000000001000 0x0000000000001fff direct\n0x0000000000002000 0x0000000000002fff direct\n0x0000000000002000 0x0000000000002fff msi\ngarbage\n");
    assert.deepEqual(mergeReservedRegions(regions), [
      { start: 0x1000, end: 0x3000, type: "direct" },
      { start: 0x2000, end: 0x3000, type: "msi" },
    ]);
  });
});
