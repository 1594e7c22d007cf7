// Real QEMU as an oracle (/work/shared/guides/qemu-oracle.md): runs `qemu-system-x86_64` for one
// configuration under TCG, paused (-S), with no guest image, and returns either the flat view
// of the system address space (`info mtree -f`, RAM and ROM lines) or QEMU's error message.
//
// Synchronisation without sleeps: the monitor is on stdio; we wait for its first "(qemu)"
// prompt before sending `info mtree -f`, wait for the prompt that follows the dump before
// sending `quit`, then wait for the process to exit. A configuration QEMU refuses exits with
// status 1 and its message on stderr before the main loop reads any command (the first prompt
// may already be printed: the monitor exists before devices are realized). Every run is
// bounded by a timeout.
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseFlatView, type FlatSection } from "../../server/src/engine/interop/live";

// The flat view is read by the engine's own parser (`vmtopo live` uses it too).
export { parseFlatView, type FlatSection };

export const QEMU_BINARY = process.env.VMTOPO_QEMU ?? "qemu-system-x86_64";
export const QEMU_AARCH64_BINARY = process.env.VMTOPO_QEMU_AARCH64 ?? "qemu-system-aarch64";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** A memory backend: `memory-backend-ram` (default), `-memfd` (hugetlb with a huge page size) or `-file` on tmpfs. */
export interface BackendConfig {
  kind?: "ram" | "memfd" | "file";
  /** hugetlb page size (memfd only) */
  hugePageSize?: number;
  prealloc?: boolean;
}

export interface DimmConfig {
  size: number;
  memaddr?: number;
  node?: number;
  backend?: BackendConfig;
}

export interface NumaNodeConfig {
  id: number;
  /** 0: a node without memory (no memdev) */
  memory: number;
}

export interface VirtioMemConfig {
  /** memory backend size (bytes) */
  size: number;
  /** block-size property; QEMU's default when absent */
  blockSize?: number;
  /** requested-size property (bytes), default 0 */
  requested?: number;
  /** memaddr property (guest-physical base) */
  memaddr?: number;
  node?: number;
  backend?: BackendConfig;
  dynamicMemslots?: boolean;
  unpluggedInaccessible?: boolean;
}

export interface QemuConfig {
  machine: "q35" | "pc" | "virt";
  /** boot RAM (bytes) */
  memory: number;
  maxmem?: number;
  slots?: number;
  /** -machine max-ram-below-4g= */
  maxRamBelow4g?: number;
  /**
   * x86: -cpu qemu64,phys-bits=N (TCG's qemu64 has 40 by default). virt: the CPU model with
   * that address size (Arm CPUs have no phys-bits property; default cortex-a57, 44 bits).
   */
  physBits?: number;
  /** virt's highmem (default on) */
  highmem?: boolean;
  /** boot RAM's backend type, when not plain anonymous RAM */
  bootBackendKind?: BackendConfig;
  numa?: NumaNodeConfig[];
  dimms?: DimmConfig[];
  /** -cpu qemu64,vendor=...: qemu64 is AuthenticAMD unless told otherwise */
  cpuVendor?: "amd" | "intel";
  /** virtio-mem-pci devices, each with its own memory-backend-ram (reserve=off), ids m0/vm0, m1/vm1, ... */
  virtioMem?: VirtioMemConfig[];
  /**
   * Boot RAM as `-object memory-backend-ram,id=pc.ram,...,reserve=off -machine memory-backend=pc.ram`
   * (needed when it is larger than this machine's RAM). Default: above 4 GiB.
   */
  bootBackend?: boolean;
}

export type QemuResult =
  | { ok: true; sections: FlatSection[]; warnings: string[]; command: string; replies: MonitorReply[] }
  | { ok: false; error: string; stderr: string; command: string };

