// What the language status items say, as plain data (no `vscode` here, so that unit tests can
// run it): the document's problem counts, and the worst-case DMA mappings of the VM under the
// cursor or of the file's worst VFIO container, from the `vmtopo/mappingState` report
// (CLI.md's JSON contract; only the fields read here are declared).

export type StatusSeverity = "information" | "warning" | "error";

export interface StatusText {
  text: string;
  detail: string;
  severity: StatusSeverity;
}

interface Figures {
  mappings: number;
}

export interface ContainerReport {
  id: string;
  backend: string;
  devices: string[];
  limit: number | null;
  boot: Figures | null;
  peak: Figures;
  worstCase: Figures | null;
}

export interface VmReport {
  name: string;
  containers: ContainerReport[];
}

export interface MappingReport {
  vms: VmReport[];
  scenarios: { name: string; vm: string }[];
}

/** The result of `vmtopo/mappingState`. */
export interface MappingState {
  uri: string;
  version: number | null;
  report: MappingReport;
}

/** A top-level outline entry (LSP DocumentSymbol): VMs are `Module`, scenarios `Function`. */
export interface OutlineEntry {
  name: string;
  kind: number;
  range: { start: { line: number }; end: { line: number } };
}

const SYMBOL_KIND_MODULE = 2;
const SYMBOL_KIND_FUNCTION = 12;

const count = (n: number): string => n.toLocaleString("en-US");
const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? "" : "s"}`;

export function problemsStatus(errors: number, warnings: number): StatusText {
  if (errors === 0 && warnings === 0) return { text: "No problems", detail: "in this file", severity: "information" };
  const parts = [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""].filter(Boolean);
  return {
    text: parts.join(", "), // VS Code puts the severity's icon in front
    detail: "in this file",
    severity: errors > 0 ? "error" : "warning",
  };
}

/** The VM whose declaration (or whose scenario) contains the 0-based `line`, if any. */
export function vmAtLine(outline: readonly OutlineEntry[], report: MappingReport, line: number): string | undefined {
  const entry = outline.find((e) => e.range.start.line <= line && line <= e.range.end.line);
  if (!entry) return undefined;
  if (entry.kind === SYMBOL_KIND_MODULE) return entry.name;
  if (entry.kind === SYMBOL_KIND_FUNCTION) return report.scenarios.find((s) => s.name === entry.name)?.vm;
  return undefined;
}

const worstOf = (c: ContainerReport): number => c.worstCase?.mappings ?? c.peak.mappings;

function describe(c: ContainerReport): string {
  const devices = c.devices.length > 2 ? `${c.devices.slice(0, 2).join(", ")}, …` : c.devices.join(", ");
  const worst = worstOf(c);
  const limit = c.limit === null ? "no entry limit" : worst > c.limit ? `over the limit of ${count(c.limit)}` : `limit ${count(c.limit)}`;
  return `${c.id} (${devices}): ${limit}`;
}

const overLimit = (c: ContainerReport): boolean => c.limit !== null && worstOf(c) > c.limit;

/**
 * The worst-case DMA mappings of VM `vmName` (its worst container), or, without a VM (the
 * cursor outside any VM or scenario), of the file's worst container over all VMs.
 */
export function mappingStatus(report: MappingReport, vmName: string | undefined): StatusText & { vm: string | undefined } {
  const vm = vmName === undefined ? undefined : report.vms.find((v) => v.name === vmName);
  if (vm) {
    const worst = [...vm.containers].sort((a, b) => worstOf(b) - worstOf(a))[0];
    if (!worst) return { text: `${vm.name}: no VFIO devices`, detail: "no DMA mappings", severity: "information", vm: vm.name };
    const others = vm.containers.length > 1 ? `, worst of ${vm.containers.length} containers` : "";
    return {
      text: `${vm.name}: ${plural(worstOf(worst), "DMA mapping")} worst case`,
      detail: `${describe(worst)}${others}`,
      severity: overLimit(worst) ? "warning" : "information",
      vm: vm.name,
    };
  }
  let found: { vm: VmReport; container: ContainerReport } | undefined;
  for (const v of report.vms) for (const c of v.containers) if (!found || worstOf(c) > worstOf(found.container)) found = { vm: v, container: c };
  if (!found) {
    const text = report.vms.length === 0 ? "No VMs" : "No VFIO devices";
    return { text, detail: report.vms.length === 0 ? "this file declares no VM" : "no DMA mappings in this file", severity: "information", vm: undefined };
  }
  return {
    text: `${plural(worstOf(found.container), "DMA mapping")} worst case (${found.vm.name})`,
    detail: `the file's worst: ${describe(found.container)}`,
    severity: overLimit(found.container) ? "warning" : "information",
    vm: found.vm.name,
  };
}
