// The rules a VM's configuration must pass at boot (DOMAIN.md §1–§3), and its figures:
// layout, virtio-mem devices, VFIO containers at boot and in the worst case.
import type * as A from "../../../grammar/src/index";
import type { Bytes } from "./attributes";
import { isPowerOfTwo } from "./attributes";
import {
  bootState,
  CONVERSION_GRANULE,
  confidentialRdm,
  confidentialSections,
  containerFigures,
  groupContainers,
  isConfidential,
  plainSections,
  startupCheck,
  worstCaseState,
  type ContainerFigures,
  type ContainerKey,
  type MemoryState,
  type StartupCheck,
} from "./containers";
import { bytes, count, GiB, hex, MiB } from "./format";
import { computeLayout, memoryDeviceAlignment, type Layout, type Section } from "./layout";
import { HOST_PAGE_SIZE, isHugetlb, type HostModel, type VfioDeviceModel, type VirtioMemModel, type VmModel } from "./model";
import type { RelatedInformation, Sink } from "./sink";
import { atLeast, formatVersion } from "./version";

export interface VirtioMemFigures {
  device: VirtioMemModel;
  base: Bytes | null;
  blocks: number;
  pluggedBlocks: number;
  usableRegion: Bytes;
  guestMode: "sbm" | "bbm";
  /** the largest size that passes QEMU's start-up check at this block size (type1), if any */
  largestPassingSize: Bytes | null;
}

export interface ContainerSummary {
  key: ContainerKey;
  id: string;
  devices: VfioDeviceModel[];
  startupCheck: StartupCheck | null;
  boot: ContainerFigures;
  worstCase: ContainerFigures;
}

export interface VmAnalysis {
  vm: VmModel;
  layout: Layout;
  virtioMem: VirtioMemFigures[];
  containers: ContainerSummary[];
  /** the VM's memory state at boot, the start of every scenario */
  boot: MemoryState;
}

const VIRTIO_MEM_EXTENT = { x86_64: 2 * 128 * MiB, aarch64: 2 * 512 * MiB } as const;

export const DMA_MAP_ENOSPC = "vfio_container_dma_map(...) = -28 (No space left on device)";
export const DMA_MAP_EINVAL = "vfio_container_dma_map(...) = -22 (Invalid argument)";

export function analyzeVm(vm: VmModel, sink: Sink): VmAnalysis {
  const layout = computeLayout(vm);
  checkBackends(vm, sink);
  checkVirtioMem(vm, layout, sink);
  checkPhysBits(vm, layout, sink);
  checkCompatibility(vm, sink);
  const boot = bootState(layout);
  const containers = analyzeContainers(vm, layout, boot, sink);
  checkIommu(vm, layout, containers, sink);
  return { vm, layout, virtioMem: virtioMemFigures(vm, layout, boot), containers, boot };
}

// ---- virtio-mem (DOMAIN.md §2) ------------------------------------------------------

