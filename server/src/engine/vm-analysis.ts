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
import { bytes, count, exactBytes, GiB, hex, MiB } from "./format";
import { computeLayout, memoryDeviceAlignment, usesGuestMemfd, type Layout, type Section } from "./layout";
import { HOST_PAGE_SIZE, isHugetlb, type HostModel, type VfioDeviceModel, type VirtioMemModel, type VmModel } from "./model";
import type { RelatedInformation, Sink } from "./sink";
import { checkMachineOptions, checkMissingProperties, checkNuma, checkVirtAddressSpace, physBitsOutOfRange } from "./machine-checks";
import { atLeast, formatVersion } from "./version";
import { hasFact, versionFact } from "./versions";

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
  checkMachineOptions(vm, sink);
  checkNuma(vm, sink);
  checkMissingProperties(vm, sink);
  checkBackends(vm, sink);
  checkVirtioMem(vm, layout, sink);
  checkPhysBits(vm, layout, sink);
  checkVirtAddressSpace(vm, layout, sink);
  checkCompatibility(vm, sink);
  checkConfidentialVersion(vm, sink);
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
      sink.error("VT102", bsRange, `virtio-mem '${d.name}': block-size ${exactBytes(bs)} is below 1 MiB. QEMU: 'block-size' property has to be at least 0x100000`, { minimum: MiB });
      blockSizeOk = false;
    } else if (!isPowerOfTwo(bs)) {
      sink.error("VT101", bsRange, `virtio-mem '${d.name}': block-size ${exactBytes(bs)} is not a power of two. QEMU: 'block-size' property has to be a power of two`);
      blockSizeOk = false;
    }
    if (bs < d.pageSize) {
      sink.error("VT104", bsRange, `virtio-mem '${d.name}': block-size ${exactBytes(bs)} is below the backend's ${exactBytes(d.pageSize)} pages. QEMU: 'block-size' property has to be at least the page size (${hex(d.pageSize)})`, { minimum: d.pageSize });
      blockSizeOk = false;
    }
    if (blockSizeOk && bs < d.defaultBlockSize) {
      // QEMU prints the default in MiB, in hex ("(400 MiB)" for 1 GiB): quoted as it prints.
      sink.warning("VT103", bsRange, `virtio-mem '${d.name}': block-size ${exactBytes(bs)} is below QEMU's default of ${exactBytes(d.defaultBlockSize)} for this backend. QEMU: 'block-size' property is smaller than the default block size (${(d.defaultBlockSize / MiB).toString(16)} MiB)`);
    }
    if (blockSizeOk && d.requested % bs !== 0) {
      sink.error("VT105", d.attrs.rangeOf("requested"), `virtio-mem '${d.name}': requested ${exactBytes(d.requested)} is not a multiple of the ${exactBytes(bs)} block size. QEMU: 'requested-size' property has to be multiples of 'block-size' (${hex(bs)})`, { multiple: bs });
    }
    const hasSize = d.attrs.has("size");
    const alignment = memoryDeviceAlignment(d);
    if (blockSizeOk && hasSize && d.size % alignment !== 0) {
      const why = alignment > bs ? ` (the device is aligned to ${bytes(alignment)}: its block size or its backend's alignment, whichever is larger)` : "";
      sink.error("VT106", d.attrs.rangeOf("size"), `virtio-mem '${d.name}': size ${exactBytes(d.size)} is not a multiple of ${exactBytes(alignment)}${why}. QEMU: backend memory size must be multiple of ${hex(alignment)}`, { multiple: alignment });
    }
    if (hasSize && d.requested > d.size) {
      // QEMU starts with this (virtio_mem_device_realize() does not compare the two); only a
      // later qom-set of requested-size is refused (virtio_mem_set_requested_size()).
      sink.warning("VT107", d.attrs.rangeOf("requested"), `virtio-mem '${d.name}': requested ${exactBytes(d.requested)} exceeds the device's ${exactBytes(d.size)}; the guest can plug at most ${exactBytes(d.size)}, and a later change of requested-size above it is refused. QEMU: 'requested-size' cannot exceed the memory backend size(${hex(d.size)})`, { maximum: d.size });
    }
    if (hasSize) checkHugetlbSize(`virtio-mem '${d.name}'`, d.size, d.backend, d.pageSize, d.attrs.rangeOf("size"), sink);
    if (d.prealloc) {
      const range = d.attrs.has("prealloc") ? d.attrs.rangeOf("prealloc") : d.nameRange;
      const inherited = d.attrs.has("prealloc") ? "" : " (inherited from the VM's prealloc = on)";
      if (hasFact(vm.host, "qemu.virtio-mem.prealloc-refused")) {
        sink.error("VT117", range, `virtio-mem '${d.name}' has a preallocated backend${inherited}; virtio-mem preallocates each block as it is plugged. QEMU: 'memdev' property specifies a memdev with preallocation enabled`);
      } else {
        sink.warning("VT117", range, `virtio-mem '${d.name}' has a preallocated backend${inherited}: QEMU ${formatVersion(vm.host.qemu)} starts, but allocates all ${bytes(d.size)} of it at once, plugged or not (QEMU 8.0 refuses it)`);
      }
    }
    if (vm.confidential === "sev" || vm.confidential === "sev-es" || vm.vdpa) {
      const why = vm.vdpa ? "a vhost-vdpa device disables RAM discarding" : `${vm.confidential.toUpperCase()} disables RAM discarding`;
      sink.error("VT115", d.nameRange, `virtio-mem '${d.name}' cannot work: ${why}. QEMU: Discarding RAM is disabled`);
    } else if (vm.vfio.length > 0 && !hasFact(vm.host, "virtio-mem-vfio")) {
      reportVirtioMemBeforeRdm(vm, d, sink);
    } else if (isConfidential(vm)) {
      sink.error("VT114", d.nameRange, `virtio-mem '${d.name}' in a ${vm.confidential} guest: guest_memfd already manages the memory region, and a region has only one RamDiscardManager. QEMU: Failed to set RamDiscardManager`);
    }
  }
  for (const error of layout.placementErrors) {
    const device = error.device;
    const range = error.code === "VT106" ? device.attrs.rangeOf("size") : error.code !== "VT121" && device.attrs.has("memaddr") ? device.attrs.rangeOf("memaddr") : device.nameRange;
    sink.error(error.code, range, `${device.kind} '${device.name}' (${exactBytes(device.size)}) cannot be placed in device memory. QEMU: ${error.message}`);
  }
}

