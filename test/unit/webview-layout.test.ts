// The mapping-state webview's pure parts: the address axis (scale, minimum heights, collapsed
// holes), label placement, the regions of a VM at a step, gauges, the chart's scale, formats.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { layoutAxis, placeLabels, regionsOf } from "../../webview/src/address-map";
import { gauge } from "../../webview/src/containers";
import { bytes, compact, count, hex, percent } from "../../webview/src/format";
import type { VmReport } from "../../webview/src/report-types";
import { chartScale } from "../../webview/src/scenario";

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} ≠ ${b}`);

describe("address axis", () => {
  test("occupied ranges are drawn to scale and fill the height", () => {
    const axis = layoutAxis([{ start: 0, end: 1 * GiB }, { start: 1 * GiB, end: 4 * GiB }], [], { height: 400, minSegment: 10 });
    assert.equal(axis.segments.length, 2);
    close(axis.height, 400, "height");
    close(axis.segments[0].height, 100, "1 GiB of 4");
    close(axis.segments[1].height, 300, "3 GiB of 4");
    close(axis.y(2 * GiB), 200, "y is linear inside a segment");
    assert.equal(axis.y(0), 0);
    close(axis.y(4 * GiB), 400, "the end");
    close(axis.y(100 * GiB), 400, "beyond the end");
  });

  test("a tiny range gets the minimum height; the rest is scaled into what remains", () => {
    const axis = layoutAxis([{ start: 0, end: 128 * 1024 }, { start: 128 * 1024, end: 16 * GiB }], [], { height: 400, minSegment: 18 });
    close(axis.segments[0].height, 18, "the ROM-sized range");
    close(axis.segments[1].height, 382, "the rest");
    close(axis.height, 400, "height");
  });

  test("a long hole collapses to a fixed height, a short one stays to scale", () => {
    const axis = layoutAxis(
      [
        { start: 0, end: 2 * GiB },
        { start: 2 * GiB + 64 * MiB, end: 4 * GiB },
        { start: 1024 * GiB, end: 1026 * GiB },
      ],
      [],
      { height: 400, minSegment: 10, holeHeight: 24, collapseRatio: 0.1 },
    );
    const holes = axis.segments.filter((s) => s.hole);
    assert.equal(holes.length, 2);
    const [short, long] = holes;
    assert.equal(short.collapsed, false, "64 MiB next to 6 GiB stays to scale");
    assert.equal(long.collapsed, true, "1020 GiB is collapsed");
    close(long.height, 24, "collapsed height");
    close(axis.height, 400, "height");
    // 6 GiB − 64 MiB of memory and the 64 MiB hole share 376 px.
    close(short.height, (376 * 64 * MiB) / (6 * GiB), "short hole to scale");
  });

  test("soft ranges (MMIO) are holes for scaling but not empty", () => {
    const axis = layoutAxis([{ start: 0, end: 16 * GiB }, { start: 16 * GiB, end: 48 * GiB, soft: true }], [], { height: 400, holeHeight: 30 });
    const mmio = axis.segments[1];
    assert.equal(mmio.hole, true);
    assert.equal(mmio.empty, false);
    assert.equal(mmio.collapsed, true);
    close(axis.segments[0].height, 370, "RAM takes the rest");
  });

  test("points (the IOMMU aperture's end) are boundaries; y is monotonic", () => {
    const axis = layoutAxis([{ start: 0, end: 8 * GiB }], [2 ** 48]);
    assert.equal(axis.segments.at(-1)!.end, 2 ** 48);
    assert.ok(axis.segments.at(-1)!.collapsed);
    let last = -1;
    for (const a of [0, 1, GiB, 4 * GiB, 8 * GiB, 2 ** 40, 2 ** 48]) {
      const y = axis.y(a);
      assert.ok(y >= last, `y(${a}) = ${y} after ${last}`);
      last = y;
    }
  });

  test("nothing to lay out", () => {
    const axis = layoutAxis([]);
    assert.equal(axis.segments.length, 0);
    assert.equal(axis.y(123), 0);
  });
});

describe("label placement", () => {
  test("labels that fit stay where they want to be", () => {
    assert.deepEqual(placeLabels([0, 40, 100], 30), [0, 40, 100]);
  });

  test("crowded labels spread around their mean, never above 0", () => {
    assert.deepEqual(placeLabels([100, 100, 100], 30), [70, 100, 130]);
    assert.deepEqual(placeLabels([0, 5, 10], 30), [0, 30, 60]);
    const placed = placeLabels([10, 20, 200, 205, 210, 400], 30);
    for (let i = 1; i < placed.length; i++) assert.ok(placed[i] - placed[i - 1] >= 30 - 1e-9, JSON.stringify(placed));
  });
});

const ref = { file: "/t.vmtopo", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };

function vm(confidential = "none"): VmReport {
  return {
    name: "v",
    host: "h",
    machine: "q35",
    memory: 4 * GiB,
    maxmem: 68 * GiB,
    confidential,
    layout: {
      sections: [
        { name: "ram-below-4g", kind: "ram", start: MiB, end: 2 * GiB, source: ref },
        { name: "ram-above-4g", kind: "ram", start: 4 * GiB, end: 6 * GiB, source: ref },
        { name: "vmem0", kind: "virtio-mem", start: 6 * GiB, end: 70 * GiB, source: ref },
      ],
      deviceMemory: { start: 6 * GiB, end: 70 * GiB },
      pciHole64: { start: 70 * GiB, end: 102 * GiB },
      highestGpa: 102 * GiB - 1,
      physBitsNeeded: 37,
      physBits: 46,
      relocatedAbove1T: false,
    },
    virtioMem: [{ name: "vmem0", base: 6 * GiB, size: 64 * GiB, blockSize: 2 * MiB, blocks: 32768, pluggedBlocks: 0, usableRegion: 0, guestMode: "sbm", largestPassingSize: null, source: ref }],
    vfio: [],
    containers: [],
    source: ref,
    memlock: { processBytes: 0, userBytes: 0 },
    hugetlb: [],
    verdict: { kind: "starts" },
    diagnostics: [],
  };
}

describe("regions of a VM", () => {
  const host = { name: "h", memlock: null, iommuAddressWidth: 48, reservedIova: [{ name: "msi", start: 0xfee00000, end: 0xfef00000, source: null }], source: null, memlockSource: null, addressWidthSource: null , hugepages: []};

  test("plugged virtio-mem blocks fill the device from its base", () => {
    const regions = regionsOf(vm(), { plugged: { vmem0: 2048 }, sharedRanges: [], host });
    const vmem = regions.find((r) => r.name === "vmem0")!;
    assert.deepEqual(vmem.fills, [{ start: 6 * GiB, end: 6 * GiB + 2048 * 2 * MiB, kind: "plugged" }]);
    assert.match(vmem.detail, /2,048 of 32,768 blocks of 2 MiB plugged \(4 GiB of 64 GiB\)/);
    assert.deepEqual(
      regions.map((r) => `${r.lane}:${r.kind}:${r.name}`),
      ["main:ram:ram-below-4g", "main:ram:ram-above-4g", "main:virtio-mem:vmem0", "main:pci-hole:pci-hole64", "side:device-memory:device memory", "iova:reserved:msi"],
    );
  });

  test("shared ranges of a confidential guest are clipped to its RAM sections", () => {
    const regions = regionsOf(vm("tdx"), { plugged: {}, sharedRanges: [{ start: GiB, end: 5 * GiB }], host: undefined });
    const below = regions.find((r) => r.name === "ram-below-4g")!;
    const above = regions.find((r) => r.name === "ram-above-4g")!;
    assert.equal(below.kind, "private");
    assert.deepEqual(below.fills, [{ start: GiB, end: 2 * GiB, kind: "shared" }]);
    assert.deepEqual(above.fills, [{ start: 4 * GiB, end: 5 * GiB, kind: "shared" }]);
    assert.match(above.detail, /1 GiB shared, 1 GiB private/);
    assert.ok(!regions.some((r) => r.kind === "reserved"), "no host, no reserved windows");
  });
});

describe("gauges", () => {
  test("percentages, levels and the clamped fill", () => {
    assert.deepEqual(gauge(25_606, 65_535), { value: 25_606, max: 65_535, ratio: 25_606 / 65_535, fill: (25_606 / 65_535) * 100, level: "ok", percentText: "39%" });
    assert.equal(gauge(60_000, 65_535).level, "warn");
    const over = gauge(251_907, 65_535);
    assert.equal(over.level, "over");
    assert.equal(over.fill, 100);
    assert.equal(over.percentText, "384%");
    assert.equal(gauge(6, 65_535).percentText, "<0.01%");
    assert.equal(gauge(6, 65_535).fill > 0, true);
    assert.equal(gauge(0, 100).percentText, "0%");
  });

  test("no maximum (iommufd, unlimited memlock): no gauge", () => {
    assert.deepEqual(gauge(251_904, null), { value: 251_904, max: null, ratio: null, fill: 0, level: "none", percentText: "" });
    assert.equal(gauge(1, 0).level, "none");
  });
});

describe("chart scale", () => {
  test("the axis ends at a round number above every value and limit", () => {
    assert.deepEqual(chartScale([6, 32_774, 65_535]), { max: 80_000, ticks: [0, 20_000, 40_000, 60_000, 80_000] });
    assert.deepEqual(chartScale([251_907, 65_535]), { max: 300_000, ticks: [0, 100_000, 200_000, 300_000] });
    assert.equal(chartScale([4_194_304]).max, 6_000_000);
    assert.deepEqual(chartScale([]), { max: 1, ticks: [0, 1] });
  });
});

describe("formats", () => {
  test("as the CLI prints them", () => {
    assert.equal(count(4_227_001), "4,227,001");
    assert.equal(bytes(16 * GiB), "16 GiB");
    assert.equal(bytes(1.5 * GiB), "1.5 GiB");
    assert.equal(bytes(GiB + 4 * MiB), "1 GiB"); // the unit by magnitude, two decimals at most
    assert.equal(bytes(8192.25 * MiB), "8 GiB");
    assert.equal(hex(0x480000000), "0x4_8000_0000");
    assert.equal(hex(0xfee00000), "0xfee0_0000");
    assert.equal(hex(0), "0x0");
    assert.equal(compact(65_535), "65.5k");
    assert.equal(compact(4_194_304), "4.19M");
    assert.equal(percent(0.063), "6.3%");
    assert.equal(percent(64.12), "6,412%");
  });
});
