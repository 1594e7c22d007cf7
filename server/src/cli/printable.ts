// Text that reaches a terminal or a log: a file name is data, never layout. Control
// characters (a newline could forge a `path:1:1: error …` line, an escape sequence could
// rewrite the terminal) and bidirectional overrides are shown as escapes.

// C0, DEL, C1, the line/paragraph separators and the bidi embeddings, overrides and isolates.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
