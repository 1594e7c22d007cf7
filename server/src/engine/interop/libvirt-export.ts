// A VM of the resolved model as a libvirt domain (`vmtopo export libvirt`), in the elements
// of libvirt's formatdomain (docs/formatdomain.rst, libvirt 9.0): <maxMemory>, <memory>,
// <memoryBacking>, NUMA cells (the declared nodes; without any, one cell when there is memory
// hot-plug, which libvirt requires: qemuDomainDefValidateMemoryHotplug()), <memory
// model='virtio-mem'|'dimm'> on their nodes, <hostdev>, <iommu>, <launchSecurity>,
// <maxphysaddr>. Pure: builds text.
import type { Bytes } from "../attributes";
import { HOST_PAGE_SIZE, type VmModel } from "../model";

/** XML character data and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

const KiB = (n: Bytes) => String(Math.ceil(n / 1024));

/** "0000:3b:00.0" → libvirt's <address domain bus slot function>. */
function pciAddress(address: string | undefined): string | undefined {
  const m = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/.exec(address ?? "");
  if (!m) return undefined;
  return `<address domain='0x${(m[1] ?? "0").padStart(4, "0")}' bus='0x${m[2].padStart(2, "0")}' slot='0x${m[3].padStart(2, "0")}' function='0x${m[4]}'/>`;
}

/**
 * The guest's NUMA cells: the declared nodes as written (libvirt refuses gaps and duplicates,
 * as QEMU does), else one cell holding boot RAM when memory can be hot-plugged.
 */
function numaCells(vm: VmModel, hotplug: boolean): { id: number; memory: Bytes }[] {
  if (vm.numa.length > 0) return vm.numa.map((n) => ({ id: n.id, memory: n.memory }));
  return hotplug ? [{ id: 0, memory: vm.memory }] : [];
}