function checkVirtioMem(vm: VmModel, layout: Layout, sink: Sink): void {
  for (const d of vm.virtioMem) {
    const bs = d.blockSize;
    const bsRange = d.attrs.rangeOf("block-size");
    let blockSizeOk = true;
    // QEMU's property setter checks the 1 MiB minimum first, then the power of two.
    if (bs < MiB) {
      sink.error("VT102", bsRange, `virtio-mem '${d.name}': block-size ${bytes(bs)} is below 1 MiB. QEMU: 'block-size' property has to be at least 0x100000`, { minimum: MiB });
      blockSizeOk = false;
    } else if (!isPowerOfTwo(bs)) {
      sink.error("VT101", bsRange, `virtio-mem '${d.name}': block-size ${bytes(bs)} is not a power of two. QEMU: 'block-size' property has to be a power of two`);
      blockSizeOk = false;
    }
    if (bs < d.pageSize) {
      sink.error("VT104", bsRange, `virtio-mem '${d.name}': block-size ${bytes(bs)} is below the backend's ${bytes(d.pageSize)} pages. QEMU: 'block-size' property has to be at least the page size (${hex(d.pageSize)})`, { minimum: d.pageSize });
      blockSizeOk = false;
    }
    if (blockSizeOk && bs < d.defaultBlockSize) {
      // QEMU prints the default in MiB, in hex ("(400 MiB)" for 1 GiB): quoted as it prints.
      sink.warning("VT103", bsRange, `virtio-mem '${d.name}': block-size ${bytes(bs)} is below QEMU's default of ${bytes(d.defaultBlockSize)} for this backend. QEMU: 'block-size' property is smaller than the default block size (${(d.defaultBlockSize / MiB).toString(16)} MiB)`);
    }
    if (blockSizeOk && d.requested % bs !== 0) {
      sink.error("VT105", d.attrs.rangeOf("requested"), `virtio-mem '${d.name}': requested ${bytes(d.requested)} is not a multiple of the ${bytes(bs)} block size. QEMU: 'requested-size' property has to be multiples of 'block-size' (${hex(bs)})`, { multiple: bs });
    }
    const hasSize = d.attrs.has("size");
    const alignment = memoryDeviceAlignment(d);
    if (blockSizeOk && hasSize && d.size % alignment !== 0) {
      const why = alignment > bs ? ` (the device is aligned to ${bytes(alignment)}: its block size or its backend's alignment, whichever is larger)` : "";
      sink.error("VT106", d.attrs.rangeOf("size"), `virtio-mem '${d.name}': size ${bytes(d.size)} is not a multiple of ${bytes(alignment)}${why}. QEMU: backend memory size must be multiple of ${hex(alignment)}`, { multiple: alignment });
    }
    if (hasSize && d.requested > d.size) {
      // QEMU starts with this (virtio_mem_device_realize() does not compare the two); only a
      // later qom-set of requested-size is refused (virtio_mem_set_requested_size()).
      sink.warning("VT107", d.attrs.rangeOf("requested"), `virtio-mem '${d.name}': requested ${bytes(d.requested)} exceeds the device's ${bytes(d.size)}; the guest can plug at most ${bytes(d.size)}, and a later change of requested-size above it is refused. QEMU: 'requested-size' cannot exceed the memory backend size(${hex(d.size)})`, { maximum: d.size });
    }
    if (hasSize && d.size % d.pageSize !== 0) {
      sink.error("VT111", d.attrs.rangeOf("size"), `virtio-mem '${d.name}': size ${bytes(d.size)} is not a multiple of its ${bytes(d.pageSize)} pages. QEMU: ${hugetlbSizeMessage(d.backend, d.size, d.pageSize)}`);
    }
    if (d.prealloc) {
      const range = d.attrs.has("prealloc") ? d.attrs.rangeOf("prealloc") : d.nameRange;
      const what = `virtio-mem '${d.name}' has a preallocated backend${d.attrs.has("prealloc") ? "" : " (inherited from the VM's prealloc = on)"}`;
      // QEMU refuses it from 8.0 on ("virtio-mem: Fail if a memdev is preallocated",
      // hw/virtio/virtio-mem.c virtio_mem_device_realize()); 7.2 starts silently (seen here)
      // and preallocates the whole device, plugged or not.
      if (atLeast(vm.host.qemu, "8.0")) sink.error("VT117", range, `${what}; virtio-mem preallocates each block as it is plugged. QEMU: 'memdev' property specifies a memdev with preallocation enabled`);
      else sink.warning("VT117", range, `${what}: QEMU ${formatVersion(vm.host.qemu)} preallocates the whole device, plugged or not (QEMU 8.0 and later refuse it)`);
    }
    if (vm.confidential === "sev" || vm.confidential === "sev-es" || vm.vdpa) {
      const why = vm.vdpa ? "a vhost-vdpa device disables RAM discarding" : `${vm.confidential.toUpperCase()} disables RAM discarding`;
      sink.error("VT115", d.nameRange, `virtio-mem '${d.name}' cannot work: ${why}. QEMU: Discarding RAM is disabled`);
    } else if (isConfidential(vm)) {
      sink.error("VT114", d.nameRange, `virtio-mem '${d.name}' in a ${vm.confidential} guest: guest_memfd already manages the memory region, and a region has only one RamDiscardManager. QEMU: Failed to set RamDiscardManager`);
    }
  }
  for (const error of layout.placementErrors) {
    const device = error.device;
    const range = device.kind === "virtio-mem" && device.attrs.has("memaddr") ? device.attrs.rangeOf("memaddr") : device.nameRange;
    sink.error(error.code, range, `${device.kind} '${device.name}' (${bytes(device.size)}) cannot be placed in device memory. QEMU: ${error.message}`);
  }
}

