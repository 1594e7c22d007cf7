// The guest-physical layout of DOMAIN.md §1 (QEMU hw/i386/pc_q35.c, pc_piix.c, pc.c and
// hw/arm/virt.c): the flat view of RAM and ROM that VFIO maps, device memory with every
// virtio-mem device and DIMM placed, the 64-bit PCI hole, the highest GPA.
import type { Bytes } from "./attributes";
import { GiB, KiB, MiB, TiB } from "./format";
import type { Confidential, DimmModel, VirtioMemModel, VmModel } from "./model";
import { hasFact } from "./versions";

export type SectionKind = "ram" | "rom" | "dimm" | "virtio-mem";

export interface Section {
  name: string;
  kind: SectionKind;
  start: Bytes;
  end: Bytes;
  /** guest_memfd memory of a TDX, SEV-SNP or CCA guest: private at boot, mapped by VFIO only where shared */
  guestMemfd?: true;
}

export interface Placement {
  device: VirtioMemModel | DimmModel;
  start: Bytes;
  end: Bytes;
}

export interface PlacementError {
  device: VirtioMemModel | DimmModel;
  code: "VT106" | "VT108" | "VT109" | "VT121";
  message: string;
}

export interface Layout {
  /** RAM and ROM sections of the flat view, memory devices included, in address order */
  sections: Section[];
  /** boot RAM as guest-physical ranges (what `convert` may touch) */
  bootRam: Section[];
  belowMemory: Bytes;
  aboveMemory: Bytes;
  aboveStart: Bytes;
  relocatedAbove1T: boolean;
  deviceMemory: { start: Bytes; end: Bytes } | null;
  pciHole64: { start: Bytes; end: Bytes } | null;
  placements: Placement[];
  placementErrors: PlacementError[];
  highestGpa: Bytes;
  physBitsNeeded: number;
  /**
   * `virt` only: the top of RAM and device memory as hw/arm/virt.c virt_set_memmap() computes
   * it (device memory's base plus its size rounded up to 1 GiB), which must not pass 2^pa_bits.
   */
  virtMemoryTop?: Bytes;
}

const AMD_HT_START = 0xfd00000000;
const AMD_ABOVE_1TB_START = TiB;
const FOUR_G = 4 * GiB;

export const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** Bits needed to address `highest` (the highest byte address). */
export function bitsFor(highest: Bytes): number {
  let bits = 0;
  while (2 ** bits <= highest) bits++;
  return bits;
}

/** Split of boot RAM below and above 4 GiB (DOMAIN.md §1). */
export function splitMemory(vm: Pick<VmModel, "machine" | "memory" | "maxRamBelow4g">): { below: Bytes; above: Bytes } {
  const memory = vm.memory;
  if (vm.machine === "virt") return { below: 0, above: 0 };
  let lowmem: Bytes;
  if (vm.machine === "q35") {
    lowmem = memory >= 0xb0000000 ? 2 * GiB : 0xb0000000;
    lowmem = Math.min(lowmem, vm.maxRamBelow4g ?? FOUR_G);
  } else {
    const maxBelow = vm.maxRamBelow4g ?? 0xe0000000;
    lowmem = memory >= maxBelow ? Math.min(maxBelow, 3 * GiB) : maxBelow;
  }
  const below = Math.min(memory, lowmem);
  return { below, above: memory - below };
}

/**
 * Boot RAM's backends as offsets into QEMU's "ram" region: one backend, or one per NUMA node
 * with memory, back to back in node order (hw/core/numa.c numa_init_memdev_container). A
 * boundary between two backends splits a flat-view section, and so a DMA mapping.
 */
function ramBackends(vm: VmModel): { name: string | null; start: Bytes; end: Bytes }[] {
  const withMemory = [...vm.numa].sort((a, b) => a.id - b.id).filter((n) => n.memory > 0);
  if (withMemory.length <= 1) return [{ name: null, start: 0, end: vm.memory }];
  let offset = 0;
  return withMemory.map((n) => {
    const piece = { name: `node${n.id}`, start: offset, end: offset + n.memory };
    offset += n.memory;
    return piece;
  });
}

/** Adds the RAM section at guest-physical `start` that shows RAM offsets [from, to), split where its backend changes. */
function pushRam(sections: Section[], backends: ReturnType<typeof ramBackends>, name: string, start: Bytes, from: Bytes, to: Bytes): void {
  for (const b of backends) {
    const lo = Math.max(from, b.start);
    const hi = Math.min(to, b.end);
    if (hi <= lo) continue;
    sections.push({ name: b.name ? `${name}/${b.name}` : name, kind: "ram", start: start + (lo - from), end: start + (hi - from) });
  }
}

