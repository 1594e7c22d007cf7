// libvirt domain XML (and optionally `virsh capabilities`) as a .vmtopo design (`vmtopo
// import libvirt`), in libvirt's own terms (docs/formatdomain.rst, libvirt 9.0): boot RAM is
// the sum of the NUMA cells, else <memory> less the memory devices
// (virDomainDefGetMemoryInitial()); <maxMemory slots>; <memoryBacking> hugepages, source
// memfd/file/anonymous, allocation; <memory model='virtio-mem'|'dimm'>; <hostdev> PCI;
// <iommu>; <launchSecurity>; <cpu> mode and <maxphysaddr>. Every element or attribute not
// read is listed as not modelled.
import { designText, identifier, size, stringLiteral, type Attr, type ImportedDesign, type ImportedDevice, type ImportedHost } from "./design-writer";
import { child, childrenNamed, parseXml, XmlError, type XmlElement } from "./xml";

export { XmlError };

export class LibvirtImportError extends Error {}

/** libvirt's units (virScaleInteger()): powers of 1000 with B, of 1024 otherwise; KiB by default. */
const UNITS: Readonly<Record<string, number>> = {
  b: 1, bytes: 1,
  kb: 1e3, k: 2 ** 10, kib: 2 ** 10,
  mb: 1e6, m: 2 ** 20, mib: 2 ** 20,
  gb: 1e9, g: 2 ** 30, gib: 2 ** 30,
  tb: 1e12, t: 2 ** 40, tib: 2 ** 40,
  pb: 1e15, p: 2 ** 50, pib: 2 ** 50,
  eb: 1e18, e: 2 ** 60, eib: 2 ** 60,
};

const MiB = 2 ** 20;

/** Tracks what was read, so that everything else can be listed. */
class Reader {
  private readonly read = new Map<XmlElement, Set<string>>();
  use(el: XmlElement | undefined): XmlElement | undefined {
    if (el && !this.read.has(el)) this.read.set(el, new Set());
    return el;
  }
  attr(el: XmlElement | undefined, name: string): string | undefined {
    if (!el) return undefined;
    this.use(el);
    this.read.get(el)!.add(name);
    return el.attributes.get(name);
  }
  /** Elements never read (the outermost of each unread subtree) and unread attributes of read ones. */
  unread(root: XmlElement): string[] {
    const out: string[] = [];
    const walk = (el: XmlElement, path: string) => {
      const here = `${path}/${el.name}`;
      const attrs = this.read.get(el);
      if (!attrs) {
        const shown = [...el.attributes].map(([k, v]) => `${k}='${v}'`).join(" ");
        out.push(`<${el.name}${shown ? " " + shown : ""}> at ${here} (line ${el.line})`);
        return;
      }
      const extra = [...el.attributes].filter(([k]) => !attrs.has(k));
      if (extra.length > 0) out.push(`${here} (line ${el.line}): ${extra.map(([k, v]) => `${k}='${v}'`).join(" ")}`);
      for (const c of el.children) walk(c, here);
    };
    walk(root, "");
    return out;
  }
}

function bytesOf(r: Reader, el: XmlElement | undefined, what: string, valueText?: string): number | null {
  if (!el) return null;
  const unit = (r.attr(el, "unit") ?? "KiB").toLowerCase();
  const scale = UNITS[unit];
  const raw = (valueText ?? el.text).trim();
  if (scale === undefined) throw new LibvirtImportError(`line ${el.line}: unknown unit '${unit}' of ${what}`);
  if (!/^\d+$/.test(raw)) throw new LibvirtImportError(`line ${el.line}: ${what} '${raw}' is not a whole number`);
  const n = Number(raw) * scale;
  if (!Number.isSafeInteger(n)) throw new LibvirtImportError(`line ${el.line}: ${what} is too large`);
  return n;
}

export interface LibvirtImport {
  text: string;
  designs: ImportedDesign[];
}