/**
 * QEMU's words for a huge-page backend of the wrong size: a hugetlb memfd cannot be truncated
 * to it (util/memfd.c qemu_memfd_create(): "failed to resize memfd to %zu", EINVAL, seen on
 * QEMU 7.2); a file backend's check is in softmmu/physmem.c file_ram_alloc().
 */
function hugetlbSizeMessage(backend: string, size: Bytes, pageSize: Bytes): string {
  return backend === "memfd" ? `failed to resize memfd to ${size}: Invalid argument` : `memory size ${hex(size)} must be equal to or larger than page size ${hex(pageSize)}`;
}

function checkBackends(vm: VmModel, sink: Sink): void {
  if (vm.memory > 0 && vm.memory % vm.pageSize !== 0) {
    sink.error("VT111", vm.attrs.rangeOf("memory"), `boot RAM ${bytes(vm.memory)} is not a multiple of its ${bytes(vm.pageSize)} pages. QEMU: ${hugetlbSizeMessage(vm.backend, vm.memory, vm.pageSize)}`);
  }
  if (isConfidential(vm) && isHugetlb(vm.backend, vm.pageSize, vm.fileSystem)) {
    const range = vm.attrs.has("page-size") ? vm.attrs.rangeOf("page-size") : vm.attrs.rangeOf("file-system");
    sink.warning("VT113", range, `${vm.confidential} guest with a hugetlb shared backend: converting shared memory back to private does not free the hugetlb copy, so up to ${bytes(vm.memory)} is held twice (guest_memfd and hugetlb)`);
  }
}

function checkPhysBits(vm: VmModel, layout: Layout, sink: Sink): void {
  if (layout.physBitsNeeded <= vm.physBits) return;
  // Before 8.2, QEMU treats a CPU with 32 phys-bits or fewer as 32-bit and skips the check
  // (pc_max_used_gpa() returned the CPU's own limit).
  if (vm.physBits <= 32 && !atLeast(vm.host.qemu, "8.2")) return;
  const limit = 2 ** vm.physBits - 1;
  const range = vm.attrs.has("phys-bits") ? vm.attrs.rangeOf("phys-bits") : vm.attrs.has("cpu") ? vm.attrs.rangeOf("cpu") : vm.decl.name.range;
  sink.error(
    "VT110",
    range,
    `vm '${vm.name}' needs ${layout.physBitsNeeded} physical address bits for its highest address ${hex(layout.highestGpa)}, but has ${vm.physBits}. QEMU: Address space limit ${hex(limit)} < ${hex(layout.highestGpa)} phys-bits too low (${vm.physBits})`,
    { needed: layout.physBitsNeeded },
  );
}

function checkCompatibility(vm: VmModel, sink: Sink): void {
  if (vm.balloon && vm.vfio.length > 0) {
    sink.warning("VT116", vm.attrs.rangeOf("balloon"), `virtio-balloon with assigned devices (${vm.vfio.map((d) => d.name).join(", ")}): VFIO disables RAM discarding, so inflating the balloon silently frees nothing`);
  }
  if (isConfidential(vm) && vm.vfio.length > 0 && !atLeast(vm.host.qemu, "10.1")) {
    sink.error("VT118", vm.attrs.rangeOf("confidential"), `a ${vm.confidential} guest with assigned devices needs QEMU 10.1 (host '${vm.host.name}' runs ${formatVersion(vm.host.qemu)}). QEMU: cannot set up private guest memory: discard currently blocked`);
  }
}

