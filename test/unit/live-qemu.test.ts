// `vmtopo live` against a real QEMU 7.2 (TCG, paused with -S, no guest): the test starts QEMU
// with a QMP socket and a virtio-mem device, plugs memory with `qom-set … requested-size` as
// a management tool would, and checks that the running VM differs from the design at boot
// and matches it after the scenario step that plugs the same amount.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runLive } from "../../server/src/cli/live";
import { analyzeText } from "../../server/src/engine/analyze";
import { compareLive, liveDesign } from "../../server/src/engine/interop/live-compare";
import { buildReport } from "../../server/src/engine/report";
import { GiB, MiB } from "../../server/src/engine/format";
import { QmpClient } from "../../server/src/qmp/qmp-client";
import { parseLiveMessage } from "../../webview/src/live-message";
import { TestLspClient } from "../support/lsp-client";
import { QEMU_BINARY, qemuArgs, qemuAvailable } from "../support/qemu-oracle";
import { pathToFileURL } from "node:url";

const qemu = qemuAvailable();
const dir = mkdtempSync(join(tmpdir(), "vmtopo-live-"));
const socket = join(dir, "qmp.sock");
const design = join(dir, "guest.vmtopo");

// The same VM as the QEMU below: q35, TCG, qemu64 (a named CPU: 40 phys-bits), 2 GiB of boot
// RAM, maxmem 18 GiB and one 16 GiB virtio-mem device with 2 MiB blocks, nothing requested.
const guest = (extra = "") => `vm guest {
  machine = q35
  accel = tcg
  cpu = named
  memory = 2G
  maxmem = 18G
  virtio-mem vm0 {
    size = 16G
    block-size = 2M
  }${extra}
}

scenario plug for guest {
  resize vm0 to 1G
  resize vm0 to 2G
}
`;

let child: ChildProcess | undefined;

