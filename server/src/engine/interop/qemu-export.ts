// A VM of the resolved model as the QEMU command line that runs it (`vmtopo export qemu`).
// The options follow what libvirt 9.0 generates for the same domain (qemu_command.c,
// qemuBuildMemoryBackendProps(), qemuBuildMachineCommandLine()): boot RAM as an explicit
// backend named `pc.ram` (x86) or `mach-virt.ram` (virt) handed to `-machine memory-backend=`,
// so that region names in QEMU's flat view are the same whatever the backend; every memory
// device with its own backend `mem-NAME`; `-nodefaults`, as the engine's layout assumes.
// Pure: no I/O; the CLI prints it.
import type { Bytes } from "../attributes";
import { HOST_PAGE_SIZE, type VirtioMemModel, type VmModel } from "../model";

/** One option and its argument, as QEMU takes them: `["-m", "size=4G,maxmem=8G"]`. */
export type QemuOption = [string] | [string, string];

export interface QemuCommand {
  binary: string;
  options: QemuOption[];
}

/** QEMU's region (backend id) of a memory device: its name prefixed. */
export const deviceBackendId = (device: string) => `mem-${device}`;

/** The boot RAM backend id libvirt uses, which the flat view shows as the RAM sections' region. */
export const bootBackendId = (vm: Pick<VmModel, "machine">) => (vm.machine === "virt" ? "mach-virt.ram" : "pc.ram");

/** A size as QEMU parses it (qemu_strtosz: K/M/G/T suffixes, powers of 1024). */
export function qemuSize(n: Bytes): string {
  for (const [unit, scale] of [["T", 2 ** 40], ["G", 2 ** 30], ["M", 2 ** 20], ["K", 2 ** 10]] as const) {
    if (n >= scale && n % scale === 0) return `${n / scale}${unit}`;
  }
  return String(n);
}

/** QEMU's key=value list syntax: a comma inside a value is doubled (util/keyval.c, qemu-option.c). */
export const keyvalValue = (value: string) => value.replace(/,/g, ",,");

function keyval(head: string | undefined, props: [string, string | number | boolean | undefined][]): string {
  const parts = head === undefined ? [] : [keyvalValue(head)];
  for (const [key, value] of props) {
    if (value === undefined) continue;
    parts.push(`${key}=${keyvalValue(typeof value === "boolean" ? (value ? "on" : "off") : String(value))}`);
  }
  return parts.join(",");
}

interface BackendSpec {
  backend: "ram" | "memfd" | "file";
  pageSize: Bytes;
  fileSystem: VmModel["fileSystem"];
  prealloc: boolean;
}

/**
 * `-object memory-backend-*` for a backend of the model. Huge pages: memfd takes
 * `hugetlb=on,hugetlbsize=`; `file` and anonymous `ram` with a huge page size become a
 * file on hugetlbfs (memory-backend-ram has no huge pages), as libvirt does.
 */
function backendObject(id: string, size: Bytes, spec: BackendSpec, vmName: string, extra: [string, string | boolean][] = []): string {
  const huge = spec.pageSize > HOST_PAGE_SIZE;
  if (spec.backend === "memfd") {
    return keyval("memory-backend-memfd", [["id", id], ["size", qemuSize(size)], ["hugetlb", huge || undefined], ["hugetlbsize", huge ? qemuSize(spec.pageSize) : undefined], ["prealloc", spec.prealloc || undefined], ...extra]);
  }
  if (spec.backend === "file" || huge) {
    const dir = huge || spec.fileSystem === "hugetlbfs" ? (spec.pageSize >= 2 ** 30 ? "/dev/hugepages1G" : "/dev/hugepages") : spec.fileSystem === "tmpfs" ? "/dev/shm" : "/var/lib/vmtopo";
    return keyval("memory-backend-file", [["id", id], ["size", qemuSize(size)], ["mem-path", `${dir}/${vmName}-${id}`], ["share", true], ["prealloc", spec.prealloc || undefined], ...extra]);
  }
  return keyval("memory-backend-ram", [["id", id], ["size", qemuSize(size)], ["prealloc", spec.prealloc || undefined], ...extra]);
}

const CONFIDENTIAL_ID = "cgs0";

