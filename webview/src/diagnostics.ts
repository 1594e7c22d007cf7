// Diagnostics as a list of buttons: each reveals its range in the editor.
import { revealProps } from "./address-map";
import { h } from "./dom";
import type { Range } from "./report-types";

const ICON: Record<string, string> = { error: "✗", warning: "⚠", information: "ℹ", hint: "…" };

/** A list longer than this shows its first rows and a "Show more" button: 10,000 rows help no one and cost seconds. */
export const DIAGNOSTICS_SHOWN = 200;

export function renderDiagnosticList(diagnostics: { code: string; severity: string; message: string; range: Range }[], file: string | null, label: string, shown = Infinity): HTMLElement {
  const sorted = [...diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const visible = sorted.length > shown ? sorted.slice(0, shown) : sorted;
  const more = sorted.length - visible.length;
  return h(
    "ul",
    { class: "diagnostics", "aria-label": label },
    visible.map((d, i) =>
      h(
        "li",
        { "data-key": `${d.code}:${d.range.start.line}:${d.range.start.character}:${i}` },
        h(
          "button",
          {
            type: "button",
            class: ["diagnostic", `severity-${d.severity}`],
            "aria-label": `${d.severity} ${d.code} at line ${d.range.start.line + 1}: ${d.message}`,
            ...(file === null ? { "data-action": "reveal", "data-range": `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}` } : revealProps({ file, range: d.range })),
          },
          h("span", { class: "diagnostic-icon", "aria-hidden": "true" }, ICON[d.severity] ?? "•"),
          h("span", { class: "diagnostic-code" }, d.code),
          h("span", { class: "diagnostic-message" }, d.message),
          h("span", { class: "diagnostic-where" }, `${d.range.start.line + 1}:${d.range.start.character + 1}`),
        ),
      ),
    ),
    more > 0
      ? h("li", { "data-key": "more", class: "diagnostics-more" }, h("button", { type: "button", class: "more-button", "data-action": "more-diagnostics", "data-shown": visible.length + DIAGNOSTICS_SHOWN }, `Show ${Math.min(more, DIAGNOSTICS_SHOWN)} more (${more} not shown)`))
      : null,
  );
}
