// Differential test against real QEMU (/work/shared/guides/qemu-oracle.md): generated
// configurations run through `qemu-system-x86_64` and `qemu-system-aarch64` (TCG, paused, no
// guest image) and through the engine, compared one by one:
//   - the flat view's RAM and ROM sections of q35, pc and virt (`info mtree -f`) against the
//     engine's layout.sections, virtio-mem and DIMM regions and NUMA nodes' backends included;
//   - QEMU's verdict (starts / refuses) against the engine's errors, and QEMU's message
//     against the engine's diagnostic text after "QEMU: ";
//   - at run time, scenario `resize` steps against `qom-set vmN requested-size` on the
//     paused QEMU (its HMP monitor), step by step: QEMU's error or none against VT404.
// QEMU is the truth. The engine's host says the QEMU version found here (Debian's 7.2), so
// version-gated rules match it. Skips, saying why, where QEMU is not installed.
// Replay with another seed: VMTOPO_SEED=123 node --import tsx --test test/unit/qemu-oracle.test.ts
// More or fewer cases: VMTOPO_ORACLE_SCALE=0.2 (default 1: about 3,000 cases, 2 QEMUs at a time).
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import {
  engineSectionView,
  engineText,
  firstStepLine,
  layoutCases,
  placementCases,
  qemuSectionView,
  runtimeCases,
  scaled,
  verdictCases,
  virtCases,
  wideCases,
  type Case,
} from "../support/qemu-cases";
import { mapLimited, QEMU_AARCH64_BINARY, qemuAvailable, runQemu, type QemuResult } from "../support/qemu-oracle";
import { Random, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20260721);
const PARALLEL = Number(process.env.VMTOPO_QEMU_JOBS ?? 2);
const qemu = qemuAvailable();
const qemuArm = qemuAvailable(QEMU_AARCH64_BINARY);
const QEMU_VERSION = qemu.ok ? qemu.version.split(".").slice(0, 2).join(".") : "7.2";

interface Outcome {
  /** QEMU's answer, or why running it failed (a timeout, a crash) */
  qemu: QemuResult | Error;
  engine: { errors: { code: string; message: string }[]; warnings: { code: string; message: string }[]; sections: string[]; steps: { code: string; message: string }[][] };
}

const qomSet = (r: { device: number; size: number }) => `qom-set vm${r.device} requested-size ${r.size}`;

