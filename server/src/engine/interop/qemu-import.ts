// A QEMU command line as a .vmtopo design (`vmtopo import qemu`): the machine and its memory
// properties, -m, the memory backends (boot RAM through `-machine memory-backend=` or
// `-numa node,memdev=`), virtio-mem and pc-dimm devices, vfio-pci, vIOMMUs, confidential
// guests, -accel and -cpu. Every option or property that is not modelled is listed at the top.
import { designText, identifier, size, stringLiteral, type Attr, type ImportedDesign, type ImportedDevice, type ImportedVm } from "./design-writer";
import { parseQemuArgv, qemuBool, qemuInteger, qemuSizeValue, QemuSyntaxError, shellWords, type OptionValue, type ParsedOption } from "./qemu-options";

export { QemuSyntaxError };

const MiB = 2 ** 20;

interface Backend {
  id: string;
  kind: "ram" | "memfd" | "file";
  size: number | null;
  pageSize: number;
  fileSystem?: "tmpfs" | "hugetlbfs" | "disk";
  prealloc: boolean;
  option: ParsedOption;
  used: boolean;
}

/** Properties each option or device has that vmtopo reads; the rest are listed as not modelled. */
const READ_PROPS: Readonly<Record<string, readonly string[]>> = {
  "memory-backend-ram": ["qom-type", "id", "size", "prealloc"],
  "memory-backend-memfd": ["qom-type", "id", "size", "prealloc", "hugetlb", "hugetlbsize"],
  "memory-backend-file": ["qom-type", "id", "size", "prealloc", "mem-path"],
  "virtio-mem-pci": ["driver", "id", "memdev", "block-size", "requested-size", "memaddr", "node", "dynamic-memslots", "unplugged-inaccessible"],
  "pc-dimm": ["driver", "id", "memdev", "addr", "node"],
  "vfio-pci": ["driver", "id", "host", "sysfsdev", "iommufd"],
  "intel-iommu": ["driver", "aw-bits"],
  "virtio-iommu-pci": ["driver"],
  "virtio-balloon-pci": ["driver"],
  machine: ["type", "memory-backend", "max-ram-below-4g", "confidential-guest-support", "memory-encryption", "accel", "iommu"],
  m: ["size", "slots", "maxmem"],
  cpu: ["model", "phys-bits", "vendor"],
};

export interface QemuImport {
  text: string;
  design: ImportedDesign;
}

/** Reads a command line (shell text, NUL-separated cmdline, or already split words). */
export interface QemuImportOptions {
  /** put the VM on this host (declared elsewhere) rather than the default one */
  onHost?: string;
}