export function guestMemoryBlockSize(vm: VmModel, layout: Layout): Bytes {
  if (vm.host.arch === "aarch64") return 128 * MiB;
  const bootEnd = layout.aboveMemory > 0 ? layout.aboveStart + layout.aboveMemory : layout.belowMemory;
  if (bootEnd < 64 * GiB) return 128 * MiB;
  // Linux probe_memory_block_size(): the largest size up to 2 GiB that aligns the end of boot memory.
  for (let size = 2 * GiB; size > 128 * MiB; size /= 2) if (bootEnd % size === 0) return size;
  return 128 * MiB;
}

function virtioMemFigures(vm: VmModel, layout: Layout, boot: MemoryState): VirtioMemFigures[] {
  const memoryBlock = guestMemoryBlockSize(vm, layout);
  const extent = VIRTIO_MEM_EXTENT[vm.host.arch];
  return vm.virtioMem.map((device) => {
    const placement = layout.placements.find((p) => p.device === device);
    const bs = device.blockSize;
    const usable = device.requested === 0 || bs <= 0 ? 0 : Math.min(device.size, Math.ceil(Math.min(device.size, device.requested + extent) / bs) * bs);
    return {
      device,
      base: placement?.start ?? null,
      blocks: bs > 0 ? Math.floor(device.size / bs) : 0,
      pluggedBlocks: boot.plugged.get(device.name) ?? 0,
      usableRegion: usable,
      guestMode: Math.max(bs, 2 * MiB) < memoryBlock ? "sbm" : "bbm",
      largestPassingSize: largestPassingSize(vm, layout, device),
    };
  });
}

/** Largest multiple of the block size this device could have while QEMU's check still passes. */
function largestPassingSize(vm: VmModel, layout: Layout, device: VirtioMemModel): Bytes | null {
  const direct = vm.vfio.filter((d) => !d.behindViommu && d.backend === "type1");
  if (direct.length === 0 || device.blockSize <= 0) return null;
  const check = startupCheck(vm, layout, vm.host, { key: "type1", backend: "type1", behindViommu: false });
  if (!check) return null;
  const own = check.parts.find((p) => p.name === device.name)?.mappings ?? 0;
  const spare = check.limit - (check.total - own);
  return spare > 0 ? spare * device.blockSize : 0;
}

// ---- VFIO and the IOMMU (DOMAIN.md §3) ----------------------------------------------

function analyzeContainers(vm: VmModel, layout: Layout, boot: MemoryState, sink: Sink): ContainerSummary[] {
  const worst = worstCaseState(vm, layout);
  const summaries = groupContainers(vm.vfio).map(({ key, devices }, index): ContainerSummary => {
    const id = `c${index}`;
    return {
      key,
      id,
      devices,
      startupCheck: startupCheck(vm, layout, vm.host, key),
      boot: containerFigures(id, key, devices, vm, layout, vm.host, boot),
      worstCase: containerFigures(id, key, devices, vm, layout, vm.host, worst),
    };
  });
  for (const c of summaries) {
    reportStartupCheck(vm, c, sink);
    if (c.boot.limit !== null && c.boot.mappings > c.boot.limit) {
      sink.error("VT202", c.devices[0].nameRange, `container ${c.id} holds ${count(c.boot.mappings)} DMA mappings at boot, limit ${count(c.boot.limit)}. QEMU: ${DMA_MAP_ENOSPC}`, { container: c.id, mappings: c.boot.mappings, limit: c.boot.limit }, limitDeclaration(vm.host));
    }
    const check = c.startupCheck;
    if (!c.key.behindViommu && c.worstCase.limit !== null && c.worstCase.mappings > c.worstCase.limit && (check === null || check.passes)) {
      sink.warning(
        "VT211",
        c.devices[0].nameRange,
        `container ${c.id} (${c.devices.map((d) => d.name).join(", ")}) may need ${count(c.worstCase.mappings)} DMA mappings when every virtio-mem block is plugged and all confidential RAM is shared, limit ${count(c.worstCase.limit)}`,
      );
    }
  }
  checkMemlock(vm, vm.host, processPins(summaries.map((c) => c.boot), vm.host), vm.decl.name.range, sink, "at boot");
  return summaries;
}