/**
 * VT111, as the backend fails: a memfd of 4 KiB pages that is not a page multiple is
 * shorter than the RAM block made for it; a hugetlb memfd cannot be resized to a size that is not a
 * page multiple (util/memfd.c qemu_memfd_create(): ftruncate() gives EINVAL); a file
 * (softmmu/physmem.c file_ram_alloc()) refuses only a size below one page and rounds the
 * rest up.
 */
function checkHugetlbSize(what: string, size: Bytes, backend: string, pageSize: Bytes, range: A.Range, sink: Sink): void {
  if (size <= 0 || size % pageSize === 0) return;
  if (backend === "memfd" && pageSize === HOST_PAGE_SIZE) {
    // qemu_ram_alloc_from_fd() aligns the size up to the host page, then finds the memfd shorter.
    const aligned = Math.ceil(size / HOST_PAGE_SIZE) * HOST_PAGE_SIZE;
    sink.error("VT111", range, `${what}: ${exactBytes(size)} is not a multiple of 4 KiB pages. QEMU: backing store size ${hex(size)} does not match 'size' option ${hex(aligned)}`, { multiple: HOST_PAGE_SIZE });
  } else if (backend === "memfd") {
    sink.error("VT111", range, `${what}: ${exactBytes(size)} is not a multiple of its ${bytes(pageSize)} huge pages. QEMU: failed to resize memfd to ${size}: Invalid argument`, { multiple: pageSize });
  } else if (size < pageSize) {
    sink.error("VT111", range, `${what}: ${exactBytes(size)} is smaller than one of its ${bytes(pageSize)} pages. QEMU: memory size ${hex(size)} must be equal to or larger than page size ${hex(pageSize)}`, { multiple: pageSize });
  } else if (backend === "file") {
    sink.warning("VT111", range, `${what}: ${exactBytes(size)} is not a multiple of its ${bytes(pageSize)} pages; QEMU rounds the file up to ${bytes(Math.ceil(size / pageSize) * pageSize)}`, { multiple: pageSize });
  } else {
    sink.error("VT111", range, `${what}: ${exactBytes(size)} is not a multiple of its ${bytes(pageSize)} huge pages (a hugetlb backend is a memfd or a hugetlbfs file). QEMU: failed to resize memfd to ${size}: Invalid argument`, { multiple: pageSize });
  }
}

