// The engine's figures for a piece of syntax: the VM analysis of a `vm` declaration, the
// result of a scenario step, the container a vfio device belongs to (at boot or after a
// hot-plug), with the report's peak. Shared by hover, inlay hints and code lenses.
import type * as A from "../../../grammar/src/index";
import type { Analysis } from "../engine/analyze";
import type { ContainerFigures } from "../engine/containers";
import { bytes, count } from "../engine/format";
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

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/** A size that never hides bytes: "16 GiB", "1.5 GiB", or "≈ 64.01 GiB (65,544 MiB)". */
export function size(n: number): string {
  const shown = bytes(n);
  const [number, unit] = shown.split(" ");
  if (Number(number.replace(/,/g, "")) * 1024 ** UNITS.indexOf(unit) === n) return shown;
  let exponent = 0;
  while (exponent < UNITS.length - 1 && n % 1024 ** (exponent + 1) === 0) exponent++;
  return `${approx(n)} (${count(n / 1024 ** exponent)} ${UNITS[exponent]})`;
}

/** A size for a glance: "512 KiB", "4.25 GiB" when exact, else "≈ 160.33 MiB" (never "4352.25 MiB"). */
export function approx(n: number): string {
  let unit = 0;
  while (unit < UNITS.length - 1 && Math.abs(n) >= 1024 ** (unit + 1)) unit++;
  const value = n / 1024 ** unit;
  const rounded = Number(value.toFixed(2));
  return rounded === value ? `${count(Math.trunc(value))}${value % 1 ? String(value).slice(String(Math.trunc(value)).length) : ""} ${UNITS[unit]}` : `≈ ${rounded} ${UNITS[unit]}`;
}
