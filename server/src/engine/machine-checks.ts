// QEMU's checks of the machine's own options (-m, -machine, -cpu, -numa) and of the
// properties a target or version lacks, each quoted as the running QEMU prints it (texts
// checked against QEMU 7.2's qemu-system-x86_64 and qemu-system-aarch64).
import { bytes, GiB, hex, KiB } from "./format";
import type { Layout } from "./layout";
import type { VmModel } from "./model";
import type { Sink } from "./sink";
import { formatVersion } from "./version";
import { hasFact } from "./versions";

/** hw/acpi: ACPI_MAX_RAM_SLOTS, the most DIMM slots q35, pc and virt take. */
export const MAX_RAM_SLOTS = 256;
/** include/sysemu/numa.h MAX_NODES. */
export const MAX_NUMA_NODES = 128;
/** target/i386/cpu.h TARGET_PHYS_ADDR_SPACE_BITS: x86 phys-bits are 32 to 52. */
const X86_PHYS_BITS = { min: 32, max: 52 } as const;
const TARGET_PAGE_SIZE = 4 * KiB;

/** QEMU's QOM type name of the machine, as "Property '…' not found" names it. */
function machineTypeName(vm: VmModel): string {
  const version = formatVersion(vm.host.qemu.slice(0, 2));
  return vm.machine === "virt" ? `virt-${version}-machine` : vm.machine === "q35" ? `pc-q35-${version}-machine` : `pc-i440fx-${version}-machine`;
}

/** True when x86 phys-bits are outside what QEMU accepts (the CPU then fails to realize, before any layout check). */
export function physBitsOutOfRange(vm: VmModel): boolean {
  return vm.machine !== "virt" && vm.attrs.has("phys-bits") && (vm.physBits < X86_PHYS_BITS.min || vm.physBits > X86_PHYS_BITS.max);
}

export function checkMachineOptions(vm: VmModel, sink: Sink): void {
  const attrs = vm.attrs;
  const x86 = vm.machine !== "virt";

  // hw/i386/x86.c x86_machine_set_max_ram_below_4g(); virt has no such property.
  if (attrs.has("max-ram-below-4g")) {
    const value = vm.maxRamBelow4g!;
    if (!x86) sink.error("VT119", attrs.rangeOf("max-ram-below-4g"), `max-ram-below-4g is a q35/pc property; virt has none. QEMU: Property '${machineTypeName(vm)}.max-ram-below-4g' not found`);
    else if (value > 4 * GiB) sink.error("VT004", attrs.rangeOf("max-ram-below-4g"), `'max-ram-below-4g' ${bytes(value)} is above 4 GiB. QEMU: Machine option 'max-ram-below-4g=${value}' expects size less than or equal to 4G`);
  }
  if (attrs.has("highmem") && x86) {
    sink.error("VT119", attrs.rangeOf("highmem"), `highmem is a virt property; ${vm.machine} has none. QEMU: Property '${machineTypeName(vm)}.highmem' not found`);
  }

  // target/i386/cpu.c x86_cpu_realizefn(). Arm CPUs have no phys-bits: there it names the CPU model's address size.
  if (physBitsOutOfRange(vm)) {
    sink.error("VT004", attrs.rangeOf("phys-bits"), `'phys-bits' ${vm.physBits} is outside what an x86 CPU takes (32 to 52). QEMU: phys-bits should be between 32 and 52  (but is ${vm.physBits})`, { minimum: X86_PHYS_BITS.min, maximum: X86_PHYS_BITS.max });
  }

  // hw/i386/pc.c pc_memory_init() (only with device memory) and hw/arm/virt.c machvirt_init().
  if (vm.slots > MAX_RAM_SLOTS && (!x86 || vm.maxmem > vm.memory)) {
    sink.error("VT004", attrs.rangeOf("slots"), `${vm.slots} DIMM slots; QEMU takes at most ${MAX_RAM_SLOTS}. QEMU: unsupported ${x86 ? "amount" : "number"} of memory slots: ${vm.slots}`, { maximum: MAX_RAM_SLOTS });
  }
  if (x86 && vm.maxmem > vm.memory && vm.maxmem % TARGET_PAGE_SIZE !== 0) {
    sink.error("VT004", attrs.rangeOf("maxmem"), `'maxmem' ${bytes(vm.maxmem)} is not a multiple of 4 KiB. QEMU: maximum memory size must by aligned to multiple of ${TARGET_PAGE_SIZE} bytes`, { multiple: TARGET_PAGE_SIZE });
  }
}

