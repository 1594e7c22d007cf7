// A document too large to analyse interactively (a 20 MB paste, a generated line of 800,000
// attributes) is not parsed at all: its analysis is empty but for one VT099 diagnostic on its
// first line that says why, so the editor stays responsive and every feature degrades to
// "nothing here" instead of a hang. The limit is far above any hand-written topology (the
// 50,000-line benchmark file is about 1 MB); `vmtopo check` still analyses such files.
import { LineIndex } from "../../../grammar/src/index";
import type { Analysis } from "./analyze";

/** Characters (UTF-16 code units) beyond which the language server does not analyse a document. */
export const MAX_ANALYSED_LENGTH = 2 * 1024 * 1024;
/**
 * Characters in one line beyond which it does not either: one generated line of a hundred
 * thousand attributes is one declaration, which no incremental analysis can split.
 */
export const MAX_LINE_LENGTH = 100_000;

/** Why a document is too large to analyse, with the range to show it on; undefined if it is not. */
function excess(text: string): { why: string; start: number; end: number } | undefined {
  const size = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (text.length > MAX_ANALYSED_LENGTH) {
    const firstLineEnd = text.search(/\r|\n/);
    return { why: `${size(text.length)} of text; the limit is ${size(MAX_ANALYSED_LENGTH)}`, start: 0, end: firstLineEnd < 0 ? text.length : firstLineEnd };
  }
  if (text.length <= MAX_LINE_LENGTH) return undefined;
  // Runs between \n found natively; only a run over the limit is looked at for a lone \r.
  for (let from = 0; from <= text.length; ) {
    const newline = text.indexOf("\n", from);
    const to = newline < 0 ? text.length : newline;
    if (to - from > MAX_LINE_LENGTH) {
      let start = from;
      for (let i = from; i <= to; i++) {
        if (i < to && text.charCodeAt(i) !== 13 /* \r */) continue;
        if (i - start > MAX_LINE_LENGTH) return { why: `a line of ${(i - start).toLocaleString("en-US")} characters; the limit is ${MAX_LINE_LENGTH.toLocaleString("en-US")}`, start, end: i };
        start = i + 1;
      }
    }
    from = to + 1;
  }
  return undefined;
}

export function isTooLarge(text: string): boolean {
  return excess(text) !== undefined;
}

export function tooLargeAnalysis(text: string, path: string): Analysis {
  const lines = new LineIndex(text);
  const { why, start, end } = excess(text) ?? { why: "", start: 0, end: 0 };
  const message = `this document is too large for the editor to analyse (${why}): no diagnostics, hover or completion; run \`vmtopo check\` on it, or split it into files that import each other`;
  const range = lines.range(start, end);
  return {
    path,
    parse: { ast: { kind: "file", imports: [], declarations: [], range: lines.range(0, text.length) }, diagnostics: [], tokens: [], comments: [], lines },
    diagnostics: [{ code: "VT099", severity: "warning", message, range, file: path }],
    program: { entry: path, files: new Map(), hosts: new Map(), vms: new Map(), scenarios: new Map() },
    vms: [],
    scenarios: [],
    hosts: [],
  };
}