export function importQemu(input: string | string[], source = "a QEMU command line", options: QemuImportOptions = {}): QemuImport {
  const words = typeof input === "string" ? shellWords(input) : input;
  const { binary, options: parsed } = parseQemuArgv(words);
  const unmodelled: string[] = [];
  const notes: string[] = [];
  const leftover = (option: ParsedOption, key: string, known: readonly string[]) => {
    const extra = [...option.props.entries()].filter(([k]) => !known.includes(k));
    // `-cpu …,+feat,-feat`: QEMU's legacy feature flags are shown as written, not as `+feat=on`.
    const shown = ([k, v]: [string, OptionValue]) => (/^[+-]/.test(k) && v === "on" ? k : `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    if (extra.length > 0) unmodelled.push(`${key}: ${extra.map(shown).join(", ")}`);
  };
  const whole = (option: ParsedOption) => unmodelled.push(`-${option.name}${option.raw === undefined ? "" : " " + option.raw}`);

  const arch = /aarch64/.test(binary ?? "") ? "aarch64" : "x86_64";
  let vmName = "imported";
  let machineType: string | undefined;
  const machineProps = new Map<string, OptionValue>();
  let accel: string | undefined;
  let cpu: ParsedOption | undefined;
  let memOption: ParsedOption | undefined;
  const backends = new Map<string, Backend>();
  const confidential = new Map<string, string>();
  const devices: ParsedOption[] = [];
  const numaNodes: NumaNode[] = [];
  let vdpa = false;
  let legacyMemPath: ParsedOption | undefined;
  let legacyPrealloc: ParsedOption | undefined;

  let nodefaults = false;
  for (const option of parsed) {
    const p = option.props;
    switch (option.name) {
      case "nodefaults":
        nodefaults = true;
        break;
      case "name":
        vmName = identifier(String(p.get("guest") ?? "imported"), "imported");
        leftover(option, "-name", ["guest"]);
        break;
      case "machine":
      case "M":
        for (const [k, v] of p) {
          if (k === "type") machineType = String(v);
          else machineProps.set(k, v);
        }
        break;
      case "accel": {
        // Several -accel: QEMU takes the first that initializes (softmmu/vl.c configure_accelerators()).
        const name = String(p.get("accel"));
        if (accel === undefined) accel = name;
        else unmodelled.push(`-accel ${name}: QEMU's fallback should ${accel} fail to start`);
        leftover(option, `-accel ${name}`, ["accel"]);
        break;
      }
      case "enable-kvm":
        accel = "kvm";
        break;
      case "mem-path":
        legacyMemPath = option;
        break;
      case "mem-prealloc":
        legacyPrealloc = option;
        break;
      case "cpu":
        cpu = option;
        break;
      case "m":
        memOption = option;
        break;
      case "object": {
        const type = String(p.get("qom-type") ?? "");
        const id = String(p.get("id") ?? "");
        if (/^memory-backend-(ram|memfd|file)$/.test(type)) {
          if (backends.has(id)) throw new QemuSyntaxError(`-object ${option.raw}: the id '${id}' is already used by another -object (QEMU 7.2: Duplicate ID '${id}' for object)`);
          backends.set(id, readBackend(option, type, id, notes));
          leftover(option, `-object ${type} ${id}`, READ_PROPS[type]);
        }
        else if (["tdx-guest", "sev-guest", "sev-snp-guest", "rme-guest"].includes(type)) {
          confidential.set(id, type === "sev-guest" ? ((qemuInteger(p.get("policy")) ?? 1) & 0x4 ? "sev-es" : "sev") : type === "tdx-guest" ? "tdx" : type === "sev-snp-guest" ? "sev-snp" : "cca");
          leftover(option, `-object ${type} ${id}`, ["qom-type", "id"]);
        } else if (type === "iommufd") {
          leftover(option, `-object iommufd ${id}`, ["qom-type", "id"]);
        } else whole(option);
        break;
      }
      case "device":
        devices.push(option);
        break;
      case "numa":
        // -numa node[,nodeid=N][,cpus=…][,memdev=ID|mem=SIZE]; dist, cpu, hmat-lb and
        // hmat-cache shape what the guest is told, not the memory map: listed, not modelled.
        if (p.get("type") === "node") {
          numaNodes.push(readNumaNode(option, numaNodes.length));
          leftover(option, "-numa node", ["type", "nodeid", "memdev", "mem"]);
        } else whole(option);
        break;
      case "netdev":
        if (p.get("type") === "vhost-vdpa") {
          vdpa = true;
          leftover(option, "-netdev vhost-vdpa", ["type"]);
        } else whole(option);
        break;
      default:
        whole(option);
    }
  }

  const attrs: Attr[] = [];
  const machine = machineType === undefined ? undefined : /^(pc-)?q35/.test(machineType) ? "q35" : /^(pc|pc-i440fx.*|pc-\d.*)$/.test(machineType) ? "pc" : /^virt/.test(machineType) ? "virt" : undefined;
  if (machineType === undefined) notes.push(`no -machine: ${arch === "x86_64" ? "pc (QEMU's default)" : "virt"}`);
  else if (machine === undefined) unmodelled.push(`-machine ${machineType}: a machine type vmtopo does not model (q35, pc and virt are); imported as ${arch === "x86_64" ? "q35" : "virt"}`);
  else if (machine !== machineType) notes.push(`machine ${machineType} read as ${machine}`);
  attrs.push(["machine", machine ?? (machineType === undefined && arch === "x86_64" ? "pc" : arch === "x86_64" ? "q35" : "virt")]);
  const accelWord = accel ?? (machineProps.has("accel") ? String(machineProps.get("accel")).split(":")[0] : undefined);
  if (accelWord === "kvm" || accelWord === "tcg") attrs.push(["accel", accelWord]);
  else if (accelWord !== undefined) unmodelled.push(`accelerator ${accelWord}`);
  else notes.push("no -accel: tcg (QEMU's default)"), attrs.push(["accel", "tcg"]);

  // -cpu: `host`/`max` take the host's phys-bits; a named model has its own (40 on qemu64).
  const cpuModel = cpu ? String(cpu.props.get("model")) : undefined;
  if (cpuModel === undefined || cpuModel === "host" || cpuModel === "max" || arch === "aarch64") {
    if (cpuModel === undefined) {
      attrs.push(["cpu", "named"]);
      if (arch === "x86_64") {
        attrs.push(["cpu-vendor", "amd"]);
        notes.push("no -cpu: qemu64, an AuthenticAMD model with 40 phys-bits");
      }
    } else attrs.push(["cpu", "host"]);
  } else {
    attrs.push(["cpu", "named"]);
    const vendor = cpu?.props.get("vendor");
    const amd = vendor !== undefined ? vendor === "AuthenticAMD" : /^(qemu64|EPYC|Opteron|phenom|athlon)/i.test(cpuModel);
    attrs.push(["cpu-vendor", amd ? "amd" : "intel"]);
  }
  if (cpu) {
    const bits = qemuInteger(cpu.props.get("phys-bits"));
    if (bits !== null) attrs.push(["phys-bits", String(bits)]);
    leftover(cpu, `-cpu ${cpuModel}`, [...READ_PROPS.cpu, "host-phys-bits"]);
    if (cpu.props.has("host-phys-bits") && bits === null) unmodelled.push(`-cpu host-phys-bits=${String(cpu.props.get("host-phys-bits"))}`);
  }

  // -m: the size in MiB without a suffix (qemu_strtosz_MiB()).
  let memory = 128 * MiB;
  if (memOption) {
    const sizeValue = qemuSizeValue(memOption.props.get("size") ?? "128", MiB);
    if (sizeValue === null) throw new QemuSyntaxError(`-m: '${String(memOption.props.get("size"))}' is not a size`);
    memory = sizeValue;
  } else notes.push("no -m: 128 MiB (QEMU's default)");
  attrs.push(["memory", size(memory)]);
  const slots = memOption ? qemuInteger(memOption.props.get("slots")) : null;
  const maxmemValue = memOption?.props.get("maxmem");
  if (maxmemValue !== undefined) {
    const maxmem = qemuSizeValue(maxmemValue);
    if (maxmem === null) throw new QemuSyntaxError(`-m: maxmem '${String(maxmemValue)}' is not a size`);
    attrs.push(["maxmem", size(maxmem)]);
  }
  if (slots !== null) attrs.push(["slots", String(slots)]);
  if (memOption) leftover(memOption, "-m", READ_PROPS.m);
  const below4g = machineProps.get("max-ram-below-4g");
  if (below4g !== undefined) {
    const bytes = qemuSizeValue(below4g);
    if (bytes !== null) attrs.push(["max-ram-below-4g", size(bytes)]);
  }

  // Boot RAM's backend.
  const numaMemdevs = numaNodes.flatMap((n) => (n.memdev === undefined ? [] : [n.memdev]));
  if (machineProps.has("memory-backend") && numaMemdevs.length > 0) {
    // hw/core/numa.c numa_complete_configuration()
    throw new QemuSyntaxError(`-machine memory-backend=${String(machineProps.get("memory-backend"))} beside -numa node,memdev=: QEMU refuses both ('-machine memory-backend' and '-numa memdev' properties are mutually exclusive)`);
  }
  const bootIds = machineProps.has("memory-backend") ? [String(machineProps.get("memory-backend"))] : numaMemdevs;
  const boot = bootIds.map((id) => backends.get(id)).filter((b): b is Backend => b !== undefined);
  if (boot.length > 0) {
    for (const b of boot) b.used = true;
    if (new Set(boot.map((b) => `${b.kind}/${b.pageSize}/${b.fileSystem}/${b.prealloc}`)).size > 1) unmodelled.push(`boot RAM in ${boot.length} backends of different kinds (${bootIds.join(", ")}); imported as the first's`);
    attrs.push(...backendAttrs(boot[0], undefined));
  }
  for (const id of bootIds) if (!backends.has(id)) unmodelled.push(`boot RAM backend '${id}' is not defined by an -object`);
  // -mem-path and -mem-prealloc: QEMU makes boot RAM's backend from them (softmmu/vl.c
  // create_default_memdev(): memory-backend-file with mem-path, else -ram; prealloc with
  // -mem-prealloc) when no -machine memory-backend or -numa memdev names one.
  if (legacyMemPath || legacyPrealloc) {
    if (bootIds.length === 0) {
      const props = new Map<string, OptionValue>([["qom-type", legacyMemPath ? "memory-backend-file" : "memory-backend-ram"], ["id", "pc.ram"]]);
      if (legacyMemPath) props.set("mem-path", legacyMemPath.raw ?? "");
      if (legacyPrealloc) props.set("prealloc", "on");
      const legacy = readBackend({ name: "object", props, json: false }, String(props.get("qom-type")), "pc.ram", notes);
      attrs.push(...backendAttrs(legacy, undefined));
      boot.push(legacy);
    } else for (const option of [legacyMemPath, legacyPrealloc]) if (option) whole(option);
  }
  const numa = numaBlock(numaNodes, backends, memory, unmodelled);

  // memory-encryption: the older name QEMU keeps for it (hw/core/machine.c machine_set_memory_encryption()).
  const confidentialId = machineProps.get("confidential-guest-support") ?? machineProps.get("memory-encryption");
  const confidentialKind = confidentialId !== undefined ? confidential.get(String(confidentialId)) : undefined;
  if (confidentialKind) attrs.push(["confidential", confidentialKind]);
  else if (confidential.size > 0) unmodelled.push(`confidential-guest object(s) ${[...confidential.keys()].join(", ")} not referenced by -machine confidential-guest-support`);
  if (machineProps.get("iommu") === "smmuv3") attrs.push(["viommu", "smmuv3"]);
  const machineOption: ParsedOption = { name: "machine", props: machineProps, json: false };
  leftover(machineOption, "-machine", READ_PROPS.machine);

  const bootSpec = boot[0];
  const imported: ImportedDevice[] = [];
  const names = new Set<string>();
  const uniqueName = (id: string | undefined, prefix: string) => {
    let name = identifier(id ?? "", `${prefix}${names.size}`);
    for (let i = 1; names.has(name); i++) name = `${identifier(id ?? "", prefix)}-${i}`;
    names.add(name);
    return name;
  };
  for (const device of devices) {
    const p = device.props;
    const driver = String(p.get("driver") ?? "");
    const id = p.has("id") ? String(p.get("id")) : undefined;
    if (driver === "virtio-mem-pci" || driver === "virtio-mem-device") {
      const memdev = backends.get(String(p.get("memdev") ?? ""));
      if (!memdev) {
        unmodelled.push(`-device ${device.raw}: its memdev is not defined by an -object`);
        continue;
      }
      memdev.used = true;
      const a: Attr[] = [];
      if (memdev.size !== null) a.push(["size", size(memdev.size)]);
      a.push(...backendAttrs(memdev, bootSpec));
      for (const [prop, attr] of [["block-size", "block-size"], ["requested-size", "requested"]] as const) {
        if (!p.has(prop)) continue;
        const bytes = qemuSizeValue(p.get(prop)!);
        if (bytes === null) throw new QemuSyntaxError(`-device ${driver}: ${prop} '${String(p.get(prop))}' is not a size`);
        a.push([attr, size(bytes)]);
      }
      if (p.has("memaddr")) {
        const addr = qemuInteger(p.get("memaddr")) ?? qemuSizeValue(p.get("memaddr")!);
        if (addr !== null) a.push(["memaddr", "0x" + addr.toString(16)]);
      }
      const node = integerProperty(device, "node");
      if (node !== null && node > 0) a.push(["node", String(node)]);
      for (const prop of ["dynamic-memslots", "unplugged-inaccessible"]) {
        const value = qemuBool(p.get(prop));
        if (value !== null) a.push([prop, value ? "on" : "off"]);
      }
      const name = uniqueName(id, "vmem");
      imported.push({ kind: "virtio-mem", name, attrs: a });
      leftover(device, `-device ${driver} ${name}`, READ_PROPS["virtio-mem-pci"]);
    } else if (driver === "pc-dimm") {
      const memdev = backends.get(String(p.get("memdev") ?? ""));
      if (!memdev) {
        unmodelled.push(`-device ${device.raw}: its memdev is not defined by an -object`);
        continue;
      }
      memdev.used = true;
      const name = uniqueName(id, "dimm");
      const a: Attr[] = memdev.size === null ? [] : [["size", size(memdev.size)]];
      const addr = integerProperty(device, "addr");
      if (addr !== null) a.push(["memaddr", "0x" + addr.toString(16)]);
      const node = integerProperty(device, "node");
      if (node !== null && node > 0) a.push(["node", String(node)]);
      // A dimm has the VM's backend and page size unless it sets its own; no prealloc of its own.
      a.push(...backendAttrs(memdev, bootSpec).filter(([attr]) => attr !== "prealloc"));
      if (memdev.prealloc) unmodelled.push(`dimm ${name}: its backend ${memdev.id} has prealloc=on (vmtopo models a dimm's backend without preallocation)`);
      imported.push({ kind: "dimm", name, attrs: a });
      leftover(device, `-device pc-dimm ${name}`, READ_PROPS["pc-dimm"]);
    } else if (driver === "vfio-pci") {
      const a: Attr[] = [];
      const host = p.get("host") ?? (p.has("sysfsdev") ? String(p.get("sysfsdev")).split("/").pop() : undefined);
      if (host !== undefined) a.push(["host", stringLiteral(String(host))]);
      if (p.has("iommufd")) a.push(["backend", "iommufd"]);
      const name = uniqueName(id, "hostdev");
      imported.push({ kind: "vfio", name, attrs: a });
      leftover(device, `-device vfio-pci ${name}`, READ_PROPS["vfio-pci"]);
    } else if (driver === "intel-iommu") {
      attrs.push(["viommu", "intel-iommu"]);
      const aw = qemuInteger(p.get("aw-bits"));
      if (aw !== null) attrs.push(["viommu-aw-bits", String(aw)]);
      leftover(device, "-device intel-iommu", READ_PROPS["intel-iommu"]);
    } else if (driver === "virtio-iommu-pci" || driver === "virtio-iommu-device") {
      attrs.push(["viommu", "virtio-iommu"]);
      leftover(device, `-device ${driver}`, READ_PROPS["virtio-iommu-pci"]);
    } else if (driver === "virtio-balloon-pci" || driver === "virtio-balloon-device") {
      attrs.push(["balloon", "on"]);
      leftover(device, `-device ${driver}`, READ_PROPS["virtio-balloon-pci"]);
    } else if (vdpa && driver === "virtio-net-pci" && p.has("netdev")) {
      // the vhost-vdpa netdev's front end: modelled as `vdpa = on`
      leftover(device, `-device ${driver}`, ["driver", "netdev", "id"]);
    } else whole(device);
  }
  if (vdpa) attrs.push(["vdpa", "on"]);
  // vmtopo's layout is QEMU's with -nodefaults; default devices add PCI BARs, not RAM.
  if (!nodefaults) unmodelled.push("QEMU's default devices (no -nodefaults)");
  for (const b of backends.values()) if (!b.used) unmodelled.push(`-object ${b.option.raw}: a memory backend no modelled device uses`);

  const design: ImportedDesign = {
    source: `Imported by vmtopo from ${source}${binary ? ` (${binary})` : ""}.`,
    host: arch === "aarch64" ? { name: "host0", attrs: [["arch", "aarch64"]] } : undefined,
    vm: { name: vmName, attrs, numa, devices: imported, onHost: options.onHost },
    unmodelled,
    notes,
  };
  return { text: designText(design), design };
}