/**
 * Pins charged to the VMM process's locked_vm: type1 containers, and iommufd ones with
 * `accounting = mm`. With `accounting = user`, iommufd charges the user instead, summed
 * over all of the user's VMs on the host (userPins; checked across VMs).
 */
export function processPins(containers: ContainerFigures[], host: HostModel): Bytes {
  return containers.filter((c) => c.backend === "type1" || host.vfio.accounting === "mm").reduce((sum, c) => sum + c.pinnedBytes, 0);
}

export function userPins(containers: ContainerFigures[], host: HostModel): Bytes {
  return containers.filter((c) => c.backend === "iommufd" && host.vfio.accounting === "user").reduce((sum, c) => sum + c.pinnedBytes, 0);
}

function reportStartupCheck(vm: VmModel, c: ContainerSummary, sink: Sink): void {
  const check = c.startupCheck;
  if (!check || check.passes) return;
  const error = atLeast(vm.host.qemu, "10.2");
  const biggest = [...check.parts].sort((a, b) => b.mappings - a.mappings)[0];
  const device = vm.virtioMem.find((d) => d.name === biggest.name);
  const range = device ? device.attrs.rangeOf("block-size") : vm.attrs.rangeOf("confidential");
  const parts = check.parts.map((p) => `${p.name}: ${count(p.mappings)} × ${bytes(p.granule)}`).join(", ");
  const message =
    `container ${c.id} (${c.devices.map((d) => d.name).join(", ")}) needs ${count(check.total)} DMA mappings, limit ${count(check.limit)} ` +
    `(${count(check.mappings)} possible mappings [${parts}] + ${count(check.memslots)} memslots − ${check.sections} section${check.sections === 1 ? "" : "s"}). ` +
    `QEMU${error ? "" : ` ${formatVersion(vm.host.qemu)} warns`}: possibly running out of DMA mappings. E.g., try increasing the 'block-size' of virtio-mem devies. Maximum possible DMA mappings: ${check.limit}, Maximum possible memslots: ${check.memslots}`;
  sink.add("VT201", error ? "error" : "warning", range, message, { container: c.id, device: device?.name, total: check.total, limit: check.limit }, limitDeclaration(vm.host));
}

/** Related information for limit diagnostics: where the host sets dma-entry-limit, if it does. */
export function limitDeclaration(host: HostModel): RelatedInformation[] | undefined {
  const declared = host.attrs.vfio.attribute("dma-entry-limit");
  return declared ? [{ file: host.file, range: declared.range, message: `the limit: dma-entry-limit = ${count(host.vfio.dmaEntryLimit)}` }] : undefined;
}

/** VT203: pins over RLIMIT_MEMLOCK (pages in two containers count twice). */
export function checkMemlock(vm: VmModel, host: HostModel, pinned: Bytes, range: A.Range, sink: Sink, when: string, otherVms?: { pinned: Bytes; names: string[] }): void {
  if (host.memlock === "unlimited" || host.capIpcLock) return;
  const total = pinned + (otherVms?.pinned ?? 0);
  if (total <= host.memlock) return;
  const limit = host.memlock;
  const others = otherVms && otherVms.pinned > 0 ? ` (with ${bytes(otherVms.pinned)} pinned by ${otherVms.names.join(", ")}: iommufd charges the user, accounting = user)` : "";
  sink.error(
    "VT203",
    range,
    `vm '${vm.name}' pins ${bytes(pinned)} ${when}${others}, over host '${host.name}' memlock of ${bytes(limit)}. Linux: vfio_pin_pages_remote: RLIMIT_MEMLOCK (${limit}) exceeded`,
    { pinned: total },
  );
}

