// The resolved model: every attribute of LANGUAGE.md with its default applied, units in
// bytes, references kept with their source ranges.
import type * as A from "../../../grammar/src/index";
import { AttributeReader, type Bytes } from "./attributes";
import { BLOCK_WORDS, suggest } from "./schema";
import { GiB, KiB, MiB } from "./format";
import type { Sink } from "./sink";
import { parseVersion, type Version } from "./version";

export type Arch = "x86_64" | "aarch64";
export type IommuVendor = "intel-vtd" | "amd-vi" | "smmuv3" | "virtio-iommu";
export type VfioBackend = "type1" | "iommufd";
export type Confidential = "none" | "sev" | "sev-es" | "sev-snp" | "tdx" | "cca";

export interface ReservedIova {
  name: string;
  start: Bytes;
  end: Bytes;
  range?: A.Range;
}

export interface HostModel {
  name: string;
  file: string;
  nameRange: A.Range;
  builtin: boolean;
  arch: Arch;
  kernel: Version;
  qemu: Version;
  physBits: number;
  memory?: Bytes;
  memlock: Bytes | "unlimited";
  capIpcLock: boolean;
  migrationBandwidth: number;
  iommu: {
    vendor: IommuVendor;
    pageSizes: Bytes[];
    addressWidth: number;
    interruptRemapping: boolean;
    reserved: ReservedIova[];
  };
  vfio: { backend: VfioBackend; dmaEntryLimit: number; accounting: "user" | "mm" };
  /** free huge pages per page size */
  hugepages: Map<Bytes, { count: number; range: A.Range }>;
  attrs: { host: AttributeReader; iommu: AttributeReader; vfio: AttributeReader };
}

export interface VirtioMemModel {
  kind: "virtio-mem";
  name: string;
  nameRange: A.Range;
  decl: A.Device;
  size: Bytes;
  blockSize: Bytes;
  defaultBlockSize: Bytes;
  requested: Bytes;
  memaddr?: Bytes;
  backend: "ram" | "memfd" | "file";
  pageSize: Bytes;
  prealloc: boolean;
  /** NUMA node (`node=`) */
  node: number;
  /** `dynamic-memslots = on`: the region is split into memslots mapped only while they hold plugged blocks */
  dynamicMemslots: boolean;
  attrs: AttributeReader;
}

export interface DimmModel {
  kind: "dimm";
  name: string;
  nameRange: A.Range;
  decl: A.Device;
  size: Bytes;
  /** pc-dimm `addr` */
  memaddr?: Bytes;
  backend: "ram" | "memfd" | "file";
  pageSize: Bytes;
  node: number;
  attrs: AttributeReader;
}

/** One `-numa node,nodeid=N[,memdev=...]`. */
export interface NumaNodeModel {
  id: number;
  memory: Bytes;
  decl: A.NumaNode;
  attrs: AttributeReader;
}

export interface VfioDeviceModel {
  kind: "vfio";
  name: string;
  nameRange: A.Range;
  /** the whole declaration or hotplug step, for ranges */
  declRange: A.Range;
  hostAddress?: string;
  backend: VfioBackend;
  migration: "none" | "stop-copy" | "pre-copy";
  dirtyTracking: "none" | "device" | "iommu";
  behindViommu: boolean;
  coherent: boolean;
  superpages: boolean;
  attrs: AttributeReader;
}

export type DeviceModel = VirtioMemModel | DimmModel | VfioDeviceModel;

