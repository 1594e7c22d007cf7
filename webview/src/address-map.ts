// The guest-physical address map of a VM, drawn to scale from address 0 down, with long
// holes collapsed to a fixed height and every region given a minimum height so that a
// 128 KiB ROM stays visible next to 128 GiB of virtio-mem. Reserved IOVA windows and the
// end of the IOMMU aperture are drawn in their own lane beside the map.
//
// `layoutAxis` and `placeLabels` are pure (unit-tested); `renderAddressMap` builds DOM.
import { h, s as svg, type Child } from "./dom";
import { bytes, count, hex } from "./format";
import type { HostReport, SourceRef, VmReport } from "./report-types";
import type { VmState } from "./state";

export interface Interval {
  start: number;
  end: number;
  /** a range that is not memory (an MMIO window): scaled like a hole, collapsed when long */
  soft?: boolean;
}

export interface AxisSegment {
  start: number;
  end: number;
  y: number;
  height: number;
  /** no memory here: nothing, or only soft ranges */
  hole: boolean;
  /** nothing at all here */
  empty: boolean;
  /** a hole drawn at a fixed height rather than to scale */
  collapsed: boolean;
}

export interface AxisLayout {
  segments: AxisSegment[];
  height: number;
  /** the vertical position of an address (monotonic; linear within each segment) */
  y(address: number): number;
}

export interface AxisOptions {
  /** total height the segments are scaled to */
  height: number;
  /** smallest height of an occupied segment */
  minSegment: number;
  /** height of a collapsed hole */
  holeHeight: number;
  /** a hole longer than this fraction of the occupied bytes is collapsed */
  collapseRatio: number;
}

export const AXIS_DEFAULTS: AxisOptions = { height: 420, minSegment: 18, holeHeight: 26, collapseRatio: 0.1 };

/**
 * Lays out the address axis from 0 to the highest end or point: every start, end and point
 * is a segment boundary; occupied segments are scaled linearly (but at least `minSegment`
 * high), holes (nothing or only soft ranges there) longer than `collapseRatio` of the
 * occupied bytes get `holeHeight`.
 */
export function layoutAxis(intervals: Interval[], points: number[] = [], options: Partial<AxisOptions> = {}): AxisLayout {
  const o = { ...AXIS_DEFAULTS, ...options };
  const valid = intervals.filter((i) => i.end > i.start);
  const bounds = [...new Set([0, ...valid.flatMap((i) => [i.start, i.end]), ...points])].sort((a, b) => a - b);
  // A sweep over the bounds: how many memory (hard) and soft ranges cover each segment.
  // Every start and end is a bound, so a range covers exactly the segments from its start's
  // bound to its end's: +1 there, −1 here, summed as we go. O(n log n) for n ranges.
  const indexOf = new Map(bounds.map((b, i) => [b, i]));
  const hardDelta = new Int32Array(bounds.length + 1);
  const softDelta = new Int32Array(bounds.length + 1);
  for (const v of valid) {
    const delta = v.soft ? softDelta : hardDelta;
    delta[indexOf.get(v.start)!]++;
    delta[indexOf.get(v.end)!]--;
  }
  const raw: { start: number; end: number; hole: boolean; empty: boolean }[] = [];
  let hard = 0;
  let soft = 0;
  for (let i = 0; i + 1 < bounds.length; i++) {
    hard += hardDelta[i];
    soft += softDelta[i];
    raw.push({ start: bounds[i], end: bounds[i + 1], hole: hard === 0, empty: hard === 0 && soft === 0 });
  }
  const occupied = raw.filter((r) => !r.hole).reduce((sum, r) => sum + (r.end - r.start), 0);
  const collapsed = raw.map((r) => r.hole && (occupied === 0 || r.end - r.start > o.collapseRatio * occupied));

  // Scale so that the heights add up to o.height, with the minimum for occupied segments.
  // Holding a segment at the minimum only lowers the scale, so the segments held there are
  // the k smallest for the least k at which the (k+1)th smallest, scaled, reaches the
  // minimum: one pass over the sizes in ascending order, O(n log n).
  const fixed = collapsed.filter(Boolean).length * o.holeHeight;
  const scaled = raw.map((_, i) => i).filter((i) => !collapsed[i]);
  const size = (i: number) => raw[i].end - raw[i].start;
  const ascending = scaled.filter((i) => !raw[i].hole).sort((a, b) => size(a) - size(b));
  let scaledBytes = scaled.reduce((sum, i) => sum + size(i), 0);
  const atMinimum = raw.map(() => false);
  let scale = 0;
  for (let k = 0; ; k++) {
    const room = o.height - fixed - k * o.minSegment;
    scale = scaledBytes > 0 ? Math.max(0, room) / scaledBytes : 0;
    if (k === ascending.length || size(ascending[k]) * scale >= o.minSegment) break;
    atMinimum[ascending[k]] = true;
    scaledBytes -= size(ascending[k]);
  }

  let y = 0;
  const segments: AxisSegment[] = raw.map((r, i) => {
    const height = collapsed[i] ? o.holeHeight : atMinimum[i] ? o.minSegment : (r.end - r.start) * scale;
    const segment = { ...r, y, height, collapsed: collapsed[i] };
    y += height;
    return segment;
  });
  const height = y;
  return {
    segments,
    height,
    y(address: number): number {
      if (segments.length === 0 || address <= segments[0].start) return 0;
      let low = 0;
      let high = segments.length - 1;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (segments[mid].end < address) low = mid + 1;
        else high = mid;
      }
      const s = segments[low];
      if (address >= s.end) return s.y + s.height;
      return s.y + ((address - s.start) / (s.end - s.start)) * s.height;
    },
  };
}

