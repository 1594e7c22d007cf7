// A document too large to analyse interactively (a 20 MB paste, a generated line of 800,000
// attributes) is not parsed at all: its analysis is empty but for one VT099 diagnostic on its
// first line that says why, so the editor stays responsive and every feature degrades to
// "nothing here" instead of a hang. The limit is far above any hand-written topology (the
// 50,000-line benchmark file is about 1 MB); `vmtopo check` still analyses such files.
import { LineIndex } from "../../../grammar/src/index";
import type { Analysis } from "./analyze";

/** Characters (UTF-16 code units) beyond which the language server does not analyse a document. */
export const MAX_ANALYSED_LENGTH = 2 * 1024 * 1024;

export function isTooLarge(text: string, limit = MAX_ANALYSED_LENGTH): boolean {
  return text.length > limit;
}

export function tooLargeAnalysis(text: string, path: string, limit = MAX_ANALYSED_LENGTH): Analysis {
  const lines = new LineIndex(text);
  const firstLineEnd = lines.lineCount > 1 ? lines.offset({ line: 1, character: 0 }) - 1 : text.length;
  const size = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  const message = `this document is too large for the editor to analyse (${size(text.length)} of text, ${lines.lineCount.toLocaleString("en-US")} lines; the limit is ${size(limit)}): no diagnostics, hover or completion; run \`vmtopo check\` on it, or split it into files that import each other`;
  const range = lines.range(0, Math.max(0, firstLineEnd));
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
