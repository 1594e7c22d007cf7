// Engine values → LSP values, and LSP document URIs ↔ the engine's paths.
import { fileURLToPath, pathToFileURL } from "node:url";
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { EngineDiagnostic } from "../engine/sink";
import { rulePage } from "../files/rule-pages";

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

export function toLspDiagnostic(d: EngineDiagnostic): LspDiagnostic {
  const lsp: LspDiagnostic = { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: "vmtopo", message: d.message };
  const href = rulePage(d.code);
  if (href) lsp.codeDescription = { href };
  if (d.related) lsp.relatedInformation = d.related.map((r) => ({ location: { uri: pathToUri(r.file), range: r.range }, message: r.message }));
  if (d.data) lsp.data = d.data;
  return lsp;
}

/**
 * The engine names files by absolute '/'-separated paths; other schemes keep their URI, and
 * so does a file URI that names no local file (file://host/share/x, an encoded '/' as in
 * a%2fb, an invalid percent-encoding): the engine analyses those as in-memory documents.
 */
export function uriToPath(uri: string): string {
  if (!uri.startsWith("file:")) return uri;
  try {
    return fileURLToPath(uri).split("\\").join("/");
  } catch {
    return uri;
  }
}

export function pathToUri(path: string): string {
  return path.startsWith("/") || /^[A-Za-z]:\//.test(path) ? pathToFileURL(path).href : path;
}