/** A device's integer property, or null when absent; anything but a number is an error naming it. */
function integerProperty(device: ParsedOption, prop: string): number | null {
  const value = device.props.get(prop);
  if (value === undefined) return null;
  const n = qemuInteger(value);
  if (n === null) throw new QemuSyntaxError(`-device ${device.raw}: ${prop} '${String(value)}' is not a number`);
  return n;
}

/** One `-numa node`: its id (QEMU numbers a node without nodeid by its place) and its memory's source. */
interface NumaNode {
  option: ParsedOption;
  id: number;
  memdev?: string;
  /** legacy `mem=`, in bytes */
  mem?: number;
}

/** hw/core/numa.c parse_numa() and parse_numa_node(): nodeid defaults to the nodes so far; `mem=` is MiB without a suffix. */
function readNumaNode(option: ParsedOption, nodesSoFar: number): NumaNode {
  const p = option.props;
  const nodeidValue = p.get("nodeid");
  const id = nodeidValue === undefined ? nodesSoFar : qemuInteger(nodeidValue);
  if (id === null) throw new QemuSyntaxError(`-numa ${option.raw}: nodeid '${String(nodeidValue)}' is not a number`);
  const node: NumaNode = { option, id };
  if (p.has("memdev")) node.memdev = String(p.get("memdev"));
  if (p.has("mem")) {
    const bytes = qemuSizeValue(p.get("mem")!, MiB);
    if (bytes === null) throw new QemuSyntaxError(`-numa ${option.raw}: mem '${String(p.get("mem"))}' is not a size`);
    node.mem = bytes;
  }
  return node;
}

