// Applies LSP text edits to a text, as an editor would (edits do not overlap).
import type { TextEdit } from "vscode-languageserver-protocol";
import { LineIndex } from "../../grammar/src/index";

export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = edits.map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let result = text;
  for (const e of sorted) result = result.slice(0, e.start) + e.text + result.slice(e.end);
  return result;
}