/** One or more domains (and an optional capabilities document) as one design. */
export function importLibvirt(domains: { name: string; xml: string }[], capabilities?: { name: string; xml: string }): LibvirtImport {
  const host = capabilities ? hostFromCapabilities(parseXml(capabilities.xml), capabilities.name) : undefined;
  const designs = domains.map((d, i) => {
    try {
      return domainDesign(parseXml(d.xml), d.name, i === 0 ? host?.host : undefined, host?.host.name);
    } catch (error) {
      // "line N: …" says where, not in which of several domains.
      if (error instanceof LibvirtImportError && error.message.startsWith("line ")) throw new LibvirtImportError(`${d.name}: ${error.message}`);
      throw error;
    }
  });
  if (host && designs.length > 0) designs[0].unmodelled.push(...host.unmodelled.map((u) => `capabilities: ${u}`));
  const names = new Set<string>();
  for (const d of designs) {
    let name = d.vm.name;
    for (let i = 2; names.has(name); i++) name = `${d.vm.name}-${i}`;
    d.vm.name = name;
    names.add(name);
  }
  return { text: designs.map(designText).join("\n"), designs };
}

function domainDesign(root: XmlElement, source: string, host: ImportedHost | undefined, onHost: string | undefined): ImportedDesign {
  if (root.name !== "domain") throw new LibvirtImportError(`${source}: the root element is <${root.name}>, not <domain>`);
  const r = new Reader();
  r.use(root);
  const notes: string[] = [];
  const unmodelled: string[] = [];
  const attrs: Attr[] = [];
  const type = r.attr(root, "type");
  const name = identifier(r.use(child(root, "name"))?.text.trim() ?? "imported", "imported");

  const os = r.use(child(root, "os"));
  const osType = r.use(child(os, "type"));
  const arch = r.attr(osType, "arch") ?? "x86_64";
  const machineType = r.attr(osType, "machine");
  const machine = machineType === undefined ? undefined : /q35/.test(machineType) ? "q35" : /^(pc|pc-i440fx.*|pc-\d.*)$/.test(machineType) ? "pc" : /^virt/.test(machineType) ? "virt" : undefined;
  if (machineType !== undefined && machine === undefined) unmodelled.push(`machine '${machineType}' (vmtopo models q35, pc and virt)`);
  if (machine !== undefined && machine !== machineType) notes.push(`machine ${machineType} read as ${machine}`);
  if (machineType === undefined) notes.push(`no machine: libvirt picks ${arch === "aarch64" ? "virt" : "pc"}`);
  attrs.push(["machine", machine ?? (arch === "aarch64" ? "virt" : "pc")]);
  if (type === "kvm" || type === "qemu") attrs.push(["accel", type === "kvm" ? "kvm" : "tcg"]);
  else unmodelled.push(`domain type '${type}'`);

  const cpu = r.use(child(root, "cpu"));
  const mode = r.attr(cpu, "mode") ?? (cpu ? "custom" : undefined);
  if (mode === "host-passthrough" || mode === "host-model" || mode === "maximum") attrs.push(["cpu", "host"]);
  else {
    attrs.push(["cpu", "named"]);
    const model = r.use(child(cpu, "model"))?.text.trim() ?? "qemu64";
    if (arch === "x86_64" || arch === "i686") attrs.push(["cpu-vendor", /^(qemu64|EPYC|Opteron|phenom|athlon)/i.test(model) ? "amd" : "intel"]);
    if (!cpu) notes.push("no <cpu>: libvirt runs qemu64, an AuthenticAMD model with 40 phys-bits");
  }
  const maxphys = r.use(child(cpu, "maxphysaddr"));
  if (maxphys) {
    const bits = r.attr(maxphys, "bits");
    const physMode = r.attr(maxphys, "mode");
    if (physMode === "emulate" && bits) attrs.push(["phys-bits", bits]);
    else if (physMode === "passthrough") notes.push(`maxphysaddr passthrough: the host's phys-bits`);
    else unmodelled.push(`<maxphysaddr mode='${physMode}'${bits ? ` bits='${bits}'` : ""}> (libvirt emulates bits='N' or passes the host's through)`);
    // passthrough with limit: QEMU's host-phys-bits-limit caps the host's width; the design takes the host's.
    const limit = r.attr(maxphys, "limit");
    if (limit !== undefined) unmodelled.push(`<maxphysaddr limit='${limit}'>: the host's phys-bits capped at ${limit} (-cpu host-phys-bits-limit); vmtopo takes the host's`);
  }

  // Memory: boot RAM, maxmem and slots, as libvirt aligns them before it starts QEMU
  // (qemuDomainAlignMemorySizes(), src/qemu/qemu_domain.c, libvirt 9.0): NUMA cells, boot RAM
  // and <maxMemory> up to 1 MiB, memory devices up to 2 MiB (x86).
  const aligned = (n: number, alignment: number, what: string) => {
    const up = Math.ceil(n / alignment) * alignment;
    if (up !== n) notes.push(`${what} ${size(n)} rounded up to ${size(up)}, as libvirt does (qemuDomainAlignMemorySizes())`);
    return up;
  };
  const memoryDevices = childrenNamed(child(root, "devices"), "memory");
  const rawDeviceSizes = memoryDevices.map((d) => bytesOf(r, child(child(d, "target"), "size"), "a memory device's size") ?? 0);
  const deviceSizes = rawDeviceSizes.map((n, i) => aligned(n, 2 * MiB, `memory device ${i}'s size`));
  const cells = childrenNamed(r.use(child(cpu, "numa")), "cell");
  let memory: number | null;
  // Two or more cells are the VM's NUMA nodes; one cell is QEMU's single node, which vmtopo
  // makes itself (the implicit node of a VM with memory hot-plug): no numa block for it.
  const numa: { id: number; memory: string }[] = [];
  if (cells.length > 0) {
    memory = 0;
    for (const [i, cell] of cells.entries()) {
      r.use(cell);
      // Without an id a cell is numbered by its place (virDomainNumaDefParseXML()).
      const idText = r.attr(cell, "id") ?? String(i);
      if (!/^\d+$/.test(idText)) throw new LibvirtImportError(`line ${cell.line}: a NUMA cell's id '${idText}' is not a whole number`);
      const id = Number(idText);
      const cellMemory = aligned(bytesOf(r, cell, "a NUMA cell's memory", r.attr(cell, "memory") ?? "0") ?? 0, MiB, `NUMA cell ${id}'s memory`);
      numa.push({ id, memory: size(cellMemory) });
      memory += cellMemory;
    }
    if (cells.length > 1) notes.push(`${cells.length} NUMA cells: boot RAM is their sum`);
    else {
      numa.length = 0;
      notes.push("1 NUMA cell: the single node QEMU makes anyway, so no numa block");
    }
  } else {
    const total = bytesOf(r, r.use(child(root, "memory")), "<memory>");
    memory = total === null ? null : aligned(total - rawDeviceSizes.reduce((a, b) => a + b, 0), MiB, "boot RAM");
  }
  r.attr(r.use(child(root, "memory")), "unit");
  if (memory === null || memory <= 0) throw new LibvirtImportError(`${source}: no boot memory (<memory> or NUMA cells)`);
  if (!Number.isSafeInteger(memory)) throw new LibvirtImportError(`${source}: boot memory is too large`);
  attrs.push(["memory", size(memory)]);
  const maxMemory = r.use(child(root, "maxMemory"));
  if (maxMemory) {
    attrs.push(["maxmem", size(aligned(bytesOf(r, maxMemory, "<maxMemory>")!, MiB, "<maxMemory>"))]);
    const slots = r.attr(maxMemory, "slots");
    if (slots !== undefined && Number(slots) > 0) attrs.push(["slots", slots]);
  }
  const current = r.use(child(root, "currentMemory"));
  if (current) notes.push("<currentMemory> (the balloon's target) is not modelled");

  // Memory backing of boot RAM (and the default of memory devices).
  const backing = r.use(child(root, "memoryBacking"));
  const hugepages = r.use(child(backing, "hugepages"));
  const pages = childrenNamed(hugepages, "page").map((p) => {
    r.use(p);
    const n = bytesOf(r, p, "a huge page size", r.attr(p, "size") ?? "0");
    const perNodeset = "hugepages per nodeset: the first page size is used for all of boot RAM";
    if (r.attr(p, "nodeset") !== undefined && !notes.includes(perNodeset)) notes.push(perNodeset);
    return n;
  });
  const sourceType = r.attr(r.use(child(backing, "source")), "type");
  const pageSize = hugepages ? (pages[0] ?? 2 * 2 ** 20) : 4096;
  if (hugepages && pages.length === 0) notes.push("<hugepages/> without a size: the host's default huge page size, taken as 2M");
  if (sourceType === "memfd") attrs.push(["backend", "memfd"]);
  else if (sourceType === "file" || hugepages) attrs.push(["backend", "file"]);
  if (pageSize !== 4096) attrs.push(["page-size", size(pageSize)]);
  if (hugepages) attrs.push(["file-system", "hugetlbfs"]), sourceType === "memfd" && attrs.pop();
  else if (sourceType === "file") attrs.push(["file-system", "disk"]), notes.push("file-backed memory without hugepages: libvirt's memory_backing_dir, taken as a disk file");
  const allocation = r.use(child(backing, "allocation"));
  if (r.attr(allocation, "mode") === "immediate") attrs.push(["prealloc", "on"]);
  const access = r.use(child(backing, "access"));
  if (r.attr(access, "mode") === "shared") notes.push("memory access shared: a shared mapping (vmtopo does not distinguish)");
  if (child(backing, "locked")) {
    r.use(child(backing, "locked"));
    unmodelled.push("<locked/>: all guest memory is mlock()ed (counts against RLIMIT_MEMLOCK; vmtopo models VFIO's pins only)");
  }

  // Devices.
  const devices = r.use(child(root, "devices"));
  const imported: ImportedDevice[] = [];
  const names = new Set<string>();
  // Without a user alias, the names libvirt gives (qemuAssignDeviceAliases()): virtiomem0, dimm0, hostdev0.
  const perKind = new Map<string, number>();
  const deviceName = (el: XmlElement, prefix: string, fixedIndex?: number) => {
    const alias = r.attr(r.use(child(el, "alias")), "name");
    const index = fixedIndex ?? perKind.get(prefix) ?? 0;
    perKind.set(prefix, index + 1);
    let n = identifier(alias?.replace(/^ua-/, "") ?? "", `${prefix}${index}`);
    for (let i = 1; names.has(n); i++) n = `${prefix}${index}-${i}`;
    names.add(n);
    return n;
  };
  // A DIMM's alias is dimmN for its slot N (qemuDeviceMemoryGetAliasID(), src/qemu/qemu_alias.c);
  // DIMMs and NVDIMMs without a slot get the free ones in order (qemuDomainAssignMemorySlots()).
  const slotted = memoryDevices.filter((m) => ["dimm", "nvdimm"].includes(m.attributes.get("model") ?? ""));
  const slotOf = (m: XmlElement) => {
    const address = child(m, "address");
    return address?.attributes.get("type") === "dimm" && address.attributes.has("slot") ? Number(address.attributes.get("slot")) : undefined;
  };
  const usedSlots = new Set(slotted.map(slotOf).filter((n): n is number => n !== undefined));
  const dimmSlot = new Map<XmlElement, number>();
  let freeSlot = 0;
  for (const m of slotted) {
    let slot = slotOf(m);
    if (slot === undefined) {
      while (usedSlots.has(freeSlot)) freeSlot++;
      slot = freeSlot;
      usedSlots.add(slot);
    }
    dimmSlot.set(m, slot);
  }
  // A memory device's own <source><pagesize>: libvirt backs it with a hugetlbfs file, or a
  // hugetlb memfd under <source type='memfd'> (qemuBuildMemoryBackendProps(); the corpus's
  // memory-hotplug-virtio-mem .args: memory-backend-file, mem-path=/dev/hugepages2M/…).
  const devicePageAttrs = (mem: XmlElement, what: string): Attr[] => {
    const page = bytesOf(r, r.use(child(r.use(child(mem, "source")), "pagesize")), `${what} pagesize`);
    if (page === null || page === pageSize) return [];
    const vmBackend = attrs.find(([k]) => k === "backend")?.[1] ?? "ram";
    return [...(page > 4096 && vmBackend === "ram" ? [["backend", "file"] as Attr] : []), ["page-size", size(page)]];
  };
  let viommu: string | undefined;
  for (const [i, mem] of memoryDevices.entries()) {
    r.use(mem);
    const model = r.attr(mem, "model");
    const target = r.use(child(mem, "target"));
    const deviceSize = deviceSizes[i];
    const node = (el: XmlElement | undefined) => {
      const text = r.use(child(el, "node"))?.text.trim();
      return text && text !== "0" ? [["node", text] as Attr] : [];
    };
    if (model === "virtio-mem") {
      const a: Attr[] = [["size", size(deviceSize)]];
      a.push(...devicePageAttrs(mem, "virtio-mem"));
      const block = bytesOf(r, r.use(child(target, "block")), "virtio-mem block");
      if (block !== null) a.push(["block-size", size(block)]);
      const requested = bytesOf(r, r.use(child(target, "requested")), "virtio-mem requested");
      if (requested !== null) a.push(["requested", size(requested)]);
      const base = r.attr(r.use(child(target, "address")), "base");
      if (base !== undefined) a.push(["memaddr", base.toLowerCase().startsWith("0x") ? base.toLowerCase() : "0x" + Number(base).toString(16)]);
      a.push(...node(target));
      const dynamic = r.attr(target, "dynamicMemslots");
      if (dynamic !== undefined) a.push(["dynamic-memslots", dynamic === "yes" ? "on" : "off"]);
      // libvirt never preallocates a virtio-mem memdev; with <allocation mode='immediate'> it
      // sets the device's own prealloc instead (libvirt 9.0 domxml-to-native: reserve=false on the
      // memdev, "prealloc":true on virtio-mem-pci), which preallocates blocks as they are plugged.
      const preallocByDevice = attrs.some(([k, v]) => k === "prealloc" && v === "on");
      if (preallocByDevice) a.push(["prealloc", "off"]);
      r.use(child(target, "size"));
      const name = deviceName(mem, "virtiomem");
      imported.push({ kind: "virtio-mem", name, attrs: a });
      if (preallocByDevice) unmodelled.push(`virtio-mem ${name}: libvirt preallocates its blocks as they are plugged (-device virtio-mem-pci,prealloc=on), not its memdev`);
    } else if (model === "dimm") {
      r.use(child(target, "size"));
      const a: Attr[] = [["size", size(deviceSize)], ...devicePageAttrs(mem, "dimm"), ...node(target)];
      // <address type='dimm' base=…> is the pc-dimm's addr (qemuBuildMemoryDeviceProps()).
      const address = child(mem, "address");
      if (address?.attributes.get("type") === "dimm") {
        r.attr(address, "type");
        r.attr(address, "slot");
        const base = r.attr(address, "base");
        if (base !== undefined) a.push(["memaddr", "0x" + BigInt(base).toString(16)]);
      }
      imported.push({ kind: "dimm", name: deviceName(mem, "dimm", dimmSlot.get(mem)), attrs: a });
    } else {
      r.use(child(target, "size"));
      unmodelled.push(`<memory model='${model}'> of ${size(deviceSize)} (vmtopo models virtio-mem and dimm)`);
    }
  }
  // VFIO devices: PCI host devices, vfio-pci mediated devices, and SR-IOV network functions
  // given as <interface type='hostdev'> (libvirt runs each as -device vfio-pci; its alias is
  // hostdevN in either case, qemuAssignDeviceHostdevAlias()/qemuAssignDeviceNetAlias()).
  const vfioElements = (devices?.children ?? []).filter((el) => {
    const type = el.attributes.get("type");
    if (el.name === "interface") return type === "hostdev";
    if (el.name !== "hostdev" || el.attributes.get("mode") !== "subsystem") return false;
    return type === "pci" || (type === "mdev" && el.attributes.get("model") === "vfio-pci");
  });
  for (const hostdev of vfioElements) {
    const type = r.attr(hostdev, "type");
    if (hostdev.name === "hostdev") r.attr(hostdev, "mode");
    const address = r.use(child(r.use(child(hostdev, "source")), "address"));
    const a: Attr[] = [];
    if (type === "mdev") {
      r.attr(hostdev, "model");
      const uuid = r.attr(address, "uuid");
      if (uuid !== undefined) a.push(["host", stringLiteral(`mdev ${uuid}`)]);
    } else if (address) {
      r.attr(address, "type");
      const part = (name: string, width: number) => (r.attr(address, name) ?? "0").replace(/^0x/i, "").padStart(width, "0");
      a.push(["host", stringLiteral(`${part("domain", 4)}:${part("bus", 2)}:${part("slot", 2)}.${Number.parseInt(part("function", 1), 16)}`)]);
    }
    const driver = child(hostdev, "driver");
    // Only VFIO is modelled: <driver name='kvm'|'xen'> (legacy assignment) stays listed.
    if (driver && (driver.attributes.get("name") ?? "vfio") === "vfio") {
      r.attr(driver, "name");
      if (r.attr(driver, "iommufd") === "yes") a.push(["backend", "iommufd"]);
    }
    imported.push({ kind: "vfio", name: deviceName(hostdev, "hostdev"), attrs: a });
  }
  for (const iommu of childrenNamed(devices, "iommu")) {
    const model = r.attr(iommu, "model");
    viommu = model === "intel" ? "intel-iommu" : model === "virtio" ? "virtio-iommu" : model === "smmuv3" ? "smmuv3" : undefined;
    if (!viommu) {
      unmodelled.push(`<iommu model='${model}'> (vmtopo models intel, virtio and smmuv3)`);
      continue;
    }
    attrs.push(["viommu", viommu]);
    const aw = r.attr(r.use(child(iommu, "driver")), "aw_bits");
    if (aw !== undefined) attrs.push(["viommu-aw-bits", aw]);
  }
  const balloon = child(devices, "memballoon");
  if (balloon) {
    const model = r.attr(balloon, "model");
    if (model === "virtio" || model === "virtio-transitional" || model === "virtio-non-transitional") attrs.push(["balloon", "on"]);
  } else {
    // libvirt adds one (qemuDomainDefAddDefaultDevices()); 9.0's domxml-to-native writes virtio-balloon-pci.
    attrs.push(["balloon", "on"]);
    notes.push("no <memballoon>: libvirt adds a virtio one");
  }
  const emulator = r.use(child(devices, "emulator"));
  if (emulator) notes.push(`emulator ${emulator.text.trim()}`);

  // Without <features><acpi/>, libvirt runs an x86 guest with -no-acpi
  // (qemuBuildPMCommandLine(), src/qemu/qemu_command.c, libvirt 9.0), and QEMU then refuses DIMMs: "memory hotplug is not enabled:
  // missing acpi device or acpi disabled" (hw/i386/pc.c, pc_memory_pre_plug()).
  if ((arch === "x86_64" || arch === "i686") && !child(child(root, "features"), "acpi")) {
    unmodelled.push("no <features><acpi/>: libvirt runs QEMU with -no-acpi, and QEMU then refuses DIMMs (vmtopo does not model ACPI)");
  }
  const security = r.use(child(root, "launchSecurity"));
  if (security) {
    const kind = r.attr(security, "type");
    const policy = Number.parseInt(r.use(child(security, "policy"))?.text.trim() ?? "0", 16);
    const confidential = kind === "sev" ? (policy & 0x4 ? "sev-es" : "sev") : kind === "sev-snp" ? "sev-snp" : kind === "tdx" ? "tdx" : undefined;
    if (confidential) attrs.push(["confidential", confidential]);
    else unmodelled.push(`<launchSecurity type='${kind}'>`);
  }
  for (const ignored of ["uuid", "vcpu", "on_poweroff", "on_reboot", "on_crash", "clock"]) {
    // Read so that they are not listed one by one: none changes memory topology.
    const el = child(root, ignored);
    if (el) unmodelled.push(`<${ignored}>${el.text.trim() ? " " + el.text.trim() : ""}`), markAll(r, el);
  }
  unmodelled.push(...r.unread(root));
  return {
    source: `Imported by vmtopo from the libvirt domain in ${source}.`,
    host,
    vm: { name, attrs, devices: imported, numa, onHost: host ? undefined : onHost },
    unmodelled,
    notes,
  };
}

