// The run-time oracle: scenarios' `resize` steps replayed on a real, paused QEMU over QMP
// (`qom-set /machine/peripheral/vmN requested-size`), compared step by step with the engine:
//   - QEMU refuses a value (its error text) ⇔ the engine reports VT404 at that step with the
//     same text after "QEMU: ";
//   - after every step, QEMU's requested-size (query-memory-devices) equals what the engine's
//     state holds for the device: a refused step leaves the state as it was.
// Without a guest driver nothing is plugged, so requested-size is what is compared; no VFIO
// here, so the engine's plugged blocks follow requested-size exactly.
// Generated cases (seeded): several devices, block sizes, aligned, misaligned and oversized
// requests, and requests both misaligned and oversized (QEMU checks alignment first).
// Replay with another seed: VMTOPO_SEED=123 node --import tsx --test test/unit/qmp-resize-oracle.test.ts
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { GiB, KiB, MiB, sizeLiteral } from "../../server/src/engine/format";
import { buildReport } from "../../server/src/engine/report";
import { mapLimited, qemuAvailable, qemuSize } from "../support/qemu-oracle";
import { startQmp } from "../support/qmp";
import { Random, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20261130);
const CASES = Number(process.env.VMTOPO_QMP_CASES ?? 48);
const PARALLEL = Number(process.env.VMTOPO_QEMU_JOBS ?? 2);
const qemu = qemuAvailable();
const QEMU_VERSION = qemu.ok ? qemu.version.split(".").slice(0, 2).join(".") : "7.2";

interface Device {
  size: number;
  blockSize: number;
  requested: number;
}

interface Case {
  devices: Device[];
  /** [device index, requested size] */
  steps: [number, number][];
}

function generate(random: Random): Case {
  const devices: Device[] = Array.from({ length: 1 + random.int(3) }, () => {
    const blockSize = random.pick([2 * MiB, 4 * MiB, 32 * MiB, 128 * MiB, GiB]);
    const size = Math.max(blockSize, random.pick([512 * MiB, GiB, 4 * GiB, 16 * GiB]));
    return { size, blockSize, requested: blockSize * random.int(size / blockSize + 1) };
  });
  const steps: [number, number][] = Array.from({ length: 4 + random.int(6) }, () => {
    const index = random.int(devices.length);
    const { size, blockSize } = devices[index];
    const value = random.pick([
      () => blockSize * random.int(size / blockSize + 1), // aligned, fits
      () => size, // all of it
      () => 0,
      () => size + blockSize * (1 + random.int(4)), // aligned, too large
      () => blockSize * random.int(size / blockSize) + random.pick([4 * KiB, MiB, blockSize / 2]), // misaligned
      () => size + MiB, // misaligned and too large: alignment is checked first
    ])();
    return [index, value];
  });
  return { devices, steps };
}

/** Room for every device, with 1 GiB each for alignment (a 1 GiB block aligns its device to 1 GiB). */
const deviceMemory = (c: Case) => 4 * GiB + c.devices.reduce((sum, d) => sum + d.size + GiB, 0);

function vmtopoText(c: Case): string {
  const maxmem = deviceMemory(c);
  const devices = c.devices.map((d, i) => `  virtio-mem vm${i} {\n    size = ${sizeLiteral(d.size)}\n    block-size = ${sizeLiteral(d.blockSize)}\n    requested = ${sizeLiteral(d.requested)}\n  }`).join("\n");
  const steps = c.steps.map(([i, value]) => `  resize vm${i} to ${sizeLiteral(value)}`).join("\n");
  return `host h {\n  qemu = "${QEMU_VERSION}"\n}\n\nvm v on h {\n  machine = q35\n  memory = 4G\n  maxmem = ${sizeLiteral(maxmem)}\n${devices}\n}\n\nscenario s for v {\n${steps}\n}\n`;
}

function qemuArgs(c: Case): string[] {
  const maxmem = deviceMemory(c);
  const args = ["-machine", "q35", "-accel", "tcg", "-m", `4G,maxmem=${qemuSize(maxmem)}`];
  c.devices.forEach((d, i) => {
    args.push("-object", `memory-backend-ram,id=m${i},size=${qemuSize(d.size)},reserve=off`);
    args.push("-device", `virtio-mem-pci,id=vm${i},memdev=m${i},block-size=${qemuSize(d.blockSize)},requested-size=${qemuSize(d.requested)}`);
  });
  return args;
}

interface StepOutcome {
  error: string | null;
  requested: number[];
}

async function replayOnQemu(c: Case): Promise<StepOutcome[]> {
  const qmp = await startQmp(qemuArgs(c));
  try {
    const outcomes: StepOutcome[] = [];
    for (const [index, value] of c.steps) {
      const answer = await qmp.execute("qom-set", { path: `/machine/peripheral/vm${index}`, property: "requested-size", value });
      const devices = await qmp.execute("query-memory-devices");
      assert.ok(devices.ok, `query-memory-devices: ${devices.ok ? "" : devices.error}`);
      const byId = new Map((devices.value as { data: { id: string; "requested-size": number } }[]).map((d) => [d.data.id, d.data["requested-size"]]));
      outcomes.push({ error: answer.ok ? null : answer.error, requested: c.devices.map((_, i) => byId.get(`vm${i}`)!) });
    }
    return outcomes;
  } finally {
    await qmp.close();
  }
}

function replayOnEngine(c: Case): StepOutcome[] {
  const analysis = analyzeText(vmtopoText(c), "/qmp/case.vmtopo");
  const errors = analysis.diagnostics.filter((d) => d.severity === "error" && !d.code.startsWith("VT4"));
  assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), [], "the configuration itself is valid (QEMU starts with it)");
  const report = buildReport(analysis);
  return report.scenarios[0].steps.map((step) => {
    const refusal = step.diagnostics.find((d) => d.code === "VT404");
    return {
      error: refusal ? refusal.message.slice(refusal.message.indexOf("QEMU: ") + "QEMU: ".length) : null,
      requested: c.devices.map((d, i) => (step.pluggedBlocks[`vm${i}`] ?? 0) * d.blockSize),
    };
  });
}

test(`resize steps replayed with qom-set on a paused QEMU ${qemu.ok ? qemu.version : ""} agree with the engine (${CASES} cases, seed ${SEED})`, { skip: qemu.ok ? false : qemu.reason }, async (t) => {
  const random = new Random(rng(SEED));
  const cases = Array.from({ length: CASES }, () => generate(random));
  let steps = 0;
  let refusals = 0;
  await mapLimited(cases, PARALLEL, async (c) => {
    const real = await replayOnQemu(c);
    const engine = replayOnEngine(c);
    c.steps.forEach(([index, value], i) => {
      const where = `step ${i + 1} (resize vm${index} to ${sizeLiteral(value)}) of:\n${vmtopoText(c)}`;
      assert.equal(engine[i].error, real[i].error, `refusal differs at ${where}`);
      assert.deepEqual(engine[i].requested, real[i].requested, `requested-size after the step differs at ${where}`);
      steps++;
      if (real[i].error) refusals++;
    });
  });
  t.diagnostic(`${steps} qom-set steps, ${refusals} refused by QEMU, all agreeing`);
  // The generator must exercise both outcomes, or the comparison proves little.
  assert.ok(refusals > 0 && refusals < steps, `${refusals} of ${steps} steps refused`);
});