export interface VmModel {
  name: string;
  file: string;
  decl: A.Vm;
  host: HostModel;
  machine: "q35" | "pc" | "virt";
  accel: "kvm" | "tcg";
  cpuVendor: "intel" | "amd";
  physBits: number;
  /** boot RAM as QEMU holds it: `-m` rounded up to 8 KiB (machine_set_mem) */
  memory: Bytes;
  /** `memory` as written */
  memoryAsWritten: Bytes;
  maxmem: Bytes;
  slots: number;
  maxRamBelow4g?: Bytes;
  /** `virt`'s highmem: off limits the guest to 32-bit addresses */
  highmem: boolean;
  /** declared NUMA nodes (none: QEMU's implicit node, if any) */
  numa: NumaNodeModel[];
  backend: "ram" | "memfd" | "file";
  pageSize: Bytes;
  fileSystem: "tmpfs" | "hugetlbfs" | "disk";
  prealloc: boolean;
  confidential: Confidential;
  viommu: "none" | "intel-iommu" | "virtio-iommu" | "smmuv3";
  viommuPageSize: Bytes;
  viommuAwBits: number;
  balloon: boolean;
  vdpa: boolean;
  virtioMem: VirtioMemModel[];
  dimms: DimmModel[];
  vfio: VfioDeviceModel[];
  attrs: AttributeReader;
}

/** QEMU hw/core/machine.c machine_set_mem(): `ram_size = QEMU_ALIGN_UP(size, 8192)`. */
export const RAM_SIZE_ALIGNMENT = 8 * KiB;

/** The host's base page size; hugetlb backends use larger pages. */
export const HOST_PAGE_SIZE = 4 * KiB;
const THP_SIZE = 2 * MiB;

export const VENDOR_DEFAULTS: Readonly<Record<IommuVendor, { pageSizes: Bytes[]; reserved: ReservedIova[] }>> = {
  "intel-vtd": { pageSizes: [4 * KiB, 2 * MiB, GiB], reserved: [{ name: "msi", start: 0xfee00000, end: 0xfef00000 }] },
  "amd-vi": {
    // every power of two from 4 KiB to 2^51 except 512 GiB (AMD_IOMMU_PGSIZES)
    pageSizes: Array.from({ length: 40 }, (_, i) => 2 ** (12 + i)).filter((s) => s !== 512 * GiB),
    reserved: [
      { name: "msi", start: 0xfee00000, end: 0xfef00000 },
      { name: "ht", start: 0xfd00000000, end: 0x10000000000 },
    ],
  },
  smmuv3: { pageSizes: [4 * KiB, 2 * MiB, GiB], reserved: [{ name: "sw-msi", start: 0x8000000, end: 0x8100000 }] },
  "virtio-iommu": { pageSizes: [4 * KiB], reserved: [] },
};

export function isHugetlb(backend: string, pageSize: Bytes, fileSystem?: string): boolean {
  return pageSize > HOST_PAGE_SIZE || (backend === "file" && fileSystem === "hugetlbfs");
}

/** QEMU's virtio_mem_default_block_size(). */
export function defaultBlockSize(pageSize: Bytes): Bytes {
  return pageSize === HOST_PAGE_SIZE ? Math.max(pageSize, THP_SIZE) : Math.max(pageSize, MiB);
}

const emptyAttrs = (sink: Sink, context: "host" | "iommu" | "host-vfio", range: A.Range) => new AttributeReader(context, [], sink, range, "");

/** Versions a host runs when it names none (LANGUAGE.md defaults; the editor may override). */
export interface VersionDefaults {
  qemu: string;
  kernel: string;
}

export const DEFAULT_VERSIONS: VersionDefaults = { qemu: "10.2", kernel: "6.18" };

export function builtinHost(sink: Sink, defaults: VersionDefaults = DEFAULT_VERSIONS): HostModel {
  const range: A.Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return resolveHost(null, "default", "<built-in>", range, sink, defaults);
}