function markAll(r: Reader, el: XmlElement): void {
  r.use(el);
  for (const a of el.attributes.keys()) r.attr(el, a);
  for (const c of el.children) markAll(r, c);
}

/** The host of `virsh capabilities`: arch, phys-bits, memory, huge page pools, IOMMU vendor. */
function hostFromCapabilities(root: XmlElement, source: string): { host: ImportedHost; unmodelled: string[] } {
  if (root.name !== "capabilities") throw new LibvirtImportError(`${source}: the root element is <${root.name}>, not <capabilities>`);
  const hostEl = child(root, "host");
  const cpu = child(hostEl, "cpu");
  const attrs: Attr[] = [];
  const arch = child(cpu, "arch")?.text.trim();
  if (arch === "x86_64" || arch === "aarch64") attrs.push(["arch", arch]);
  const bits = child(cpu, "maxphysaddr")?.attributes.get("bits");
  if (bits) attrs.push(["phys-bits", bits]);
  const cells = childrenNamed(child(child(hostEl, "topology"), "cells"), "cell");
  let memory = 0;
  const pools = new Map<number, number>();
  const r = new Reader();
  for (const cell of cells) {
    memory += bytesOf(r, child(cell, "memory"), "a cell's memory") ?? 0;
    for (const p of childrenNamed(cell, "pages")) {
      const pageBytes = bytesOf(r, p, "a page size", p.attributes.get("size") ?? "0") ?? 0;
      if (pageBytes > 4096) pools.set(pageBytes, (pools.get(pageBytes) ?? 0) + Number(p.text.trim() || 0));
    }
  }
  if (memory > 0) attrs.push(["memory", size(memory)]);
  const vendor = child(cpu, "vendor")?.text.trim();
  const iommu: Attr[] = [];
  if (vendor === "Intel") iommu.push(["vendor", "intel-vtd"]);
  else if (vendor === "AMD") iommu.push(["vendor", "amd-vi"]);
  const unmodelled: string[] = [];
  if (child(hostEl, "iommu")?.attributes.get("support") === "no") unmodelled.push("the host reports no IOMMU support: VFIO will not work");
  return {
    host: { name: "host0", attrs, iommu, hugepages: [...pools].map(([page, count]) => [size(page), count]) },
    unmodelled,
  };
}
