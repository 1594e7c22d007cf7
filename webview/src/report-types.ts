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
  | { type: "select"; uri: string; vm: string }
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
export type ViewMessage = { type: "ready" } | { type: "reveal"; file: string | null; range: Range } | ExportMessage | { type: "copy-markdown"; text: string };
