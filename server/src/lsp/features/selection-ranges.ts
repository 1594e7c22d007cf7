// Selection ranges (expand selection): from the word under the cursor out through its
// value, attribute or step, block, declaration, and the whole file.
import type { SelectionRange } from "vscode-languageserver";
import { containsPosition, type Position, type Range, type VmtopoFile } from "../../../../grammar/src/index";
import type { Feature } from "../context";

const RANGE_KEYS = new Set(["range", "keyword", "toRange", "modeRange"]);

function enclosing(file: VmtopoFile, position: Position): Range[] {
  const found: Range[] = [];
  const visit = (node: unknown) => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (RANGE_KEYS.has(key) && value && typeof value === "object" && "start" in value) {
        if (containsPosition(value as Range, position)) found.push(value as Range);
      } else visit(value);
    }
  };
  visit(file);
  const size = (r: Range) => [r.end.line - r.start.line, r.end.character - r.start.character];
  const unique = new Map(found.map((r) => [`${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`, r]));
  return [...unique.values()].sort((a, b) => {
    const [la, ca] = size(a);
    const [lb, cb] = size(b);
    return lb - la || cb - ca || a.start.line - b.start.line || a.start.character - b.start.character;
  });
}

export function selectionRangeAt(file: VmtopoFile, position: Position): SelectionRange {
  let current: SelectionRange | undefined;
  for (const range of enclosing(file, position)) current = { range, parent: current };
  return current ?? { range: { start: position, end: position } };
}

export const selectionRanges: Feature = {
  capabilities: { selectionRangeProvider: true },
  register({ connection, workspace }) {
    connection.onSelectionRanges(({ textDocument, positions }) => {
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? positions.map((p) => selectionRangeAt(analysis.parse.ast, p)) : null;
    });
  },
};