/** Confidential types whose RAM is guest_memfd (QEMU: machine_require_guest_memfd()). */
export function usesGuestMemfd(confidential: Confidential): boolean {
  return confidential === "tdx" || confidential === "sev-snp" || confidential === "cca";
}

/** SeaBIOS's bios.bin, QEMU's default firmware for q35 and pc. */
export const SEABIOS_SIZE = 256 * KiB;
/**
 * OVMF / TDVF as `-bios`: edk2's OvmfPkgX64.dsc and IntelTdx/IntelTdxX64.dsc default to
 * FD_SIZE_IN_KB = 4096. Confidential guests boot UEFI (SeaBIOS has no SEV or TDX support).
 */
export const OVMF_SIZE = 4 * MiB;

/**
 * The ROM-like regions below 1 MiB and below 4 GiB per confidential type (QEMU
 * hw/i386/pc.c pc_memory_init, hw/i386/x86-common.c x86_bios_rom_init, QEMU 10.1):
 * - plain guests and SEV/SEV-ES: `pc.rom` (128 KiB of option ROMs at 0xc0000), `isa-bios`
 *   (an alias of the firmware's last 128 KiB at 0xe0000) and `pc.bios` below 4 GiB, all
 *   ordinary RAM blocks;
 * - TDX: no `pc.rom` (`if (!is_tdx_vm())`), no `isa-bios` (only `if
 *   (!machine_require_guest_memfd())`), `pc.bios` is the TDVF in guest_memfd
 *   (memory_region_init_ram_guest_memfd, tdx_set_tdvf_region);
 * - SEV-SNP: `pc.rom` and `pc.bios` in guest_memfd, no `isa-bios`.
 * Below 1 MiB the PAM regions show PCI space at reset, so without pc.rom and isa-bios the
 * range 0xc0000–0x100000 is a hole, not RAM.
 */
export function confidentialRoms(confidential: Confidential): Section[] {
  const FIRMWARE = confidential === "none" ? SEABIOS_SIZE : OVMF_SIZE;
  const bios: Section = { name: "pc.bios", kind: "rom", start: FOUR_G - FIRMWARE, end: FOUR_G };
  const pcRom: Section = { name: "pc.rom", kind: "rom", start: 0xc0000, end: 0xe0000 };
  const isaBios: Section = { name: "isa-bios", kind: "rom", start: 0xe0000, end: 0x100000 };
  switch (confidential) {
    case "tdx":
      return [{ ...bios, guestMemfd: true }];
    case "sev-snp":
    case "cca":
      return [{ ...pcRom, guestMemfd: true }, { ...bios, guestMemfd: true }];
    default:
      return [pcRom, isaBios, bios];
  }
}

export function computeLayout(vm: VmModel): Layout {
  return vm.machine === "virt" ? virtLayout(vm) : pcLayout(vm);
}