/**
 * The design's `numa` block from the -numa nodes, in command-line order. A single node 0 that
 * holds all of memory is QEMU's implicit node, which vmtopo makes itself: no block for it (as
 * `import libvirt` does with one cell). QEMU refuses mem= and memdev= mixed (parse_numa_node()).
 */
function numaBlock(nodes: NumaNode[], backends: Map<string, Backend>, memory: number, unmodelled: string[]): ImportedVm["numa"] {
  if (nodes.some((n) => n.memdev !== undefined) && nodes.some((n) => n.mem !== undefined)) {
    const mixed = nodes.find((n) => n.mem !== undefined)!;
    throw new QemuSyntaxError(`-numa ${mixed.option.raw}: mem= and memdev= mixed; QEMU refuses this ("numa configuration should use either mem= or memdev=")`);
  }
  const withMemory = nodes.map((n) => {
    if (n.memdev !== undefined) {
      const backend = backends.get(n.memdev);
      if (!backend) throw new QemuSyntaxError(`-numa ${n.option.raw}: memdev '${n.memdev}' is not defined by an -object (QEMU: memdev=${n.memdev} is ambiguous)`);
      return { id: n.id, bytes: backend.size ?? 0 };
    }
    return { id: n.id, bytes: n.mem ?? 0 };
  });
  if (nodes.some((n) => n.mem !== undefined)) {
    unmodelled.push("-numa node,mem=: the legacy spelling, which QEMU refuses on machine types 5.1 and later (use memdev=); imported as nodes backed like the VM's memory");
  }
  if (withMemory.length === 0) return undefined;
  if (withMemory.length === 1 && withMemory[0].id === 0 && withMemory[0].bytes === memory) return undefined;
  return withMemory.map((n) => ({ id: n.id, memory: size(n.bytes) }));
}