/**
 * VT115 before QEMU 6.1: VFIO disabled every discard (ram_block_discard_disable) and
 * virtio-mem required it (ram_block_discard_require), so whichever of the two realizes
 * second fails (QEMU 5.1–6.0 hw/vfio/common.c vfio_connect_container, hw/virtio/virtio-mem.c
 * virtio_mem_device_realize). Devices realize in declaration order.
 */
function reportVirtioMemBeforeRdm(vm: VmModel, d: VirtioMemModel, sink: Sink): void {
  const at = (r: A.Range) => r.start.line * 1e6 + r.start.character;
  const firstVfio = vm.vfio[0];
  const since = versionFact("virtio-mem-vfio").since;
  const prefix = `virtio-mem '${d.name}' with assigned devices (${vm.vfio.map((v) => v.name).join(", ")}) needs QEMU ${since} (host '${vm.host.name}' runs ${formatVersion(vm.host.qemu)}): before it VFIO and virtio-mem exclude each other.`;
  if (at(firstVfio.declRange) < at(d.decl.range)) {
    sink.error("VT115", d.nameRange, `${prefix} QEMU: Discarding RAM is disabled`);
  } else {
    sink.error("VT115", firstVfio.nameRange, `${prefix} QEMU: vfio ${firstVfio.hostAddress ?? firstVfio.name}: Cannot set discarding of RAM broken: Device or resource busy`);
  }
}

function checkBackends(vm: VmModel, sink: Sink): void {
  // With NUMA nodes, each node's memory is a backend of its own.
  if (vm.numa.length > 0) for (const n of vm.numa) checkHugetlbSize(`NUMA node ${n.id}`, n.memory, vm.backend, vm.pageSize, n.attrs.rangeOf("memory"), sink);
  else checkHugetlbSize("boot RAM", vm.memory, vm.backend, vm.pageSize, vm.attrs.rangeOf("memory"), sink);
  for (const d of vm.dimms) checkHugetlbSize(`dimm '${d.name}'`, d.size, d.backend, d.pageSize, d.attrs.rangeOf("size"), sink);
  // Only guest_memfd guests keep two copies; SEV's hugetlb RAM is its only copy.
  if (usesGuestMemfd(vm.confidential) && isHugetlb(vm.backend, vm.pageSize, vm.fileSystem)) {
    const range = vm.attrs.has("page-size") ? vm.attrs.rangeOf("page-size") : vm.attrs.rangeOf("file-system");
    sink.warning("VT113", range, `${vm.confidential} guest with a hugetlb shared backend: converting shared memory back to private does not free the hugetlb copy, so up to ${bytes(vm.memory)} is held twice (guest_memfd and hugetlb)`);
  }
}