/** virt_set_memmap(): RAM and device memory (rounded up to 1 GiB) must fit the CPU's address size. */
export function checkVirtAddressSpace(vm: VmModel, layout: Layout, sink: Sink): void {
  if (vm.machine !== "virt" || layout.virtMemoryTop === undefined) return;
  const bits = vm.highmem ? vm.physBits : 32;
  const limit = 2 ** bits;
  if (layout.virtMemoryTop <= limit) return;
  const range = !vm.highmem ? vm.attrs.rangeOf("highmem") : vm.attrs.has("phys-bits") ? vm.attrs.rangeOf("phys-bits") : vm.attrs.has("maxmem") ? vm.attrs.rangeOf("maxmem") : vm.attrs.rangeOf("memory");
  sink.error(
    "VT110",
    range,
    `vm '${vm.name}': RAM and device memory end at ${hex(layout.virtMemoryTop)}, above the ${bits}-bit address space${vm.highmem ? "" : " of highmem = off"}. QEMU: Addressing limited to ${bits} bits, but memory exceeds it by ${layout.virtMemoryTop - limit} bytes`,
    { needed: Math.ceil(Math.log2(layout.virtMemoryTop)) },
  );
}

/**
 * hw/core/numa.c: parse_numa_node() (duplicate and too large ids), numa_complete_configuration()
 * (missing ids, memory adding up to `-m`); the `node` property of memory devices
 * (virtio_mem_device_realize(), pc_dimm_realize()) against the number of nodes. Without a
 * numa block QEMU makes one node itself when memory hot-plug is possible
 * (auto_enable_numa_with_memhp / _memdev on q35, pc and virt), and counts one otherwise.
 */
export function checkNuma(vm: VmModel, sink: Sink): void {
  const seen = new Set<number>();
  for (const node of vm.numa) {
    const at = node.decl.id.range;
    if (node.id >= MAX_NUMA_NODES) sink.error("VT120", at, `NUMA node ${node.id}: ids go up to ${MAX_NUMA_NODES - 1}. QEMU: Max number of NUMA nodes reached: ${node.id}`);
    else if (seen.has(node.id)) sink.error("VT120", at, `NUMA node ${node.id} is declared twice. QEMU: Duplicate NUMA nodeid: ${node.id}`);
    seen.add(node.id);
  }
  const ids = [...seen].filter((id) => id < MAX_NUMA_NODES);
  if (ids.length > 0) {
    const highest = Math.max(...ids);
    const missing = Array.from({ length: highest }, (_, i) => i).find((i) => !seen.has(i));
    const numa = vm.decl.items.find((i) => i.kind === "numa");
    if (missing !== undefined && numa) sink.error("VT120", numa.keyword, `NUMA node ${missing} is missing: node ids run from 0 without gaps (up to ${highest} here). QEMU: numa: Node ID missing: ${missing}`);
    const total = vm.numa.reduce((sum, n) => sum + n.memory, 0);
    if (total !== vm.memory && numa) {
      const rounded = vm.memory !== vm.memoryAsWritten ? ` (memory rounded up to 8 KiB: ${bytes(vm.memory)})` : "";
      sink.error("VT120", numa.keyword, `the NUMA nodes hold ${bytes(total)}, the VM's memory is ${bytes(vm.memory)}${rounded}. QEMU: total memory for NUMA nodes (${hex(total)}) should equal RAM size (${hex(vm.memory)})`, { total, memory: vm.memory });
    }
  }
  const nodes = vm.numa.length > 0 ? new Set(vm.numa.map((n) => n.id)).size : 0;
  const counted = Math.max(nodes, 1);
  for (const device of [...vm.virtioMem, ...vm.dimms]) {
    if (device.node < counted) continue;
    const quoted =
      device.kind === "virtio-mem"
        ? `'node' property has value '${device.node}', which exceedsthe number of numa nodes: ${counted}`
        : `'DIMM property node has value ${device.node}' which exceeds the number of numa nodes: ${counted}`;
    sink.error("VT120", device.attrs.rangeOf("node"), `${device.kind} '${device.name}' is on NUMA node ${device.node}, but the VM has ${nodes === 0 ? "one (implicit) node" : `${nodes} node${nodes === 1 ? "" : "s"}`}. QEMU: ${quoted}`, { nodes: counted });
  }
}

/** Device properties QEMU lacks on this target or version: "Property '…' not found". */
export function checkMissingProperties(vm: VmModel, sink: Sink): void {
  for (const d of vm.virtioMem) {
    if (d.attrs.has("dynamic-memslots") && !hasFact(vm.host, "qemu.virtio-mem.dynamic-memslots")) {
      sink.error("VT119", d.attrs.rangeOf("dynamic-memslots"), `virtio-mem '${d.name}': dynamic-memslots needs QEMU 8.2 (host '${vm.host.name}' runs ${formatVersion(vm.host.qemu)}). QEMU: Property 'virtio-mem-pci.dynamic-memslots' not found`);
    }
    // hw/virtio/virtio-mem.c: the property exists only with VIRTIO_MEM_HAS_LEGACY_GUESTS (x86 targets).
    if (d.attrs.has("unplugged-inaccessible") && vm.host.arch !== "x86_64") {
      sink.error("VT119", d.attrs.rangeOf("unplugged-inaccessible"), `virtio-mem '${d.name}': unplugged-inaccessible exists only on x86 (on ${vm.host.arch} unplugged memory is always inaccessible). QEMU: Property 'virtio-mem-pci.unplugged-inaccessible' not found`);
    }
  }
}
