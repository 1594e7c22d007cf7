// What the mapping-state webview may ask the extension host to save or copy, checked before
// anything touches the disk or the clipboard: the webview's messages are untrusted input.
// Pure (no vscode): test/unit/webview-export.test.ts.

/** Largest figure accepted: a 10,000-region map as PNG at 2× is far below this. */
export const MAX_EXPORT_BYTES = 32 * 1024 * 1024;
/** Largest Markdown accepted for the clipboard. */
export const MAX_MARKDOWN_CHARS = 8 * 1024 * 1024;

export interface CheckedExport {
  format: "svg" | "png";
  /** a safe file name, with its extension */
  fileName: string;
  bytes: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Letters, digits, dot, dash and underscore; at most 100 characters; never empty or hidden. */
export function safeFileStem(name: unknown): string {
  const stem = (typeof name === "string" ? name : "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "").slice(0, 100);
  return stem || "vmtopo-figure";
}

/**
 * An SVG the view produced: a single <svg> document with no script, no event handler, no
 * foreign content and no external reference (an SVG file opened in a browser runs scripts).
 */
export function checkSvg(text: string): string | null {
  const body = text.replace(/^\s*(<\?xml[^>]*\?>\s*)?/, "");
  if (!/^<svg[\s>]/.test(body) || !/<\/svg>\s*$/.test(body)) return "not an SVG document";
  if (/<script|<foreignObject|<iframe|<!ENTITY|<!DOCTYPE/i.test(body)) return "the SVG holds active or foreign content";
  if (/\son[a-z]+\s*=/i.test(body)) return "the SVG holds an event handler";
  if (/(?:href|src)\s*=\s*["']\s*(?!#)/i.test(body)) return "the SVG refers to something outside itself";
  if (/url\(\s*["']?\s*(?!#)/i.test(body)) return "the SVG refers to something outside itself";
  return null;
}

/** The webview's export message, checked; an error message when it is not acceptable. */
export function checkExport(message: unknown): CheckedExport | { error: string } {
  const m = message as { what?: unknown; format?: unknown; name?: unknown; data?: unknown } | null;
  if (!m || typeof m !== "object") return { error: "not an export" };
  if (m.what !== "address-map" && m.what !== "chart") return { error: "unknown figure" };
  if (m.format !== "svg" && m.format !== "png") return { error: "unknown format" };
  if (typeof m.data !== "string" || m.data.length === 0) return { error: "no data" };
  if (m.data.length > (m.format === "png" ? (MAX_EXPORT_BYTES * 4) / 3 : MAX_EXPORT_BYTES)) return { error: "the figure is too large" };
  const fileName = `${safeFileStem(m.name)}.${m.format}`;
  if (m.format === "svg") {
    const problem = checkSvg(m.data);
    if (problem) return { error: problem };
    return { format: "svg", fileName, bytes: new TextEncoder().encode(m.data) };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(m.data) || m.data.length % 4 !== 0) return { error: "the PNG is not base64" };
  const bytes = Uint8Array.from(Buffer.from(m.data, "base64"));
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return { error: "not a PNG image" };
  return { format: "png", fileName, bytes };
}

/** The Markdown to copy, or null when the message is not acceptable. */
export function checkMarkdown(message: unknown): string | null {
  const text = (message as { text?: unknown } | null)?.text;
  return typeof text === "string" && text.length > 0 && text.length <= MAX_MARKDOWN_CHARS ? text : null;
}
