// One verdict per VM, computed once here and shown the same way everywhere (the webview's
// banner, the CLI report, code lens and hover): does QEMU start this VM, and does it survive
// its scenarios?
//
//   refused               an error at boot: QEMU (or the kernel under it) refuses to start
//                         the VM; the reason is the first error the engine met, in the order
//                         it runs QEMU's checks (the same order the QEMU oracle test holds it to)
//   fails-in-scenario     boots, but a scenario step fails at run time (the first such step)
//   starts-with-warnings  boots with warnings (e.g. VT201 on QEMU 10.1, which only warns)
//   starts                nothing to say
import type * as A from "../../../grammar/src/index";
import type { Analysis } from "./analyze";
import type { ScenarioResult } from "./scenario";
import type { EngineDiagnostic } from "./sink";

export type VerdictKind = "starts" | "starts-with-warnings" | "refused" | "fails-in-scenario";

export interface Verdict {
  kind: VerdictKind;
  /** the first reason: its diagnostic's code and message (absent for "starts") */
  code?: string;
  message?: string;
  /** for "fails-in-scenario": the scenario and the failing step (1-based, as the report numbers steps) */
  scenario?: string;
  step?: number;
}

export interface VmVerdict {
  verdict: Verdict;
  /**
   * The VM's own problems in the analysed file, in document order: those inside its
   * declaration, those of its scenarios' steps, and host-level ones whose related
   * information points into the VM.
   */
  diagnostics: EngineDiagnostic[];
}

const before = (a: A.Position, b: A.Position) => a.line < b.line || (a.line === b.line && a.character < b.character);
const byPosition = (a: EngineDiagnostic, b: EngineDiagnostic) =>
  a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

/** The declaration (by index into `extents`, sorted and disjoint) that contains `pos`, or -1. Binary search. */
function containing(extents: { range: A.Range }[], pos: A.Position): number {
  let lo = 0;
  let hi = extents.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = extents[mid].range;
    if (before(pos, r.start)) hi = mid - 1;
    else if (before(r.end, pos)) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The first diagnostic of a severity, in the engine's check order. */
const firstOf = (list: EngineDiagnostic[], severity: string) => list.find((d) => d.severity === severity);

const reason = (d: EngineDiagnostic) => ({ code: d.code, message: d.message });

/**
 * The verdict of every VM declared in the analysed file, by name. Cost: one pass over the
 * file's diagnostics with a binary search among the VMs' declarations (a fleet of 1,000 VMs
 * is no slower per diagnostic than one VM).
 */
export function computeVerdicts(analysis: Analysis): Map<string, VmVerdict> {
  const extents = analysis.vms
    .filter((a) => a.vm.file === analysis.path)
    .map((a) => ({ name: a.vm.name, range: a.vm.decl.range }))
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const boot = new Map<string, EngineDiagnostic[]>(extents.map((e) => [e.name, []]));
  const owners = (d: EngineDiagnostic): Set<string> => {
    const names = new Set<string>();
    const own = d.file === analysis.path ? containing(extents, d.range.start) : -1;
    if (own >= 0) names.add(extents[own].name);
    for (const r of d.related ?? []) {
      if (r.file !== analysis.path) continue;
      const i = containing(extents, r.range.start);
      if (i >= 0) names.add(extents[i].name);
    }
    return names;
  };
  // The engine's check order (syntax first, then its sink as the rules ran), not document
  // order: the first reason is the one QEMU would print first.
  const entry = analysis.program.files.get(analysis.path);
  const inCheckOrder = entry ? [...entry.parsed.diagnostics.map((d) => ({ ...d, file: analysis.path })), ...entry.sink.diagnostics] : analysis.diagnostics;
  const stepDiagnostics = new Set(analysis.scenarios.flatMap((s) => s.steps.flatMap((step) => step.diagnostics)));
  for (const d of inCheckOrder) {
    if (stepDiagnostics.has(d)) continue;
    for (const name of owners(d)) boot.get(name)!.push(d);
  }
  const scenariosOf = new Map<string, ScenarioResult[]>();
  for (const s of analysis.scenarios) scenariosOf.set(s.vm, [...(scenariosOf.get(s.vm) ?? []), s]);

  const result = new Map<string, VmVerdict>();
  for (const { name } of extents) {
    const own = boot.get(name)!;
    const scenarios = scenariosOf.get(name) ?? [];
    const diagnostics = [...own, ...scenarios.flatMap((s) => s.steps.flatMap((step) => step.diagnostics))].sort(byPosition);
    result.set(name, { verdict: verdictOf(own, scenarios), diagnostics });
  }
  return result;
}

function verdictOf(boot: EngineDiagnostic[], scenarios: ScenarioResult[]): Verdict {
  const error = firstOf(boot, "error");
  if (error) return { kind: "refused", ...reason(error) };
  for (const s of scenarios) {
    for (const step of s.steps) {
      const failure = firstOf(step.diagnostics, "error");
      if (failure) return { kind: "fails-in-scenario", ...reason(failure), scenario: s.scenario.name.text, step: step.index };
    }
  }
  const warning = firstOf(boot, "warning");
  if (warning) return { kind: "starts-with-warnings", ...reason(warning) };
  return { kind: "starts" };
}

/** The verdict in words, the same in every face of vmtopo (the webview keeps a tested copy). */
export function verdictHeadline(v: Verdict): string {
  switch (v.kind) {
    case "starts":
      return "starts";
    case "starts-with-warnings":
      return `starts with warnings (${v.code})`;
    case "refused":
      return `refused by QEMU (${v.code})`;
    case "fails-in-scenario":
      return `fails at step ${v.step} of scenario ${v.scenario} (${v.code})`;
  }
}
