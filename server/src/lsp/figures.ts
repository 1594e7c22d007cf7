// The engine's figures for a piece of syntax: the VM analysis of a `vm` declaration, the
// result of a scenario step, the container a vfio device belongs to (at boot or after a
// hot-plug), with the report's peak. Shared by hover, inlay hints and code lenses.
import type * as A from "../../../grammar/src/index";
import type { Analysis } from "../engine/analyze";
import type { ContainerFigures } from "../engine/containers";
import { bytes, count, exactBytes } from "../engine/format";
import { buildReport, type ContainerReport, type Report, type VmReport } from "../engine/report";
import type { ScenarioResult, StepResult } from "../engine/scenario";
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
