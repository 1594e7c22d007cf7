// What the view shows: the user's selection (VM, scenario, step), resolved against the
// latest report so that it survives edits, and the VM's memory state at the selected step.
import type { ContainerReport, HostReport, Report, ScenarioReport, StepReport, VmReport } from "./report-types";

/** The fleet overview's search, filter and sort (fleet.ts). */
export interface FleetSelection {
  query: string;
  /** "all" or a verdict kind */
  verdict: string;
  sort: "name" | "host" | "verdict" | "mappings" | "memlock" | "hugepages";
  descending: boolean;
}

export const defaultFleetSelection = (): FleetSelection => ({ query: "", verdict: "all", sort: "host", descending: false });

export interface Selection {
  /** null: the first VM, or the fleet overview when the file has more than a few VMs */
  vm: string | null;
  fleet?: FleetSelection;
  /** how many diagnostics the list shows before "Show more" */
  diagnosticsShown?: number;
  /** selected scenario per VM */
  scenario: Record<string, string>;
  /** selected step per scenario; 0 is the state at boot */
  step: Record<string, number>;
}

export const emptySelection = (): Selection => ({ vm: null, scenario: {}, step: {} });

/** The VMs the view offers: the report's own, then VMs of scenarios declared elsewhere. */
export function vmNames(report: Report): string[] {
  const names = report.vms.map((v) => v.name);
  for (const s of report.scenarios) if (!names.includes(s.vm)) names.push(s.vm);
  return names;
}

export interface Resolved {
  vmName: string | null;
  vm: VmReport | undefined;
  scenarios: ScenarioReport[];
  scenario: ScenarioReport | undefined;
  /** 0 = boot, else the step's index */
  step: number;
}

/** The selection as it applies to `report`: names that vanished fall back to the first. */
export function resolve(report: Report, selection: Selection): Resolved {
  const names = vmNames(report);
  const vmName = selection.vm !== null && names.includes(selection.vm) ? selection.vm : (names[0] ?? null);
  const vm = report.vms.find((v) => v.name === vmName);
  const scenarios = report.scenarios.filter((s) => s.vm === vmName);
  const wanted = vmName === null ? undefined : selection.scenario[vmName];
  const scenario = scenarios.find((s) => s.name === wanted) ?? scenarios[0];
  const step = scenario ? Math.max(0, Math.min(scenario.steps.length, selection.step[scenario.name] ?? 0)) : 0;
  return { vmName, vm, scenarios, scenario, step };
}

export interface ContainerNow {
  report: ContainerReport;
  /** the figures at the selected moment; null when the container does not exist then */
  now: { mappings: number; pinnedBytes: number; pageTableBytes: number; limit: number | null } | null;
}

export interface VmState {
  /** "at boot" or "after step 2 of batch-window" */
  label: string;
  step: StepReport | undefined;
  host: HostReport | undefined;
  containers: ContainerNow[];
  plugged: Record<string, number>;
  sharedRanges: { start: number; end: number }[];
  sharedBytes: number;
}

export function stateAt(report: Report, vm: VmReport, scenario: ScenarioReport | undefined, stepIndex: number): VmState {
  const step = scenario && stepIndex > 0 ? scenario.steps[stepIndex - 1] : undefined;
  const hostName = step ? step.host : vm.host;
  const host = report.hosts.find((h) => h.name === hostName);
  if (!step) {
    return {
      label: "at boot",
      step,
      host,
      containers: vm.containers.map((c) => ({ report: c, now: c.boot ? { ...c.boot, limit: c.limit } : null })),
      plugged: Object.fromEntries(vm.virtioMem.map((d) => [d.name, d.pluggedBlocks])),
      sharedRanges: [],
      sharedBytes: 0,
    };
  }
  return {
    label: `after step ${step.index} of ${scenario!.name}`,
    step,
    host,
    containers: vm.containers.map((c) => {
      const now = step.containers.find((x) => x.id === c.id);
      return { report: c, now: now ? { mappings: now.mappings, pinnedBytes: now.pinnedBytes, pageTableBytes: now.pageTableBytes, limit: now.limit } : null };
    }),
    plugged: { ...Object.fromEntries(vm.virtioMem.map((d) => [d.name, d.pluggedBlocks])), ...step.pluggedBlocks },
    sharedRanges: step.sharedRanges,
    sharedBytes: step.sharedBytes,
  };
}

/** Worst severity among diagnostics, for a step's marker. */
export function worstSeverity(diagnostics: { severity: string }[]): "error" | "warning" | "information" | null {
  if (diagnostics.some((d) => d.severity === "error")) return "error";
  if (diagnostics.some((d) => d.severity === "warning")) return "warning";
  return diagnostics.length ? "information" : null;
}
