// `vmtopo probe`, the pure half: decodes what a Linux host exposes in sysfs and procfs (read by
// server/src/cli/probe.ts) and writes it as a `host` block of the language. Every fact that
// could not be read becomes a comment that says why, so the block is always usable.
import { format } from "../../../../grammar/src/index";
import { hex, sizeLiteral } from "../format";
import { parseVersion } from "../version";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** A fact read from the host, or the reason it could not be (shown as a comment). */
export type Probed<T> = { value: T } | { missing: string };

const bit = (value: bigint, shift: number, mask = 1): number => Number((value >> BigInt(shift)) & BigInt(mask));

export interface IommuUnitCaps {
  name: string;
  /** page sizes Linux maps with on this unit, ascending */
  pageSizes: number[];
  /** IOVA width of the domains Linux builds on this unit */
  addressWidth: number;
  interruptRemapping: boolean | null;
  /** one line on how the values were decoded, for the comment above the block */
  decoded: string;
}

/**
 * Intel VT-d capability and extended capability registers, as
 * /sys/class/iommu/dmarN/intel-iommu/{cap,ecap} print them (hex, no 0x). Field positions are
 * Linux's drivers/iommu/intel/iommu.h macros (and cap_audit.h masks), from the VT-d spec §11.4.2/3:
 * cap_super_page_val (SLLPS, bits 37:34: bit 0 = 2 MiB, bit 1 = 1 GiB), cap_mgaw (bits 21:16, +1),
 * cap_fl1gp_support (bit 56), cap_fl5lp_support (bit 60); ecap_ir_support (bit 3),
 * ecap_smts (bit 43, scalable mode), ecap_flts (bit 47, first-stage translation).
 *
 * Which table Linux uses: drivers/iommu/intel/iommu.c, intel_iommu_domain_alloc_paging_flags()
 * ("Prefer first stage if possible by default", Linux 6.15+): first-stage tables when the unit
 * is in scalable mode and supports them (4K, 2M, and 1G when FL1GP; 48 or, with FL5LP, 57
 * bits), else second-stage tables (4K plus the SLLPS sizes; MGAW bits). A VFIO container that
 * asks for dirty tracking gets a second-stage domain; the comment above the block gives both.
 */
export function decodeIntelVtd(name: string, cap: bigint, ecap: bigint): IommuUnitCaps {
  const sllps = bit(cap, 34, 0xf);
  const mgaw = bit(cap, 16, 0x3f) + 1;
  const fl1gp = bit(cap, 56) === 1;
  const fl5lp = bit(cap, 60) === 1;
  const scalable = bit(ecap, 43) === 1;
  const firstStage = bit(ecap, 47) === 1;
  const secondStageSizes = [4 * KiB, ...(sllps & 1 ? [2 * MiB] : []), ...(sllps & 2 ? [GiB] : [])];
  const secondStage = `second-stage ${secondStageSizes.map(sizeLiteral).join("/")}, MGAW ${mgaw}`;
  const useFirst = scalable && firstStage;
  const firstSizes = [4 * KiB, 2 * MiB, ...(fl1gp ? [GiB] : [])];
  const firstWidth = fl5lp ? 57 : 48;
  const first = `first-stage ${firstSizes.map(sizeLiteral).join("/")}, ${fl5lp ? "5" : "4"}-level (${firstWidth} bits)`;
  return {
    name,
    pageSizes: useFirst ? firstSizes : secondStageSizes,
    addressWidth: useFirst ? firstWidth : mgaw,
    interruptRemapping: bit(ecap, 3) === 1,
    decoded: `${name}: cap ${cap.toString(16)} ecap ${ecap.toString(16)}: ${scalable ? "scalable mode" : "legacy mode"}; ${secondStage}${firstStage ? `; ${first}` : ""}; Linux uses the ${useFirst ? "first" : "second"}-stage table`,
  };
}

/**
 * AMD-Vi: /sys/class/iommu/ivhdN/amd-iommu/cap (the PCI capability header) and features (the
 * Extended Feature Register; Linux ≥ 6.7 prints "EFR:EFR2"). Linux's
 * drivers/iommu/amd/amd_iommu_types.h: FEATURE_HATS = bits 11:10 (host page-table levels − 4),
 * FEATURE_GT = bit 4 (guest translation, the v2 table). The default v1 table
 * (drivers/iommu/amd/io_pgtable.c, AMD_IOMMU_PGSIZES) maps every power of two from 4 KiB up
 * except 512 GiB, which is the language's amd-vi default, so no page-sizes are written.
 */