/**
 * Vertical positions for labels that want to sit at `desired` (ascending), at least `gap`
 * apart: overlapping labels form a group centred on what its members want, never above 0.
 */
export function placeLabels(desired: number[], gap: number): number[] {
  const groups: { first: number; n: number; top: number }[] = [];
  const sums = [0];
  for (const d of desired) sums.push(sums[sums.length - 1] + d);
  const centred = (first: number, n: number) => {
    const mean = (sums[first + n] - sums[first]) / n;
    return Math.max(0, mean - ((n - 1) * gap) / 2);
  };
  desired.forEach((_, i) => {
    groups.push({ first: i, n: 1, top: Math.max(0, desired[i]) });
    while (groups.length > 1) {
      const last = groups[groups.length - 1];
      const previous = groups[groups.length - 2];
      if (previous.top + previous.n * gap <= last.top) break;
      groups.pop();
      previous.n += last.n;
      previous.top = centred(previous.first, previous.n);
    }
  });
  const tops: number[] = [];
  for (const g of groups) for (let k = 0; k < g.n; k++) tops.push(g.top + k * gap);
  return tops;
}

// ---- the regions of a VM ------------------------------------------------------------------

export type RegionKind = "ram" | "private" | "rom" | "virtio-mem" | "dimm" | "pci-hole" | "device-memory" | "reserved";

export interface Region extends Interval {
  key: string;
  lane: "main" | "side" | "iova";
  kind: RegionKind;
  name: string;
  detail: string;
  source: SourceRef | null;
  /** parts drawn inside the region: plugged virtio-mem blocks, shared confidential memory */
  fills: (Interval & { kind: "plugged" | "shared" })[];
}

const intersect = (a: Interval, b: Interval): Interval | null => {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return end > start ? { start, end } : null;
};