function confidentialObject(vm: VmModel): string | undefined {
  switch (vm.confidential) {
    case "tdx":
      return keyval("tdx-guest", [["id", CONFIDENTIAL_ID]]);
    case "sev":
      return keyval("sev-guest", [["id", CONFIDENTIAL_ID], ["cbitpos", 51], ["reduced-phys-bits", 1]]);
    case "sev-es":
      // policy bit 2 (SEV-ES) with NODBG: what libvirt writes for <policy>0x0005</policy>
      return keyval("sev-guest", [["id", CONFIDENTIAL_ID], ["cbitpos", 51], ["reduced-phys-bits", 1], ["policy", "0x5"]]);
    case "sev-snp":
      return keyval("sev-snp-guest", [["id", CONFIDENTIAL_ID], ["cbitpos", 51], ["reduced-phys-bits", 1]]);
    case "cca":
      return keyval("rme-guest", [["id", CONFIDENTIAL_ID]]);
    default:
      return undefined;
  }
}

/** The QEMU command line of one VM. */
export function qemuCommand(vm: VmModel): QemuCommand {
  const x86 = vm.host.arch === "x86_64";
  const options: QemuOption[] = [["-name", keyval(undefined, [["guest", vm.name]])]];
  const confidential = confidentialObject(vm);
  // Declared NUMA nodes each get a backend of their own (`-numa node,memdev=`). Without them
  // the command line has none either: a device's `node = N` above QEMU's implicit node 0 is
  // refused by QEMU exactly as `check` says (VT120), not made valid by invented nodes.
  const declaredNuma = vm.numa.length > 0;
  const bootId = bootBackendId(vm);

  const machine: [string, string | number | boolean | undefined][] = [];
  if (!declaredNuma) machine.push(["memory-backend", bootId]);
  if (vm.maxRamBelow4g !== undefined) machine.push(["max-ram-below-4g", qemuSize(vm.maxRamBelow4g)]);
  if (confidential) machine.push(["confidential-guest-support", CONFIDENTIAL_ID]);
  // TDX and intel-iommu's interrupt remapping need the split irqchip (hw/i386/intel_iommu.c vtd_decide_config()).
  if (x86 && (vm.confidential === "tdx" || vm.viommu === "intel-iommu") && vm.accel === "kvm") machine.push(["kernel-irqchip", "split"]);
  if (vm.viommu === "smmuv3") machine.push(["iommu", "smmuv3"]);
  options.push(["-machine", keyval(vm.machine, machine)]);
  options.push(["-accel", vm.accel]);

  const cpu = vm.attrs.word("cpu") ?? "host";
  if (cpu === "host") {
    // `-cpu host` takes the host's phys-bits (host-phys-bits=on); another value needs it off.
    const own = vm.attrs.has("phys-bits") && vm.physBits !== vm.host.physBits;
    options.push(["-cpu", keyval("host", own ? [["host-phys-bits", false], ["phys-bits", vm.physBits]] : [])]);
  } else if (x86) {
    // A named model: qemu64 (TCG's and libvirt's default), with the vendor the layout depends on.
    options.push(["-cpu", keyval("qemu64", [["vendor", vm.cpuVendor === "amd" ? "AuthenticAMD" : "GenuineIntel"], ["phys-bits", vm.physBits]])]);
  } else {
    options.push(["-cpu", "max"]);
  }

  const mem: [string, string | number | boolean | undefined][] = [["size", qemuSize(vm.memory)]];
  // QEMU refuses `slots` without maxmem even when 0 (machine_set_mem()): the model's default 0
  // means none, but a `slots` the user wrote is exported as written, so QEMU says what check says.
  if (vm.slots > 0 || vm.attrs.has("slots")) mem.push(["slots", vm.slots]);
  if (vm.attrs.has("maxmem")) mem.push(["maxmem", qemuSize(vm.maxmem)]);
  options.push(["-m", keyval(undefined, mem)]);

  const vmBackend: BackendSpec = { backend: vm.backend, pageSize: vm.pageSize, fileSystem: vm.fileSystem, prealloc: vm.prealloc };
  if (declaredNuma) {
    // A node declared twice keeps a backend id of its own: QEMU then refuses the duplicate node
    // (VT120), not a duplicate -object id.
    const backendIds = new Set<string>();
    for (const node of [...vm.numa].sort((a, b) => a.id - b.id)) {
      let id = `n${node.id}`;
      for (let k = 1; backendIds.has(id); k++) id = `n${node.id}-${k}`;
      backendIds.add(id);
      if (node.memory > 0) options.push(["-object", backendObject(id, node.memory, vmBackend, vm.name)]);
      options.push(["-numa", keyval("node", [["nodeid", node.id], ["memdev", node.memory > 0 ? id : undefined]])]);
    }
  } else options.push(["-object", backendObject(bootId, vm.memory, vmBackend, vm.name)]);
  if (confidential) options.push(["-object", confidential]);

  // Memory devices in declaration order: QEMU places them in the order it realizes them.
  const devices = [...vm.virtioMem, ...vm.dimms].sort((a, b) => a.decl.range.start.line - b.decl.range.start.line || a.decl.range.start.character - b.decl.range.start.character);
  for (const device of devices) {
    const id = deviceBackendId(device.name);
    if (device.kind === "dimm") {
      // Its own backend, as resolved (the VM's backend and page size unless the dimm sets them).
      options.push(["-object", backendObject(id, device.size, { ...vmBackend, backend: device.backend, pageSize: device.pageSize, prealloc: false }, vm.name)]);
      const at = device.memaddr === undefined ? undefined : "0x" + device.memaddr.toString(16);
      options.push(["-device", keyval("pc-dimm", [["id", device.name], ["memdev", id], ["node", device.attrs.has("node") ? device.node : undefined], ["addr", at]])]);
      continue;
    }
    // reserve=off as libvirt writes it: unplugged blocks need no swap reservation. QEMU refuses
    // it next to prealloc=on, which virtio-mem refuses anyway (VT117) with its own message.
    options.push(["-object", backendObject(id, device.size, virtioMemBackend(device, vm), vm.name, device.prealloc ? [] : [["reserve", false]])]);
    options.push(["-device", keyval("virtio-mem-pci", virtioMemProps(device, id))]);
  }

  if (vm.viommu === "intel-iommu") {
    options.push(["-device", keyval("intel-iommu", [["intremap", vm.accel === "kvm" ? true : undefined], ["caching-mode", true], ["aw-bits", vm.viommuAwBits]])]);
  } else if (vm.viommu === "virtio-iommu") {
    options.push(["-device", keyval("virtio-iommu-pci", [["id", "viommu0"]])]);
  }
  if (vm.vfio.some((d) => d.backend === "iommufd")) options.push(["-object", keyval("iommufd", [["id", "iommufd0"]])]);
  for (const device of vm.vfio) {
    options.push(["-device", keyval("vfio-pci", [["host", device.hostAddress], ["id", device.name], ["iommufd", device.backend === "iommufd" ? "iommufd0" : undefined]])]);
  }
  if (vm.balloon) options.push(["-device", keyval("virtio-balloon-pci", [["id", "balloon0"]])]);
  if (vm.vdpa) {
    options.push(["-netdev", keyval("vhost-vdpa", [["id", "vdpa0"], ["vhostdev", "/dev/vhost-vdpa-0"]])]);
    options.push(["-device", keyval("virtio-net-pci", [["netdev", "vdpa0"], ["id", "vdpanet0"]])]);
  }
  options.push(["-nodefaults"]);
  return { binary: x86 ? "qemu-system-x86_64" : "qemu-system-aarch64", options };
}

