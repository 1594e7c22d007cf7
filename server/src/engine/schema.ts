// What every attribute of LANGUAGE.md accepts, its default and its meaning: the single
// table behind VT002/VT003/VT004/VT007, and (later) hover and completion.

export type ValueType =
  | { kind: "size"; min?: number }
  | { kind: "size-or-unlimited" }
  | { kind: "integer"; min?: number; max?: number }
  | { kind: "string" }
  | { kind: "version" }
  | { kind: "bool" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "bandwidth" }
  | { kind: "size-list" }
  | { kind: "page-size"; values: readonly string[] };

export interface AttributeSpec {
  name: string;
  type: ValueType;
  /** the default as a user would write it; undefined when there is none */
  default?: string;
  required?: boolean;
  doc: string;
}

export type Context = "host" | "iommu" | "host-vfio" | "vm" | "virtio-mem" | "vfio" | "dimm" | "numa-node";

const bool: ValueType = { kind: "bool" };
const size: ValueType = { kind: "size" };
const positiveSize: ValueType = { kind: "size", min: 1 };
const enumOf = (...values: string[]): ValueType => ({ kind: "enum", values });
const pageSize: ValueType = { kind: "page-size", values: ["4K", "64K", "2M", "32M", "512M", "1G"] };

const BACKEND_DOC = "memory backend: `ram` (anonymous), `memfd`, or `file` (see file-system)";

