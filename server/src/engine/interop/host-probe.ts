// `vmtopo probe`: the machine as a `host` block, read from procfs and sysfs through a file
// source (the CLI reads / or a captured tree given with --root). Each item that cannot be
// read becomes a comment saying so, never a failure.
import { format } from "../../../../grammar/src/index";
import { designText, identifier, size, type Attr } from "./design-writer";

export interface ProbeSource {
  /** a file's text, or undefined when it cannot be read */
  read(path: string): string | undefined;
  /** a directory's entries, or undefined */
  list(path: string): string[] | undefined;
  /** `qemu-system-* --version`'s first line, when it can be run */
  qemuVersion?(arch: string): string | undefined;
}

const firstLine = (s: string | undefined) => s?.split("\n")[0].trim();

/**
 * Intel VT-d capability registers (VT-d spec §11.4.2/11.4.3; Linux include/linux/intel-iommu.h):
 * MGAW cap[21:16] + 1 is the address width; SLLPS cap[37:34] adds 2 MiB (bit 34) and 1 GiB
 * (bit 35) second-level pages to 4 KiB; IR ecap[3] is interrupt remapping.
 */
export function decodeIntelIommu(cap: bigint, ecap: bigint): { addressWidth: number; pageSizes: string[]; interruptRemapping: boolean } {
  const addressWidth = Number((cap >> 16n) & 0x3fn) + 1;
  const sllps = Number((cap >> 34n) & 0xfn);
  const pageSizes = ["4K", ...(sllps & 1 ? ["2M"] : []), ...(sllps & 2 ? ["1G"] : [])];
  return { addressWidth, pageSizes, interruptRemapping: ((ecap >> 3n) & 1n) === 1n };
}

export interface ProbeResult {
  text: string;
  unreadable: string[];
}

