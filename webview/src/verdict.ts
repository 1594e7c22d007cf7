// A VM's verdict as the engine computed it (server/src/engine/verdict.ts): the banner at the
// top of the per-VM view and the badge of the fleet overview. The words are the engine's
// `verdictHeadline`, kept here as a copy (the view bundles no engine code but format-units);
// test/unit/webview-verdict.test.ts holds the two equal.
import { h } from "./dom";
import type { ReportDiagnostic, Verdict, VerdictKind, VmReport } from "./report-types";
import { revealProps } from "./address-map";

export function verdictHeadline(v: Verdict): string {
  switch (v.kind) {
    case "starts":
      return "starts";
    case "starts-with-warnings":
      return `starts with warnings (${v.code})`;
    case "refused":
      return `refused by QEMU (${v.code})`;
    case "fails-in-scenario":
      return `fails at step ${v.step} of scenario ${v.scenario} (${v.code})`;
  }
}

/** The severity a verdict is drawn in: the severity of its first reason. */
export const VERDICT_SEVERITY: Record<VerdictKind, "ok" | "warning" | "error"> = {
  starts: "ok",
  "starts-with-warnings": "warning",
  refused: "error",
  "fails-in-scenario": "error",
};

export const VERDICT_ICON: Record<"ok" | "warning" | "error", string> = { ok: "✓", warning: "⚠", error: "✗" };

/** Worst first: the order the overview sorts verdicts in. */
export const VERDICT_RANK: Record<VerdictKind, number> = { refused: 0, "fails-in-scenario": 1, "starts-with-warnings": 2, starts: 3 };

/** The diagnostic a verdict cites, to reveal it; null when it lies in another file. */
function citedDiagnostic(vm: VmReport): ReportDiagnostic | null {
  const v = vm.verdict;
  if (v.kind === "starts") return null;
  return vm.diagnostics.find((d) => d.code === v.code && d.message === v.message) ?? null;
}

export function renderVerdictBadge(vm: VmReport): HTMLElement {
  const severity = VERDICT_SEVERITY[vm.verdict.kind];
  return h(
    "span",
    { class: ["verdict-badge", `verdict-${severity}`], title: vm.verdict.message ?? "QEMU starts this VM; no scenario step fails." },
    h("span", { class: "verdict-icon", "aria-hidden": "true" }, VERDICT_ICON[severity]),
    ` ${verdictHeadline(vm.verdict)}`,
  );
}

/** The per-VM view's banner: the verdict, its first reason, and a way to that reason. */
export function renderVerdictBanner(vm: VmReport, file: string): HTMLElement {
  const v = vm.verdict;
  const severity = VERDICT_SEVERITY[v.kind];
  const cited = citedDiagnostic(vm);
  return h(
    "div",
    { class: ["verdict-banner", `verdict-${severity}`], role: "status", "data-key": "verdict-banner", "data-verdict": v.kind },
    h("span", { class: "verdict-icon", "aria-hidden": "true" }, VERDICT_ICON[severity]),
    h(
      "div",
      { class: "verdict-text" },
      h("strong", { class: "verdict-headline" }, `vm ${vm.name} ${verdictHeadline(v)}`),
      v.message ? h("span", { class: "verdict-reason" }, v.message) : h("span", { class: "verdict-reason muted" }, "QEMU starts this VM and no scenario step fails."),
    ),
    cited ? h("button", { type: "button", class: "verdict-go", "aria-label": `Go to ${cited.code} in the editor`, ...revealProps({ file, range: cited.range }) }, "Go to problem") : null,
  );
}