async function live(...args: string[]) {
  let out = "";
  let err = "";
  const status = await runLive(["--qmp", socket, ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { status, out, err };
}

async function qmp(command: string, args?: Record<string, unknown>) {
  const client = await QmpClient.connect(socket);
  try {
    return await client.execute(command, args);
  } finally {
    client.close();
  }
}

describe("vmtopo live against QEMU 7.2 over QMP", { skip: qemu.ok ? false : `QEMU is needed: ${!qemu.ok && qemu.reason}` }, () => {
  before(async () => {
    writeFileSync(design, guest());
    const args = [...qemuArgs({ machine: "q35", memory: 2 * GiB, maxmem: 18 * GiB, virtioMem: [{ size: 16 * GiB, blockSize: 2 * MiB, requested: 0 }] }), "-qmp", `unix:${socket},server=on,wait=off`];
    const started = spawn(QEMU_BINARY, args, { stdio: ["pipe", "pipe", "pipe"] });
    child = started;
    // The HMP prompt on stdout comes after every chardev, the QMP socket's included, is listening.
    await new Promise<void>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => reject(new Error(`QEMU did not start within 30 s: ${stderr}`)), 30_000);
      started.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.includes("(qemu)")) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      started.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`QEMU exited (${code}): ${stderr}`));
      });
    });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("at boot the running VM is the design: no difference, exit 0", async () => {
    const { status, out } = await live(design, "--vm", "guest");
    assert.equal(status, 0, out);
    assert.match(out, /^vm guest \(QEMU 7\.2\.\d+ on .*\) against the design at boot:$/m);
    assert.match(out, /^no difference$/m);
  });

  test("after qom-set requested-size = 1 GiB the boot design differs, on the device's line; step 1 of the scenario matches", async () => {
    await qmp("qom-set", { path: "/machine/peripheral/vm0", property: "requested-size", value: GiB });
    const boot = await live(design, "--vm", "guest");
    assert.equal(boot.status, 1, boot.out);
    assert.match(boot.out, /guest\.vmtopo:7:14: warning VT501 the running VM differs from the design: virtio-mem 'vm0' has requested-size 1 GiB, the design requests 0 B at boot/);
    assert.match(boot.out, /^1 difference$/m);

    const step1 = await live(design, "--vm", "guest", "--scenario", "plug", "--step", "1");
    assert.equal(step1.status, 0, step1.out);
    assert.match(step1.out, /against the design after step 1 of scenario 'plug':/);
    // Paused, with no guest driver, nothing is plugged: a note, not a difference.
    assert.match(step1.out, /^note: virtio-mem 'vm0': the guest has plugged 0 B of the 1 GiB requested/m);

    // Step 2 asks for 2 GiB: the difference is on that step's line.
    const step2 = await live(design, "--vm", "guest", "--scenario", "plug", "--step", "2", "--format", "json");
    assert.equal(step2.status, 1);
    const json = JSON.parse(step2.out);
    assert.equal(json.step, 2);
    assert.deepEqual(
      json.differences.map((d: { code: string; range: { start: { line: number } }; message: string }) => [d.code, d.range.start.line + 1, d.message]),
      [["VT501", 15, "the running VM differs from the design: virtio-mem 'vm0' has requested-size 1 GiB, the design requests 2 GiB after step 2 of scenario 'plug'"]],
    );
    assert.equal(json.live.memoryDevices[0].requestedSize, GiB);
    assert.equal(json.live.memoryDevices[0].memaddr, 4 * GiB);
  });

  test("a design whose boot RAM or devices are not the running VM's: each difference on its line", async () => {
    const other = join(dir, "other.vmtopo");
    writeFileSync(other, guest("\n  max-ram-below-4g = 1G\n  vfio nic0 {\n    host = \"0000:3b:00.0\"\n  }"));
    const { status, out } = await live(other, "--vm", "guest", "--scenario", "plug", "--step", "1");
    assert.equal(status, 1);
    // 1 GiB below 4 GiB in the design, 2 GiB in QEMU: boot RAM and the device memory after it move.
    assert.deepEqual(
      out.split("\n").filter((l) => l.includes("VT501")).map((l) => l.replace(/^.*other\.vmtopo:/, "").replace("warning VT501 the running VM differs from the design: ", "")),
      [
        "5:3: the flat view has no RAM section boot RAM [0x100000, 0x40000000) (QEMU's is boot RAM [0x0, 0xc0000), boot RAM [0x100000, 0x80000000))",
        "5:3: the flat view has no RAM section boot RAM [0x100000000, 0x140000000) (QEMU's is boot RAM [0x0, 0xc0000), boot RAM [0x100000, 0x80000000))",
        "7:14: virtio-mem 'vm0' is at 0x100000000, the design places it at 0x140000000",
        "7:14: the flat view has no RAM section vm0 [0x140000000, 0x540000000) (QEMU's is vm0 [0x100000000, 0x500000000))",
        "12:8: vfio 'nic0' is not in the running VM (no vfio-pci device with id 'nic0') after step 1 of scenario 'plug'",
      ],
    );
  });

  test("the language server's vmtopo/live request: the same differences as LSP diagnostics of the design's URI", async () => {
    const server = await TestLspClient.start();
    try {
      const uri = pathToFileURL(design).href;
      await server.openAndWait(uri, guest());
      // QEMU has requested-size = 1 GiB (the test before): boot differs, step 1 matches.
      const boot: any = await server.connection.sendRequest("vmtopo/live", { uri, socket, vm: "guest" });
      assert.equal(boot.qemuVersion?.startsWith("7.2."), true);
      assert.deepEqual(
        boot.diagnostics.map((e: any) => [e.uri, e.diagnostics.map((d: any) => [d.code, d.severity, d.range.start.line, d.codeDescription?.href?.endsWith("VT501.md")])]),
        [[uri, [["VT501", 2, 6, true]]]],
      );
      // For the mapping-state view: each difference with its row, the rows side by side, when and where read.
      assert.deepEqual(boot.differences.map((d: any) => [d.subject, d.range.start.line]), [["virtio-mem:vm0:requested-size", 6]]);
      const requested = boot.rows.find((r: any) => r.key === "virtio-mem:vm0:requested-size");
      assert.deepEqual([requested.design, requested.live], [{ kind: "bytes", value: 0 }, { kind: "bytes", value: GiB }]);
      assert.deepEqual(boot.rows.filter((r: any) => r.group === "ram").map((r: any) => [r.label, r.live]), [
        ["boot RAM", { kind: "range", start: 0, end: 0xc0000 }],
        ["boot RAM", { kind: "range", start: 0x100000, end: 2 * GiB }],
        ["vm0", { kind: "range", start: 4 * GiB, end: 20 * GiB }],
      ]);
      assert.equal(boot.socket, socket);
      assert.equal(boot.version, 1);
      assert.ok(Math.abs(Date.parse(boot.readAt) - Date.now()) < 60_000, boot.readAt);
      // The view accepts the server's answer as the extension passes it on (client/src/attach-qemu.ts).
      const { vm, scenario, step, qemuVersion, readAt, version, rows, differences, notes } = boot;
      const message = parseLiveMessage({ type: "live", uri, live: { vm, scenario, step, qemuVersion, socket, readAt, version, rows, differences, notes } });
      assert.ok(!("refused" in message), JSON.stringify(message));
      assert.equal(message.live?.differences.length, 1);
      const step1: any = await server.connection.sendRequest("vmtopo/live", { uri, socket, vm: "guest", scenario: "plug", step: 1 });
      assert.deepEqual(step1.diagnostics, []);
      assert.deepEqual(step1.differences, []);
      assert.equal(step1.step, 1);
      await assert.rejects(server.connection.sendRequest("vmtopo/live", { uri, socket: join(dir, "nothing.sock"), vm: "guest" }), /cannot talk to QEMU's QMP socket: no such socket/);
      await assert.rejects(server.connection.sendRequest("vmtopo/live", { uri, socket, vm: "guest", step: "one" }), /step: an integer/);
    } finally {
      await server.stop();
    }
  });

  test("usage: an unknown VM, a step without its scenario, a missing step", async () => {
    await assert.rejects(live(design, "--vm", "nobody"), /no vm 'nobody' in this file \(it has guest\)/);
    await assert.rejects(live(design, "--vm", "guest", "--step", "1"), /a step needs its scenario/);
    await assert.rejects(live(design, "--vm", "guest", "--scenario", "plug", "--step", "3"), /has steps 1 to 2, not 3/);
  });
});

