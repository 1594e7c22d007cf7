// Diagnostics as the grammar and the engine produce them: plain data, free of LSP, so the
// CLI and the language server can each render them their own way.
import type { Range } from "./ast";

export type Severity = "error" | "warning" | "information" | "hint";

export interface Diagnostic {
  /** stable code from DOMAIN.md, e.g. "VT001" */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
}

export function syntaxError(message: string, range: Range): Diagnostic {
  return { code: "VT001", severity: "error", message, range };
}

export function valueError(message: string, range: Range): Diagnostic {
  return { code: "VT004", severity: "error", message, range };
}