export function resolveHost(decl: A.Host | null, name: string, file: string, nameRange: A.Range, sink: Sink, defaults: VersionDefaults = DEFAULT_VERSIONS): HostModel {
  const items = decl?.items ?? [];
  const label = `host '${name}'`;
  for (const item of items) if (item.kind === "unknown-block") reportUnknownBlock(item, "host", label, sink);
  for (const item of items) if (item.kind === "iommu") for (const i of item.items) if (i.kind === "unknown-block") reportUnknownBlock(i, "iommu", `the iommu block of ${label}`, sink);
  const host = new AttributeReader("host", items.filter((i): i is A.Attribute => i.kind === "attribute"), sink, nameRange, label);
  const iommuBlocks = items.filter((i): i is A.IommuBlock => i.kind === "iommu");
  const vfioBlocks = items.filter((i): i is A.HostVfioBlock => i.kind === "host-vfio");
  const hugepageBlocks = items.filter((i): i is A.HugepagesBlock => i.kind === "hugepages");
  for (const extra of [...iommuBlocks.slice(1), ...vfioBlocks.slice(1), ...hugepageBlocks.slice(1)]) {
    sink.error("VT003", extra.keyword, `${label} has more than one '${extra.kind === "host-vfio" ? "vfio" : extra.kind}' block`);
  }
  const iommuBlock = iommuBlocks[0];
  const iommu = iommuBlock
    ? new AttributeReader("iommu", iommuBlock.items.filter((i): i is A.Attribute => i.kind === "attribute"), sink, iommuBlock.keyword, `the iommu block of ${label}`)
    : emptyAttrs(sink, "iommu", nameRange);
  const vfio = vfioBlocks[0] ? new AttributeReader("host-vfio", vfioBlocks[0].attributes, sink, vfioBlocks[0].keyword, `the vfio block of ${label}`) : emptyAttrs(sink, "host-vfio", nameRange);

  const arch = (host.word("arch") ?? "x86_64") as Arch;
  const vendor = (iommu.word("vendor") ?? (arch === "aarch64" ? "smmuv3" : "intel-vtd")) as IommuVendor;
  const reserved: ReservedIova[] = [];
  const reservedNames = new Map<string, A.ReservedRange>();
  for (const item of iommuBlock?.items ?? []) {
    if (item.kind !== "reserved" || item.name.missing) continue;
    if (reservedNames.has(item.name.text)) {
      sink.error("VT006", item.name.range, `reserved range '${item.name.text}' is declared twice in ${label}`);
      continue;
    }
    reservedNames.set(item.name.text, item);
    const bounds = rangeBounds(item.value);
    if (typeof bounds === "string") {
      if (bounds) sink.error("VT004", item.value.range, `reserved range '${item.name.text}' ${bounds}`);
      continue;
    }
    reserved.push({ name: item.name.text, start: bounds[0], end: bounds[1], range: item.range });
  }

  const hugepages = new Map<Bytes, { count: number; range: A.Range }>();
  for (const pool of hugepageBlocks[0]?.pools ?? []) {
    const pageValue = pool.pageSize;
    const page = pageValue.kind === "size" ? pageValue.bytes : null;
    if (page === null || pageValue.kind !== "size") {
      if (pool.pageSize.kind !== "size" || pool.pageSize.bytes !== null) sink.error("VT004", pool.pageSize.range, "a huge page pool is named by its page size, such as 2M or 1G");
      continue;
    }
    if (!(page === 2 * MiB || page === GiB || (arch === "aarch64" && [64 * KiB, 32 * MiB, 512 * MiB, 16 * GiB].includes(page)))) {
      sink.error("VT004", pageValue.range, `${arch} has no ${pageValue.text} huge pages; ${arch === "x86_64" ? "use 2M or 1G" : "use 64K, 2M, 32M, 512M, 1G or 16G"}`);
      continue;
    }
    if (hugepages.has(page)) {
      sink.error("VT003", pageValue.range, `the ${pageValue.text} pool of ${label} is given twice`);
      continue;
    }
    const count = pool.count.kind === "integer" ? pool.count.value : null;
    if (count === null) {
      if (pool.count.kind !== "integer" && pool.count.kind !== "missing") sink.error("VT004", pool.count.range, "a huge page pool takes a number of pages");
      continue;
    }
    hugepages.set(page, { count, range: pool.range });
  }

  const memlockWord = host.word("memlock");
  return {
    name,
    file,
    nameRange,
    builtin: decl === null,
    arch,
    kernel: host.version("kernel") ?? parseVersion(defaults.kernel) ?? parseVersion(DEFAULT_VERSIONS.kernel)!,
    qemu: host.version("qemu") ?? parseVersion(defaults.qemu) ?? parseVersion(DEFAULT_VERSIONS.qemu)!,
    physBits: host.integer("phys-bits") ?? (arch === "aarch64" ? 48 : 46),
    memory: host.size("memory"),
    memlock: memlockWord === "unlimited" ? "unlimited" : (host.size("memlock") ?? "unlimited"),
    capIpcLock: host.bool("cap-ipc-lock") ?? false,
    migrationBandwidth: host.bandwidth("migration-bandwidth") ?? 10e9,
    iommu: {
      vendor,
      pageSizes: [...(iommu.sizeList("page-sizes") ?? VENDOR_DEFAULTS[vendor].pageSizes)].sort((a, b) => a - b),
      addressWidth: iommu.integer("address-width") ?? 48,
      interruptRemapping: iommu.bool("interrupt-remapping") ?? true,
      // Declared ranges replace the vendor's defaults (LANGUAGE.md gives the MSI window as the default).
      reserved: reservedNames.size > 0 ? reserved : VENDOR_DEFAULTS[vendor].reserved,
    },
    vfio: {
      backend: (vfio.word("backend") ?? "type1") as VfioBackend,
      dmaEntryLimit: vfio.integer("dma-entry-limit") ?? 65535,
      accounting: (vfio.word("accounting") ?? "user") as "user" | "mm",
    },
    hugepages,
    attrs: { host, iommu, vfio },
  };
}