export const SCHEMA: Readonly<Record<Context, readonly AttributeSpec[]>> = {
  host: [
    { name: "arch", type: enumOf("x86_64", "aarch64"), default: "x86_64", doc: "host architecture" },
    { name: "kernel", type: { kind: "version" }, default: '"6.18"', doc: "Linux version; gates features such as iommufd (6.2) and the KVM memslot count (5.12)" },
    { name: "qemu", type: { kind: "version" }, default: '"10.2"', doc: "QEMU version run on this host" },
    { name: "phys-bits", type: { kind: "integer", min: 32, max: 64 }, default: "46 (x86_64), 48 (aarch64)", doc: "host physical address bits, used by `cpu = host`" },
    { name: "memory", type: size, doc: "host RAM; enables the capacity checks" },
    { name: "memlock", type: { kind: "size-or-unlimited" }, default: "unlimited", doc: "RLIMIT_MEMLOCK of the VMM process" },
    { name: "cap-ipc-lock", type: bool, default: "off", doc: "the VMM holds CAP_IPC_LOCK: no memlock limit applies" },
    { name: "migration-bandwidth", type: { kind: "bandwidth" }, default: "10Gbit", doc: "link used for migration estimates" },
  ],
  iommu: [
    { name: "vendor", type: enumOf("intel-vtd", "amd-vi", "smmuv3", "virtio-iommu"), default: "intel-vtd (x86_64), smmuv3 (aarch64)", doc: "IOMMU vendor; picks the defaults below" },
    { name: "page-sizes", type: { kind: "size-list" }, default: "the vendor's", doc: "the IOMMU's pgsize_bitmap" },
    { name: "address-width", type: { kind: "integer", min: 32, max: 64 }, default: "48", doc: "IOVA aperture is [0, 2^width)" },
    { name: "interrupt-remapping", type: bool, default: "on", doc: "without it VFIO refuses to attach" },
  ],
  "host-vfio": [
    { name: "backend", type: enumOf("type1", "iommufd"), default: "type1", doc: "VFIO backend: legacy vfio_iommu_type1 containers or iommufd" },
    { name: "dma-entry-limit", type: { kind: "integer", min: 0, max: 4294967295 }, default: "65535", doc: "vfio_iommu_type1's dma_entry_limit module parameter (type1 only)" },
    { name: "accounting", type: enumOf("user", "mm"), default: "user", doc: "iommufd pinned-memory accounting: per user (summed over VMs) or per process" },
  ],
  vm: [
    { name: "machine", type: enumOf("q35", "pc", "virt"), default: "q35 (x86_64), virt (aarch64)", doc: "QEMU machine type; decides the guest-physical layout" },
    { name: "accel", type: enumOf("kvm", "tcg"), default: "kvm", doc: "decides the memslot count in QEMU's DMA-mapping check" },
    { name: "cpu", type: enumOf("host", "named"), default: "host", doc: "`host`: phys-bits from the host; `named`: 40" },
    { name: "cpu-vendor", type: enumOf("intel", "amd"), default: "amd if the host IOMMU is amd-vi, else intel", doc: "AMD relocates RAM above 1 TiB" },
    { name: "phys-bits", type: { kind: "integer", min: 1, max: 64 }, default: "from cpu", doc: "guest physical address bits (on `virt`, the CPU model's address size: cortex-a53 40, cortex-a57 44, neoverse-n1 48, max 52)" },
    { name: "memory", type: positiveSize, required: true, doc: "boot RAM (`-m`)" },
    { name: "maxmem", type: size, default: "memory", doc: "`-m ...,maxmem=`" },
    { name: "slots", type: { kind: "integer", min: 0, max: 4294967295 }, default: "0", doc: "DIMM slots (QEMU takes at most 256)" },
    { name: "max-ram-below-4g", type: size, default: "the machine's", doc: "QEMU machine property (q35 and pc; at most 4G)" },
    { name: "highmem", type: bool, default: "on", doc: "`virt` machine property: off limits the guest to 32-bit addresses" },
    { name: "backend", type: enumOf("ram", "memfd", "file"), default: "ram", doc: `${BACKEND_DOC} of boot RAM` },
    { name: "page-size", type: pageSize, default: "4K", doc: "backend page size; 2M and 1G mean hugetlb" },
    { name: "file-system", type: enumOf("tmpfs", "hugetlbfs", "disk"), default: "tmpfs", doc: "for `backend = file`" },
    { name: "prealloc", type: bool, default: "off", doc: "memory backend preallocation" },
    { name: "confidential", type: enumOf("none", "sev", "sev-es", "sev-snp", "tdx", "cca"), default: "none", doc: "confidential guest; boot RAM becomes guest_memfd-backed private memory with a shared half in `backend`" },
    { name: "viommu", type: enumOf("none", "intel-iommu", "virtio-iommu", "smmuv3"), default: "none", doc: "virtual IOMMU in front of assigned devices" },
    { name: "viommu-page-size", type: positiveSize, default: "4K", doc: "smallest page size the vIOMMU exposes" },
    { name: "viommu-aw-bits", type: { kind: "integer", min: 32, max: 64 }, default: "39 (x86_64), 48 (aarch64)", doc: "vIOMMU address width" },
    { name: "balloon", type: bool, default: "off", doc: "a virtio-balloon device is present" },
    { name: "vdpa", type: bool, default: "off", doc: "a vhost-vdpa device is present" },
  ],
  "virtio-mem": [
    { name: "size", type: positiveSize, required: true, doc: "memory backend size (the device's region)" },
    { name: "block-size", type: positiveSize, default: "QEMU's default for the backend", doc: "hot(un)plug granularity" },
    { name: "requested", type: size, default: "0", doc: "initial `requested-size`" },
    { name: "memaddr", type: size, default: "placed by QEMU", doc: "guest-physical base" },
    { name: "backend", type: enumOf("ram", "memfd", "file"), default: "the VM's", doc: BACKEND_DOC },
    { name: "page-size", type: pageSize, default: "the VM's", doc: "backend page size; 2M and 1G mean hugetlb" },
    { name: "prealloc", type: bool, default: "the VM's", doc: "memory backend preallocation (virtio-mem refuses it)" },
    { name: "dynamic-memslots", type: bool, default: "off", doc: "map the device's memory with several memslots" },
    { name: "unplugged-inaccessible", type: bool, default: "on", doc: "unplugged memory may not be read by the guest" },
    { name: "node", type: { kind: "integer", min: 0, max: 1024 }, default: "0", doc: "NUMA node" },
  ],
  vfio: [
    { name: "host", type: { kind: "string" }, doc: "host PCI address, for the user's reference" },
    { name: "backend", type: enumOf("type1", "iommufd"), default: "the host's", doc: "per-device VFIO backend" },
    { name: "migration", type: enumOf("none", "stop-copy", "pre-copy"), default: "none", doc: "the device's migration support" },
    { name: "dirty-tracking", type: enumOf("none", "device", "iommu"), default: "none", doc: "how the device's DMA writes are tracked during migration" },
    { name: "behind-viommu", type: bool, default: "on if the VM has a viommu", doc: "device is translated by the vIOMMU" },
    { name: "coherent", type: bool, default: "on", doc: "IOMMU enforces cache coherency for the device" },
    { name: "superpages", type: bool, default: "on", doc: "the device's IOMMU unit supports the host's large page sizes" },
  ],
  dimm: [
    { name: "size", type: positiveSize, required: true, doc: "size of the pc-dimm's RAM backend" },
    { name: "memaddr", type: size, default: "placed by QEMU", doc: "guest-physical base (pc-dimm `addr`)" },
    { name: "backend", type: enumOf("ram", "memfd", "file"), default: "the VM's", doc: BACKEND_DOC },
    { name: "page-size", type: pageSize, default: "the VM's", doc: "backend page size; 2M and 1G mean hugetlb" },
    { name: "node", type: { kind: "integer", min: 0, max: 1024 }, default: "0", doc: "NUMA node" },
  ],
  "numa-node": [{ name: "memory", type: size, default: "0 (a node without memory)", doc: "the node's share of boot RAM (`-numa node,memdev=`); the nodes' memory adds up to the VM's `memory`" }],
};

export function attributeSpec(context: Context, name: string): AttributeSpec | undefined {
  return SCHEMA[context].find((spec) => spec.name === name);
}

/** Blocks that may appear where an attribute may, for "did you mean" suggestions. */
export const BLOCK_WORDS: Readonly<Partial<Record<Context, readonly string[]>>> = {
  host: ["iommu", "vfio", "hugepages"],
  iommu: ["reserved"],
  vm: ["virtio-mem", "vfio", "dimm", "numa"],
};

/** Damerau–Levenshtein distance (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest of `candidates` to `word`, if it is close enough to be a plausible typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(word.length / 3));
  if (best !== undefined && bestDistance <= tolerance) return best;
  // A word that contains, or is contained in, a candidate (`blocksize`, `dma-limit`) is a likely mix-up too.
  const squashed = word.replace(/[-_]/g, "").toLowerCase();
  for (const candidate of candidates) {
    const c = candidate.replace(/[-_]/g, "").toLowerCase();
    if (c === squashed || (squashed.length >= 4 && (c.includes(squashed) || squashed.includes(c)))) return candidate;
  }
  return undefined;
}
