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
import { parseFlatView, type FlatSection } from "../../server/src/engine/interop/flat-view";

export const QEMU_BINARY = process.env.VMTOPO_QEMU ?? "qemu-system-x86_64";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface VirtioMemConfig {
  /** memory backend size (bytes) */
  size: number;
  /** block-size property; QEMU's default when absent */
  blockSize?: number;
  /** requested-size property (bytes), default 0 */
  requested?: number;
  /** memaddr property (guest-physical base) */
  memaddr?: number;
}

export interface QemuConfig {
  machine: "q35" | "pc";
  /** boot RAM (bytes) */
  memory: number;
  maxmem?: number;
  slots?: number;
  /** -machine max-ram-below-4g= */
  maxRamBelow4g?: number;
  /** -cpu qemu64,phys-bits=N (TCG's qemu64 has 40 by default) */
  physBits?: number;
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

// The flat view's parser is the product's own (`vmtopo live` reads it from a running QEMU).
export { parseFlatView, type FlatSection } from "../../server/src/engine/interop/flat-view";

export type QemuResult =
  | { ok: true; sections: FlatSection[]; warnings: string[]; command: string }
  | { ok: false; error: string; stderr: string; command: string };

/** 4294967296 → "4G"; 2952790016 → "2816M"; anything else in bytes with QEMU's "B" suffix. */
export function qemuSize(n: number): string {
  if (n === 0) return "0";
  for (const [unit, scale] of [["T", 1024 * GiB], ["G", GiB], ["M", MiB], ["K", KiB]] as const) {
    if (n >= scale && n % scale === 0) return `${n / scale}${unit}`;
  }
  return `${n}B`;
}

export function qemuArgs(config: QemuConfig): string[] {
  const args = ["-machine", config.machine, "-accel", "tcg"];
  const bootBackend = config.bootBackend ?? config.memory > 4 * GiB;
  if (bootBackend) {
    args.push("-object", `memory-backend-ram,id=pc.ram,size=${qemuSize(config.memory)},reserve=off`, "-machine", "memory-backend=pc.ram");
  }
  if (config.maxRamBelow4g !== undefined) args.push("-machine", `max-ram-below-4g=${qemuSize(config.maxRamBelow4g)}`);
  let m = qemuSize(config.memory);
  if (config.slots !== undefined) m += `,slots=${config.slots}`;
  if (config.maxmem !== undefined) m += `,maxmem=${qemuSize(config.maxmem)}`;
  args.push("-m", m);
  const cpuProps: string[] = [];
  if (config.cpuVendor === "intel") cpuProps.push("vendor=GenuineIntel");
  if (config.cpuVendor === "amd") cpuProps.push("vendor=AuthenticAMD");
  if (config.physBits !== undefined) cpuProps.push(`phys-bits=${config.physBits}`);
  if (cpuProps.length > 0) args.push("-cpu", ["qemu64", ...cpuProps].join(","));
  (config.virtioMem ?? []).forEach((d, i) => {
    args.push("-object", `memory-backend-ram,id=m${i},size=${qemuSize(d.size)},reserve=off`);
    let device = `virtio-mem-pci,id=vm${i},memdev=m${i}`;
    if (d.blockSize !== undefined) device += `,block-size=${qemuSize(d.blockSize)}`;
    device += `,requested-size=${qemuSize(d.requested ?? 0)}`;
    if (d.memaddr !== undefined) device += `,memaddr=0x${d.memaddr.toString(16)}`;
    args.push("-device", device);
  });
  args.push("-nodefaults", "-nographic", "-S", "-monitor", "stdio");
  return args;
}

const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function commandLine(config: QemuConfig): string {
  return [QEMU_BINARY, ...qemuArgs(config)].map(shellQuote).join(" ");
}

/** Is QEMU here? `{ ok: false, reason }` says why not (for a test's skip message). */
export function qemuAvailable(): { ok: true; version: string } | { ok: false; reason: string } {
  const probe = spawnSync(QEMU_BINARY, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (probe.error) return { ok: false, reason: `${QEMU_BINARY} not installed: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, reason: `${QEMU_BINARY} --version failed (exit ${probe.status}): ${probe.stderr.trim()}` };
  const version = /version (\d+\.\d+(?:\.\d+)?)/.exec(probe.stdout)?.[1] ?? probe.stdout.split("\n")[0];
  return { ok: true, version };
}

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
}

/** Runs QEMU for one configuration: its flat view, or its error. Rejects on a timeout or a crash. */
export function runQemu(config: QemuConfig, options: RunOptions = {}): Promise<QemuResult> {
  const args = qemuArgs(config);
  const command = commandLine(config);
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU_BINARY, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let stage: "starting" | "dumping" | "quitting" = "starting";
    let dumpFrom = 0;
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
        stage = "dumping";
        dumpFrom = stdout.length;
        send("info mtree -f");
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
    child.on("error", (error) => finish(() => reject(new Error(`cannot run ${QEMU_BINARY}: ${error.message}`))));
    child.on("close", (code, signal) =>
      finish(() => {
        if (stage === "quitting" && code === 0) {
          try {
            resolve({ ok: true, sections: parseFlatView(stdout), warnings: parseWarnings(stderr), command });
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
