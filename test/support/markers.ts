// Fixtures mark ranges inline: `qemu ⟦"10.1"⟧` marks the range of `"10.1"`, and `‸` marks
// a cursor position. The markers are removed from the text the test uses.
import { LineIndex, type Position, type Range } from "../../grammar/src/index";

export interface Marked {
  text: string;
  ranges: Range[];
  cursors: Position[];
}

export function marked(source: string): Marked {
  let text = "";
  const opens: number[] = [];
  const spans: [number, number][] = [];
  const cursorOffsets: number[] = [];
  for (const ch of source) {
    if (ch === "⟦") opens.push(text.length);
    else if (ch === "⟧") spans.push([opens.pop()!, text.length]);
    else if (ch === "‸") cursorOffsets.push(text.length);
    else text += ch;
  }
  const lines = new LineIndex(text);
  spans.sort((a, b) => a[0] - b[0]);
  return { text, ranges: spans.map(([s, e]) => lines.range(s, e)), cursors: cursorOffsets.map((o) => lines.position(o)) };
}
