// The data the mapping-state view receives by postMessage. The report's types come from the
// engine (server/src/engine/report.ts) as types only: nothing of the engine is bundled here,
// and the JSON contract has one definition.
import type { Range } from "../../grammar/src/ast";
import type { Report } from "../../server/src/engine/report";

export type { Position, Range } from "../../grammar/src/ast";
export type {
  ContainerReport,
  FiguresAt,
  HostReport,
  Report,
  ReportDiagnostic,
  ScenarioReport,
  SectionReport,
  SourceRef,
  StartupCheck,
  StepContainer,
  StepReport,
  Verdict,
  VerdictKind,
  VirtioMemReport,
  VmReport,
} from "../../server/src/engine/report";

export type { LiveFigure, LiveRow } from "../../server/src/engine/interop/live-compare";
import type { LiveRow } from "../../server/src/engine/interop/live-compare";

// ---- messages ---------------------------------------------------------------------------

/** A VT501 difference of the live comparison; `subject` is the key of its row. */
export interface LiveDifference {
  code: string;
  severity: "error" | "warning" | "information" | "hint";
  message: string;
  range: Range;
  file: string;
  subject: string;
}

/**
 * A running QEMU read over QMP and compared with the design (the server's `vmtopo/live`
 * answer, docs/lsp.md): the "Live (QEMU)" column beside the design's figures.
 */
export interface LiveView {
  vm: string;
  /** the step of the design it was compared with; null scenario: at boot */
  scenario: string | null;
  step: number | null;
  qemuVersion: string | null;
  socket: string;
  /** when QEMU was read (ISO 8601) */
  readAt: string;
  /** the document version the design was read at */
  version: number | null;
  rows: LiveRow[];
  differences: LiveDifference[];
  notes: string[];
}

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
  | { type: "select"; uri: string; vm: string }
  /** the live comparison of the design `uri` (null: detached) */
  | { type: "live"; uri: string; live: LiveView | null }
  /** "vmtopo: Copy Report as Markdown": answer with a copy-markdown message */
  | { type: "request-markdown" };

/** Webview → extension host: a figure to save (SVG text, or PNG as base64); the host validates it and asks where. */
export interface ExportMessage {
  type: "export";
  what: "address-map" | "chart";
  format: "svg" | "png";
  /** a file name to suggest, without the extension */
  name: string;
  data: string;
}

/** Webview → extension host. `file` null: the document the view shows. */
export type ViewMessage =
  | { type: "ready" }
  | { type: "reveal"; file: string | null; range: Range }
  | ExportMessage
  | { type: "copy-markdown"; text: string }
  /** the live column's buttons: read QEMU again, or detach */
  | { type: "live-refresh" }
  | { type: "live-detach" };