/** Sections that containers without a vIOMMU map (in the worst case), for aperture and reserved-range checks. */
function mappableSections(vm: VmModel, layout: Layout): Section[] {
  const virtioMem = layout.sections.filter((s) => s.kind === "virtio-mem");
  return [...plainSections(vm, layout), ...virtioMem, ...(confidentialRdm(vm, vm.host) ? confidentialSections(vm, layout) : [])].sort((a, b) => a.start - b.start);
}

function checkIommu(vm: VmModel, layout: Layout, containers: ContainerSummary[], sink: Sink): void {
  const host = vm.host;
  for (const device of vm.vfio) {
    if (!host.iommu.interruptRemapping) {
      sink.error("VT209", device.nameRange, `vfio '${device.name}': host '${host.name}' has no interrupt remapping, so VFIO refuses to attach the device. Linux: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform`);
    }
    checkIommufdVersion(device, host, sink);
  }
  const direct = vm.vfio.filter((d) => !d.behindViommu);
  const smallest = host.iommu.pageSizes[0];
  if (direct.length > 0) {
    for (const d of vm.virtioMem) {
      if (d.blockSize < smallest) {
        sink.error("VT204", d.attrs.rangeOf("block-size"), `virtio-mem '${d.name}': VFIO maps ${bytes(d.blockSize)} blocks, smaller than host '${host.name}' IOMMU's smallest page of ${bytes(smallest)}; QEMU asserts (vrdl->granularity >= 1 << ctz64(pgsizes)) and aborts`, { minimum: smallest });
      }
    }
    if (confidentialRdm(vm, host) && CONVERSION_GRANULE < smallest) {
      sink.error("VT204", vm.attrs.rangeOf("confidential"), `${vm.confidential} guest: VFIO maps shared memory in ${bytes(CONVERSION_GRANULE)} granules, smaller than host '${host.name}' IOMMU's smallest page of ${bytes(smallest)}; QEMU asserts and aborts`);
    }
    const limit = 2 ** host.iommu.addressWidth;
    const reported = new Set<string>();
    for (const s of mappableSections(vm, layout)) {
      if (s.end > limit && !reported.has("width")) {
        reported.add("width");
        sink.error("VT205", sectionRange(vm, s), `${s.name} [${hex(s.start)}, ${hex(s.end)}) ends above host '${host.name}' IOMMU's ${host.iommu.addressWidth}-bit aperture (${hex(limit)}). QEMU: ${DMA_MAP_EINVAL}`, { needed: bitsForEnd(s.end) });
      }
      for (const r of host.iommu.reserved) {
        if (s.start < r.end && r.start < s.end && !reported.has(`${s.name}/${r.name}`)) {
          reported.add(`${s.name}/${r.name}`);
          sink.error("VT206", sectionRange(vm, s), `${s.name} [${hex(s.start)}, ${hex(s.end)}) overlaps host '${host.name}' reserved IOVA range '${r.name}' [${hex(r.start)}, ${hex(r.end)}). QEMU: ${DMA_MAP_EINVAL}`);
        }
      }
    }
  }
  if (vm.vfio.some((d) => d.behindViommu)) checkViommu(vm, host, sink);
  for (const c of containers) reportDomains(c.id, c.boot.domains, c.boot, sink);
}

