// Properties every parse and every format must have, whatever the input.
import assert from "node:assert/strict";
import { format, isBefore, parse, type Range } from "../../grammar/src/index";
import type { LineIndex } from "../../grammar/src/line-index";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import { withoutRanges } from "./ast-dump";

function assertRangeInside(range: Range, lines: LineIndex, what: string): void {
  assert.ok(!isBefore(range.end, range.start), `${what}: range ends before it starts: ${JSON.stringify(range)}`);
  for (const position of [range.start, range.end]) {
    assert.ok(position.line >= 0 && position.line < lines.lineCount, `${what}: line ${position.line} outside the document`);
    const offset = lines.offset(position);
    assert.deepEqual(lines.position(offset), position, `${what}: character ${position.character} outside line ${position.line}`);
  }
}

/** Every diagnostic (syntax and engine) and every node of the AST has a range inside the document. */
export function assertRangesInside(text: string): void {
  const result = parse(text);
  for (const d of analyzeText(text).diagnostics) {
    assertRangeInside(d.range, result.lines, `diagnostic '${d.message}'`);
    assert.ok(!d.message.startsWith("internal error"), d.message);
  }
  const visit = (node: unknown, path: string) => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === "range" || key === "keyword" || key === "toRange" || key === "modeRange") && value && typeof value === "object" && "start" in value) {
        assertRangeInside(value as Range, result.lines, `${path}.${key}`);
      } else visit(value, `${path}.${key}`);
    }
  };
  visit(result.ast, "ast");
}

function commentsOf(text: string): string[] {
  return parse(text).comments.map((c) => c.image.trimEnd());
}

/** Formatting is idempotent, keeps every comment and leaves the AST unchanged. */
export function assertFormatsSafely(text: string): string {
  const first = format(text);
  assert.notEqual(first.text, null, "a file without syntax errors must format");
  const formatted = first.text!;
  assert.equal(format(formatted).text, formatted, "formatting twice gives the same text");
  assert.deepEqual(withoutRanges(parse(formatted).ast), withoutRanges(parse(text).ast), "the AST is unchanged");
  assert.deepEqual(commentsOf(formatted), commentsOf(text), "every comment is kept, in order");
  assert.deepEqual(parse(formatted).diagnostics.map((d) => d.message), parse(text).diagnostics.map((d) => d.message));
  return formatted;
}

/** The report holds only finite numbers (JSON has no NaN or Infinity) and no internal error. */
export function assertFiniteReport(text: string): void {
  const analysis = analyzeText(text);
  assert.ok(!analysis.diagnostics.some((d) => d.code === "VT000"), analysis.diagnostics.find((d) => d.code === "VT000")?.message);
  JSON.stringify(buildReport(analysis), (key, value) => {
    if (typeof value === "number") assert.ok(Number.isFinite(value), `report field '${key}' is ${value}`);
    return value;
  });
}
