// The engine's entry point: text in, AST and diagnostics out. The engine never imports LSP
// or vscode (ARCHITECTURE.md); the CLI and the language server both call this.
import { parse, type Diagnostic, type ParseResult } from "../../../grammar/src/index";

export interface Analysis {
  parse: ParseResult;
  diagnostics: Diagnostic[];
}

/** Analyses one document. Today: syntax (VT001) and literal (VT004) checks. */
export function analyzeText(text: string): Analysis {
  const parsed = parse(text);
  return { parse: parsed, diagnostics: parsed.diagnostics };
}
