// The data the mapping-state view receives by postMessage. The report types mirror
// server/src/engine/report.ts (the webview may not import the engine; keep them in step).

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface SourceRef {
  file: string;
  range: Range;
}

export interface ReportDiagnostic {
  code: string;
  severity: string;
  message: string;
  range: Range;
}

export interface HostReport {
  name: string;
  memlock: number | null;
  iommuAddressWidth: number;
  reservedIova: { name: string; start: number; end: number; source: SourceRef | null }[];
  source: SourceRef | null;
  memlockSource: SourceRef | null;
  addressWidthSource: SourceRef | null;
}

export interface FiguresAt {
  mappings: number;
  pinnedBytes: number;
  pageTableBytes: number;
}

export interface StartupCheck {
  mappings: number;
  memslots: number;
  sections: number;
  total: number;
  limit: number;
  passes: boolean;
}

export interface ContainerReport {
  id: string;
  backend: string;
  devices: string[];
  behindViommu: boolean;
  limit: number | null;
  domains: number;
  startupCheck: StartupCheck | null;
  boot: FiguresAt | null;
  peak: FiguresAt & { scenario: string | null; step: number | null };
  worstCase: FiguresAt | null;
  pageTableBytes: number;
}

export interface SectionReport {
  name: string;
  kind: string;
  start: number;
  end: number;
  source: SourceRef;
}

export interface VirtioMemReport {
  name: string;
  base: number | null;
  size: number;
  blockSize: number;
  blocks: number;
  pluggedBlocks: number;
  usableRegion: number;
  guestMode: string;
  largestPassingSize: number | null;
  source: SourceRef;
}

export interface VmReport {
  name: string;
  host: string;
  machine: string;
  memory: number;
  maxmem: number;
  confidential: string;
  layout: {
    sections: SectionReport[];
    deviceMemory: { start: number; end: number } | null;
    pciHole64: { start: number; end: number } | null;
    highestGpa: number;
    physBitsNeeded: number;
    physBits: number;
    relocatedAbove1T: boolean;
  };
  virtioMem: VirtioMemReport[];
  vfio: { name: string; source: SourceRef }[];
  containers: ContainerReport[];
  source: SourceRef;
}

export interface StepContainer {
  id: string;
  mappings: number;
  pinnedBytes: number;
  pageTableBytes: number;
  limit: number | null;
}

export interface StepReport {
  index: number;
  line: number;
  range: Range;
  text: string;
  host: string;
  containers: StepContainer[];
  pluggedBlocks: Record<string, number>;
  sharedBytes: number;
  sharedRanges: { start: number; end: number }[];
  migration?: { to: string; mode: string; bytes: number; seconds: number; faultBytes?: number; faultSeconds?: number };
  diagnostics: ReportDiagnostic[];
}

export interface ScenarioReport {
  name: string;
  vm: string;
  source: SourceRef;
  steps: StepReport[];
}

export interface Report {
  file: string;
  vms: VmReport[];
  scenarios: ScenarioReport[];
  hosts: HostReport[];
}

// ---- messages ---------------------------------------------------------------------------

/** A diagnostic of the whole document, as VS Code holds it (source vmtopo). */
export interface DocumentDiagnostic {
  code: string;
  severity: "error" | "warning" | "information" | "hint";
  message: string;
  range: Range;
}

/** Extension host → webview. */
export type HostMessage =
  | { type: "update"; uri: string; fileName: string; version: number | null; report: Report | null; diagnostics: DocumentDiagnostic[] }
  | { type: "diagnostics"; uri: string; diagnostics: DocumentDiagnostic[] }
  | { type: "select"; uri: string; vm: string };

/** Webview → extension host. `file` null: the document the view shows. */
export type ViewMessage = { type: "ready" } | { type: "reveal"; file: string | null; range: Range };
