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
import { usesGuestMemfd, type Layout, type Section } from "./layout";
import { HOST_PAGE_SIZE, type HostModel, type VfioBackend, type VfioDeviceModel, type VirtioMemModel, type VmModel } from "./model";
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
  parts: { name: string; granule: Bytes; mappings: number; /** a memslot of a dynamic-memslots device */ memslotOf?: string }[];
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

/**
 * guest_memfd RAM is a RamDiscardManager section only from QEMU 10.1 (RamBlockAttributes);
 * SEV and SEV-ES keep ordinary RAM and have none (target/i386/sev.c sev_kvm_init: "SEV/SEV-ES
 * rely on pinned memory to back guest RAM").
 */
export function confidentialRdm(vm: VmModel, host: HostModel): boolean {
  return usesGuestMemfd(vm.confidential) && hasFact(host, "guest-memfd-shared-assignment");
}

// A layout never changes once computed, and every scenario step asks for its sections: they
// are worked out once per layout, not once per step.
const sectionCache = new WeakMap<Layout, { plain: Section[]; confidential: Section[] }>();
const virtioMemPlacements = new WeakMap<Layout, PlacedVirtioMem[]>();
type PlacedVirtioMem = { device: VirtioMemModel; start: Bytes; end: Bytes };

function sectionsOf(layout: Layout) {
  let cached = sectionCache.get(layout);
  if (!cached) {
    const mapped = layout.sections.filter((s) => s.kind === "rom" || s.kind === "dimm" || s.kind === "ram");
    sectionCache.set(layout, (cached = { plain: mapped.filter((s) => !s.guestMemfd), confidential: layout.sections.filter((s) => s.guestMemfd) }));
  }
  return cached;
}

/** RAM and ROM sections mapped whole: one DMA mapping each (guest_memfd sections are not). */
export function plainSections(layout: Layout): readonly Section[] {
  return sectionsOf(layout).plain;
}

/** guest_memfd sections (RAM, and the firmware/option ROMs of TDX and SEV-SNP): private at boot. */
export function confidentialSections(layout: Layout): readonly Section[] {
  return sectionsOf(layout).confidential;
}

function placedVirtioMem(layout: Layout): readonly PlacedVirtioMem[] {
  let cached = virtioMemPlacements.get(layout);
  if (!cached) {
    cached = layout.placements.flatMap((p) => (p.device.kind === "virtio-mem" ? [{ device: p.device, start: p.start, end: p.end }] : []));
    virtioMemPlacements.set(layout, cached);
  }
  return cached;
}

/**
 * KVM_CAP_NR_MEMSLOTS as QEMU reads it (kvm_get_max_memslots(); 512 under TCG): from Linux
 * 5.12 SHRT_MAX minus KVM's internal slots (32,764 on x86_64, 32,767 on arm64), before it
 * KVM_USER_MEM_SLOTS, 509 on x86_64 and 512 on arm64 (commit 4fc096a99e01).
 */
export function maxMemslots(vm: VmModel, host: HostModel): number {
  if (vm.accel === "tcg") return 512;
  const raised = hasFact(host, "kvm-user-memslots-32k");
  if (host.arch === "aarch64") return raised ? 32767 : 512;
  return raised ? 32764 : 509;
}

/** How a `dynamic-memslots` device's region is split (QEMU ≥ 8.2). */
export interface MemslotPlan {
  memslotSize: Bytes;
  count: number;
}

const MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT = 256;
const MEMORY_DEVICES_SAFE_MAX_MEMSLOTS = 509;
const VIRTIO_MEM_MIN_MEMSLOT_SIZE = GiB;

/**
 * The memslots of each `dynamic-memslots` device, decided as the devices are plugged in
 * declaration order (hw/mem/memory-device.c memory_device_memslot_decision_limit: at most
 * 256 memslots over all memory devices, shared in proportion to size over the space still
 * free; one if KVM offers fewer than 509; hw/virtio/virtio-mem.c virtio_mem_decide_memslots:
 * memslot size = max(align_up(size / limit, block), block, 1 GiB)). vhost backends, which
 * could lower the limit, are not modelled.
 */
export function memslotPlans(vm: VmModel, host: HostModel): Map<string, MemslotPlan> {
  const plans = new Map<string, MemslotPlan>();
  if (!hasFact(host, "qemu.virtio-mem.dynamic-memslots")) return plans;
  const space = vm.maxmem - vm.memory;
  const max = vm.accel === "tcg" ? Infinity : maxMemslots(vm, host);
  const devices = [...vm.virtioMem, ...vm.dimms].sort((a, b) => a.decl.range.start.line - b.decl.range.start.line || a.decl.range.start.character - b.decl.range.start.character);
  let required = 0;
  let used = 0;
  for (const d of devices) {
    if (d.kind !== "virtio-mem" || !d.dynamicMemslots || d.blockSize <= 0 || d.size <= 0) {
      required += 1;
      used += d.size;
      continue;
    }
    let limit: number;
    if (max < MEMORY_DEVICES_SAFE_MAX_MEMSLOTS || required >= MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT) limit = 1;
    else if (d.size === space) limit = MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT - required;
    else limit = Math.max(1, Math.floor(((MEMORY_DEVICES_SOFT_MEMSLOT_LIMIT - required) * d.size) / (space - used)));
    let plan: MemslotPlan = { memslotSize: d.size, count: 1 };
    if (limit > 1 && d.size % d.blockSize === 0) {
      const memslotSize = Math.max(Math.ceil(d.size / limit / d.blockSize) * d.blockSize, d.blockSize, VIRTIO_MEM_MIN_MEMSLOT_SIZE);
      const count = Math.ceil(d.size / memslotSize);
      plan = count > 1 ? { memslotSize, count } : plan;
    }
    plans.set(d.name, plan);
    required += plan.count;
    used += d.size;
  }
  return plans;
}