/** The regions of `vm` in the state `state` (plugged blocks, shared memory, the host). */
export function regionsOf(vm: VmReport, state: Pick<VmState, "plugged" | "sharedRanges" | "host">): Region[] {
  const confidential = vm.confidential !== "none";
  const regions: Region[] = [];
  const devices = new Map(vm.virtioMem.map((d) => [d.name, d]));
  // Shared ranges and sections both ascend: one merge-like walk gives each section its part.
  const shared = [...state.sharedRanges].sort((a, b) => a.start - b.start);
  const sharedFrom = (section: Interval): Interval[] => {
    let low = 0;
    let high = shared.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (shared[mid].end <= section.start) low = mid + 1;
      else high = mid;
    }
    const parts: Interval[] = [];
    for (let i = low; i < shared.length && shared[i].start < section.end; i++) {
      const part = intersect(shared[i], section);
      if (part) parts.push(part);
    }
    return parts;
  };
  for (const section of vm.layout.sections) {
    const size = section.end - section.start;
    const base = { key: `section:${section.name}:${section.start}`, lane: "main" as const, name: section.name, start: section.start, end: section.end, source: section.source, fills: [] as Region["fills"] };
    if (section.kind === "virtio-mem") {
      const device = devices.get(section.name);
      const blockSize = device?.blockSize ?? 0;
      const blocks = device?.blocks ?? 0;
      const plugged = Math.min(blocks, state.plugged[section.name] ?? 0);
      const fills: Region["fills"] = plugged > 0 ? [{ start: section.start, end: section.start + plugged * blockSize, kind: "plugged" }] : [];
      regions.push({ ...base, kind: "virtio-mem", detail: `virtio-mem · ${count(plugged)} of ${count(blocks)} blocks of ${bytes(blockSize)} plugged (${bytes(plugged * blockSize)} of ${bytes(size)})`, fills });
    } else if (section.kind === "ram" && confidential) {
      const fills = sharedFrom(section).map((part) => ({ ...part, kind: "shared" as const }));
      const shared = fills.reduce((sum, f) => sum + (f.end - f.start), 0);
      regions.push({ ...base, kind: "private", detail: `${vm.confidential} RAM · ${bytes(size)} · ${shared > 0 ? `${bytes(shared)} shared, ${bytes(size - shared)} private` : "all private"}`, fills });
    } else if (section.kind === "rom") {
      regions.push({ ...base, kind: "rom", detail: `ROM · ${bytes(size)}` });
    } else if (section.kind === "dimm") {
      regions.push({ ...base, kind: "dimm", detail: `DIMM · ${bytes(size)}` });
    } else {
      regions.push({ ...base, kind: "ram", detail: `RAM · ${bytes(size)}` });
    }
  }
  const { deviceMemory, pciHole64 } = vm.layout;
  if (pciHole64) {
    regions.push({ key: "pci-hole64", lane: "main", kind: "pci-hole", name: "pci-hole64", detail: `64-bit PCI hole · ${bytes(pciHole64.end - pciHole64.start)} of MMIO, not mapped for DMA`, ...pciHole64, soft: true, source: vm.source, fills: [] });
  }
  if (deviceMemory) {
    regions.push({ key: "device-memory", lane: "side", kind: "device-memory", name: "device memory", detail: `device memory (maxmem − memory) · ${bytes(deviceMemory.end - deviceMemory.start)}`, ...deviceMemory, soft: true, source: vm.source, fills: [] });
  }
  for (const r of state.host?.reservedIova ?? []) {
    regions.push({ key: `reserved:${r.name}`, lane: "iova", kind: "reserved", name: r.name, detail: `reserved IOVA window of host ${state.host!.name} · ${bytes(r.end - r.start)}`, start: r.start, end: r.end, source: r.source, fills: [] });
  }
  return regions;
}

// ---- level of detail ----------------------------------------------------------------------

/** More main-lane regions than this are drawn in groups: a map of 10,000 18-pixel bars helps no one. */
export const MAP_DETAIL_LIMIT = 200;

/**
 * At most about `limit` main-lane regions: runs of consecutive regions merged into one
 * (its detail says how many, and how much memory), never across a hole long enough to be
 * collapsed, so the map stays to scale where it was. Linear in the regions.
 */
export function groupRegions(regions: Region[], limit = MAP_DETAIL_LIMIT, collapseRatio = AXIS_DEFAULTS.collapseRatio): Region[] {
  const main = regions.filter((r) => r.lane === "main" && !r.soft).sort((a, b) => a.start - b.start);
  if (main.length <= limit) return regions;
  const occupied = main.reduce((sum, r) => sum + (r.end - r.start), 0);
  const perGroup = Math.ceil(main.length / limit);
  const groups: Region[][] = [];
  for (const r of main) {
    const current = groups[groups.length - 1];
    const last = current?.[current.length - 1];
    if (current && current.length < perGroup && r.start - last.end <= collapseRatio * occupied) current.push(r);
    else groups.push([r]);
  }
  const merged = groups.map((members): Region => {
    if (members.length === 1) return members[0];
    const first = members[0];
    const last = members[members.length - 1];
    const kinds = new Map<RegionKind, number>();
    for (const m of members) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
    const kind = [...kinds].sort((a, b) => b[1] - a[1])[0][0];
    const memory = members.reduce((sum, m) => sum + (m.end - m.start), 0);
    return {
      key: `group:${first.key}`,
      lane: "main",
      kind,
      name: `${first.name} … ${last.name}`,
      detail: `${count(members.length)} regions · ${bytes(memory)}${last.end - first.start > memory ? ` in ${bytes(last.end - first.start)} of addresses` : ""}`,
      start: first.start,
      end: last.end,
      source: first.source,
      fills: members.flatMap((m) => m.fills),
    };
  });
  return [...merged, ...regions.filter((r) => r.lane !== "main" || r.soft)];
}

// ---- rendering ----------------------------------------------------------------------------

