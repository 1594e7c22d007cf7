// The running VM beside the design ("vmtopo: Attach to QEMU…"): for the step of the design it
// was matched to, each RAM section of QEMU's flat view, each virtio-mem property and each VFIO
// device in a "Design" and a "Live (QEMU)" column; a row that differs is drawn in the
// severity of its VT501 diagnostic, with the message, which reveals the design's line.
// Sizes are exact (2047 MiB, never a rounded 2 GiB): a difference is never rounded away.
import { revealProps } from "./address-map";
import { h } from "./dom";
import { exactBytes, hex } from "./format";
import type { LiveDifference, LiveFigure, LiveRow, LiveView, Report } from "./report-types";
import type { Resolved } from "./state";

const ICON: Record<string, string> = { error: "✗", warning: "⚠", information: "ℹ", hint: "…" };
const RANK: Record<string, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** "after step 1 of plug" or "at boot": the point of the design the live state was compared with. */
export function livePoint(live: LiveView): string {
  return live.scenario === null ? "at boot" : `after step ${live.step} of ${live.scenario}`;
}

function figureText(f: LiveFigure | null): string {
  if (f === null) return "—";
  switch (f.kind) {
    case "range":
      return `${hex(f.start)} – ${hex(f.end)} (${exactBytes(f.end - f.start)})`;
    case "bytes":
      return exactBytes(f.value);
    case "address":
      return hex(f.value);
    case "present":
      return "present";
  }
}

const sameFigure = (a: LiveFigure | null, b: LiveFigure | null) => JSON.stringify(a) === JSON.stringify(b);

function worst(differences: LiveDifference[]): LiveDifference["severity"] | null {
  return differences.reduce<LiveDifference["severity"] | null>((w, d) => (w === null || RANK[d.severity] < RANK[w] ? d.severity : w), null);
}

const GROUP_TITLE: Record<LiveRow["group"], string> = { ram: "RAM sections (flat view of the system address space)", "virtio-mem": "virtio-mem", vfio: "VFIO devices (vfio-pci)" };

function groupTitle(row: LiveRow): string {
  return row.group === "virtio-mem" ? `virtio-mem ${row.device ?? ""}`.trim() : GROUP_TITLE[row.group];
}

function liveRow(row: LiveRow, differences: LiveDifference[]): HTMLElement[] {
  const severity = worst(differences);
  const status = severity ? `differs (${differences.length})` : row.note ? "note" : sameFigure(row.design, row.live) ? "same" : "not compared";
  const label = row.source
    ? h("button", { type: "button", class: "link live-label", "aria-label": `${row.label}: go to the design's line`, ...revealProps(row.source) }, row.label)
    : h("span", { class: "live-label" }, row.label);
  const main = h(
    "tr",
    { class: ["live-row", severity ? `live-differs severity-${severity}` : "", row.note ? "live-noted" : ""], "data-key": row.key, "data-row": row.key, "data-status": severity ? "differs" : "same" },
    h("th", { scope: "row" }, h("span", { class: "diagnostic-icon", "aria-hidden": "true" }, severity ? ICON[severity] : row.note ? ICON.information : ""), label, h("span", { class: "visually-hidden" }, ` (${status})`)),
    h("td", { class: "live-design", "data-side": "design" }, figureText(row.design)),
    h("td", { class: "live-live", "data-side": "live" }, figureText(row.live)),
  );
  const messages = differences.map((d, i) =>
    h(
      "tr",
      { class: ["live-message-row", `severity-${d.severity}`], "data-key": `${row.key}:message:${i}` },
      h(
        "td",
        { colspan: 3 },
        h(
          "button",
          { type: "button", class: ["diagnostic", "live-message", `severity-${d.severity}`], "aria-label": `${d.severity} ${d.code} at line ${d.range.start.line + 1}: ${d.message}`, ...revealProps({ file: d.file, range: d.range }) },
          h("span", { class: "diagnostic-icon", "aria-hidden": "true" }, ICON[d.severity] ?? "•"),
          h("span", { class: "diagnostic-code" }, d.code),
          h("span", { class: "diagnostic-message" }, d.message),
          h("span", { class: "diagnostic-where" }, `${d.range.start.line + 1}:${d.range.start.character + 1}`),
        ),
      ),
    ),
  );
  // The comparison's notes (a guest still plugging) are on their rows.
  const note = row.note ? [h("tr", { class: "live-note-row", "data-key": `${row.key}:note` }, h("td", { colspan: 3, class: "muted small" }, `ℹ ${row.note}`))] : [];
  return [main, ...messages, ...note];
}

