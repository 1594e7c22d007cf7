// Folding: every multi-line block (declarations, iommu/vfio/hugepages, devices, hot-plugged
// devices), block comments, and runs of line comments and of imports.
import { FoldingRangeKind, type FoldingRange } from "vscode-languageserver";
import type * as A from "../../../../grammar/src/index";
import type { Feature } from "../context";

export function foldingRanges(file: A.VmtopoFile, comments: { startLine?: number; endLine?: number; image: string }[]): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const block = (range: A.Range) => {
    if (range.end.line > range.start.line) ranges.push({ startLine: range.start.line, endLine: range.end.line - 1 });
  };
  for (const decl of file.declarations) {
    block(decl.range);
    if (decl.kind === "host") decl.items.forEach((i) => i.kind !== "attribute" && block(i.range));
    else if (decl.kind === "vm") {
      decl.items.forEach((i) => (i.kind === "device" || i.kind === "numa") && block(i.range));
      decl.items.forEach((i) => i.kind === "numa" && i.items.forEach((n) => n.kind === "numa-node" && block(n.range)));
    }
    else decl.steps.forEach((s) => s.kind === "hotplug" && block(s.range));
  }
  if (file.imports.length > 1) {
    const first = file.imports[0].range.start.line;
    const last = file.imports[file.imports.length - 1].range.end.line;
    if (last > first) ranges.push({ startLine: first, endLine: last, kind: FoldingRangeKind.Imports });
  }
  let run: { start: number; end: number } | null = null;
  const flush = () => {
    if (run && run.end > run.start) ranges.push({ startLine: run.start, endLine: run.end, kind: FoldingRangeKind.Comment });
    run = null;
  };
  for (const c of comments) {
    const start = (c.startLine ?? 1) - 1;
    const end = (c.endLine ?? c.startLine ?? 1) - 1;
    if (c.image.startsWith("/*")) {
      flush();
      if (end > start) ranges.push({ startLine: start, endLine: end, kind: FoldingRangeKind.Comment });
      continue;
    }
    if (run && start === run.end + 1) run.end = start;
    else {
      flush();
      run = { start, end: start };
    }
  }
  flush();
  return ranges;
}

export const folding: Feature = {
  capabilities: { foldingRangeProvider: true },
  register({ connection, workspace }) {
    connection.onFoldingRanges(({ textDocument }) => {
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? foldingRanges(analysis.parse.ast, analysis.parse.comments) : null;
    });
  },
};