/** 4294967296 → "4G"; 2952790016 → "2816M"; anything else in bytes with QEMU's "B" suffix. */
export function qemuSize(n: number): string {
  if (n === 0) return "0";
  for (const [unit, scale] of [["T", 1024 * GiB], ["G", GiB], ["M", MiB], ["K", KiB]] as const) {
    if (n >= scale && n % scale === 0) return `${n / scale}${unit}`;
  }
  return `${n}B`;
}

/** Arm CPU models by physical address size (ID_AA64MMFR0.PARange), for `virt`. */
export const ARM_CPU_BY_PA_BITS: Readonly<Record<number, string>> = { 40: "cortex-a53", 44: "cortex-a57", 48: "neoverse-n1", 52: "max" };

/** `-m` rounded as machine_set_mem() does: a boot RAM backend must have that size. */
const ramSize = (memory: number) => Math.ceil(memory / 8192) * 8192;

/**
 * `-object memory-backend-…`. Large backends get reserve=off (this machine cannot hold
 * them); prealloc=on cannot be combined with it, so preallocated backends stay small.
 */
function backendObject(id: string, size: number, backend: BackendConfig = {}): string {
  const kind = backend.kind ?? "ram";
  const props = [`memory-backend-${kind}`, `id=${id}`, `size=${qemuSize(size)}`];
  if (kind === "memfd" && backend.hugePageSize !== undefined) props.push("hugetlb=on", `hugetlbsize=${qemuSize(backend.hugePageSize)}`);
  // A directory: QEMU creates its file there and unlinks it at once, so nothing is left behind.
  if (kind === "file") props.push(`mem-path=${tmpdir()}`, "share=on");
  if (backend.prealloc) props.push("prealloc=on");
  else props.push("reserve=off");
  return props.join(",");
}

let dummyFirmware: string | undefined;
/** virt creates its ACPI GED (needed for DIMMs) only with firmware; an empty image is enough for -S. */
function dummyBios(): string {
  if (!dummyFirmware) {
    dummyFirmware = join(tmpdir(), `vmtopo-oracle-bios-${process.pid}.bin`);
    writeFileSync(dummyFirmware, Buffer.alloc(64 * KiB));
  }
  return dummyFirmware;
}

export function binaryFor(config: QemuConfig): string {
  return config.machine === "virt" ? QEMU_AARCH64_BINARY : QEMU_BINARY;
}