export function libvirtDomainXml(vm: VmModel): string {
  const x86 = vm.host.arch === "x86_64";
  const out: string[] = [];
  const line = (depth: number, text: string) => out.push("  ".repeat(depth) + text);
  const devices = [...vm.virtioMem, ...vm.dimms].sort((a, b) => a.decl.range.start.line - b.decl.range.start.line || a.decl.range.start.character - b.decl.range.start.character);
  const hotplug = vm.maxmem > vm.memory || vm.slots > 0 || devices.length > 0;
  const cells = numaCells(vm, hotplug);
  // libvirt 9.0 counts every memory device, virtio-mem too, against the slots ("memory
  // device count '2' exceeds slots count '1'", qemuDomainDefValidateMemoryHotplug()); QEMU
  // itself needs slots for DIMMs only. Each slot adds 1 GiB to QEMU's device memory.
  const slots = vm.attrs.has("maxmem") || vm.slots > 0 ? Math.max(1, vm.slots, devices.length) : 0;

  line(0, `<domain type='${vm.accel === "kvm" ? "kvm" : "qemu"}'>`);
  line(1, `<name>${xmlEscape(vm.name)}</name>`);
  if (vm.attrs.has("maxmem") || vm.slots > 0) {
    // libvirt wants both or neither ("both maximum memory size and memory slot count must be
    // specified", virDomainDefPostParseMemory()): a design without DIMM slots gets one, which
    // makes QEMU's device memory 1 GiB larger (the layout's RAM and devices stay where they are).
    if (slots > vm.slots) line(1, `<!-- vmtopo: libvirt needs a memory slot with maxMemory and one per memory device; slots = ${vm.slots} in the design -->`);
    line(1, `<maxMemory slots='${slots}' unit='KiB'>${KiB(vm.maxmem)}</maxMemory>`);
  }
  // <memory> counts boot RAM and every memory device (virDomainDefGetMemoryTotal()). With NUMA
  // cells libvirt takes boot RAM from their sum instead (virDomainDefPostParseMemory()).
  const cellTotal = vm.numa.reduce((sum, n) => sum + n.memory, 0);
  if (vm.numa.length > 0 && cellTotal !== vm.memory) line(1, `<!-- vmtopo: the NUMA nodes hold ${cellTotal} bytes, memory is ${vm.memory}: libvirt runs the nodes' sum -->`);
  line(1, `<memory unit='KiB'>${KiB(vm.memory + devices.reduce((sum, d) => sum + d.size, 0))}</memory>`);
  const backing: string[] = [];
  if (vm.pageSize > HOST_PAGE_SIZE) backing.push(`<hugepages><page size='${KiB(vm.pageSize)}' unit='KiB'/></hugepages>`);
  if (vm.backend === "memfd") backing.push("<source type='memfd'/>", "<access mode='shared'/>");
  else if (vm.backend === "file") backing.push("<source type='file'/>", "<access mode='shared'/>");
  if (vm.prealloc) backing.push("<allocation mode='immediate'/>");
  if (backing.length > 0) {
    line(1, "<memoryBacking>");
    for (const b of backing) line(2, b);
    line(1, "</memoryBacking>");
  }
  line(1, `<vcpu placement='static'>${Math.max(1, cells.length)}</vcpu>`);
  line(1, "<os>");
  line(2, `<type arch='${vm.host.arch}' machine='${vm.machine}'>hvm</type>`);
  line(1, "</os>");
  line(1, "<features>");
  line(2, "<acpi/>");
  if (vm.viommu === "intel-iommu") line(2, "<ioapic driver='qemu'/>");
  line(1, "</features>");

  const cpu = vm.attrs.word("cpu") ?? "host";
  line(1, cpu === "host" ? "<cpu mode='host-passthrough' check='none'>" : "<cpu mode='custom' match='exact' check='none'>");
  // A named model of the VM's vendor: QEMU's qemu64 is AuthenticAMD, kvm64 GenuineIntel (target/i386/cpu.c).
  if (cpu !== "host") line(2, `<model fallback='forbid'>${x86 ? (vm.cpuVendor === "amd" ? "qemu64" : "kvm64") : "max"}</model>`);
  if (vm.attrs.has("phys-bits") || cpu !== "host") line(2, `<maxphysaddr mode='emulate' bits='${vm.physBits}'/>`);
  else line(2, "<maxphysaddr mode='passthrough'/>");
  if (cells.length > 0) {
    line(2, "<numa>");
    // One vCPU per cell, so that every cell has one (QEMU wants all CPUs placed on nodes).
    for (const [i, cell] of cells.entries()) {
      // libvirt 9.0 gives every cell a memory backend (qemuBuildNumaCommandLine()), and QEMU refuses one of size 0.
      if (cell.memory === 0) line(3, "<!-- vmtopo: libvirt 9.0 gives this cell a memory backend of size 0, which QEMU refuses; libvirt has no memoryless node -->");
      line(3, `<cell id='${cell.id}' cpus='${i}' memory='${KiB(cell.memory)}' unit='KiB'/>`);
    }
    line(2, "</numa>");
  }
  line(1, "</cpu>");

  line(1, "<devices>");
  line(2, `<emulator>/usr/bin/qemu-system-${vm.host.arch}</emulator>`);
  for (const device of devices) {
    if (device.kind === "dimm") {
      line(2, "<memory model='dimm'>");
      line(3, `<target><size unit='KiB'>${KiB(device.size)}</size><node>${device.node}</node></target>`);
      line(3, `<alias name='ua-${xmlEscape(device.name)}'/>`);
      line(2, "</memory>");
      continue;
    }
    line(2, "<memory model='virtio-mem'>");
    if (device.pageSize !== vm.pageSize) line(3, `<source><pagesize unit='KiB'>${KiB(device.pageSize)}</pagesize></source>`);
    line(3, "<target>");
    line(4, `<size unit='KiB'>${KiB(device.size)}</size>`);
    line(4, `<node>${device.node}</node>`);
    line(4, `<block unit='KiB'>${KiB(device.blockSize)}</block>`);
    line(4, `<requested unit='KiB'>${KiB(device.requested)}</requested>`);
    if (device.memaddr !== undefined) line(4, `<address base='0x${device.memaddr.toString(16)}'/>`);
    line(3, "</target>");
    line(3, `<alias name='ua-${xmlEscape(device.name)}'/>`);
    line(2, "</memory>");
  }
  for (const device of vm.vfio) {
    line(2, "<hostdev mode='subsystem' type='pci' managed='yes'>");
    line(3, `<driver name='vfio'${device.backend === "iommufd" ? " iommufd='yes'" : ""}/>`);
    const address = pciAddress(device.hostAddress);
    line(3, `<source>${address ?? ""}</source>`);
    line(3, `<alias name='ua-${xmlEscape(device.name)}'/>`);
    line(2, "</hostdev>");
  }
  if (vm.viommu === "intel-iommu") line(2, `<iommu model='intel'><driver intremap='on' caching_mode='on' aw_bits='${vm.viommuAwBits}'/></iommu>`);
  else if (vm.viommu === "virtio-iommu") line(2, "<iommu model='virtio'/>");
  else if (vm.viommu === "smmuv3") line(2, "<iommu model='smmuv3'/>");
  line(2, `<memballoon model='${vm.balloon ? "virtio" : "none"}'/>`);
  line(1, "</devices>");
  if (vm.confidential === "sev" || vm.confidential === "sev-es") {
    line(1, "<launchSecurity type='sev'>");
    line(2, "<cbitpos>51</cbitpos>");
    line(2, "<reducedPhysBits>1</reducedPhysBits>");
    line(2, `<policy>${vm.confidential === "sev-es" ? "0x0005" : "0x0001"}</policy>`);
    line(1, "</launchSecurity>");
  } else if (vm.confidential === "sev-snp") {
    line(1, "<launchSecurity type='sev-snp'>");
    line(2, "<cbitpos>51</cbitpos>");
    line(2, "<reducedPhysBits>1</reducedPhysBits>");
    line(1, "</launchSecurity>");
  } else if (vm.confidential === "tdx") {
    line(1, "<launchSecurity type='tdx'/>");
  } else if (vm.confidential === "cca") {
    line(1, "<launchSecurity type='cca'/>");
  }
  line(0, "</domain>");
  return out.join("\n") + "\n";
}
