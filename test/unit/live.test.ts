// `vmtopo live --qmp SOCKET`: QEMU 7.2 started by the test from the design's own exported
// command line (TCG, paused, a QMP socket, the HMP monitor on stdio), read over QMP and
// compared with the design: first it matches, then memory is "plugged" with qom-set
// requested-size and the difference is reported; a design that differs is caught.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { qemuArgv, qemuCommand } from "../../server/src/engine/interop/qemu-export";
import { repoRoot } from "../support/fixtures";
import { qemuAvailable } from "../support/qemu-oracle";

const qemu = qemuAvailable();
const dir = mkdtempSync(join(tmpdir(), "vmtopo-live-"));
const design = `host here { qemu = "7.2" }
vm guest on here {
  machine = q35
  accel = tcg
  cpu = named
  cpu-vendor = amd
  memory = 2G
  maxmem = 10G
  virtio-mem vmem0 {
    size = 8G
    block-size = 2M
    requested = 0
  }
}
`;
writeFileSync(join(dir, "guest.vmtopo"), design);
const socket = join(dir, "qmp.sock");

const live = (file = "guest.vmtopo") => spawnSync(process.execPath, [join(repoRoot, "bin", "vmtopo.js"), "live", "--qmp", socket, file], { encoding: "utf8", cwd: dir, timeout: 120_000 });

let child: ChildProcess | undefined;
after(() => {
  child?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts QEMU from the design's export; resolves once its monitor prompts (the QMP socket is up by then). */
function startQemu(): Promise<{ hmp: (line: string) => Promise<string> }> {
  const argv = qemuArgv(qemuCommand(analyzeText(design).vms[0].vm));
  const args = [...argv.slice(1).map((a) => (a.startsWith("memory-backend-") && !a.includes("reserve=") ? a + ",reserve=off" : a)), "-qmp", `unix:${socket},server=on,wait=off`, "-S", "-nographic", "-monitor", "stdio"];
  return new Promise((resolve, reject) => {
    child = spawn(argv[0], args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let stderr = "";
    let waiter: ((text: string) => void) | undefined;
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("exit", (code) => reject(new Error(`QEMU exited (${code}): ${stderr}`)));
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const prompt = out.lastIndexOf("(qemu)");
      if (prompt < 0) return;
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        const text = out;
        out = "";
        w(text);
      } else if (!started) {
        started = true;
        out = "";
        resolve({
          hmp: (line) =>
            new Promise((done) => {
              waiter = done;
              child!.stdin!.write(line + "\n");
            }),
        });
      }
    });
    let started = false;
  });
}

if (!qemu.ok) {
  test("live: QEMU over QMP", { skip: qemu.reason }, () => {});
} else {
  test(`live: QEMU ${qemu.version} read over QMP agrees with the design, then reports a plugged virtio-mem`, { timeout: 180_000 }, async () => {
    const { hmp } = await startQemu();
    const same = live();
    assert.equal(same.status, 0, same.stdout + same.stderr);
    assert.equal(same.stdout, "vm guest: the running VM matches the design\n");

    const answer = await hmp("qom-set /machine/peripheral/vmem0 requested-size 1073741824");
    assert.doesNotMatch(answer, /rror/, answer);
    const plugged = live();
    assert.equal(plugged.status, 0, "a changed requested-size is a warning: it changes at run time");
    assert.equal(plugged.stdout, "guest.vmtopo: vm guest: warning: virtio-mem 'vmem0': requested-size is 0x40000000 in the running VM, 0x0 in the design\nvm guest: 1 difference from the design\n");

    // QEMU's own check of a requested-size, as the guide says: above the backend is refused.
    const refused = await hmp("qom-set /machine/peripheral/vmem0 requested-size 17179869184");
    assert.match(refused, /'requested-size' cannot exceed the memory backend size/);

    writeFileSync(join(dir, "other.vmtopo"), design.replace("memory = 2G", "memory = 3G").replace("block-size = 2M", "block-size = 4M"));
    const other = live("other.vmtopo");
    assert.equal(other.status, 1);
    assert.match(other.stdout, /error: virtio-mem 'vmem0': block-size is 0x200000 in the running VM, 0x400000 in the design/);
    // 3 GiB of boot RAM puts 1 GiB above 4 GiB, where the running VM has its virtio-mem region
    // (and the design's 7 GiB of device memory no longer holds the 8 GiB device: VT109).
    assert.match(other.stdout, /error: the running VM maps ram vmem0 \[0x100000000, 0x300000000\), the design does not/);
    assert.match(other.stdout, /error: the design maps ram boot RAM \[0x100000000, 0x140000000\), the running VM does not/);
  });
}
