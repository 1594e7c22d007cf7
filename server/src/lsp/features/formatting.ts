// Document and range formatting through the formatter (grammar/src/format.ts). A range is
// widened to the whole declarations it touches; a document with syntax errors is left
// alone (the formatter refuses to guess), so formatting never loses text.
import type { TextEdit } from "vscode-languageserver";
import { format, parse, type Range } from "../../../../grammar/src/index";
import type { Feature } from "../context";

function wholeDocument(text: string, formatted: string): TextEdit[] {
  if (formatted === text) return [];
  // One edit spanning from the first to the last differing character keeps the cursor steady.
  let start = 0;
  while (start < text.length && start < formatted.length && text[start] === formatted[start]) start++;
  let end = 0;
  while (end < text.length - start && end < formatted.length - start && text[text.length - 1 - end] === formatted[formatted.length - 1 - end]) end++;
  const original = parse(text).lines;
  return [{ range: original.range(start, text.length - end), newText: formatted.slice(start, formatted.length - end) }];
}

export function formatRange(text: string, range: Range): TextEdit[] {
  const result = format(text);
  if (result.text === null) return [];
  const before = parse(text);
  const after = parse(result.text);
  const edits: TextEdit[] = [];
  before.ast.declarations.forEach((decl, i) => {
    if (decl.range.end.line < range.start.line || decl.range.start.line > range.end.line) return;
    const formatted = after.ast.declarations[i];
    if (!formatted) return;
    const from = before.lines.offset({ line: decl.range.start.line, character: 0 });
    const to = before.lines.offset(decl.range.end);
    const newFrom = after.lines.offset({ line: formatted.range.start.line, character: 0 });
    const newTo = after.lines.offset(formatted.range.end);
    const replacement = result.text!.slice(newFrom, newTo);
    if (text.slice(from, to) !== replacement) edits.push({ range: before.lines.range(from, to), newText: replacement });
  });
  return edits;
}

export const formatting: Feature = {
  capabilities: { documentFormattingProvider: true, documentRangeFormattingProvider: true },
  register({ connection, documents, workspace }) {
    connection.onDocumentFormatting(({ textDocument }) => {
      const document = documents.get(textDocument.uri);
      // Too large to parse in time: no edits rather than a hang (engine/too-large.ts).
      if (!document || workspace.tooLarge(textDocument.uri)) return null;
      const text = document.getText();
      const result = format(text);
      return result.text === null ? [] : wholeDocument(text, result.text);
    });
    connection.onDocumentRangeFormatting(({ textDocument, range }) => {
      const document = documents.get(textDocument.uri);
      return document && !workspace.tooLarge(textDocument.uri) ? formatRange(document.getText(), range) : null;
    });
  },
};