const KIND_WORD: Record<RegionKind, string> = {
  ram: "RAM",
  private: "confidential RAM",
  rom: "ROM",
  "virtio-mem": "virtio-mem",
  dimm: "DIMM",
  "pci-hole": "MMIO",
  "device-memory": "device memory",
  reserved: "reserved IOVA",
};

const range = (i: Interval) => `${hex(i.start)} – ${hex(i.end)}`;

/** data-* attributes that make an element reveal `source` when activated. */
export function revealProps(source: SourceRef | null): Record<string, string | undefined> {
  if (!source) return {};
  const r = source.range;
  return { "data-action": "reveal", "data-file": source.file, "data-range": `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}` };
}

const LABEL_GAP = 30;
const LEADER_WIDTH = 24;

export function renderAddressMap(vm: VmReport, state: VmState, options: Partial<AxisOptions> = {}): HTMLElement {
  const all = regionsOf(vm, state);
  const regions = groupRegions(all, MAP_DETAIL_LIMIT, options.collapseRatio);
  const host: HostReport | undefined = state.host;
  const apertureEnd = host ? 2 ** host.iommuAddressWidth : null;
  const axis = layoutAxis(regions, apertureEnd !== null ? [apertureEnd] : [], options);
  const px = (n: number) => `${Math.round(n * 10) / 10}px`;

  const main = all.filter((r) => r.lane === "main");
  const highestMapped = Math.max(0, ...vm.layout.sections.map((s) => s.end));

  // Collapsed segments up to each segment, to tell in O(log n) whether a region was squeezed.
  const collapsedBefore = [0];
  for (const seg of axis.segments) collapsedBefore.push(collapsedBefore[collapsedBefore.length - 1] + (seg.collapsed ? 1 : 0));
  const segmentAt = (address: number) => {
    let low = 0;
    let high = axis.segments.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (axis.segments[mid].start < address) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  // Labels: one per main-lane region and reserved window, one per collapsed hole, the aperture.
  const labels: { y: number; key: string; node: (top: number) => HTMLElement }[] = [];
  for (const r of regions) {
    if (r.lane === "side") continue;
    const centre = (axis.y(r.start) + axis.y(r.end)) / 2;
    const squeezed = collapsedBefore[segmentAt(r.end)] - collapsedBefore[segmentAt(r.start)] > 0;
    const detail = squeezed ? `${r.detail} (not to scale)` : r.detail;
    labels.push({
      y: centre,
      key: `label:${r.key}`,
      node: (top) =>
        h(
          "div",
          { class: ["map-label", `kind-${r.kind}`, r.source ? "clickable" : ""], "data-key": `label:${r.key}`, "aria-hidden": "true", ...revealProps(r.source), style: { top: px(top) } },
          h("span", { class: "map-label-name" }, r.name),
          h("span", { class: "map-label-detail" }, detail),
        ),
    });
  }
  for (const s of axis.segments) {
    if (!s.collapsed || !s.empty) continue;
    labels.push({
      y: s.y + s.height / 2,
      key: `label:hole:${s.start}`,
      node: (top) => h("div", { class: "map-label hole-label", "data-key": `label:hole:${s.start}`, "aria-hidden": "true", style: { top: px(top) } }, h("span", { class: "map-label-detail" }, `≈ ${bytes(s.end - s.start)} gap (not to scale)`)),
    });
  }
  if (apertureEnd !== null) {
    const problem = apertureEnd < highestMapped;
    labels.push({
      y: axis.y(apertureEnd),
      key: "label:aperture",
      node: (top) =>
        h(
          "div",
          { class: ["map-label", "aperture-label", problem ? "danger" : "", host?.addressWidthSource ? "clickable" : ""], "data-key": "label:aperture", "aria-hidden": "true", ...revealProps(host?.addressWidthSource ?? null), style: { top: px(top) } },
          h("span", { class: "map-label-name" }, "IOMMU aperture ends"),
          h("span", { class: "map-label-detail" }, `${host!.iommuAddressWidth}-bit IOVA space ends at ${bytes(apertureEnd)}${problem ? ": guest RAM above it cannot be mapped" : ""}`),
        ),
    });
  }
  labels.sort((a, b) => a.y - b.y);
  const tops = placeLabels(
    labels.map((l) => l.y - LABEL_GAP / 2),
    LABEL_GAP,
  );

  // Addresses in the gutter, at region boundaries, skipping those too close to the previous.
  const marks = [...new Set(regions.filter((r) => r.lane !== "side").flatMap((r) => [r.start, r.end]))].sort((a, b) => a - b);
  const gutter: Child[] = [];
  let lastY = -Infinity;
  for (const address of marks) {
    const y = axis.y(address);
    if (y - lastY < 13) continue;
    lastY = y;
    gutter.push(h("div", { class: "map-address", "data-key": `addr:${address}`, "aria-hidden": "true", style: { top: px(y) } }, hex(address)));
  }

  const regionNodes = regions.map((r) => {
    const top = axis.y(r.start);
    const height = Math.max(2, axis.y(r.end) - top);
    const fills = r.fills.map((f, i) =>
      h("div", {
        class: `map-fill fill-${f.kind}`,
        "data-key": `fill:${i}`,
        style: { top: px(axis.y(f.start) - top), height: px(Math.max(2, axis.y(f.end) - axis.y(f.start))) },
      }),
    );
    const label = `${r.name}, ${KIND_WORD[r.kind]}: ${r.detail}, ${range(r)}`;
    return h(
      "button",
      {
        type: "button",
        class: ["map-region", `lane-${r.lane}`, `kind-${r.kind}`],
        "data-key": r.key,
        "aria-label": r.source ? `${label}. Press Enter to go to its declaration.` : label,
        title: `${r.name} · ${r.detail}\n${range(r)}`,
        disabled: r.source ? undefined : true,
        ...revealProps(r.source),
        style: { top: px(top), height: px(height) },
      },
      fills,
    );
  });

  const holes = axis.segments
    .filter((s) => s.collapsed && s.empty)
    .map((s) => h("div", { class: "map-hole", "data-key": `hole:${s.start}`, "aria-hidden": "true", style: { top: px(s.y), height: px(s.height) } }));
  const aperture =
    apertureEnd !== null
      ? h("div", { class: ["map-aperture", apertureEnd < highestMapped ? "danger" : ""], "data-key": "aperture", "aria-hidden": "true", style: { top: px(axis.y(apertureEnd)) } })
      : null;

  const labelNodes = labels.map((l, i) => l.node(tops[i]));
  const height = Math.max(axis.height, (tops[tops.length - 1] ?? 0) + LABEL_GAP);
  // Leader lines from each region's middle to its label, where the label had to move.
  const leaders = svg(
    "svg",
    { class: "map-leaders", "data-key": "leaders", width: LEADER_WIDTH, height: Math.ceil(height), "aria-hidden": "true", focusable: "false" },
    labels.map((l, i) => {
      const to = tops[i] + LABEL_GAP / 2;
      return svg("path", { "data-key": l.key, d: `M0 ${l.y.toFixed(1)} C ${LEADER_WIDTH / 2} ${l.y.toFixed(1)}, ${LEADER_WIDTH / 2} ${to.toFixed(1)}, ${LEADER_WIDTH} ${to.toFixed(1)}` });
    }),
  );
  const description = `Guest-physical address map of vm ${vm.name} ${state.label}: ${main.length} regions from ${hex(0)} to ${hex(vm.layout.highestGpa)}, ${vm.layout.physBitsNeeded} of ${vm.layout.physBits} physical address bits needed`;
  return h(
    "div",
    { class: "address-map", role: "group", "aria-label": description, "data-key": "address-map", style: { height: px(height) } },
    h("div", { class: "map-gutter", "data-key": "gutter" }, gutter),
    h("div", { class: "map-lanes", "data-key": "lanes" }, holes, regionNodes, aperture),
    leaders,
    h("div", { class: "map-labels", "data-key": "labels" }, labelNodes),
  );
}

export function renderMapLegend(vm: VmReport, state: VmState): HTMLElement {
  const kinds = new Set(regionsOf(vm, state).map((r) => r.kind));
  const items: [string, string, boolean][] = [
    ["ram", "RAM", kinds.has("ram")],
    ["private", "private RAM", kinds.has("private")],
    ["shared", "shared", kinds.has("private")],
    ["rom", "ROM", kinds.has("rom")],
    ["plugged", "plugged", kinds.has("virtio-mem")],
    ["virtio-mem", "unplugged", kinds.has("virtio-mem")],
    ["dimm", "DIMM", kinds.has("dimm")],
    ["pci-hole", "MMIO", kinds.has("pci-hole")],
    ["reserved", "reserved IOVA", kinds.has("reserved")],
  ];
  return h(
    "ul",
    { class: "legend", "aria-label": "Legend", "data-key": "legend" },
    items.filter(([, , shown]) => shown).map(([kind, text]) => h("li", { "data-key": kind }, h("span", { class: `swatch swatch-${kind}`, "aria-hidden": "true" }), text)),
  );
}