function checkPhysBits(vm: VmModel, layout: Layout, sink: Sink): void {
  // virt has its own check (checkVirtAddressSpace); bad phys-bits stop QEMU before the layout.
  if (vm.machine === "virt" || physBitsOutOfRange(vm) || !hasFact(vm.host, "qemu.pc.phys-bits-checked")) return;
  if (layout.physBitsNeeded <= vm.physBits) return;
  // Before 8.2, QEMU treats a CPU with 32 phys-bits or fewer as 32-bit and skips the check
  // (pc_max_used_gpa() returned the CPU's own limit).
  if (vm.physBits <= 32 && !hasFact(vm.host, "qemu.pc.phys-bits-32-checked")) return;
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
  if (usesGuestMemfd(vm.confidential) && vm.vfio.length > 0 && !hasFact(vm.host, "guest-memfd-shared-assignment")) {
    sink.error("VT118", vm.attrs.rangeOf("confidential"), guestMemfdVfioMessage(vm, vm.host, vm.vfio[0]));
  }
}

/**
 * VT118's text: guest_memfd RAM blocks are created with the machine, before any device, and
 * before 10.1 they take a plain discard "require" (system/physmem.c ram_block_add); the VFIO
 * device then fails ram_block_uncoordinated_discard_disable() in its container setup (hw/vfio
 * container.c vfio_connect_container, error_setg_errno(-EBUSY)). "cannot set up private guest
 * memory: discard currently blocked" is ram_block_add's own text, met only when guest_memfd
 * RAM is added after VFIO is set up, which no configuration here does.
 */
export function guestMemfdVfioMessage(vm: VmModel, host: HostModel, device: VfioDeviceModel): string {
  const since = versionFact("guest-memfd-shared-assignment").since;
  return `a ${vm.confidential} guest with assigned devices needs QEMU ${since}: its guest_memfd memory blocks discarding, which VFIO must disable (host '${host.name}' runs ${formatVersion(host.qemu)}). QEMU: vfio ${device.hostAddress ?? device.name}: Cannot set discarding of RAM broken: Device or resource busy`;
}

/** The confidential guest object each type needs, and the QEMU that has it. */
const CONFIDENTIAL_OBJECTS: Readonly<Record<string, { object: string; fact?: string }>> = {
  sev: { object: "sev-guest", fact: "sev-guest" },
  "sev-es": { object: "sev-guest", fact: "sev-es" },
  "sev-snp": { object: "sev-snp-guest", fact: "sev-snp-guest" },
  tdx: { object: "tdx-guest", fact: "tdx-guest" },
  // Arm CCA's `rme-guest` lives only in Linaro's QEMU branch (and its KVM series is unmerged).
  cca: { object: "rme-guest" },
};

/** VT004: a confidential type the host's QEMU cannot create; QEMU's QAPI refuses the object type. */
function checkConfidentialVersion(vm: VmModel, sink: Sink): void {
  const entry = CONFIDENTIAL_OBJECTS[vm.confidential];
  if (!entry) return;
  const range = vm.attrs.rangeOf("confidential");
  const refusal = `QEMU: -object ${entry.object},id=cgs0: Parameter 'qom-type' does not accept value '${entry.object}'`;
  if (!entry.fact) {
    sink.error("VT004", range, `confidential = ${vm.confidential}: upstream QEMU has no Arm CCA (Realm) guest support; the '${entry.object}' object exists only in out-of-tree branches. ${refusal}`);
    return;
  }
  if (hasFact(vm.host, entry.fact)) return;
  const since = versionFact(entry.fact).since;
  if (vm.confidential === "sev-es") {
    sink.error("VT004", range, `confidential = sev-es needs QEMU ${since} (host '${vm.host.name}' runs ${formatVersion(vm.host.qemu)}): before it QEMU cannot launch SEV-ES guests`);
    return;
  }
  sink.error("VT004", range, `confidential = ${vm.confidential} needs QEMU ${since} (host '${vm.host.name}' runs ${formatVersion(vm.host.qemu)}). ${refusal}`);
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
    if (!c.startupCheck || c.startupCheck.passes) reportMemslotCheck(vm, layout, vm.host, c.key, boot, 0, sink);
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
  // An SEV guest that cannot register its RAM never gets as far as VFIO (QEMU exits).
  if (!checkSevPins(vm, layout, vm.host, sink)) checkMemlock(vm, vm.host, processPins(summaries.map((c) => c.boot), vm.host), vm.decl.name.range, sink, "at boot");
  return summaries;
}