function pcLayout(vm: VmModel): Layout {
  const { below, above } = splitMemory(vm);
  const hole64Size = vm.machine === "q35" ? 32 * GiB : 2 * GiB;
  const deviceMemorySize = vm.maxmem - vm.memory + GiB * vm.slots;

  const place = (aboveStart: Bytes) => {
    const aboveEnd = aboveStart + above;
    const hasDeviceMemory = vm.maxmem > vm.memory || vm.slots > 0;
    const deviceMemory = hasDeviceMemory ? { start: roundUp(aboveEnd, GiB), end: roundUp(aboveEnd, GiB) + deviceMemorySize } : null;
    const holeStart = roundUp(deviceMemory ? deviceMemory.end : above > 0 ? aboveEnd : FOUR_G, GiB);
    return { deviceMemory, pciHole64: { start: holeStart, end: holeStart + hole64Size } };
  };

  let aboveStart = FOUR_G;
  let regions = place(aboveStart);
  let relocated = false;
  // QEMU pc_memory_init(): an AMD vCPU whose address space would reach the HyperTransport
  // hole gets its RAM above 4 GiB moved to 1 TiB.
  if (vm.cpuVendor === "amd" && hasFact(vm.host, "qemu.pc.amd-1tb-relocation") && regions.pciHole64.end - 1 >= AMD_HT_START) {
    aboveStart = AMD_ABOVE_1TB_START;
    regions = place(aboveStart);
    relocated = true;
  }

  const sections: Section[] = [];
  const bootRam: Section[] = [];
  const backends = ramBackends(vm);
  // RAM at guest-physical [start, end) shows the same offsets of QEMU's "ram" region below
  // 4 GiB, and offsets from `below` on above it.
  const ram = (name: string, start: Bytes, end: Bytes, offset: Bytes) => {
    if (end > start) pushRam(sections, backends, name, start, offset, offset + end - start);
  };
  // The flat view of `-machine q35|pc -nodefaults` (`info mtree -f`), with the firmware and
  // option-ROM regions each confidential type has (confidentialRoms).
  ram("ram-below-1m", 0, Math.min(below, 0xc0000), 0);
  for (const rom of confidentialRoms(vm.confidential)) sections.push(rom);
  ram("ram-below-4g", 0x100000, below, 0x100000);
  ram("ram-above-4g", aboveStart, aboveStart + above, below);
  if (usesGuestMemfd(vm.confidential)) for (const s of sections) if (s.kind === "ram") s.guestMemfd = true;
  if (below > 0) bootRam.push({ name: "ram-below-4g", kind: "ram", start: 0, end: below });
  if (above > 0) bootRam.push({ name: "ram-above-4g", kind: "ram", start: aboveStart, end: aboveStart + above });

  const { placements, errors } = placeMemoryDevices(vm, regions.deviceMemory);
  for (const p of placements) sections.push({ name: p.device.name, kind: p.device.kind, start: p.start, end: p.end });
  sections.sort((a, b) => a.start - b.start);

  const highestGpa = regions.pciHole64.end - 1;
  return {
    sections,
    bootRam,
    belowMemory: below,
    aboveMemory: above,
    aboveStart,
    relocatedAbove1T: relocated,
    deviceMemory: regions.deviceMemory,
    pciHole64: regions.pciHole64,
    placements,
    placementErrors: errors,
    highestGpa,
    physBitsNeeded: bitsFor(highestGpa),
  };
}

/**
 * aarch64 `virt`: RAM is one section at 1 GiB; device memory follows at the next 1 GiB
 * boundary. The high MMIO regions QEMU may add above 256 GiB are not modelled: the highest
 * GPA is the end of RAM or of device memory (ARCHITECTURE.md, decisions).
 */
function virtLayout(vm: VmModel): Layout {
  const ramStart = GiB;
  const ramEnd = ramStart + vm.memory;
  const hasDeviceMemory = vm.maxmem > vm.memory || vm.slots > 0;
  const deviceMemory = hasDeviceMemory ? { start: roundUp(ramEnd, GiB), end: roundUp(ramEnd, GiB) + vm.maxmem - vm.memory + GiB * vm.slots } : null;
  const { placements, errors } = placeMemoryDevices(vm, deviceMemory);
  const sections: Section[] = [];
  pushRam(sections, ramBackends(vm), "mach-virt.ram", ramStart, 0, vm.memory);
  if (usesGuestMemfd(vm.confidential)) for (const s of sections) s.guestMemfd = true;
  for (const p of placements) sections.push({ name: p.device.name, kind: p.device.kind, start: p.start, end: p.end });
  const highestGpa = (deviceMemory ? deviceMemory.end : ramEnd) - 1;
  // virt_set_memmap(): device memory's base is RAM's end rounded up to 1 GiB even without
  // device memory, and its size is rounded up to 1 GiB.
  const deviceMemorySize = vm.maxmem - vm.memory + GiB * vm.slots;
  const virtMemoryTop = roundUp(ramEnd, GiB) + roundUp(Math.max(0, deviceMemorySize), GiB);
  return {
    sections,
    bootRam: [{ name: "mach-virt.ram", kind: "ram", start: ramStart, end: ramEnd }],
    belowMemory: 0,
    aboveMemory: vm.memory,
    aboveStart: ramStart,
    relocatedAbove1T: false,
    deviceMemory,
    pciHole64: null,
    placements,
    placementErrors: errors,
    highestGpa,
    physBitsNeeded: bitsFor(highestGpa),
    virtMemoryTop,
  };
}

/**
 * The memory region's own alignment: anonymous RAM is mapped 2 MiB-aligned on x86_64
 * (QEMU_VMALLOC_ALIGN, for THP), memfd and file backends at their page size.
 */
export function backendAlignment(backend: string, pageSize: Bytes): Bytes {
  return backend === "ram" ? Math.max(pageSize, 2 * MiB) : pageSize;
}

/**
 * memory_device_pre_plug(): the larger of the device's own alignment (virtio-mem: its block
 * size; pc-dimm: none) and its region's.
 */
