// The value an attribute completion inserts where the schema's default would be wrong for this
// VM: a completion must never leave a new error behind. A virtio-mem `block-size` on 1 GiB
// pages is QEMU's default for that backend (1G, not 2M: VT104); `memaddr` is where QEMU places
// the device today; `maxmem` holds the boot memory and every memory device; a NUMA node gets
// the memory the other nodes leave; an attribute the VM inherits (`prealloc`, `backend`,
// `page-size`) starts from the VM's value. Where no value can be right (`slots` without
// `maxmem` above `memory`, `highmem` on a machine other than `virt`), the attribute is not
// offered. Values come from the last analysis of the document.
import type { Position } from "../../../../grammar/src/index";
import { containsPosition } from "../../../../grammar/src/index";
import type { Analysis } from "../../engine/analyze";
import { GiB, MiB } from "../../engine/format";
import type { VmModel } from "../../engine/model";
import type { Context } from "../../engine/schema";
import type { VmAnalysis } from "../../engine/vm-analysis";
import { sizeLiteral } from "../size-literal";

/** A value text, `null` when the attribute has no right value here (leave it out), or undefined (no opinion). */
export type ContextualValue = string | null | undefined;

export function contextualValue(analysis: Analysis, vmName: string | undefined, context: Context, attribute: string, cursor: Position): ContextualValue {
  const vm = vmName === undefined ? undefined : analysis.vms.find((a) => a.vm.name === vmName);
  if (!vm) return undefined;
  switch (context) {
    case "vm":
      return vmValue(vm, attribute);
    case "virtio-mem":
    case "dimm":
      return deviceValue(vm, context, attribute, cursor);
    case "numa-node":
      return attribute === "memory" ? numaNodeMemory(vm, cursor) : undefined;
    default:
      return undefined;
  }
}

function vmValue(analysis: VmAnalysis, attribute: string): ContextualValue {
  const vm = analysis.vm;
  switch (attribute) {
    case "phys-bits":
      // What the VM has now (the host's with cpu = host, 40 for a named model): no change.
      return String(vm.physBits);
    case "maxmem": {
      // QEMU: maxmem must hold `-m` and every memory device (memory_device_pre_plug).
      const devices = memoryDeviceBytes(vm);
      return sizeLiteral(Math.max(vm.maxmem, vm.memoryAsWritten + (devices > 0 ? devices : vm.memoryAsWritten)));
    }
    case "slots":
      // QEMU: "slots specified but no max-size" (hw/core/machine.c): slots need maxmem above memory.
      return vm.maxmem > vm.memory ? undefined : null;
    case "highmem":
      return vm.machine === "virt" ? undefined : null;
    default:
      return undefined;
  }
}

function deviceValue(analysis: VmAnalysis, context: "virtio-mem" | "dimm", attribute: string, cursor: Position): ContextualValue {
  const decl = analysis.vm.decl.items.find((i) => i.kind === "device" && i.deviceKind === context && containsPosition(i.range, cursor));
  const name = decl?.kind === "device" ? decl.name.text : undefined;
  const device = context === "virtio-mem" ? analysis.vm.virtioMem.find((d) => d.name === name) : analysis.vm.dimms.find((d) => d.name === name);
  const vm = analysis.vm;
  switch (attribute) {
    case "block-size":
      // QEMU's default for the device's backend (virtio_mem_default_block_size): at least its page size.
      return device?.kind === "virtio-mem" ? sizeLiteral(device.defaultBlockSize) : undefined;
    case "memaddr": {
      const placed = analysis.layout.placements.find((p) => p.device.name === name);
      // Not placed (VT109 already): no address is right yet; the user types one.
      return placed ? `0x${placed.start.toString(16)}` : undefined;
    }
    case "prealloc":
      return device?.kind === "virtio-mem" ? (device.prealloc ? "on" : "off") : vm.prealloc ? "on" : "off";
    case "backend":
      return device?.backend ?? vm.backend;
    case "page-size":
      return sizeLiteral(device?.pageSize ?? vm.pageSize);
    default:
      return undefined;
  }
}

function numaNodeMemory(analysis: VmAnalysis, cursor: Position): ContextualValue {
  const others = analysis.vm.numa.filter((n) => !containsPosition(n.decl.range, cursor));
  const left = analysis.vm.memoryAsWritten - others.reduce((sum, n) => sum + n.memory, 0);
  return left > 0 ? sizeLiteral(left) : "0";
}

/** Sizes in the snippets of new blocks (a virtio-mem device, a DIMM, NUMA nodes) that fit the VM. */
export interface BlockValues {
  virtioMemSize: string;
  dimmSize: string;
  /** `numa { … }`: the VM's memory split over two nodes */
  numaHalves: [string, string];
  /** `node N { … }` in a numa block: the next id, and the memory the other nodes leave */
  nodeId: string;
  nodeMemory: string;
}

/** What the VM's virtio-mem devices and DIMMs take of device memory. */
function memoryDeviceBytes(vm: VmModel): number {
  return vm.virtioMem.reduce((sum, d) => sum + d.size, 0) + vm.dimms.reduce((sum, d) => sum + d.size, 0);
}

const EXAMPLE_BLOCKS: BlockValues = { virtioMemSize: "16G", dimmSize: "1G", numaHalves: ["8G", "8G"], nodeId: "0", nodeMemory: "8G" };

export function blockValues(analysis: Analysis, vmName: string | undefined): BlockValues {
  const vm = vmName === undefined ? undefined : analysis.vms.find((a) => a.vm.name === vmName)?.vm;
  if (!vm || vm.memoryAsWritten <= 0) return EXAMPLE_BLOCKS;
  // Room left in device memory (maxmem - memory - devices): a new device that does not fit is VT109.
  const room = vm.maxmem - vm.memory - memoryDeviceBytes(vm);
  // Sizes in whole units of at least the backend's page (2 MiB THP for anonymous memory):
  // virtio-mem's default block, and what a DIMM's backend takes.
  const block = Math.max(vm.pageSize, 2 * MiB);
  const fits = (wanted: number, unit: number) => (room >= unit ? sizeLiteral(Math.floor(Math.min(wanted, room) / unit) * unit) : undefined);
  const half = Math.floor(vm.memoryAsWritten / 2 / (2 * MiB)) * 2 * MiB;
  const others = vm.numa.reduce((sum, n) => sum + n.memory, 0);
  return {
    virtioMemSize: fits(16 * GiB, block) ?? EXAMPLE_BLOCKS.virtioMemSize,
    dimmSize: fits(GiB, block) ?? EXAMPLE_BLOCKS.dimmSize,
    numaHalves: half > 0 ? [sizeLiteral(half), sizeLiteral(vm.memoryAsWritten - half)] : EXAMPLE_BLOCKS.numaHalves,
    nodeId: String(vm.numa.reduce((max, n) => Math.max(max, n.id + 1), 0)),
    nodeMemory: vm.memoryAsWritten > others ? sizeLiteral(vm.memoryAsWritten - others) : "0",
  };
}
