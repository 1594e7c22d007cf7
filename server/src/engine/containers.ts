// VFIO containers and their figures (DOMAIN.md §3; QEMU hw/vfio/listener.c,
// container-legacy.c; Linux drivers/vfio/vfio_iommu_type1.c, drivers/iommu/iommufd).
//
// Without a vIOMMU all type1 devices of a VM share one container, and all iommufd devices
// one IOAS; each device behind a vIOMMU has its own. A container maps one DMA mapping per
// plain RAM/ROM section, one per plugged virtio-mem block, one per shared 4 KiB page of a
// confidential guest's RAM, or (behind a vIOMMU) one per live guest mapping.
import type { Bytes } from "./attributes";
import { GiB, KiB, MiB } from "./format";
import { IntervalSet } from "./intervals";
import type { Layout, Section } from "./layout";
import { HOST_PAGE_SIZE, type HostModel, type VfioBackend, type VfioDeviceModel, type VirtioMemModel, type VmModel } from "./model";
import { atLeast } from "./version";
import { hasFact } from "./versions";

/** guest_memfd's RamBlockAttributes granule: the host page (QEMU system/ram-block-attributes.c). */
export const CONVERSION_GRANULE = HOST_PAGE_SIZE;

export interface MemoryState {
  /** plugged blocks per virtio-mem device (a prefix: plugging takes the lowest free block) */
  plugged: Map<string, number>;
  /** shared guest-physical ranges of a confidential guest */
  shared: IntervalSet;
  /** live vIOMMU mappings per device */
  viommuMaps: Map<string, { count: number; size: Bytes }>;
}

export interface ContainerKey {
  key: string;
  backend: VfioBackend;
  behindViommu: boolean;
}

export interface ContainerFigures {
  id: string;
  backend: VfioBackend;
  behindViommu: boolean;
  devices: VfioDeviceModel[];
  /** type1 entry limit; null for iommufd */
  limit: number | null;
  mappings: number;
  pinnedBytes: Bytes;
  pageTableBytes: Bytes;
  /** IOMMU domains (page tables) in the container: devices with different coherency or superpage support cannot share one */
  domains: VfioDeviceModel[][];
}

export interface StartupCheck {
  mappings: number;
  memslots: number;
  sections: number;
  total: number;
  limit: number;
  passes: boolean;
  /** the RamDiscardManager sections: what makes up `mappings` */
  parts: { name: string; granule: Bytes; mappings: number }[];
}

export function containerKey(device: VfioDeviceModel): ContainerKey {
  return device.behindViommu
    ? { key: `viommu:${device.name}`, backend: device.backend, behindViommu: true }
    : { key: device.backend, backend: device.backend, behindViommu: false };
}

/** Devices grouped into containers, in order of first appearance. */
export function groupContainers(devices: VfioDeviceModel[]): { key: ContainerKey; devices: VfioDeviceModel[] }[] {
  const groups = new Map<string, { key: ContainerKey; devices: VfioDeviceModel[] }>();
  for (const device of devices) {
    const key = containerKey(device);
    if (!groups.has(key.key)) groups.set(key.key, { key, devices: [] });
    groups.get(key.key)!.devices.push(device);
  }
  return [...groups.values()];
}

export function isConfidential(vm: VmModel): boolean {
  return vm.confidential !== "none";
}

/** Confidential RAM is a RamDiscardManager section only from QEMU 10.1 (RamBlockAttributes). */
export function confidentialRdm(vm: VmModel, host: HostModel): boolean {
  return isConfidential(vm) && atLeast(host.qemu, "10.1");
}

/** RAM and ROM sections mapped whole: one DMA mapping each. */
// A layout never changes once computed, and every scenario step asks for these: they are
// worked out once per layout, not once per step.
const ramAndRom = new WeakMap<Layout, { ram: Section[]; romAndDimm: Section[]; all: Section[] }>();
const virtioMemPlacements = new WeakMap<Layout, PlacedVirtioMem[]>();
type PlacedVirtioMem = { device: VirtioMemModel; start: Bytes; end: Bytes };

function sectionsOf(layout: Layout) {
  let cached = ramAndRom.get(layout);
  if (!cached) {
    const romAndDimm = layout.sections.filter((s) => s.kind === "rom" || s.kind === "dimm");
    const all = layout.sections.filter((s) => s.kind === "rom" || s.kind === "dimm" || s.kind === "ram");
    ramAndRom.set(layout, (cached = { ram: layout.sections.filter((s) => s.kind === "ram"), romAndDimm, all }));
  }
  return cached;
}

