// Messages from the mapping-state webview are untrusted input: a script running in the view
// (a bug, or content that got in) could post anything. Each message is checked against the
// schema of webview/src/report-types.ts (ViewMessage) before the panel acts on it, and a
// `reveal` may only name a file of the report on show. No vscode import: unit-tested as is.
// The message types are the webview's own (type-only: erased at build, no code shared).
import type { Position, Range, ViewMessage } from "../../webview/src/report-types";

export type { Range, ViewMessage };

/** Longer than any path a report carries; a bound so a huge string is not processed. */
const MAX_PATH_LENGTH = 4096;
const MAX_UINTEGER = 2 ** 31 - 1;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isUinteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_UINTEGER;

function position(v: unknown): Position | undefined {
  if (!isObject(v) || !isUinteger(v.line) || !isUinteger(v.character)) return undefined;
  return { line: v.line, character: v.character };
}

/** The message, rebuilt from its checked fields only; or why it is refused. */
export function parseViewMessage(raw: unknown): ViewMessage | { refused: string } {
  if (!isObject(raw)) return { refused: "not an object" };
  if (raw.type === "ready") return { type: "ready" };
  if (raw.type === "live-refresh") return { type: "live-refresh" };
  if (raw.type === "live-detach") return { type: "live-detach" };
  // Exports and "Copy as Markdown" carry data the user then saves or pastes: view-exports.ts
  // checks each field of those (format, size, text) before anything is written.
  if (raw.type === "export" || raw.type === "copy-markdown") return raw as ViewMessage;
  if (raw.type !== "reveal") return { refused: `unknown type ${JSON.stringify(String(raw.type)).slice(0, 60)}` };
  const file = raw.file;
  if (file !== null && (typeof file !== "string" || file.length === 0 || file.length > MAX_PATH_LENGTH)) return { refused: "reveal: file must be null or a path" };
  if (!isObject(raw.range)) return { refused: "reveal: range must be an object" };
  const start = position(raw.range.start);
  const end = position(raw.range.end);
  if (!start || !end) return { refused: "reveal: range positions must be non-negative integers" };
  if (start.line > end.line || (start.line === end.line && start.character > end.character)) return { refused: "reveal: range starts after it ends" };
  return { type: "reveal", file, range: { start, end } };
}

/** Every file a report names (its own and each `file` of a source reference): the files a reveal may open. */
export function filesOfReport(report: unknown): Set<string> {
  const files = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 32) return;
    if (Array.isArray(value)) value.forEach((item) => visit(item, depth + 1));
    else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (key === "file" && typeof child === "string") files.add(child);
        else visit(child, depth + 1);
      }
    }
  };
  visit(report, 0);
  return files;
}

/** The range lies within a document of these line lengths (`lineLength(i)` for line i). */
export function rangeInside(range: Range, lineCount: number, lineLength: (line: number) => number): boolean {
  const inside = (p: Position) => p.line < lineCount && p.character <= lineLength(p.line);
  return inside(range.start) && inside(range.end);
}