const BLOCK_HOMES: Readonly<Record<string, string>> = {
  iommu: "a host",
  hugepages: "a host",
  "virtio-mem": "a vm",
  dimm: "a vm",
  numa: "a vm",
  vfio: "a host (unnamed: `vfio { backend = ... }`) or a vm (named: `vfio nic0 { ... }`)",
};

/** VT002 for `word { ... }` where no such block belongs, reported once at its word. */
function reportUnknownBlock(block: A.UnknownBlock, context: "host" | "iommu" | "vm", label: string, sink: Sink): void {
  const word = block.keyword.text;
  const known = BLOCK_WORDS[context] ?? [];
  const home = BLOCK_HOMES[word];
  const guess = home ? undefined : suggest(word, known);
  const hint = home ? `; '${word}' blocks belong in ${home}` : guess ? `; did you mean '${guess}'?` : known.length > 0 ? `; the blocks here are ${known.map((k) => `'${k}'`).join(", ")}` : "";
  sink.error("VT002", block.keyword.range, `unknown block '${word}' in ${label}${hint}`, guess ? { suggestion: guess } : undefined);
}

/** [start, end) of a range value, or why it is not one ("" when already reported). */
export function rangeBounds(value: A.Value): [Bytes, Bytes] | string {
  if (value.kind === "missing") return "";
  if (value.kind !== "range") return "takes a range such as 0xfee00000 .. 0xfef00000";
  const bound = (v: A.Value) => (v.kind === "integer" ? v.value : v.kind === "size" ? v.bytes : null);
  const start = bound(value.start);
  const end = bound(value.end);
  if (start === null || end === null) return "";
  if (end <= start) return `is empty: its end ${value.end.kind === "missing" ? "" : value.end.text} is not above its start`;
  return [start, end];
}

