// The engine's figures for a piece of syntax: the VM analysis of a `vm` declaration, the
// result of a scenario step, the container a vfio device belongs to (at boot or after a
// hot-plug), with the report's peak. Shared by hover, inlay hints and code lenses.
import type * as A from "../../../grammar/src/index";
import type { Analysis } from "../engine/analyze";
import type { ContainerFigures } from "../engine/containers";
import { bytes, count, exactBytes } from "../engine/format";
import { buildReport, type ContainerReport, type Report, type VmReport } from "../engine/report";
import type { ScenarioResult, StepResult } from "../engine/scenario";
import { verdictHeadline, type Verdict } from "../engine/verdict";
import type { ContainerSummary, VmAnalysis } from "../engine/vm-analysis";

const reports = new WeakMap<Analysis, Report>();

/** The report of CLI.md for an analysis, built once per analysis. */
export function reportOf(analysis: Analysis): Report {
  let report = reports.get(analysis);
  if (!report) {
    report = buildReport(analysis);
    reports.set(analysis, report);
  }
  return report;
}

/** The analysis of a `vm` declared in the analysed file (none for a duplicate the engine skipped). */
export function vmAnalysisOf(analysis: Analysis, decl: A.Vm): VmAnalysis | undefined {
  return analysis.vms.find((a) => a.vm.decl === decl);
}

/** The analysis of the VM named `name`, if it is declared in the analysed file. */
export function vmAnalysisNamed(analysis: Analysis, name: string): VmAnalysis | undefined {
  return analysis.vms.find((a) => a.vm.name === name);
}

export function vmReportOf(analysis: Analysis, name: string): VmReport | undefined {
  return reportOf(analysis).vms.find((v) => v.name === name);
}

/** The engine's verdict of a VM of the analysed file (engine/verdict.ts, through the report). */
export function verdictOf(analysis: Analysis, name: string): Verdict | undefined {
  return vmReportOf(analysis, name)?.verdict;
}

/** The verdict as the CLI report and the webview's banner say it: "✗ refused by QEMU (VT104)". */
export function verdictText(v: Verdict): string {
  const mark = v.kind === "starts" ? "✓" : v.kind === "starts-with-warnings" ? "⚠" : "✗";
  return `${mark} ${verdictHeadline(v)}`;
}

export function scenarioOf(analysis: Analysis, decl: A.Scenario): ScenarioResult | undefined {
  return analysis.scenarios.find((s) => s.scenario === decl);
}

export function stepResultOf(analysis: Analysis, step: A.Step): { scenario: ScenarioResult; step: StepResult } | undefined {
  for (const scenario of analysis.scenarios) {
    const result = scenario.steps.find((s) => s.step === step);
    if (result) return { scenario, step: result };
  }
  return undefined;
}

/** The boot-time container of a vfio device declared in a VM. */
export function bootContainerOf(vm: VmAnalysis, device: string): ContainerSummary | undefined {
  return vm.containers.find((c) => c.devices.some((d) => d.name === device));
}

/** The container a device is in right after a step (a hot-plugged device's first container). */
export function containerAfter(step: StepResult, device: string): ContainerFigures | undefined {
  return step.containers.find((c) => c.devices.some((d) => d.name === device));
}

export function containerReportOf(analysis: Analysis, vm: string, id: string): ContainerReport | undefined {
  return vmReportOf(analysis, vm)?.containers.find((c) => c.id === id);
}

/** "1 mapping", "65,542 mappings". */
export function mappings(n: number): string {
  return `${count(n)} mapping${n === 1 ? "" : "s"}`;
}

/** A size that never hides bytes: "16 GiB", "1.5 GiB", or "≈ 64.01 GiB (65,544 MiB)". */
export function size(n: number): string {
  const exact = exactBytes(n);
  const shown = bytes(n);
  return exact === shown ? shown : `≈ ${shown} (${exact})`;
}

// ---- the last good figures, while a declaration is being typed -----------------------------

/** A syntax error (the parser's own diagnostics) on the lines of `range`. */
export function brokenLines(analysis: Analysis, range: A.Range): Set<number> {
  const lines = new Set<number>();
  for (const d of analysis.parse.diagnostics) {
    if (d.range.start.line >= range.start.line && d.range.start.line <= range.end.line) lines.add(d.range.start.line);
  }
  return lines;
}

/**
 * Inlay hints and code lenses of a declaration whose text is broken (the user is typing)
 * keep the figures it had when it last parsed cleanly, marked stale, instead of figures
 * computed from half a line ("worst case 6" while a device's line is incomplete). Kept per
 * document and per VM or scenario name; only a clean declaration replaces them.
 */
export class LastGoodFigures {
  private readonly vms = new Map<string, Map<string, VmAnalysis>>();
  private readonly scenarios = new Map<string, Map<string, ScenarioResult>>();

  /** The VM analysis to draw a `vm` declaration's figures from, and whether it is stale. */
  vm(uri: string, analysis: Analysis, decl: A.Vm): { vm: VmAnalysis; stale: boolean } | undefined {
    return this.pick(this.vms, uri, analysis, decl, vmAnalysisOf(analysis, decl));
  }

  /** Likewise for a scenario's step results. */
  scenario(uri: string, analysis: Analysis, decl: A.Scenario): { scenario: ScenarioResult; stale: boolean } | undefined {
    const found = this.pick(this.scenarios, uri, analysis, decl, scenarioOf(analysis, decl));
    return found && { scenario: found.vm, stale: found.stale };
  }

  forget(uri: string): void {
    this.vms.delete(uri);
    this.scenarios.delete(uri);
  }

  private pick<T>(store: Map<string, Map<string, T>>, uri: string, analysis: Analysis, decl: A.Vm | A.Scenario, current: T | undefined): { vm: T; stale: boolean } | undefined {
    const name = decl.name.missing ? undefined : decl.name.text;
    let remembered = store.get(uri);
    if (!remembered) store.set(uri, (remembered = new Map()));
    if (brokenLines(analysis, decl.range).size === 0) {
      if (current && name !== undefined) remembered.set(name, current);
      return current && { vm: current, stale: false };
    }
    const last = name === undefined ? undefined : remembered.get(name);
    return last ? { vm: last, stale: true } : undefined;
  }
}

/** One store for the whole server: inlay hints and code lenses agree on what is stale. */
export const lastGoodFigures = new LastGoodFigures();