/**
 * QEMU's start-up check, type1 only (listener.c vfio_ram_discard_register_listener): over
 * the container's RamDiscardManager sections, mappings = Σ ⌈size / granule⌉, count = number
 * of sections; it fails when mappings + max_memslots − count > limit. Null where QEMU makes
 * no such check (iommufd, behind a vIOMMU, no RamDiscardManager section).
 */
export function startupCheck(vm: VmModel, layout: Layout, host: HostModel, key: ContainerKey, state?: MemoryState): StartupCheck | null {
  if (key.backend !== "type1" || key.behindViommu) return null;
  const parts: StartupCheck["parts"] = [];
  const plans = memslotPlans(vm, host);
  // Before QEMU 6.1 VFIO had no RamDiscardManager support, hence no check (VT115 instead).
  if (hasFact(host, "virtio-mem-vfio")) for (const { device, start, end } of placedVirtioMem(layout)) {
    if (device.blockSize <= 0) continue;
    const plan = plans.get(device.name);
    if (!plan) {
      parts.push({ name: device.name, granule: device.blockSize, mappings: Math.ceil((end - start) / device.blockSize) });
      continue;
    }
    // dynamic-memslots: only memslots holding plugged blocks are mapped, so only they are
    // sections VFIO registers and checks (at realize, before the guest plugs: none). Each
    // memslot mapped later re-runs the check (vfio_listener_region_add).
    const active = Math.ceil(((state?.plugged.get(device.name) ?? 0) * device.blockSize) / plan.memslotSize);
    for (let i = 0; i < active; i++) {
      const bytes = Math.min(plan.memslotSize, end - start - i * plan.memslotSize);
      parts.push({ name: `${device.name}[${i}]`, granule: device.blockSize, mappings: Math.ceil(bytes / device.blockSize), memslotOf: device.name });
    }
  }
  if (confidentialRdm(vm, host)) {
    for (const s of confidentialSections(layout)) parts.push({ name: s.name, granule: CONVERSION_GRANULE, mappings: Math.ceil((s.end - s.start) / CONVERSION_GRANULE) });
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

// The sections mapped whole never change with the memory state: their runs are built once per layout.
const plainRunsOf = new WeakMap<Layout, MappedRun[]>();
function plainRuns(vm: VmModel, layout: Layout): readonly MappedRun[] {
  let runs = plainRunsOf.get(layout);
  if (!runs) {
    runs = plainSections(layout).map((s) => ({ bytes: s.end - s.start, leafCap: s.kind === "ram" ? vm.pageSize : HOST_PAGE_SIZE, mappings: 1 }));
    plainRunsOf.set(layout, runs);
  }
  return runs;
}

/** What a container not behind a vIOMMU maps in a given memory state. */
function directRuns(vm: VmModel, layout: Layout, host: HostModel, state: MemoryState): MappedRun[] {
  const runs = plainRuns(vm, layout).slice();
  for (const { device } of placedVirtioMem(layout)) {
    const blocks = state.plugged.get(device.name) ?? 0;
    if (blocks > 0) runs.push({ bytes: blocks * device.blockSize, leafCap: Math.min(device.blockSize, device.pageSize), mappings: blocks });
  }
  if (confidentialRdm(vm, host)) {
    for (const s of confidentialSections(layout)) {
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
  // Called at every scenario step: no allocation.
  const smallest = iommuPages[0] ?? 4 * KiB;
  let below2M = 0;
  let below1G = 0;
  let below512G = 0;
  for (const run of runs) {
    let leaf = smallest;
    if (superpages) for (const page of iommuPages) if (page <= run.leafCap && page > leaf) leaf = page;
    if (leaf < 2 * MiB) below2M += run.bytes;
    if (leaf < GiB) below1G += run.bytes;
    if (leaf < 512 * GiB) below512G += run.bytes;
  }
  const tables = 1 + Math.ceil(below2M / (2 * MiB)) + Math.ceil(below1G / GiB) + Math.ceil(below512G / (512 * GiB));
  return tables * 4 * KiB;
}

// A container's device list changes only at hot-plug and unplug, while scenario steps ask
// for its domains at every step: split once per list.
const domainsOfList = new WeakMap<VfioDeviceModel[], VfioDeviceModel[][]>();

/** Devices split into IOMMU domains: one per distinct (coherent, superpages). */
export function domainsOf(devices: VfioDeviceModel[]): VfioDeviceModel[][] {
  let known = domainsOfList.get(devices);
  if (!known) domainsOfList.set(devices, (known = splitDomains(devices)));
  return known;
}

function splitDomains(devices: VfioDeviceModel[]): VfioDeviceModel[][] {
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
  let mappings = 0;
  let pinnedBytes = 0;
  for (const run of runs) {
    mappings += run.mappings;
    pinnedBytes += run.bytes;
  }
  let tables = 0;
  for (const domain of domains) tables += pageTableBytes(runs, host.iommu.pageSizes, domain.every((d) => d.superpages));
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
  const shared = IntervalSet.of(confidentialSections(layout).map((s) => [s.start, s.end] as const));
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