function readBackend(option: ParsedOption, type: string, id: string, notes: string[]): Backend {
  const p = option.props;
  const kind = type.slice("memory-backend-".length) as Backend["kind"];
  const sizeValue = p.get("size");
  const bytes = sizeValue === undefined ? null : qemuSizeValue(sizeValue);
  if (sizeValue !== undefined && bytes === null) throw new QemuSyntaxError(`-object ${type},id=${id}: size '${String(sizeValue)}' is not a size`);
  let pageSize = 4096;
  let fileSystem: Backend["fileSystem"];
  if (kind === "memfd" && qemuBool(p.get("hugetlb"))) {
    const hugetlbsize = p.get("hugetlbsize");
    pageSize = hugetlbsize === undefined ? 2 * MiB : (qemuSizeValue(hugetlbsize) ?? 2 * MiB);
    if (hugetlbsize === undefined) notes.push(`${id}: hugetlb without hugetlbsize: the host's default huge page size, taken as 2M`);
  }
  if (kind === "file") {
    const path = String(p.get("mem-path") ?? "");
    if (/huge/i.test(path)) {
      fileSystem = "hugetlbfs";
      pageSize = /1G|1048576/i.test(path) ? 2 ** 30 : 2 * MiB;
      notes.push(`${id}: mem-path ${path} read as hugetlbfs with ${pageSize === 2 ** 30 ? "1G" : "2M"} pages (the mount's pagesize decides on the host)`);
    } else fileSystem = /^\/dev\/shm(\/|$)/.test(path) ? "tmpfs" : "disk";
  }
  const prealloc = qemuBool(p.get("prealloc")) ?? false;
  return { id, kind, size: bytes, pageSize, fileSystem, prealloc, option, used: false };
}

/** The backend's attributes, where they differ from `inherited` (the VM's, for a device). */
function backendAttrs(b: Backend, inherited: Backend | undefined): Attr[] {
  const out: Attr[] = [];
  const base = inherited ?? { kind: "ram", pageSize: 4096, fileSystem: "tmpfs", prealloc: false };
  if (b.kind !== base.kind) out.push(["backend", b.kind]);
  if (b.pageSize !== base.pageSize) out.push(["page-size", size(b.pageSize)]);
  // file-system is a VM attribute only (LANGUAGE.md); a device inherits the VM's.
  if (!inherited && b.kind === "file" && b.fileSystem && b.fileSystem !== "tmpfs") out.push(["file-system", b.fileSystem]);
  if (b.prealloc !== base.prealloc) out.push(["prealloc", b.prealloc ? "on" : "off"]);
  return out;
}