export function resolveVm(decl: A.Vm, file: string, host: HostModel, sink: Sink): VmModel {
  const label = `vm '${decl.name.text}'`;
  for (const item of decl.items) if (item.kind === "unknown-block") reportUnknownBlock(item, "vm", label, sink);
  const attrs = new AttributeReader("vm", decl.items.filter((i): i is A.Attribute => i.kind === "attribute"), sink, decl.name.range, label);
  const x86 = host.arch === "x86_64";
  const machine = (attrs.word("machine") ?? (x86 ? "q35" : "virt")) as VmModel["machine"];
  if (attrs.has("machine") && (machine === "virt") === x86) {
    sink.error("VT004", attrs.rangeOf("machine"), `machine '${machine}' does not run on an ${host.arch} host ('${host.name}'); use ${x86 ? "q35 or pc" : "virt"}`);
  }
  const cpu = attrs.word("cpu") ?? "host";
  const memoryAsWritten = attrs.size("memory") ?? 0;
  const memory = Math.ceil(memoryAsWritten / RAM_SIZE_ALIGNMENT) * RAM_SIZE_ALIGNMENT;
  const backend = (attrs.word("backend") ?? "ram") as VmModel["backend"];
  const pageSize = attrs.size("page-size") ?? HOST_PAGE_SIZE;
  const fileSystem = (attrs.word("file-system") ?? "tmpfs") as VmModel["fileSystem"];
  const prealloc = attrs.bool("prealloc") ?? false;
  const viommu = (attrs.word("viommu") ?? "none") as VmModel["viommu"];

  const vm: VmModel = {
    name: decl.name.text,
    file,
    decl,
    host,
    machine,
    accel: (attrs.word("accel") ?? "kvm") as VmModel["accel"],
    cpuVendor: (attrs.word("cpu-vendor") ?? (host.iommu.vendor === "amd-vi" ? "amd" : "intel")) as VmModel["cpuVendor"],
    physBits: attrs.integer("phys-bits") ?? (cpu === "named" ? 40 : host.physBits),
    memory,
    memoryAsWritten,
    maxmem: attrs.size("maxmem") ?? memory,
    slots: attrs.integer("slots") ?? 0,
    maxRamBelow4g: attrs.size("max-ram-below-4g"),
    highmem: attrs.bool("highmem") ?? true,
    numa: [],
    backend,
    pageSize,
    fileSystem,
    prealloc,
    confidential: (attrs.word("confidential") ?? "none") as Confidential,
    viommu,
    viommuPageSize: attrs.size("viommu-page-size") ?? 4 * KiB,
    viommuAwBits: attrs.integer("viommu-aw-bits") ?? (x86 ? 39 : 48),
    balloon: attrs.bool("balloon") ?? false,
    vdpa: attrs.bool("vdpa") ?? false,
    virtioMem: [],
    dimms: [],
    vfio: [],
    attrs,
  };
  // QEMU's -m checks (hw/core/machine.c, softmmu/vl.c parse_memory_options()).
  if (attrs.has("maxmem") && vm.maxmem < memory) {
    sink.error("VT004", attrs.rangeOf("maxmem"), `'maxmem' is below 'memory'. QEMU: invalid value of maxmem: maximum memory size (0x${vm.maxmem.toString(16)}) must be at least the initial memory size (0x${memory.toString(16)})`);
  } else if (attrs.has("slots") && !attrs.has("maxmem")) {
    sink.error("VT004", attrs.rangeOf("slots"), "DIMM slots need 'maxmem' above 'memory'. QEMU: slots specified but no max-size");
  } else if (vm.slots > 0 && vm.maxmem === memory) {
    sink.error("VT004", attrs.rangeOf("slots"), `DIMM slots need 'maxmem' above 'memory'. QEMU: invalid value of maxmem: memory slots were specified but maximum memory size (0x${vm.maxmem.toString(16)}) is equal to the initial memory size (0x${memory.toString(16)})`);
  }

  const names = new Map<string, A.Device>();
  for (const item of decl.items) {
    if (item.kind !== "device" || item.name.missing) continue;
    if (names.has(item.name.text)) {
      sink.error("VT006", item.name.range, `device '${item.name.text}' is declared twice in ${label}; the first is on line ${names.get(item.name.text)!.name.range.start.line + 1}`);
      continue;
    }
    names.set(item.name.text, item);
    if (item.deviceKind === "virtio-mem") vm.virtioMem.push(resolveVirtioMem(item, vm, sink));
    else if (item.deviceKind === "dimm") vm.dimms.push(resolveDimm(item, vm, sink));
    else vm.vfio.push(resolveVfioDevice(item.name, item.range, item.attributes, vm, sink));
  }
  vm.numa = resolveNuma(decl, label, sink);
  return vm;
}

/** What virtio-mem devices and DIMMs share: a memory backend placed in device memory, on a NUMA node. */
function memoryDeviceFields(decl: A.Device, attrs: AttributeReader, vm: VmModel) {
  return {
    name: decl.name.text,
    nameRange: decl.name.range,
    decl,
    size: attrs.size("size") ?? 0,
    memaddr: attrs.size("memaddr"),
    backend: (attrs.word("backend") ?? vm.backend) as VmModel["backend"],
    pageSize: attrs.size("page-size") ?? vm.pageSize,
    node: attrs.integer("node") ?? 0,
    attrs,
  };
}