/** VT207: the vIOMMU must not promise pages or addresses the host IOMMU cannot back. */
export function checkViommu(vm: VmModel, host: HostModel, sink: Sink, at?: A.Range): void {
  if (vm.viommu === "none") return;
  const smallest = host.iommu.pageSizes[0];
  if (vm.viommuPageSize < smallest) {
    const range = at ?? (vm.attrs.has("viommu-page-size") ? vm.attrs.rangeOf("viommu-page-size") : vm.attrs.rangeOf("viommu"));
    sink.error("VT207", range, `the ${vm.viommu} exposes ${bytes(vm.viommuPageSize)} pages, smaller than host '${host.name}' IOMMU's smallest page of ${bytes(smallest)}. Guest virtio-iommu: granule ${hex(smallest)} larger than system page size ${hex(vm.viommuPageSize)}`, { minimum: smallest });
  }
  if (vm.viommuAwBits > host.iommu.addressWidth) {
    const range = at ?? (vm.attrs.has("viommu-aw-bits") ? vm.attrs.rangeOf("viommu-aw-bits") : vm.attrs.rangeOf("viommu"));
    sink.error("VT207", range, `the ${vm.viommu} has a ${vm.viommuAwBits}-bit address width, wider than host '${host.name}' IOMMU's ${host.iommu.addressWidth} bits`, { maximum: host.iommu.addressWidth });
  }
}

export function reportDomains(id: string, domains: VfioDeviceModel[][], figures: ContainerFigures, sink: Sink, at?: A.Range): void {
  if (domains.length < 2) return;
  const first = domains[0][0];
  for (const domain of domains.slice(1)) {
    const d = domain[0];
    const differs = [d.coherent !== first.coherent ? `coherent = ${d.coherent ? "on" : "off"}` : "", d.superpages !== first.superpages ? `superpages = ${d.superpages ? "on" : "off"}` : ""].filter(Boolean).join(", ");
    sink.warning("VT208", at ?? d.nameRange, `vfio '${d.name}' (${differs}) cannot share the IOMMU domain of '${first.name}' in container ${id}: a second domain with its own page tables (container page tables now ${bytes(figures.pageTableBytes)})`);
  }
}

export function checkIommufdVersion(device: VfioDeviceModel, host: HostModel, sink: Sink, at?: A.Range): void {
  if (device.backend !== "iommufd") return;
  const qemuOk = atLeast(host.qemu, "9.0");
  const kernelOk = atLeast(host.kernel, "6.2");
  if (qemuOk && kernelOk) return;
  const range = at ?? (device.attrs.has("backend") ? device.attrs.rangeOf("backend") : device.nameRange);
  const missing = [qemuOk ? "" : `QEMU 9.0 (host '${host.name}' runs ${formatVersion(host.qemu)})`, kernelOk ? "" : `Linux 6.2 (host runs ${formatVersion(host.kernel)})`].filter(Boolean).join(" and ");
  sink.error("VT210", range, `vfio '${device.name}' uses iommufd, which needs ${missing}`);
}

function bitsForEnd(end: Bytes): number {
  return Math.ceil(Math.log2(end));
}

/** The attribute that put a section where it is. */
function sectionRange(vm: VmModel, s: Section): A.Range {
  if (s.kind === "virtio-mem" || s.kind === "dimm") {
    const device = [...vm.virtioMem, ...vm.dimms].find((d) => d.name === s.name);
    if (device) return device.nameRange;
  }
  return vm.attrs.rangeOf("memory");
}

/** Hugetlb memory a VM takes from its host's pools, per page size. */
export function hugetlbNeeds(vm: VmModel): Map<Bytes, Bytes> {
  const needs = new Map<Bytes, Bytes>();
  const add = (page: Bytes, amount: Bytes) => needs.set(page, (needs.get(page) ?? 0) + amount);
  if (isHugetlb(vm.backend, vm.pageSize, vm.fileSystem)) add(vm.pageSize > HOST_PAGE_SIZE ? vm.pageSize : 2 * MiB, vm.memory);
  for (const d of vm.virtioMem) if (d.pageSize > HOST_PAGE_SIZE) add(d.pageSize, d.size);
  return needs;
}
