// The worked figures of DOMAIN.md §7, one test each: the engine is held to them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { pageTableBytes } from "../../server/src/engine/containers";
import { GiB, KiB, MiB } from "../../server/src/engine/format";
import { buildReport } from "../../server/src/engine/report";

const report = (text: string) => buildReport(analyzeText(text));
const codes = (text: string) => analyzeText(text).diagnostics.map((d) => `${d.code} ${d.severity}`);

const tdx = (hostVfio: string, qemu = "10.2") => `
host spr {
  qemu = "${qemu}"
  vfio { ${hostVfio} }
}
vm td0 on spr {
  confidential = tdx
  memory = 16G
  vfio nic0 { host = "0000:3b:00.0" }
}
`;

describe("DOMAIN.md §7 worked figures", () => {
  test("1. a 16 GiB confidential q35 guest on type1 fails QEMU's start-up check: VT201, an error on 10.2", () => {
    const [container] = report(tdx("backend = type1")).vms[0].containers;
    // RAM: 4,194,240 granules in 3 sections; the TDVF (pc.bios, 4 MiB of guest_memfd): 1,024 in a 4th.
    assert.deepEqual(container.startupCheck, { mappings: 4_195_264, memslots: 32_764, sections: 4, total: 4_228_024, limit: 65_535, passes: false });
    assert.deepEqual(codes(tdx("backend = type1")), ["VT201 error"]);
    assert.deepEqual(codes(tdx("backend = type1", "10.1")), ["VT201 warning"]);
  });

  test("1. raising dma-entry-limit to 4,194,304 still fails by the memslot term; iommufd makes no check", () => {
    const raised = report(tdx("backend = type1 dma-entry-limit = 4194304")).vms[0].containers[0];
    assert.equal(raised.startupCheck?.passes, false);
    assert.equal(raised.startupCheck?.total, 4_228_024);
    const iommufd = report(tdx("backend = iommufd")).vms[0].containers[0];
    assert.equal(iommufd.startupCheck, null);
    assert.equal(iommufd.limit, null);
    assert.deepEqual(codes(tdx("backend = iommufd")), []);
  });

  test("2. the default 65,535 entries cover 65,535 × 4 KiB ≈ 256 MiB of shared memory", () => {
    // A TDX guest maps nothing at boot (RAM and TDVF are guest_memfd, private): 65,535 shared
    // pages are the last that fit; the conversion of one more fails and is rolled back.
    const fits = `${tdx("backend = type1", "10.1")}
scenario s for td0 {
  convert 0x100000 .. ${0x100000 + 65_535 * 4096} to shared
  convert ${0x100000 + 65_535 * 4096} .. ${0x100000 + 65_536 * 4096} to shared
}`;
    const r = report(fits);
    assert.equal(r.vms[0].containers[0].boot!.mappings, 0);
    const steps = r.scenarios[0].steps;
    assert.equal(steps[0].containers[0].mappings, 65_535);
    assert.equal(steps[0].containers[0].pinnedBytes, 65_535 * 4 * KiB);
    assert.deepEqual(steps[0].diagnostics, []);
    assert.deepEqual(steps[1].diagnostics.map((d) => d.code), ["VT202"]);
    assert.match(steps[1].diagnostics[0].message, /1 more DMA mapping in container.*holds 65,535 of its limit of 65,535.*rolled back.*= -28 \(No space left on device\)/);
    assert.equal(steps[1].containers[0].mappings, 65_535);
    assert.equal(steps[1].sharedBytes, 65_535 * 4 * KiB);
  });

  test("3. virtio-mem with 2 MiB blocks resized to 100M: 50 mappings for that device", () => {
    const r = report(`
vm v {
  memory = 4G
  maxmem = 68G
  virtio-mem vmem0 { size = 64G block-size = 2M }
  vfio nic0 {}
}
scenario grow for v { resize vmem0 to 100M }`);
    const boot = r.vms[0].containers[0].boot!.mappings;
    assert.equal(r.scenarios[0].steps[0].containers[0].mappings - boot, 50);
    assert.equal(r.scenarios[0].steps[0].pluggedBlocks.vmem0, 50);
  });

  const oneVirtioMem = (size: string, blockSize: string) => `
vm v {
  memory = 4G
  maxmem = 260G
  virtio-mem vmem0 { size = ${size} block-size = ${blockSize} }
  vfio nic0 {}
}`;

  test("4. one virtio-mem section on x86_64 KVM passes up to 65,535 − 32,764 + 1 = 32,772 blocks", () => {
    const at = (size: string, bs: string) => report(oneVirtioMem(size, bs)).vms[0].containers[0].startupCheck!;
    assert.deepEqual([at("65544M", "2M").mappings, at("65544M", "2M").passes], [32_772, true]); // 64 GiB + 8 MiB
    assert.deepEqual([at("65546M", "2M").mappings, at("65546M", "2M").passes], [32_773, false]);
    assert.equal(at("128G", "2M").passes, false);
    assert.equal(at("128G", "4M").passes, true);
    assert.deepEqual(codes(oneVirtioMem("128G", "2M")), ["VT201 error"]);
    assert.deepEqual(codes(oneVirtioMem("128G", "4M")), []);
    assert.equal(report(oneVirtioMem("128G", "2M")).vms[0].virtioMem[0].largestPassingSize, 32_772 * 2 * MiB);
  });

  const layoutOf = (machine: string, memory: string, extra = "") => report(`vm v {\n  machine = ${machine}\n  memory = ${memory}\n  ${extra}\n}`).vms[0].layout;
  const ram = (l: ReturnType<typeof layoutOf>) => l.sections.filter((s) => s.kind === "ram").map((s) => [s.name, s.start, s.end]);

  test("5. q35 -m 4G → 2 GiB below 4 GiB and [4G, 6G) above; -m 2816M → 2 GiB + 768 MiB", () => {
    assert.deepEqual(ram(layoutOf("q35", "4G")), [
      ["ram-below-1m", 0, 0xc0000],
      ["ram-below-4g", 0x100000, 2 * GiB],
      ["ram-above-4g", 4 * GiB, 6 * GiB],
    ]);
    assert.deepEqual(ram(layoutOf("q35", "2816M")).slice(1), [
      ["ram-below-4g", 0x100000, 2 * GiB],
      ["ram-above-4g", 4 * GiB, 4 * GiB + 768 * MiB],
    ]);
    assert.deepEqual(ram(layoutOf("q35", "2G")).slice(1), [["ram-below-4g", 0x100000, 2 * GiB]]);
  });

  test("5. pc -m 4G → 3 GiB + 1 GiB; -m 3584M → 3 GiB + 512 MiB; -m 3583M → all below 4 GiB", () => {
    assert.deepEqual(ram(layoutOf("pc", "4G")).slice(1), [
      ["ram-below-4g", 0x100000, 3 * GiB],
      ["ram-above-4g", 4 * GiB, 5 * GiB],
    ]);
    assert.deepEqual(ram(layoutOf("pc", "3584M")).slice(1), [
      ["ram-below-4g", 0x100000, 3 * GiB],
      ["ram-above-4g", 4 * GiB, 4 * GiB + 512 * MiB],
    ]);
    assert.deepEqual(ram(layoutOf("pc", "3583M")).slice(1), [["ram-below-4g", 0x100000, 3583 * MiB]]);
  });

  test("6. q35 -m 4G,maxmem=68G: device memory [6G, 70G), 64-bit hole [70G, 102G), highest GPA 0x197fffffff", () => {
    const l = layoutOf("q35", "4G", "maxmem = 68G");
    assert.deepEqual(l.deviceMemory, { start: 6 * GiB, end: 70 * GiB });
    assert.deepEqual(l.pciHole64, { start: 70 * GiB, end: 102 * GiB });
    assert.equal(l.highestGpa, 0x197fffffff);
    assert.equal(l.physBitsNeeded, 37);
    const vm = (bits: number) => `vm v {\n  memory = 4G\n  maxmem = 68G\n  phys-bits = ${bits}\n}`;
    assert.deepEqual(codes(vm(40)), []);
    const [d] = analyzeText(vm(36)).diagnostics;
    assert.equal(d.code, "VT110");
    assert.match(d.message, /Address space limit 0xfffffffff < 0x197fffffff phys-bits too low \(36\)/);
  });

  test("7. page tables for 64 GiB: 32,834 tables (128.26 MiB) at 4 KiB, 66 tables (264 KiB) at 2 MiB", () => {
    const run = (leafCap: number) => [{ bytes: 64 * GiB, leafCap, mappings: 1 }];
    assert.equal(pageTableBytes(run(4 * KiB), [4 * KiB, 2 * MiB, GiB], true), 32_834 * 4 * KiB);
    assert.equal((pageTableBytes(run(4 * KiB), [4 * KiB, 2 * MiB, GiB], true) / MiB).toFixed(2), "128.26");
    assert.equal(pageTableBytes(run(2 * MiB), [4 * KiB, 2 * MiB, GiB], true), 264 * KiB);
    assert.equal(pageTableBytes(run(GiB), [4 * KiB, 2 * MiB, GiB], true), 2 * 4 * KiB);
    // A unit without superpages maps everything at 4 KiB.
    assert.equal(pageTableBytes(run(2 * MiB), [4 * KiB, 2 * MiB, GiB], false), 32_834 * 4 * KiB);
  });

  test("8. postcopy with a 1 GiB backend at 10 Gbit/s: ≈ 0.86 s per fault (VT303)", () => {
    const analysis = analyzeText(`
host a { hugepages { 1G = 64 } }
host b { hugepages { 1G = 64 } }
vm v on a {
  memory = 32G
  page-size = 1G
}
scenario move for v { migrate to b postcopy }`);
    const step = buildReport(analysis).scenarios[0].steps[0];
    assert.equal(step.migration?.faultBytes, GiB);
    assert.equal(step.migration?.faultSeconds?.toFixed(2), "0.86");
    assert.equal(step.migration?.bytes, 32 * GiB);
    assert.deepEqual(step.diagnostics.map((d) => d.code), ["VT303"]);
    assert.match(step.diagnostics[0].message, /859 ms at 10 Gbit\/s/);
  });
});