/**
 * RAM blocks an SEV or SEV-ES guest registers with KVM, in the order QEMU creates them:
 * boot RAM, the firmware, the option ROMs, then memory devices (target/i386/sev.c
 * sev_ram_block_added registers each block's max_size with KVM_MEMORY_ENCRYPT_REG_REGION).
 */
export function sevRegisteredBlocks(vm: VmModel, layout: Layout): { name: string; bytes: Bytes }[] {
  if (vm.confidential !== "sev" && vm.confidential !== "sev-es") return [];
  const roms = layout.sections.filter((s) => s.kind === "rom" && s.name !== "isa-bios");
  return [
    { name: "pc.ram", bytes: vm.memory },
    ...roms.reverse().map((s) => ({ name: s.name, bytes: s.end - s.start })),
    ...vm.dimms.map((d) => ({ name: d.name, bytes: d.size })),
    ...vm.virtioMem.map((d) => ({ name: d.name, bytes: d.size })),
  ];
}

/**
 * VT203 for SEV and SEV-ES: KVM pins every registered block, VFIO or not, and counts the
 * pages against RLIMIT_MEMLOCK on its own counter (Linux arch/x86/kvm/svm/sev.c
 * sev_pin_memory: "SEV: %lu locked pages exceed the lock limit of %lu."), so QEMU exits at
 * start-up (sev_ram_block_added: "failed to register region"). True when reported.
 */
