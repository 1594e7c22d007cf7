// `vmtopo probe [--root DIR]`: the `host` block of the machine it runs on, read from sysfs and
// procfs (or from a tree captured from another machine, with --root). Reading is here; the
// decoding and the block are in engine/interop/host-probe.ts.
import { spawnSync } from "node:child_process";
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import {
  decodeAmdVi,
  decodeIntelVtd,
  hostBlock,
  mergeReservedRegions,
  parseReservedRegions,
  type IommuUnitCaps,
  type Probed,
  type ProbedHost,
  type ReservedRegion,
} from "../engine/interop/host-probe";
import { parseArgs, UsageError, type Io } from "./args";

const MAX_READ = 256 * 1024;

/** A small sysfs/procfs file as text. Non-blocking and regular files only: a FIFO in a captured tree cannot hang the probe. */
function readSmall(path: string): Probed<string> {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return { missing: `${path} is not a regular file` };
    const buffer = Buffer.alloc(MAX_READ);
    let length = 0;
    for (let n = 1; n > 0 && length < MAX_READ; length += n) n = readSync(fd, buffer, length, MAX_READ - length, null);
    return { value: buffer.subarray(0, length).toString("utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { missing: `${path}: ${code === "ENOENT" ? "absent" : code === "EACCES" || code === "EPERM" ? "permission denied" : (code ?? String(error))}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function list(path: string): string[] | null {
  try {
    // Dot files are not sysfs entries: a captured tree keeps its empty directories with a .gitkeep.
    return readdirSync(path).filter((name) => !name.startsWith(".")).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  } catch {
    return null;
  }
}

const map = <T, U>(p: Probed<T>, fn: (value: T) => Probed<U>): Probed<U> => ("missing" in p ? p : fn(p.value));
const trimmed = (p: Probed<string>) => map<string, string>(p, (v) => (v.trim() === "" ? { missing: "empty" } : { value: v.trim() }));

function hexRegister(path: string): Probed<bigint> {
  // Linux ≥ 6.7 prints AMD's features as "EFR:EFR2"; the first field is the register decoded.
  return map<string, bigint>(trimmed(readSmall(path)), (v) => {
    const digits = /^[0-9a-f]+/i.exec(v)?.[0];
    return digits ? { value: BigInt(`0x${digits}`) } : { missing: `${path}: not a hex value` };
  });
}

function probeIommu(root: string): ProbedHost["iommu"] {
  const dir = join(root, "sys/class/iommu");
  const entries = list(dir);
  if (entries === null) return { missing: `${dir} absent: no IOMMU driver` };
  if (entries.length === 0) return { missing: `${dir} is empty: no IOMMU is enabled, VFIO cannot assign devices on this host` };
  const units: IommuUnitCaps[] = [];
  const problems: string[] = [];
  let vendor: "intel-vtd" | "amd-vi" | "smmuv3" | undefined;
  for (const name of entries) {
    const unitDir = join(dir, name);
    if (list(join(unitDir, "intel-iommu")) !== null) {
      vendor = "intel-vtd";
      const cap = hexRegister(join(unitDir, "intel-iommu/cap"));
      const ecap = hexRegister(join(unitDir, "intel-iommu/ecap"));
      if ("value" in cap && "value" in ecap) units.push(decodeIntelVtd(name, cap.value, ecap.value));
      else problems.push(`${name}: ${"missing" in cap ? cap.missing : ""} ${"missing" in ecap ? ecap.missing : ""}`.trim());
    } else if (list(join(unitDir, "amd-iommu")) !== null) {
      vendor = "amd-vi";
      const cap = hexRegister(join(unitDir, "amd-iommu/cap"));
      const features = hexRegister(join(unitDir, "amd-iommu/features"));
      if ("value" in cap && "value" in features) units.push(decodeAmdVi(name, cap.value, features.value));
      else problems.push(`${name}: ${"missing" in cap ? cap.missing : ""} ${"missing" in features ? features.missing : ""}`.trim());
    } else if (/smmu/i.test(name)) {
      vendor = "smmuv3";
    } else {
      problems.push(`${name}: an IOMMU the probe does not know`);
    }
  }
  if (vendor === undefined) return { missing: problems.join("; ") };
  // A unit whose registers cannot be read still shows, as a comment; it takes no part in the figures.
  const unread = problems.map((p) => ({ name: p, pageSizes: [], addressWidth: 64, interruptRemapping: null, decoded: `not decoded: ${p}` }));
  return { value: { vendor, units: [...units, ...unread] } };
}

function probeReserved(root: string): Probed<ReservedRegion[]> {
  const dir = join(root, "sys/kernel/iommu_groups");
  const groups = list(dir);
  if (groups === null) return { missing: `${dir} absent` };
  const regions: ReservedRegion[] = [];
  for (const group of groups) {
    const text = readSmall(join(dir, group, "reserved_regions"));
    if ("value" in text) regions.push(...parseReservedRegions(text.value));
  }
  return { value: mergeReservedRegions(regions) };
}

function probeHugepages(root: string): ProbedHost["hugepages"] {
  const dir = join(root, "sys/kernel/mm/hugepages");
  const pools = list(dir);
  if (pools === null) return { missing: `${dir} absent` };
  const result: { pageSize: number; free: number }[] = [];
  for (const pool of pools) {
    const kb = /^hugepages-(\d+)kB$/.exec(pool);
    const free = trimmed(readSmall(join(dir, pool, "free_hugepages")));
    if (kb && "value" in free && /^\d+$/.test(free.value)) result.push({ pageSize: Number(kb[1]) * 1024, free: Number(free.value) });
  }
  return { value: result.sort((a, b) => a.pageSize - b.pageSize) };
}

function probeQemu(root: string | undefined): Probed<string> {
  // Under --root only files are read: the captured `qemu-system-x86_64 --version` output.
  if (root !== undefined) return trimmed(readSmall(join(root, "qemu-version")));
  const run = spawnSync("qemu-system-x86_64", ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (run.error) return { missing: `qemu-system-x86_64: ${(run.error as NodeJS.ErrnoException).code === "ENOENT" ? "not installed" : run.error.message}` };
  if (run.status !== 0) return { missing: `qemu-system-x86_64 --version exited with ${run.status}` };
  return { value: run.stdout.trim() };
}

/** Reads every fact from `root` ("/" for this machine). */
export function probeHost(rootOption: string | undefined): ProbedHost {
  const root = rootOption ?? "/";
  const at = (path: string) => join(root, path);
  const limits = readSmall(at("proc/self/limits"));
  const meminfo = readSmall(at("proc/meminfo"));
  const cpuinfo = readSmall(at("proc/cpuinfo"));
  const iommufd = [at("dev/iommu"), at("sys/module/iommufd")].filter(exists);
  const hostname = trimmed(readSmall(at("proc/sys/kernel/hostname")));
  return {
    root,
    hostname: "value" in hostname ? hostname.value : "probed",
    arch: trimmed(readSmall(at("proc/sys/kernel/arch"))),
    kernel: trimmed(readSmall(at("proc/sys/kernel/osrelease"))),
    qemu: probeQemu(rootOption),
    physBits: map<string, number>(cpuinfo, (v) => {
      const m = /address sizes\s*:\s*(\d+) bits physical/.exec(v);
      return m ? { value: Number(m[1]) } : { missing: "no 'address sizes' line in /proc/cpuinfo" };
    }),
    memoryBytes: map<string, number>(meminfo, (v) => {
      const m = /^MemTotal:\s+(\d+) kB/m.exec(v);
      return m ? { value: Number(m[1]) * 1024 } : { missing: "no MemTotal line in /proc/meminfo" };
    }),
    memlock: map<string, number | null>(limits, (v) => {
      const m = /^Max locked memory\s+(\S+)\s+\S+\s+bytes/m.exec(v);
      if (!m) return { missing: "no 'Max locked memory' line in /proc/self/limits" };
      return m[1] === "unlimited" ? { value: null } : /^\d+$/.test(m[1]) ? { value: Number(m[1]) } : { missing: `'${m[1]}' is not a number of bytes` };
    }),
    iommu: probeIommu(root),
    reserved: probeReserved(root),
    dmaEntryLimit: map<string, number>(trimmed(readSmall(at("sys/module/vfio_iommu_type1/parameters/dma_entry_limit"))), (v) =>
      /^\d+$/.test(v) ? { value: Number(v) } : { missing: `'${v}' is not a number` },
    ),
    iommufd: iommufd.length > 0 ? { value: `available (${iommufd.map((p) => p.slice(root.length).replace(/^\/?/, "/")).join(", ")}); QEMU uses it with -object iommufd` } : { value: "not available (no /dev/iommu, no iommufd module)" },
    hugepages: probeHugepages(root),
  };
}

/** Present as any kind of file (/dev/iommu is a character device; a captured tree has a plain file). */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export async function runProbe(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, ["root"], []);
  if (files.length > 0) throw new UsageError("probe takes no FILE");
  const root = options.get("root") as string | undefined;
  if (root !== undefined && list(root) === null) throw new UsageError(`--root ${root} is not a readable directory`);
  io.out(hostBlock(probeHost(root)));
  return 0;
}