function resolveDimm(decl: A.Device, vm: VmModel, sink: Sink): DimmModel {
  const attrs = new AttributeReader("dimm", decl.attributes, sink, decl.name.range, `dimm '${decl.name.text}'`);
  return { kind: "dimm", ...memoryDeviceFields(decl, attrs, vm) };
}

/** The `numa` block's nodes; a second block, a node without an id, stray words: VT002–VT004. */
function resolveNuma(decl: A.Vm, label: string, sink: Sink): NumaNodeModel[] {
  const blocks = decl.items.filter((i): i is A.NumaBlock => i.kind === "numa");
  for (const extra of blocks.slice(1)) sink.error("VT003", extra.keyword, `${label} has more than one 'numa' block`);
  const nodes: NumaNodeModel[] = [];
  for (const entry of blocks[0]?.items ?? []) {
    if (entry.kind === "attribute") {
      sink.error("VT002", entry.name.range, `unknown attribute '${entry.name.text}' in the numa block of ${label}; the numa block holds nodes: 'node N { memory = SIZE }'`);
      continue;
    }
    if (entry.kind === "unknown-block") {
      const guess = suggest(entry.keyword.text, ["node"]);
      sink.error("VT002", entry.keyword.range, `unknown block '${entry.keyword.text}' in the numa block of ${label}${guess ? `; did you mean '${guess}'?` : "; the numa block holds 'node N { ... }'"}`, guess ? { suggestion: guess } : undefined);
      continue;
    }
    const id = entry.id.kind === "integer" ? entry.id.value : null;
    if (id === null) {
      if (entry.id.kind !== "missing" && !(entry.id.kind === "integer" && entry.id.value === null)) sink.error("VT004", entry.id.range, "a NUMA node's id is an integer such as 0 or 1");
      continue;
    }
    const attrs = new AttributeReader("numa-node", entry.attributes, sink, entry.keyword, `NUMA node ${id} of ${label}`);
    nodes.push({ id, memory: attrs.size("memory") ?? 0, decl: entry, attrs });
  }
  return nodes;
}

function resolveVirtioMem(decl: A.Device, vm: VmModel, sink: Sink): VirtioMemModel {
  const attrs = new AttributeReader("virtio-mem", decl.attributes, sink, decl.name.range, `virtio-mem '${decl.name.text}'`);
  const common = memoryDeviceFields(decl, attrs, vm);
  const fallback = defaultBlockSize(common.pageSize);
  return {
    kind: "virtio-mem",
    ...common,
    blockSize: attrs.size("block-size") ?? fallback,
    defaultBlockSize: fallback,
    requested: attrs.size("requested") ?? 0,
    prealloc: attrs.bool("prealloc") ?? vm.prealloc,
    dynamicMemslots: attrs.bool("dynamic-memslots") ?? false,
  };
}

export function resolveVfioDevice(name: A.Name, declRange: A.Range, attributes: A.Attribute[], vm: VmModel, sink: Sink): VfioDeviceModel {
  const attrs = new AttributeReader("vfio", attributes, sink, name.range, `vfio '${name.text}'`);
  return {
    kind: "vfio",
    name: name.text,
    nameRange: name.range,
    declRange,
    hostAddress: attrs.string("host"),
    backend: (attrs.word("backend") ?? vm.host.vfio.backend) as VfioBackend,
    migration: (attrs.word("migration") ?? "none") as VfioDeviceModel["migration"],
    dirtyTracking: (attrs.word("dirty-tracking") ?? "none") as VfioDeviceModel["dirtyTracking"],
    behindViommu: attrs.bool("behind-viommu") ?? vm.viommu !== "none",
    coherent: attrs.bool("coherent") ?? true,
    superpages: attrs.bool("superpages") ?? true,
    attrs,
  };
}