function checkSevPins(vm: VmModel, layout: Layout, host: HostModel, sink: Sink): boolean {
  if (host.memlock === "unlimited" || host.capIpcLock) return false;
  const limitPages = Math.floor(host.memlock / HOST_PAGE_SIZE);
  let locked = 0;
  for (const block of sevRegisteredBlocks(vm, layout)) {
    locked += Math.ceil(block.bytes / HOST_PAGE_SIZE);
    if (locked <= limitPages) continue;
    sink.error(
      "VT203",
      vm.attrs.rangeOf("confidential"),
      `vm '${vm.name}' (${vm.confidential}) pins all its RAM at start-up, VFIO or not: KVM pins each RAM block QEMU registers, ${bytes(locked * HOST_PAGE_SIZE)} by '${block.name}', over host '${host.name}' memlock of ${bytes(host.memlock)}. Linux: SEV: ${locked} locked pages exceed the lock limit of ${limitPages}.`,
      { pinned: locked * HOST_PAGE_SIZE },
    );
    return true;
  }
  return false;
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
  const error = hasFact(vm.host, "qemu.vfio.rdm-check-error");
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

/**
 * VT201 when `dynamic-memslots` devices map memslots as the guest plugs (DOMAIN.md §3 does
 * not cover it): each newly mapped memslot is one more RamDiscardManager section, and VFIO
 * re-runs its check as it registers it (hw/vfio/listener.c vfio_listener_region_add). At run
 * time QEMU 10.2 cannot fail a realize any more: it aborts ("qemu: hardware error: vfio: DMA
 * mapping failed, unable to continue"); before, it warns again. `step` is the scenario step
 * (its range) or 0 for the guest plugging its boot-time requested-size.
 */
export function reportMemslotCheck(vm: VmModel, layout: Layout, host: HostModel, key: ContainerKey, state: MemoryState, step: A.Range | 0, sink: Sink): void {
  const check = startupCheck(vm, layout, host, key, state);
  const dynamic = check?.parts.filter((p) => p.memslotOf !== undefined) ?? [];
  if (!check || check.passes || dynamic.length === 0) return;
  const error = atLeast(host.qemu, "10.2");
  const device = vm.virtioMem.find((d) => d.name === dynamic[dynamic.length - 1].memslotOf)!;
  const range = step === 0 ? (device.attrs.has("dynamic-memslots") ? device.attrs.rangeOf("dynamic-memslots") : device.nameRange) : step;
  const when = step === 0 ? `when the guest plugs its requested ${bytes(device.requested)}` : "after this step";
  const outcome = error ? "QEMU aborts" : `QEMU ${formatVersion(host.qemu)} warns again`;
  sink.add(
    "VT201",
    error ? "error" : "warning",
    range,
    `${when}, ${dynamic.length} memslot${dynamic.length === 1 ? "" : "s"} of virtio-mem '${device.name}' (dynamic-memslots) ${dynamic.length === 1 ? "is" : "are"} mapped and VFIO re-runs its check: ${count(check.total)} DMA mappings, limit ${count(check.limit)} (${count(check.mappings)} possible mappings + ${count(check.memslots)} memslots − ${check.sections} sections); ${outcome}. QEMU: possibly running out of DMA mappings. E.g., try increasing the 'block-size' of virtio-mem devies. Maximum possible DMA mappings: ${check.limit}, Maximum possible memslots: ${check.memslots}${error ? " … qemu: hardware error: vfio: DMA mapping failed, unable to continue" : ""}`,
    { total: check.total, limit: check.limit },
  );
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
  return [...plainSections(layout), ...virtioMem, ...(confidentialRdm(vm, vm.host) ? confidentialSections(layout) : [])].sort((a, b) => a.start - b.start);
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
  const behind = vm.vfio.find((d) => d.behindViommu);
  if (behind) checkViommuDiscard(vm, layout, host, behind, sink);
  for (const c of containers) reportDomains(c.id, c.boot.domains, c.boot, sink);
}

/**
 * VT212: a device behind a vIOMMU with RamDiscardManager memory (virtio-mem, or guest_memfd
 * from 10.1). What the guest maps through the vIOMMU stays pinned until it unmaps it, even
 * after virtio-mem discarded the memory, so a guest can pin more than is plugged. QEMU warns
 * once, at the first such mapping (hw/vfio/common.c vfio_get_xlat_addr, QEMU 6.1; the
 * double space is QEMU's).
 */
export function checkViommuDiscard(vm: VmModel, layout: Layout, host: HostModel, device: VfioDeviceModel, sink: Sink, at?: A.Range): void {
  if (!hasFact(host, "vfio-viommu-rdm")) return;
  const virtioMem = layout.placements.filter((p) => p.device.kind === "virtio-mem").map((p) => p.device.name);
  const managed = [...(hasFact(host, "virtio-mem-vfio") ? virtioMem : []), ...(confidentialRdm(vm, host) ? ["guest_memfd RAM"] : [])];
  if (managed.length === 0) return;
  sink.warning(
    "VT212",
    at ?? device.nameRange,
    `vfio '${device.name}' behind the ${vm.viommu} with discardable memory (${managed.join(", ")}): pages the guest maps through the vIOMMU stay pinned after they are discarded, until the guest unmaps them, so a guest can pin more than it has plugged or shared; only memlock bounds it. QEMU: Using vfio with vIOMMUs and coordinated discarding of RAM (e.g., virtio-mem) works, however, malicious guests can trigger pinning of more memory than intended via an IOMMU. It's possible to mitigate  by setting/adjusting RLIMIT_MEMLOCK.`,
  );
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
  const qemuOk = hasFact(host, "qemu.vfio.iommufd");
  const kernelOk = hasFact(host, "linux.iommufd");
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
