// Collects the engine's diagnostics for one file, each with its code's rule page.
import type { Diagnostic, Range, Severity } from "../../../grammar/src/index";

export interface RelatedInformation {
  file: string;
  range: Range;
  message: string;
}

export interface EngineDiagnostic extends Diagnostic {
  /** the file the range belongs to */
  file: string;
  /** machine-readable data for quick fixes (e.g. a suggested name or value) */
  data?: Record<string, unknown>;
  related?: RelatedInformation[];
}

export class Sink {
  readonly diagnostics: EngineDiagnostic[] = [];
  constructor(readonly file: string) {}

  add(code: string, severity: Severity, range: Range, message: string, data?: Record<string, unknown>, related?: RelatedInformation[]): void {
    const d: EngineDiagnostic = { code, severity, message, range, file: this.file };
    if (data) d.data = data;
    if (related && related.length > 0) d.related = related;
    this.diagnostics.push(d);
  }

  error(code: string, range: Range, message: string, data?: Record<string, unknown>, related?: RelatedInformation[]): void {
    this.add(code, "error", range, message, data, related);
  }

  warning(code: string, range: Range, message: string, data?: Record<string, unknown>, related?: RelatedInformation[]): void {
    this.add(code, "warning", range, message, data, related);
  }
}
