// Differential test against real QEMU (/work/shared/guides/qemu-oracle.md): generated
// configurations run through `qemu-system-x86_64` (TCG, paused, no guest image) and through
// the engine, compared one by one:
//   - the flat view's RAM and ROM sections of q35 and pc (`info mtree -f`) against the
//     engine's layout.sections, virtio-mem regions included;
//   - QEMU's verdict (starts / refuses) against the engine's errors, and QEMU's message
//     against the engine's diagnostic text after "QEMU: ".
// QEMU is the truth. The engine's host says the QEMU version found here (Debian's 7.2), so
// version-gated rules match it. Skips, saying why, where QEMU is not installed.
// Replay with another seed: VMTOPO_SEED=123 node --import tsx --test test/unit/qemu-oracle.test.ts
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import { engineSectionView, engineText as designText, layoutCases, placementCases, qemuSectionView, verdictCases, type Case } from "../support/qemu-cases";
import { mapLimited, qemuAvailable, runQemu, type QemuResult } from "../support/qemu-oracle";
import { Random, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20260721);
const PARALLEL = Number(process.env.VMTOPO_QEMU_JOBS ?? 2);
const qemu = qemuAvailable();
const QEMU_VERSION = qemu.ok ? qemu.version.split(".").slice(0, 2).join(".") : "7.2";

const engineText = (c: Case["config"]) => designText(c, QEMU_VERSION);

interface Outcome {
  /** QEMU's answer, or why running it failed (a timeout, a crash) */
  qemu: QemuResult | Error;
  engine: { errors: { code: string; message: string }[]; warnings: { code: string; message: string }[]; sections: string[] };
}

async function run(c: Case): Promise<Outcome> {
  const result = await runQemu(c.config, { timeoutMs: 30_000 }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const analysis = analyzeText(engineText(c.config));
  const report = buildReport(analysis);
  const pick = (severity: string) => analysis.diagnostics.filter((d) => d.severity === severity).map((d) => ({ code: d.code, message: d.message }));
  return { qemu: result, engine: { errors: pick("error"), warnings: pick("warning"), sections: (report.vms[0]?.layout.sections ?? []).map(engineSectionView) } };
}

const SMALLER_BLOCK_SIZE_WARNING = "'block-size' property is smaller than the default block size";

function compare(c: Case, o: Outcome): void {
  const { qemu: q, engine: e } = o;
  if (q instanceof Error) assert.fail(`running QEMU failed for ${c.label}: ${q.message}`);
  const context = () =>
    `\n  case:   ${c.label}\n  QEMU:   ${q.command}\n  QEMU says: ${q.ok ? "starts" : q.error}` +
    `\n  engine errors: ${e.errors.length === 0 ? "none" : e.errors.map((d) => `${d.code} ${d.message}`).join("\n                 ")}` +
    `\n  engine text:\n${engineText(c.config).replace(/^/gm, "    ")}`;
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
}

// ---- the tests --------------------------------------------------------------------------

const random = new Random(rng(SEED));
const groups: [string, Case[]][] = [
  ["flat view of q35 and pc for many memory sizes", layoutCases(random)],
  ["virtio-mem regions placed in device memory", placementCases(random)],
  ["virtio-mem, -m and phys-bits checks: QEMU's verdict and message", verdictCases(random)],
];

if (!qemu.ok) {
  const reason = `${qemu.reason} (install Debian's qemu-system-x86 to run this differential test)`;
  console.log(`qemu-oracle: skipped: ${reason}`);
  for (const [name] of groups) test(`QEMU oracle: ${name}`, { skip: reason }, () => {});
} else {
  for (const [name, cases] of groups) {
    test(`QEMU ${qemu.version} oracle (seed ${SEED}): ${name}, ${cases.length} generated cases`, async (t) => {
      const outcomes = await mapLimited(cases, PARALLEL, run);
      for (const [i, c] of cases.entries()) {
        await t.test(c.label, (st) => {
          const q = outcomes[i].qemu;
          if (!(q instanceof Error)) st.diagnostic(q.ok ? `QEMU starts: ${q.sections.map(qemuSectionView).join("; ")}` : `QEMU refuses: ${q.error}`);
          compare(c, outcomes[i]);
        });
      }
    });
  }
}