/** RAM and ROM sections mapped whole: one DMA mapping each. */
export function plainSections(vm: VmModel, layout: Layout): readonly Section[] {
  return isConfidential(vm) ? sectionsOf(layout).romAndDimm : sectionsOf(layout).all;
}

export function confidentialSections(vm: VmModel, layout: Layout): readonly Section[] {
  return isConfidential(vm) ? sectionsOf(layout).ram : [];
}

function placedVirtioMem(layout: Layout): readonly PlacedVirtioMem[] {
  let cached = virtioMemPlacements.get(layout);
  if (!cached) {
    cached = layout.placements.flatMap((p) => (p.device.kind === "virtio-mem" ? [{ device: p.device, start: p.start, end: p.end }] : []));
    virtioMemPlacements.set(layout, cached);
  }
  return cached;
}

/** KVM_CAP_NR_MEMSLOTS as QEMU reads it: SHRT_MAX minus KVM's internal slots; 512 under TCG. */
export function maxMemslots(vm: VmModel, host: HostModel): number {
  if (vm.accel === "tcg") return 512;
  return host.arch === "aarch64" ? 32767 : 32764;
}

/**
 * QEMU's start-up check, type1 only (listener.c vfio_ram_discard_register_listener): over
 * the container's RamDiscardManager sections, mappings = Σ ⌈size / granule⌉, count = number
 * of sections; it fails when mappings + max_memslots − count > limit. Null where QEMU makes
 * no such check (iommufd, behind a vIOMMU, no RamDiscardManager section).
 */
export function startupCheck(vm: VmModel, layout: Layout, host: HostModel, key: ContainerKey): StartupCheck | null {
  if (key.backend !== "type1" || key.behindViommu) return null;
  const parts: StartupCheck["parts"] = [];
  for (const { device, start, end } of placedVirtioMem(layout)) {
    if (device.blockSize > 0) parts.push({ name: device.name, granule: device.blockSize, mappings: Math.ceil((end - start) / device.blockSize) });
  }
  if (confidentialRdm(vm, host)) {
    for (const s of confidentialSections(vm, layout)) parts.push({ name: s.name, granule: CONVERSION_GRANULE, mappings: Math.ceil((s.end - s.start) / CONVERSION_GRANULE) });
  }
  if (parts.length === 0) return null;
  const mappings = parts.reduce((sum, p) => sum + p.mappings, 0);
  const memslots = maxMemslots(vm, host);
  const limit = checkedLimit(host);
  const total = mappings + memslots - parts.length;
  return { mappings, memslots, sections: parts.length, total, limit, passes: total <= limit, parts };
}

/**
 * The limit QEMU checks against: the kernel's VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL (Linux 5.10,
 * commit 7d6e1329652e), or QEMU's fallback of 65,535 on older kernels, which do not report
 * it, whatever dma_entry_limit really is (container-legacy.c).
 */
export function checkedLimit(host: HostModel): number {
  return hasFact(host, "linux.vfio.dma-avail") ? host.vfio.dmaEntryLimit : 65535;
}

interface MappedRun {
  bytes: Bytes;
  /** the largest page the mapping could use: min(granule, backend page) */
  leafCap: Bytes;
  mappings: number;
}

/** What a container not behind a vIOMMU maps in a given memory state. */
function directRuns(vm: VmModel, layout: Layout, host: HostModel, state: MemoryState): MappedRun[] {
  const runs: MappedRun[] = [];
  for (const s of plainSections(vm, layout)) {
    const page = s.kind === "ram" ? vm.pageSize : s.kind === "dimm" ? HOST_PAGE_SIZE : HOST_PAGE_SIZE;
    runs.push({ bytes: s.end - s.start, leafCap: page, mappings: 1 });
  }
  for (const { device } of placedVirtioMem(layout)) {
    const blocks = state.plugged.get(device.name) ?? 0;
    if (blocks > 0) runs.push({ bytes: blocks * device.blockSize, leafCap: Math.min(device.blockSize, device.pageSize), mappings: blocks });
  }
  if (confidentialRdm(vm, host)) {
    for (const s of confidentialSections(vm, layout)) {
      const shared = state.shared.measureWithin([s.start, s.end]);
      const granules = Math.ceil(shared / CONVERSION_GRANULE);
      if (granules > 0) runs.push({ bytes: granules * CONVERSION_GRANULE, leafCap: CONVERSION_GRANULE, mappings: granules });
    }
  }
  return runs;
}