export function qemuArgs(config: QemuConfig): string[] {
  const virt = config.machine === "virt";
  const args = ["-machine", virt && config.highmem === false ? "virt,highmem=off" : config.machine, "-accel", "tcg"];
  const numa = config.numa ?? [];
  const bootId = virt ? "mach-virt.ram" : "pc.ram";
  const bootBackend = numa.length === 0 && (config.bootBackend ?? (config.memory > 4 * GiB || config.bootBackendKind !== undefined));
  if (bootBackend) args.push("-object", backendObject(bootId, ramSize(config.memory), config.bootBackendKind), "-machine", `memory-backend=${bootId}`);
  numa.forEach((node, i) => {
    if (node.memory > 0) args.push("-object", backendObject(`n${i}`, node.memory, config.bootBackendKind), "-numa", `node,nodeid=${node.id},memdev=n${i}`);
    else args.push("-numa", `node,nodeid=${node.id}`);
  });
  if (config.maxRamBelow4g !== undefined) args.push("-machine", `max-ram-below-4g=${qemuSize(config.maxRamBelow4g)}`);
  let m = qemuSize(config.memory);
  if (config.slots !== undefined) m += `,slots=${config.slots}`;
  if (config.maxmem !== undefined) m += `,maxmem=${qemuSize(config.maxmem)}`;
  args.push("-m", m);
  if (virt) {
    args.push("-cpu", ARM_CPU_BY_PA_BITS[config.physBits ?? 44]);
    if ((config.dimms ?? []).length > 0) args.push("-bios", dummyBios());
  } else {
    const cpuProps: string[] = [];
    if (config.cpuVendor === "intel") cpuProps.push("vendor=GenuineIntel");
    if (config.cpuVendor === "amd") cpuProps.push("vendor=AuthenticAMD");
    if (config.physBits !== undefined) cpuProps.push(`phys-bits=${config.physBits}`);
    if (cpuProps.length > 0) args.push("-cpu", ["qemu64", ...cpuProps].join(","));
  }
  (config.virtioMem ?? []).forEach((d, i) => {
    args.push("-object", backendObject(`m${i}`, d.size, d.backend));
    let device = `virtio-mem-pci,id=vm${i},memdev=m${i}`;
    if (d.blockSize !== undefined) device += `,block-size=${qemuSize(d.blockSize)}`;
    device += `,requested-size=${qemuSize(d.requested ?? 0)}`;
    if (d.memaddr !== undefined) device += `,memaddr=0x${d.memaddr.toString(16)}`;
    if (d.node !== undefined) device += `,node=${d.node}`;
    if (d.dynamicMemslots !== undefined) device += `,dynamic-memslots=${d.dynamicMemslots ? "on" : "off"}`;
    if (d.unpluggedInaccessible !== undefined) device += `,unplugged-inaccessible=${d.unpluggedInaccessible ? "on" : "off"}`;
    args.push("-device", device);
  });
  (config.dimms ?? []).forEach((d, i) => {
    args.push("-object", backendObject(`d${i}`, d.size, d.backend));
    let device = `pc-dimm,id=dimm${i},memdev=d${i}`;
    if (d.memaddr !== undefined) device += `,addr=0x${d.memaddr.toString(16)}`;
    if (d.node !== undefined) device += `,node=${d.node}`;
    args.push("-device", device);
  });
  args.push("-nodefaults", ...PAUSED_WITH_MONITOR);
  return args;
}

/** What runQemuArgv needs at the end of a command line: paused, no display, the monitor on stdio. */
export const PAUSED_WITH_MONITOR = ["-nographic", "-S", "-monitor", "stdio"];

const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function commandLine(config: QemuConfig): string {
  return [binaryFor(config), ...qemuArgs(config)].map(shellQuote).join(" ");
}