export function memoryDeviceAlignment(device: VirtioMemModel | DimmModel): Bytes {
  const region = backendAlignment(device.backend, device.pageSize);
  return device.kind === "virtio-mem" ? Math.max(device.blockSize, region) : region;
}

/** hw/mem/memory-device.c memory_device_get_free_addr(), when there is no device memory. */
function noDeviceMemoryMessage(vm: VmModel): string {
  if (hasFact(vm.host, "qemu.memory-device.not-prepared-text")) {
    return "the configuration is not prepared for memory devices (e.g., for memory hotplug), consider specifying the maxmem option";
  }
  // Before 8.1, x86 machines always have a (possibly empty) device memory region, virt one
  // only when maxmem or slots ask for it.
  return vm.machine === "virt" ? "memory devices (e.g. for memory hotplug) are not supported by the machine" : "memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option";
}

/**
 * QEMU hw/mem/memory-device.c: devices take the first free, aligned address in device
 * memory in the order they are realized (declaration order), unless `memaddr` is given.
 */
function placeMemoryDevices(vm: VmModel, deviceMemory: { start: Bytes; end: Bytes } | null): { placements: Placement[]; errors: PlacementError[] } {
  const devices = [...vm.virtioMem, ...vm.dimms].sort((a, b) => a.decl.range.start.line - b.decl.range.start.line || a.decl.range.start.character - b.decl.range.start.character);
  const placements: Placement[] = [];
  const errors: PlacementError[] = [];
  const total = vm.maxmem - vm.memory;
  let used = 0;
  let slotsTaken = 0;
  if (total < 0) return { placements, errors }; // maxmem below memory: reported as such
  for (const device of devices) {
    if (device.size <= 0) continue;
    if (device.kind === "dimm") {
      // hw/mem/pc-dimm.c pc_dimm_get_free_slot(), from pc_dimm_pre_plug() before the
      // memory-device checks.
      if (vm.slots === 0) {
        errors.push({ device, code: "VT121", message: "no slots where allocated, please specify the 'slots' option" });
        continue;
      }
      if (slotsTaken >= vm.slots) {
        errors.push({ device, code: "VT121", message: "no free slots available" });
        continue;
      }
      slotsTaken++;
    }
    if (!deviceMemory || total <= 0) {
      errors.push({ device, code: "VT109", message: noDeviceMemoryMessage(vm) });
      continue;
    }
    if (used + device.size > total) {
      errors.push({ device, code: "VT109", message: `not enough space, currently 0x${used.toString(16)} in use of total space for memory devices 0x${total.toString(16)}` });
      continue;
    }
    const align = memoryDeviceAlignment(device);
    const fixed = device.memaddr;
    let start: Bytes;
    if (fixed !== undefined && fixed % align !== 0) {
      errors.push({ device, code: "VT108", message: `address must be aligned to 0x${align.toString(16)} bytes` });
      continue;
    }
    // A virtio-mem device's size is checked (VT106) with its other properties.
    if (device.kind === "dimm" && device.size % align !== 0) {
      errors.push({ device, code: "VT106", message: `backend memory size must be multiple of 0x${align.toString(16)}` });
      continue;
    }
    if (fixed !== undefined) {
      if (fixed < deviceMemory.start || fixed + device.size > deviceMemory.end) {
        errors.push({
          device,
          code: "VT109",
          message: `can't add memory device [0x${fixed.toString(16)}:0x${device.size.toString(16)}], usable range for memory devices [0x${deviceMemory.start.toString(16)}:0x${(deviceMemory.end - deviceMemory.start).toString(16)}]`,
        });
        continue;
      }
      const clash = placements.find((p) => fixed < p.end && p.start < fixed + device.size);
      if (clash) {
        errors.push({ device, code: "VT109", message: `address range conflicts with memory device id='${clash.device.name}'` });
        continue;
      }
      start = fixed;
    } else {
      start = firstFit(deviceMemory, placements, device.size, align);
      if (start < 0) {
        errors.push({ device, code: "VT109", message: "could not find position in guest address space for memory device - memory fragmented due to alignments" });
        continue;
      }
    }
    placements.push({ device, start, end: start + device.size });
    placements.sort((a, b) => a.start - b.start);
    used += device.size;
  }
  return { placements, errors };
}

function firstFit(region: { start: Bytes; end: Bytes }, taken: Placement[], size: Bytes, align: Bytes): Bytes {
  let candidate = roundUp(region.start, align);
  for (const p of taken) {
    if (candidate + size <= p.start) break;
    if (p.end > candidate) candidate = roundUp(p.end, align);
  }
  return candidate + size <= region.end ? candidate : -1;
}