export function probeHost(src: ProbeSource): ProbeResult {
  const attrs: Attr[] = [];
  const iommu: Attr[] = [];
  const notes: string[] = [];
  const unreadable: string[] = [];
  const missing = (what: string, path: string) => unreadable.push(`${what}: ${path} not readable`);

  const arch = firstLine(src.read("/proc/sys/kernel/arch"));
  if (arch === "x86_64" || arch === "aarch64") attrs.push(["arch", arch]);
  else if (arch === undefined) missing("arch", "/proc/sys/kernel/arch");
  else notes.push(`arch ${arch} is not one vmtopo models`);

  const kernel = firstLine(src.read("/proc/sys/kernel/osrelease"));
  const kernelVersion = kernel && /^(\d+\.\d+)/.exec(kernel)?.[1];
  if (kernelVersion) attrs.push(["kernel", `"${kernelVersion}"`]), notes.push(`kernel ${kernel}`);
  else missing("kernel", "/proc/sys/kernel/osrelease");

  const qemu = src.qemuVersion?.(arch ?? "x86_64");
  const qemuVersion = qemu && /version (\d+\.\d+)/.exec(qemu)?.[1];
  if (qemuVersion) attrs.push(["qemu", `"${qemuVersion}"`]), notes.push(qemu!);
  else unreadable.push(`qemu: ${src.qemuVersion ? `qemu-system-${arch ?? "x86_64"} --version did not run` : "not probed under --root"}`);

  const cpuinfo = src.read("/proc/cpuinfo");
  const physBits = cpuinfo && /address sizes\s*:\s*(\d+) bits physical/.exec(cpuinfo)?.[1];
  if (physBits) attrs.push(["phys-bits", physBits]);
  else missing("phys-bits", "/proc/cpuinfo (address sizes)");

  const meminfo = src.read("/proc/meminfo");
  const memTotal = meminfo && /^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1];
  if (memTotal) attrs.push(["memory", size(Math.floor(Number(memTotal) / 1024) * 1024 * 1024)]), notes.push(`MemTotal ${memTotal} kB, rounded down to whole MiB`);
  else missing("memory", "/proc/meminfo");

  const limits = src.read("/proc/self/limits");
  const memlock = limits && /^Max locked memory\s+(\S+)/m.exec(limits)?.[1];
  if (memlock === "unlimited") attrs.push(["memlock", "unlimited"]);
  else if (memlock && /^\d+$/.test(memlock)) attrs.push(["memlock", size(Number(memlock))]);
  else missing("memlock", "/proc/self/limits (Max locked memory)");

  // The IOMMU: vendor from the sysfs class device names, Intel's capabilities decoded.
  const units = src.list("/sys/class/iommu");
  if (units === undefined || units.length === 0) unreadable.push("iommu: no units in /sys/class/iommu (no IOMMU, or it is off)");
  else {
    const dmar = units.find((u) => u.startsWith("dmar"));
    const ivhd = units.find((u) => u.startsWith("ivhd"));
    if (dmar) {
      iommu.push(["vendor", "intel-vtd"]);
      const cap = firstLine(src.read(`/sys/class/iommu/${dmar}/intel-iommu/cap`));
      const ecap = firstLine(src.read(`/sys/class/iommu/${dmar}/intel-iommu/ecap`));
      if (cap && ecap && /^[0-9a-f]+$/i.test(cap) && /^[0-9a-f]+$/i.test(ecap)) {
        const decoded = decodeIntelIommu(BigInt("0x" + cap), BigInt("0x" + ecap));
        iommu.push(["page-sizes", `[${decoded.pageSizes.join(", ")}]`], ["address-width", String(decoded.addressWidth)], ["interrupt-remapping", decoded.interruptRemapping ? "on" : "off"]);
        notes.push(`${dmar}: cap ${cap} ecap ${ecap} (of ${units.length} unit${units.length === 1 ? "" : "s"})`);
      } else missing("iommu capabilities", `/sys/class/iommu/${dmar}/intel-iommu/cap and ecap`);
    } else if (ivhd) iommu.push(["vendor", "amd-vi"]), notes.push("AMD-Vi: page sizes and address width are the vendor's defaults");
    else if (units.some((u) => /smmu/.test(u))) iommu.push(["vendor", "smmuv3"]);
    else unreadable.push(`iommu: units ${units.join(", ")} of an unknown vendor`);
  }
  // Reserved IOVA regions: the union over the IOMMU groups (Linux iommu_get_group_resv_regions()).
  const reserved = new Map<string, [bigint, bigint, string]>();
  const groups = src.list("/sys/kernel/iommu_groups");
  for (const group of groups ?? []) {
    const text = src.read(`/sys/kernel/iommu_groups/${group}/reserved_regions`);
    for (const line of (text ?? "").split("\n")) {
      const m = /^0x([0-9a-f]+) 0x([0-9a-f]+) (\S+)/i.exec(line.trim());
      // vfio_iommu_type1 does not exclude relaxable direct mappings from the IOVA space
      // (drivers/vfio/vfio_iommu_type1.c vfio_iommu_resv_exclude()).
      if (m && m[3] === "direct-relaxable") notes.push(`direct-relaxable 0x${m[1]}..0x${m[2]} ignored, as VFIO does`);
      else if (m) reserved.set(`${m[1]}-${m[2]}`, [BigInt("0x" + m[1]), BigInt("0x" + m[2]) + 1n, m[3]]);
    }
  }
  if (groups === undefined) missing("reserved IOVA regions", "/sys/kernel/iommu_groups");
  const kinds = new Map<string, number>();
  const reservedLines = [...reserved.values()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([start, end, type]) => {
      const n = kinds.get(type) ?? 0;
      kinds.set(type, n + 1);
      return `reserved ${identifier(type, "region")}${n === 0 ? "" : n} = 0x${start.toString(16)} .. 0x${end.toString(16)}`;
    });

  const vfioLimit = firstLine(src.read("/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"));
  const iommufd = src.read("/sys/module/iommufd/initstate") !== undefined || src.list("/sys/module/iommufd") !== undefined;
  const vfio: Attr[] = [];
  if (vfioLimit && /^\d+$/.test(vfioLimit)) vfio.push(["dma-entry-limit", vfioLimit]);
  else missing("dma-entry-limit", "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit (vfio_iommu_type1 not loaded?)");
  notes.push(`iommufd ${iommufd ? "available (/sys/module/iommufd)" : "not loaded (/sys/module/iommufd absent)"}`);

  const pools: [string, number][] = [];
  const hugeDirs = src.list("/sys/kernel/mm/hugepages");
  for (const dir of hugeDirs ?? []) {
    const kb = /^hugepages-(\d+)kB$/.exec(dir)?.[1];
    const free = firstLine(src.read(`/sys/kernel/mm/hugepages/${dir}/free_hugepages`));
    if (kb && free && /^\d+$/.test(free) && Number(free) > 0) pools.push([size(Number(kb) * 1024), Number(free)]);
  }
  if (hugeDirs === undefined) missing("hugepages", "/sys/kernel/mm/hugepages");

  const hostname = identifier(firstLine(src.read("/proc/sys/kernel/hostname")) ?? "this-host", "this-host");
  // The host block, through the design writer (formatting, comments); then the blocks it has no slot for.
  const body = designText({ source: `Probed by vmtopo (${notes.join("; ")}).`, vm: { name: "x", attrs: [], devices: [] }, host: { name: hostname, attrs, iommu, hugepages: pools }, unmodelled: unreadable, notes: [], unmodelledHeading: "Not read (the language's defaults apply):" });
  const hostOnly = insertBlocks(body.slice(0, body.indexOf("\nvm x")).trimEnd() + "\n", reservedLines, vfio);
  return { text: format(hostOnly).text ?? hostOnly, unreadable };
}

/** Adds `reserved` lines to the iommu block and a `vfio { }` block before the host's closing brace. */
function insertBlocks(text: string, reserved: string[], vfio: Attr[]): string {
  let out = text;
  if (reserved.length > 0) {
    if (/^ {2}iommu \{$/m.test(out)) out = out.replace(/^( {2}iommu \{\n(?: {4}.*\n)*)( {2}\})$/m, (_m, head: string, close: string) => `${head}${reserved.map((r) => `    ${r}\n`).join("")}${close}`);
    else out = out.replace(/\n\}\n$/, `\n  iommu {\n${reserved.map((r) => `    ${r}\n`).join("")}  }\n}\n`);
  }
  if (vfio.length > 0) out = out.replace(/\n\}\n$/, `\n  vfio {\n${vfio.map(([k, v]) => `    ${k} = ${v}\n`).join("")}  }\n}\n`);
  return out;
}