/** Is QEMU here? `{ ok: false, reason }` says why not (for a test's skip message). */
export function qemuAvailable(binary = QEMU_BINARY): { ok: true; version: string } | { ok: false; reason: string } {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (probe.error) return { ok: false, reason: `${binary} not installed: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, reason: `${binary} --version failed (exit ${probe.status}): ${probe.stderr.trim()}` };
  const version = /version (\d+\.\d+(?:\.\d+)?)/.exec(probe.stdout)?.[1] ?? probe.stdout.split("\n")[0];
  return { ok: true, version };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * QEMU's error from its stderr: the first line that is not a warning, without the
 * "qemu-system-x86_64: " prefix and without the "-device ...: " (or -object, -m, ...) prefix
 * naming the option at fault.
 */
export function parseError(stderr: string): string {
  const lines = stderr.replace(/\r/g, "").split("\n").filter((l) => l.trim() !== "");
  const line = lines.find((l) => !/(^|: )warning: /.test(l)) ?? lines[0] ?? "";
  return stripPrefixes(line);
}

function stripPrefixes(line: string): string {
  return line.replace(/^[^\s:]*qemu-system-[\w-]+: /, "").replace(/^-[\w-]+ \S*?: /, "");
}

function parseWarnings(stderr: string): string[] {
  return stderr
    .replace(/\r/g, "")
    .split("\n")
    .filter((l) => /(^|: )warning: /.test(l))
    .map((l) => stripPrefixes(l).replace(/^warning: /, ""));
}

export interface RunOptions {
  /** kill QEMU after this long (ms); default 30 s */
  timeoutMs?: number;
  /** HMP commands run one after the other on the paused machine (e.g. `qom-set vm0 requested-size 1073741824`), before the flat view */
  monitorCommands?: readonly string[];
}

/** What the monitor answered to one command: QEMU's error ("Error: …" without the prefix), if any. */
export interface MonitorReply {
  command: string;
  error?: string;
}

/** The monitor's answer between the echo of a command and the next prompt. */
function parseReply(command: string, segment: string): MonitorReply {
  const lines = segment.replace(ANSI, "").replace(/\r/g, "").split("\n").slice(1).map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => l.startsWith("Error: "));
  return error ? { command, error: error.slice("Error: ".length) } : { command };
}

/** Runs QEMU for one configuration: its flat view, or its error. Rejects on a timeout or a crash. */
export function runQemu(config: QemuConfig, options: RunOptions = {}): Promise<QemuResult> {
  return runQemuArgv(qemuArgs(config), { ...options, binary: binaryFor(config) });
}

/**
 * Runs QEMU with these arguments (which must end with PAUSED_WITH_MONITOR): its flat view,
 * or its error. Rejects on a timeout or a crash.
 */
export function runQemuArgv(args: string[], options: RunOptions & { binary?: string } = {}): Promise<QemuResult> {
  const binary = options.binary ?? QEMU_BINARY;
  const command = [binary, ...args].map(shellQuote).join(" ");
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let stage: "starting" | "commanding" | "dumping" | "quitting" = "starting";
    let dumpFrom = 0;
    const pending = [...(options.monitorCommands ?? [])];
    const replies: MonitorReply[] = [];
    let replyFrom = 0;
    const nextCommand = () => {
      const next = pending.shift();
      if (next !== undefined) {
        stage = "commanding";
        replyFrom = stdout.length;
        send(next);
        replies.push({ command: next });
      } else {
        stage = "dumping";
        dumpFrom = stdout.length;
        send("info mtree -f");
      }
    };
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new Error(`QEMU timed out after ${timeoutMs} ms (stage ${stage}): ${command}\nstdout:\n${stdout}\nstderr:\n${stderr}`)));
    }, timeoutMs);
    const send = (line: string) => {
      if (!child.stdin.destroyed) child.stdin.write(line + "\n");
    };
    child.stdin.on("error", () => {
      // QEMU exited before reading: its exit handler reports why.
    });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (stage === "starting" && stdout.includes("(qemu)")) {
        nextCommand();
      } else if (stage === "commanding") {
        const prompt = stdout.indexOf("(qemu)", replyFrom);
        if (prompt >= 0) {
          const last = replies.length - 1;
          replies[last] = parseReply(replies[last].command, stdout.slice(replyFrom, prompt));
          nextCommand();
        }
      } else if (stage === "dumping") {
        // The prompt that follows the dump: the command has run to its end.
        const after = stdout.slice(dumpFrom);
        const flat = after.indexOf("FlatView #");
        if (flat >= 0 && after.indexOf("(qemu)", flat) >= 0) {
          stage = "quitting";
          send("quit");
          child.stdin.end();
        }
      }
    });
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (error) => finish(() => reject(new Error(`cannot run ${binary}: ${error.message}`))));
    child.on("close", (code, signal) =>
      finish(() => {
        if (stage === "quitting" && code === 0) {
          try {
            resolve({ ok: true, sections: parseFlatView(stdout), warnings: parseWarnings(stderr), command, replies });
          } catch (error) {
            reject(error);
          }
        } else if (code !== 0 && code !== null && signal === null && parseError(stderr) !== "") {
          // A refused configuration: QEMU may print its first prompt before realizing devices,
          // but it exits with its message before the main loop reads any command.
          resolve({ ok: false, error: parseError(stderr), stderr, command });
        } else {
          reject(new Error(`QEMU ended unexpectedly (exit ${code}, signal ${signal}, stage ${stage}): ${command}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }
      }),
    );
  });
}

/** Maps `items` through `fn` with at most `limit` calls at a time; results in the order of `items`. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