/**
 * IOMMU page-table bytes for 4-level tables of 512 entries (DOMAIN.md §3): a table level
 * spanning S bytes holds ⌈B/S⌉ tables, B being the bytes mapped with pages smaller than S;
 * plus the root. For one page size this is the formula of DOMAIN.md.
 */
export function pageTableBytes(runs: MappedRun[], iommuPages: Bytes[], superpages: boolean): Bytes {
  const smallest = iommuPages[0] ?? 4 * KiB;
  const leafOf = (cap: Bytes) => (superpages ? Math.max(smallest, ...iommuPages.filter((p) => p <= cap)) : smallest);
  const leaves = runs.map((r) => leafOf(r.leafCap));
  let tables = 1;
  for (const span of [2 * MiB, GiB, 512 * GiB]) {
    let below = 0;
    for (let i = 0; i < runs.length; i++) if (leaves[i] < span) below += runs[i].bytes;
    tables += Math.ceil(below / span);
  }
  return tables * 4 * KiB;
}

/** Devices split into IOMMU domains: one per distinct (coherent, superpages). */
export function domainsOf(devices: VfioDeviceModel[]): VfioDeviceModel[][] {
  const domains = new Map<string, VfioDeviceModel[]>();
  for (const d of devices) {
    const key = `${d.coherent}/${d.superpages}`;
    if (!domains.has(key)) domains.set(key, []);
    domains.get(key)!.push(d);
  }
  return [...domains.values()];
}

export function containerFigures(
  id: string,
  key: ContainerKey,
  devices: VfioDeviceModel[],
  vm: VmModel,
  layout: Layout,
  host: HostModel,
  state: MemoryState,
): ContainerFigures {
  let runs: MappedRun[];
  if (key.behindViommu) {
    runs = devices.flatMap((d) => {
      const live = state.viommuMaps.get(d.name);
      return live && live.count > 0 ? [{ bytes: live.count * live.size, leafCap: live.size, mappings: live.count }] : [];
    });
  } else {
    runs = directRuns(vm, layout, host, state);
  }
  const domains = domainsOf(devices);
  const mappings = runs.reduce((sum, r) => sum + r.mappings, 0);
  const pinnedBytes = runs.reduce((sum, r) => sum + r.bytes, 0);
  const tables = domains.reduce((sum, domain) => sum + pageTableBytes(runs, host.iommu.pageSizes, domain.every((d) => d.superpages)), 0);
  return {
    id,
    backend: key.backend,
    behindViommu: key.behindViommu,
    devices,
    limit: key.backend === "type1" ? host.vfio.dmaEntryLimit : null,
    mappings,
    pinnedBytes,
    pageTableBytes: devices.length > 0 ? tables : 0,
    domains,
  };
}

/** The state in which the configuration maps the most: every block plugged, all RAM shared. */
export function worstCaseState(vm: VmModel, layout: Layout): MemoryState {
  const plugged = new Map<string, number>();
  for (const { device, start, end } of placedVirtioMem(layout)) plugged.set(device.name, Math.floor((end - start) / device.blockSize));
  const shared = IntervalSet.of(confidentialSections(vm, layout).map((s) => [s.start, s.end] as const));
  const viommuMaps = new Map<string, { count: number; size: Bytes }>();
  const guestBytes = vm.maxmem + vm.slots * GiB;
  for (const d of vm.vfio) if (d.behindViommu) viommuMaps.set(d.name, { count: Math.ceil(guestBytes / vm.viommuPageSize), size: vm.viommuPageSize });
  return { plugged, shared, viommuMaps };
}

export function bootState(layout: Layout): MemoryState {
  const plugged = new Map<string, number>();
  for (const { device } of placedVirtioMem(layout)) {
    const blocks = device.blockSize > 0 && device.requested % device.blockSize === 0 && device.requested <= device.size ? device.requested / device.blockSize : 0;
    plugged.set(device.name, blocks);
  }
  return { plugged, shared: IntervalSet.empty(), viommuMaps: new Map() };
}