export function decodeAmdVi(name: string, cap: bigint, efr: bigint): IommuUnitCaps {
  const hats = bit(efr, 10, 3);
  const levels = hats === 3 ? 4 : hats + 4; // 3 is reserved; Linux falls back to 4 levels
  const width = Math.min(12 + 9 * levels, 64);
  return {
    name,
    pageSizes: [],
    addressWidth: width,
    interruptRemapping: null,
    decoded: `${name}: cap ${cap.toString(16)} features ${efr.toString(16)}: HATS ${hats} (${levels}-level host table, ${width} bits); guest translation ${bit(efr, 4) ? "yes" : "no"}`,
  };
}

/** One line of /sys/kernel/iommu_groups/N/reserved_regions: "0x00000000fee00000 0x00000000feefffff msi". */
export interface ReservedRegion {
  start: number;
  /** exclusive (sysfs prints the last byte) */
  end: number;
  type: string;
}

export function parseReservedRegions(text: string): ReservedRegion[] {
  const regions: ReservedRegion[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+([\w-]+)\s*$/i.exec(line);
    if (m) regions.push({ start: Number.parseInt(m[1], 16), end: Number.parseInt(m[2], 16) + 1, type: m[3] });
  }
  return regions;
}

/** The regions of all groups, merged per type (overlapping or touching ranges join), sorted. */
export function mergeReservedRegions(regions: ReservedRegion[]): ReservedRegion[] {
  const byType = new Map<string, ReservedRegion[]>();
  for (const r of regions) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  const merged: ReservedRegion[] = [];
  for (const [type, list] of byType) {
    list.sort((a, b) => a.start - b.start);
    let current: ReservedRegion | undefined;
    for (const r of list) {
      if (current && r.start <= current.end) current.end = Math.max(current.end, r.end);
      else merged.push((current = { ...r, type }));
    }
  }
  return merged.sort((a, b) => a.start - b.start || a.type.localeCompare(b.type));
}

export interface ProbedHost {
  /** where the facts were read: "/" or the --root directory */
  root: string;
  hostname: string;
  arch: Probed<string>;
  kernel: Probed<string>;
  qemu: Probed<string>;
  physBits: Probed<number>;
  memoryBytes: Probed<number>;
  /** RLIMIT_MEMLOCK (soft) in bytes, or null for unlimited */
  memlock: Probed<number | null>;
  iommu: Probed<{ vendor: "intel-vtd" | "amd-vi" | "smmuv3"; units: IommuUnitCaps[] }>;
  reserved: Probed<ReservedRegion[]>;
  dmaEntryLimit: Probed<number>;
  iommufd: Probed<string>;
  /** free huge pages per page size (bytes) */
  hugepages: Probed<{ pageSize: number; free: number }[]>;
}

const comment = (text: string) => `// ${text.replace(/\n/g, " ")}`;
const missing = (what: string, p: { missing: string }) => comment(`${what}: not read (${p.missing})`);

/** A name of the language (letters, digits, _ and -, starting with a letter or _). */
export function hostName(raw: string): string {
  const name = raw.trim().replace(/[^A-Za-z0-9_-]/g, "-").replace(/^[^A-Za-z_]+/, "");
  return name === "" ? "probed" : name;
}

/** "6.18.44-fc-v669" → "6.18.44"; "QEMU emulator version 7.2.22 (Debian …)" → "7.2.22". */
export function versionIn(text: string): string | null {
  const m = /(\d+\.\d+(?:\.\d+)?)/.exec(text);
  return m && parseVersion(m[1]) ? m[1] : null;
}