async function run(c: Case): Promise<Outcome> {
  const resizes = c.resizes ?? [];
  const result = await runQemu(c.config, { timeoutMs: 30_000, monitorCommands: resizes.map(qomSet) }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const text = engineText(c.config, resizes, QEMU_VERSION);
  const analysis = analyzeText(text);
  const report = buildReport(analysis);
  const stepsFrom = resizes.length > 0 ? firstStepLine(text) : Infinity;
  const atBoot = analysis.diagnostics.filter((d) => d.range.start.line < stepsFrom);
  const pick = (severity: string) => atBoot.filter((d) => d.severity === severity).map((d) => ({ code: d.code, message: d.message }));
  const steps = resizes.map((_, i) => analysis.diagnostics.filter((d) => d.severity === "error" && d.range.start.line === stepsFrom + i).map((d) => ({ code: d.code, message: d.message })));
  return { qemu: result, engine: { errors: pick("error"), warnings: pick("warning"), sections: (report.vms[0]?.layout.sections ?? []).map(engineSectionView), steps } };
}

const SMALLER_BLOCK_SIZE_WARNING = "'block-size' property is smaller than the default block size";

function compare(c: Case, o: Outcome): void {
  const { qemu: q, engine: e } = o;
  if (q instanceof Error) assert.fail(`running QEMU failed for ${c.label}: ${q.message}`);
  const context = () =>
    `\n  case:   ${c.label}\n  QEMU:   ${q.command}\n  QEMU says: ${q.ok ? "starts" : q.error}` +
    `\n  engine errors: ${e.errors.length === 0 ? "none" : e.errors.map((d) => `${d.code} ${d.message}`).join("\n                 ")}` +
    `\n  engine text:\n${engineText(c.config, c.resizes, QEMU_VERSION).replace(/^/gm, "    ")}`;
  if (!q.ok) {
    assert.ok(e.errors.length > 0, `QEMU refuses this configuration but the engine raises no error${context()}`);
    assert.ok(
      e.errors.some((d) => d.message.includes(`QEMU: ${q.error}`) || d.message.includes(q.error)),
      `no engine error quotes QEMU's message "${q.error}"${context()}`,
    );
    return;
  }
  assert.deepEqual(e.errors, [], `QEMU starts with this configuration but the engine raises errors${context()}`);
  assert.deepEqual(e.sections, q.sections.map(qemuSectionView), `the flat view's RAM and ROM sections differ (actual: engine, expected: QEMU)${context()}`);
  const qemuWarns = q.warnings.some((w) => w.includes(SMALLER_BLOCK_SIZE_WARNING));
  const engineWarns = e.warnings.some((d) => d.code === "VT103" && d.message.includes(SMALLER_BLOCK_SIZE_WARNING));
  assert.equal(engineWarns, qemuWarns, `QEMU ${qemuWarns ? "warns" : "does not warn"} "${SMALLER_BLOCK_SIZE_WARNING}", the engine ${engineWarns ? "does" : "does not"} (VT103)${context()}\n  QEMU warnings: ${q.warnings.join(" | ") || "none"}`);
  // Run time: each resize step against QEMU's answer to the same qom-set on the paused machine.
  q.replies.forEach((reply, i) => {
    const step = e.steps[i];
    const what = `step ${i + 1} (${reply.command}): QEMU ${reply.error ? `answers "${reply.error}"` : "accepts it"}, the engine ${step.length === 0 ? "raises nothing" : `raises ${step.map((d) => `${d.code} ${d.message}`).join("; ")}`}${context()}`;
    if (reply.error) assert.ok(step.some((d) => d.message.includes(`QEMU: ${reply.error}`)), what);
    else assert.deepEqual(step, [], what);
  });
}

// ---- the tests --------------------------------------------------------------------------

const random = new Random(rng(SEED));
const groups: [string, Case[]][] = [
  ["flat view of q35 and pc for many memory sizes", layoutCases(random)],
  ["virtio-mem regions placed in device memory", placementCases(random)],
  ["virtio-mem, -m and phys-bits checks: QEMU's verdict and message", verdictCases(random)],
  ["q35 and pc with odd sizes, DIMMs, several devices, backends, NUMA, slots, machine options", wideCases(random, ["q35", "pc"], scaled(1100))],
  ["q35 at run time: resize steps against qom-set of requested-size", runtimeCases(random, "q35")],
];
const armGroups: [string, Case[]][] = [
  ["virt at run time: resize steps against qom-set of requested-size", runtimeCases(random, "virt")],
  ["virt: address sizes, highmem, device memory", virtCases(random)],
  ["virt with odd sizes, DIMMs, several devices, backends, NUMA, slots", wideCases(random, ["virt"], scaled(500))],
];

if (!qemu.ok || !qemuArm.ok) {
  const reason = `${!qemu.ok ? qemu.reason : ""}${!qemu.ok && !qemuArm.ok ? "; " : ""}${!qemuArm.ok ? qemuArm.reason : ""}`;
  console.log(`qemu-oracle: skipped: ${reason} (install Debian's qemu-system-x86 and qemu-system-arm to run this differential test)`);
  for (const [name] of [...(qemu.ok ? [] : groups), ...(qemuArm.ok ? [] : armGroups)]) test(`QEMU oracle: ${name}`, { skip: reason }, () => {});
}
{
  for (const [name, cases] of [...(qemu.ok ? groups : []), ...(qemuArm.ok ? armGroups : [])]) {
    test(`QEMU ${QEMU_VERSION} oracle (seed ${SEED}): ${name}, ${cases.length} generated cases`, async (t) => {
      const outcomes = await mapLimited(cases, PARALLEL, run);
      const agreeing = cases.filter((c, i) => {
        try {
          compare(c, outcomes[i]);
          return true;
        } catch {
          return false;
        }
      }).length;
      t.diagnostic(`agreement: ${agreeing} / ${cases.length} (${((100 * agreeing) / cases.length).toFixed(1)} %)`);
      for (const [i, c] of cases.entries()) {
        await t.test(c.label, (st) => {
          const q = outcomes[i].qemu;
          if (!(q instanceof Error)) st.diagnostic(q.ok ? `QEMU starts: ${q.sections.map(qemuSectionView).join("; ")}` : `QEMU refuses: ${q.error}`);
          if (!(q instanceof Error) && q.ok && q.replies.length > 0) st.diagnostic(`monitor: ${q.replies.map((r) => `${r.command} → ${r.error ?? "ok"}`).join("; ")}`);
          compare(c, outcomes[i]);
        });
      }
    });
  }
}