function virtioMemBackend(device: VirtioMemModel, vm: VmModel): BackendSpec {
  return { backend: device.backend, pageSize: device.pageSize, fileSystem: vm.fileSystem, prealloc: device.prealloc };
}

function virtioMemProps(device: VirtioMemModel, memdev: string): [string, string | number | boolean | undefined][] {
  const a = device.attrs;
  return [
    ["id", device.name],
    ["memdev", memdev],
    ["node", a.has("node") ? (a.integer("node") ?? 0) : undefined],
    // Only when written: QEMU warns about a block-size below its default only when one is given.
    ["block-size", a.has("block-size") ? qemuSize(device.blockSize) : undefined],
    ["requested-size", qemuSize(device.requested)],
    ["memaddr", device.memaddr === undefined ? undefined : "0x" + device.memaddr.toString(16)],
    ["dynamic-memslots", a.has("dynamic-memslots") ? (a.bool("dynamic-memslots") ?? false) : undefined],
    ["unplugged-inaccessible", a.has("unplugged-inaccessible") ? (a.bool("unplugged-inaccessible") ? "on" : "off") : undefined],
  ];
}

/** The command as argv: binary first. */
export function qemuArgv(command: QemuCommand): string[] {
  return [command.binary, ...command.options.flat()];
}

const SAFE = /^[\w@%+=:,./-]+$/;

/** POSIX shell quoting: single quotes, with `'` as `'\''`. */
export function shellQuote(word: string): string {
  return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One option per line, continued with backslashes: pasteable into a shell. */
export function qemuShellText(command: QemuCommand): string {
  const lines = [command.binary, ...command.options.map((option) => option.map(shellQuote).join(" "))];
  return lines.map((line, i) => (i === 0 ? line : "  " + line)).join(" \\\n") + "\n";
}