/** The `host` block, formatted by the project's formatter. */
export function hostBlock(host: ProbedHost): string {
  const top: string[] = [comment(`Probed by vmtopo probe from ${host.root}. Values the probe could not read are comments; the language's defaults apply to them.`)];
  const body: string[] = [];
  const item = <T>(what: string, p: Probed<T>, line: (value: T) => string | string[]) => {
    if ("missing" in p) body.push(missing(what, p));
    else body.push(...[line(p.value)].flat());
  };
  item("arch", host.arch, (v) => (v === "x86_64" || v === "aarch64" ? `arch = ${v}` : comment(`arch ${v} is not one the language models`)));
  item("kernel", host.kernel, (v) => {
    const version = versionIn(v);
    return version ? [comment(`uname -r: ${v}`), `kernel = "${version}"`] : comment(`kernel: no version in "${v}"`);
  });
  item("qemu", host.qemu, (v) => {
    const version = versionIn(v);
    return version ? [comment(v.split("\n")[0]), `qemu = "${version}"`] : comment(`qemu: no version in "${v.split("\n")[0]}"`);
  });
  item("phys-bits", host.physBits, (v) => (v >= 32 && v <= 64 ? `phys-bits = ${v}` : comment(`phys-bits ${v} out of range`)));
  item("memory", host.memoryBytes, (v) => [comment("MemTotal of /proc/meminfo"), `memory = ${sizeLiteral(v)}`]);
  item("memlock", host.memlock, (v) => [comment("RLIMIT_MEMLOCK of the probe's own process (soft limit): QEMU's may differ"), `memlock = ${v === null ? "unlimited" : sizeLiteral(v)}`]);

  const iommu: string[] = [];
  if ("missing" in host.iommu) {
    body.push(missing("IOMMU", host.iommu));
  } else {
    const { vendor, units } = host.iommu.value;
    iommu.push(`vendor = ${vendor}`);
    for (const u of units) iommu.push(comment(u.decoded));
    const withSizes = units.filter((u) => u.pageSizes.length > 0);
    if (withSizes.length > 0) {
      // A container spans every unit its devices sit behind: only the sizes all of them map.
      const common = withSizes[0].pageSizes.filter((s) => withSizes.every((u) => u.pageSizes.includes(s)));
      iommu.push(`page-sizes = [${common.map(sizeLiteral).join(", ")}]`);
    }
    if (units.length > 0) iommu.push(`address-width = ${Math.min(...units.map((u) => u.addressWidth))}`);
    const ir = units.map((u) => u.interruptRemapping).filter((v): v is boolean => v !== null);
    if (ir.length > 0) iommu.push(`interrupt-remapping = ${ir.every(Boolean) ? "on" : "off"}`);
  }
  if ("missing" in host.reserved) {
    iommu.push(missing("reserved regions", host.reserved));
  } else if (host.reserved.value.length > 0) {
    iommu.push(comment("reserved_regions of every IOMMU group, merged per type"));
    const seen = new Map<string, number>();
    for (const r of host.reserved.value) {
      const base = r.type === "msi" ? "msi" : r.type.replace(/[^A-Za-z0-9_-]/g, "-");
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      iommu.push(`reserved ${n === 1 ? base : `${base}-${n}`} = ${hex(r.start)} .. ${hex(r.end)}`);
    }
  }
  if (iommu.length > 0) body.push("iommu {", ...iommu, "}");

  item("iommufd", host.iommufd, (v) => comment(`iommufd: ${v}`));
  if ("missing" in host.dmaEntryLimit) body.push(missing("vfio_iommu_type1.dma_entry_limit", host.dmaEntryLimit));
  else body.push("vfio {", "backend = type1", `dma-entry-limit = ${host.dmaEntryLimit.value}`, "}");

  if ("missing" in host.hugepages) body.push(missing("hugepages", host.hugepages));
  else {
    const pools = host.hugepages.value.filter((p) => ["2M", "1G"].includes(sizeLiteral(p.pageSize)));
    const others = host.hugepages.value.filter((p) => !pools.includes(p));
    for (const p of others) body.push(comment(`hugepages-${p.pageSize / KiB}kB: ${p.free} free (a size the language does not pool)`));
    if (pools.length > 0) body.push(comment("free_hugepages of each pool"), "hugepages {", ...pools.map((p) => `${sizeLiteral(p.pageSize)} = ${p.free}`), "}");
  }
  const text = [...top, `host ${hostName(host.hostname)} {`, ...body, "}", ""].join("\n");
  const formatted = format(text);
  // The block is built from checked pieces; a syntax error here is a bug, shown rather than hidden.
  if (formatted.text === null) throw new Error(`vmtopo probe built an unparsable host block:\n${text}`);
  return formatted.text;
}
