// Real libvirt 9.0 as an oracle (libvirt-and-qmp-oracles guide): the daemon is set up and
// started by the test that needs it (as root: the kvm and libvirt-qemu groups, the
// libvirt-qemu user, /var/log/libvirt), stopped by the pid file it wrote; a daemon that was
// already running is used and left alone. `virt-xml-validate` checks a domain against
// libvirt's schema; `virsh domxml-to-native qemu-argv` prints the command line libvirt runs.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const URI = "qemu:///system";

export interface Libvirt {
  /** the daemon we started, if we did */
  pidFile?: string;
  dir: string;
}

const have = (binary: string) => spawnSync("sh", ["-c", `command -v ${binary}`]).status === 0;

/** Sets up and starts libvirtd, or says why it cannot (for a test's skip message). */
export function startLibvirt(): { ok: true; libvirt: Libvirt } | { ok: false; reason: string } {
  for (const binary of ["libvirtd", "virsh", "virt-xml-validate"]) {
    if (!have(binary)) return { ok: false, reason: `${binary} is not installed (Debian: libvirt-daemon-driver-qemu libvirt-clients libvirt-daemon libxml2-utils; .ci/run installs them)` };
  }
  if (process.getuid?.() !== 0) return { ok: false, reason: "libvirt's system daemon needs root" };
  const dir = mkdtempSync(join(tmpdir(), "vmtopo-libvirt-"));
  if (spawnSync("getent", ["group", "kvm"]).status !== 0) execFileSync("groupadd", ["-r", "kvm"]);
  if (spawnSync("getent", ["group", "libvirt-qemu"]).status !== 0) execFileSync("groupadd", ["-r", "libvirt-qemu"]);
  if (spawnSync("id", ["libvirt-qemu"]).status !== 0) execFileSync("useradd", ["-r", "-g", "kvm", "-d", "/var/lib/libvirt", "-s", "/usr/sbin/nologin", "libvirt-qemu"]);
  mkdirSync("/var/log/libvirt", { recursive: true });
  kvmForTheQemuUser();
  const answering = () => spawnSync("virsh", ["-c", URI, "version"], { encoding: "utf8", timeout: 120_000 }).status === 0;
  if (existsSync("/var/run/libvirt/libvirt-sock") && answering()) return { ok: true, libvirt: { dir } };
  const pidFile = join(dir, "libvirtd.pid");
  // With --daemon the parent returns once the daemon has initialised (or failed to).
  const start = spawnSync("libvirtd", ["--daemon", "--pid-file", pidFile], { encoding: "utf8", timeout: 120_000 });
  if (start.status !== 0 || !existsSync(pidFile)) return { ok: false, reason: `libvirtd did not start (exit ${start.status}): ${start.stderr.trim()} — see /var/log/libvirt/libvirtd.log` };
  if (!answering()) {
    stopLibvirt({ pidFile, dir });
    return { ok: false, reason: "libvirtd started but virsh cannot connect to qemu:///system — see /var/log/libvirt/libvirtd.log" };
  }
  return { ok: true, libvirt: { pidFile, dir } };
}

/**
 * /dev/kvm as udev leaves it on a Debian host: group kvm, read-write for the group (systemd's
 * 50-udev-default.rules). Without udev (containers, microVMs) it is root's alone, and then
 * libvirt re-probes QEMU on every call, some 4 s per lookup and about 50 s per
 * `domxml-to-native`: the probe runs QEMU with KVM, but virQEMUCapsIsValid()
 * (src/qemu/qemu_capabilities.c, libvirt 9.0) finds KVM unusable for the QEMU user
 * (virQEMUCapsKVMUsable(): /dev/kvm readable and writable by libvirt-qemu:kvm) and throws the
 * cached capabilities away ("KVM was enabled when probing '…', but it is not available now").
 * libvirt checks /dev/kvm's ctime on each lookup, so a running daemon sees the change too.
 */
function kvmForTheQemuUser(): void {
  if (!existsSync("/dev/kvm")) return;
  const kvmGid = Number(execFileSync("getent", ["group", "kvm"], { encoding: "utf8" }).split(":")[2]);
  const now = statSync("/dev/kvm");
  if (now.gid === kvmGid && (now.mode & 0o060) === 0o060) return;
  chownSync("/dev/kvm", now.uid, kvmGid);
  chmodSync("/dev/kvm", (now.mode & 0o7777) | 0o060);
}

/** Stops the daemon this test started (by its pid file), never another. */
export function stopLibvirt(libvirt: Libvirt): void {
  if (libvirt.pidFile && existsSync(libvirt.pidFile)) {
    const pid = Number(readFileSync(libvirt.pidFile, "utf8").trim());
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  rmSync(libvirt.dir, { recursive: true, force: true });
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

let counter = 0;

/** virt-xml-validate's verdict: null when the domain validates, else its complaint. */
export async function validateDomain(libvirt: Libvirt, xml: string): Promise<string | null> {
  const path = join(libvirt.dir, `domain-${counter++}.xml`);
  writeFileSync(path, xml);
  const result = await run("virt-xml-validate", [path, "domain"], 60_000);
  return result.status === 0 ? null : (result.stderr + result.stdout).trim();
}

/** The command line libvirt generates for a domain, or libvirt's refusal. */
export async function domxmlToNative(libvirt: Libvirt, xml: string): Promise<{ ok: true; args: string } | { ok: false; error: string }> {
  const path = join(libvirt.dir, `native-${counter++}.xml`);
  writeFileSync(path, xml);
  // libvirt probes QEMU's capabilities on first use (seconds), then answers from its cache.
  const result = await run("virsh", ["-c", URI, "domxml-to-native", "qemu-argv", path], 300_000);
  if (result.status === 0) return { ok: true, args: result.stdout };
  return { ok: false, error: result.stderr.replace(/^error: /gm, "").trim() };
}