/** "10:02:03" in the user's time zone, with the date when it is not today. */
function readTime(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return at.toDateString() === now.toDateString() ? time : `${at.toLocaleDateString()} ${time}`;
}

/**
 * The "Running VM" panel for the VM on show, or null when the live state is of another VM.
 * `viewVersion` is the document version of the report on show.
 */
export function renderLivePanel(live: LiveView, report: Report, r: Resolved, viewVersion: number | null): HTMLElement | null {
  if (r.vmName !== live.vm) return null;
  const point = livePoint(live);
  const scenario = live.scenario === null ? undefined : report.scenarios.find((s) => s.name === live.scenario);
  const stepText = scenario && live.step !== null ? scenario.steps[live.step - 1]?.text : undefined;
  const viewing = r.scenario && r.step > 0 ? { scenario: r.scenario.name, step: r.step } : null;
  const matched = live.scenario === null ? viewing === null : viewing?.scenario === live.scenario && viewing.step === live.step;
  const bySubject = new Map<string, LiveDifference[]>();
  for (const d of live.differences) bySubject.set(d.subject, [...(bySubject.get(d.subject) ?? []), d]);

  const body: HTMLElement[] = [];
  let group = "";
  for (const row of live.rows) {
    const title = groupTitle(row);
    if (title !== group) {
      group = title;
      body.push(h("tr", { class: "live-group", "data-key": `group:${title}` }, h("th", { colspan: 3, scope: "rowgroup" }, title)));
    }
    body.push(...liveRow(row, bySubject.get(row.key) ?? []));
  }
  const n = live.differences.length;
  const severity = worst(live.differences);
  const designHeading = `Design (${point})`;
  return h(
    "section",
    { class: "panel live-panel", "aria-labelledby": "live-heading", "data-key": "live", "data-differences": n },
    h(
      "div",
      { class: "panel-head" },
      h("h2", { id: "live-heading" }, "Running VM ", h("span", { class: "state-label" }, `vm ${live.vm} in QEMU ${live.qemuVersion ?? "(version unknown)"}`)),
      h(
        "span",
        { class: "export-buttons" },
        h("button", { type: "button", class: "tool-button", "data-action": "live-refresh", "data-key": "live-refresh", "aria-label": "Read the running QEMU again" }, "Refresh"),
        h("button", { type: "button", class: "tool-button", "data-action": "live-detach", "data-key": "live-detach", "aria-label": "Detach from QEMU" }, "Detach"),
      ),
    ),
    h(
      "p",
      { class: "live-status", "data-key": "live-status" },
      h("span", { class: "live-matched" }, `Matched to the design ${point}`),
      stepText ? [" ", h("code", {}, stepText)] : null,
      h("span", { class: "muted" }, ` · read ${readTime(live.readAt)} from ${live.socket}`),
    ),
    !matched
      ? h(
          "p",
          { class: "live-elsewhere", "data-key": "live-elsewhere" },
          `The view shows the design ${viewing ? `after step ${viewing.step} of ${viewing.scenario}` : "at boot"}; the running VM was compared ${point}. `,
          h("button", { type: "button", class: "link", "data-action": "show-live-step", "data-key": "show-matched" }, live.scenario === null ? "Show boot" : `Show step ${live.step}`),
        )
      : null,
    viewVersion !== null && live.version !== null && viewVersion !== live.version
      ? h("p", { class: "live-stale level-warn", "data-key": "live-stale" }, "The design has changed since QEMU was compared with it: Refresh to compare again.")
      : null,
    h(
      "p",
      { class: ["live-summary", severity ? `severity-${severity}` : "live-same"], role: "status", "data-key": "live-summary" },
      h("span", { class: "diagnostic-icon", "aria-hidden": "true" }, severity ? ICON[severity] : "✓"),
      n === 0 ? " No difference from the design." : ` ${n} difference${n === 1 ? "" : "s"} from the design (VT501, also in the Problems panel).`,
    ),
    h(
      "div",
      { class: "live-scroll" },
      h(
        "table",
        { class: "live-table", "aria-label": `The design ${point} beside the running VM` },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col", class: "live-design" }, designHeading), h("th", { scope: "col", class: "live-live" }, "Live (QEMU)"))),
        h("tbody", {}, body),
      ),
    ),
  );
}