describe("vmtopo live without a QEMU", () => {
  test("boot RAM under -machine memory-backend=ID is that backend's region; RAM in PCI BARs (vga.vram) is not compared", () => {
    const analysis = analyzeText("vm guest {\n  machine = q35\n  memory = 2G\n}\n");
    const design = liveDesign(analysis, buildReport(analysis), "guest");
    const ram = (name: string, start: number, end: number) => ({ name, kind: "ram" as const, start, end });
    const live = { qemuVersion: "7.2.22", memoryDevices: [], vfio: [], bootBackend: "mem", flatView: [ram("mem", 0, 0xc0000), ram("mem", 0x100000, 0x80000000), ram("vga.vram", 0xfd000000, 0xfe000000)] };
    assert.deepEqual(compareLive(design, live).differences, []);
    const moved = compareLive(design, { ...live, flatView: [ram("mem", 0, 0xc0000), ram("mem", 0x100000, 0x70000000)] });
    assert.deepEqual(moved.differences.map((d) => d.message), [
      "the running VM differs from the design: the flat view has no RAM section boot RAM [0x100000, 0x80000000) (QEMU's is boot RAM [0x0, 0xc0000), boot RAM [0x100000, 0x70000000))",
    ]);
  });

  test("a socket nobody listens on: exit 2 and one line saying so", async () => {
    const alone = mkdtempSync(join(tmpdir(), "vmtopo-live-alone-"));
    const file = join(alone, "guest.vmtopo");
    writeFileSync(file, guest());
    let err = "";
    const status = await runLive(["--qmp", join(alone, "no-such.sock"), file, "--vm", "guest"], { out: () => {}, err: (t) => (err += t) });
    assert.equal(status, 2);
    rmSync(alone, { recursive: true, force: true });
    assert.equal(err, `vmtopo: ${join(alone, "no-such.sock")}: cannot talk to QEMU's QMP socket: no such socket (start QEMU with -qmp unix:PATH,server=on,wait=off)\n`);
  });
});
