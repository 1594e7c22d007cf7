// A scenario: its steps as a timeline (a vertical tab list; arrow keys move the selection),
// what the selected step did, and a chart of DMA mappings per step with each limit drawn as
// a line. `chartScale` is pure (unit-tested).
import { revealProps } from "./address-map";
import { h, s } from "./dom";
import { bytes, compact, count, seconds } from "./format";
import type { ReportDiagnostic, ScenarioReport, VmReport } from "./report-types";
import { worstSeverity } from "./state";
import { renderDiagnosticList } from "./diagnostics";

export interface ChartScale {
  /** the top of the y axis: a round number at or above every value */
  max: number;
  ticks: number[];
}

/** A y axis from 0 to a round number (1, 2, 2.5 or 5 × 10^k) covering `values`, with ticks. */
export function chartScale(values: number[], tickCount = 4): ChartScale {
  const top = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  if (top === 0) return { max: 1, ticks: [0, 1] };
  const rough = top / tickCount;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough)!;
  const max = Math.ceil(top / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { max, ticks };
}

export function renderScenarioTabs(scenarios: ScenarioReport[], selected: ScenarioReport): HTMLElement | null {
  if (scenarios.length < 2) return null;
  return h(
    "div",
    { class: "tabs scenario-tabs", role: "tablist", "aria-label": "Scenarios", "data-key": "scenario-tabs" },
    scenarios.map((sc) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          class: "tab",
          "data-key": `scenario:${sc.name}`,
          "aria-selected": String(sc === selected),
          tabindex: sc === selected ? 0 : -1,
          "data-action": "select-scenario",
          "data-scenario": sc.name,
        },
        sc.name,
      ),
    ),
  );
}

export function renderTimeline(scenario: ScenarioReport, selectedStep: number): HTMLElement {
  const item = (index: number, label: string, detail: string, diagnostics: ReportDiagnostic[]) => {
    const severity = worstSeverity(diagnostics);
    const selected = index === selectedStep;
    return h(
      "button",
      {
        type: "button",
        role: "tab",
        class: ["step", selected ? "selected" : "", severity ? `has-${severity}` : ""],
        "data-key": `step:${index}`,
        "aria-selected": String(selected),
        tabindex: selected ? 0 : -1,
        "aria-label": `${label}: ${detail}${severity ? ` (${diagnostics.length} diagnostic${diagnostics.length === 1 ? "" : "s"}, worst: ${severity})` : ""}`,
        "data-action": "select-step",
        "data-scenario": scenario.name,
        "data-step": index,
      },
      h("span", { class: "step-dot", "aria-hidden": "true" }),
      h("span", { class: "step-number" }, label),
      h("code", { class: "step-text" }, detail),
    );
  };
  return h(
    "div",
    { class: "timeline", role: "tablist", "aria-orientation": "vertical", "aria-label": `Steps of scenario ${scenario.name}`, "data-key": `timeline:${scenario.name}` },
    item(0, "boot", "the state before any step", []),
    scenario.steps.map((step) => item(step.index, `step ${step.index}`, step.text, step.diagnostics)),
  );
}

export function renderStepDetail(scenario: ScenarioReport, selectedStep: number): HTMLElement {
  const step = selectedStep > 0 ? scenario.steps[selectedStep - 1] : undefined;
  if (!step) {
    return h(
      "div",
      { class: "step-detail", "data-key": "step-detail" },
      h("p", { class: "muted" }, "At boot, before the scenario's first step. Select a step (↑ ↓ in the list) to see the state after it."),
    );
  }
  const facts: string[] = [`on host ${step.host}`];
  if (step.sharedBytes > 0) facts.push(`${bytes(step.sharedBytes)} shared`);
  for (const [device, blocks] of Object.entries(step.pluggedBlocks)) facts.push(`${device}: ${count(blocks)} blocks plugged`);
  const m = step.migration;
  if (m) {
    facts.push(`migrates ${bytes(m.bytes)} to ${m.to} (${m.mode}) in about ${seconds(m.seconds)}`);
    if (m.faultBytes !== undefined && m.faultSeconds !== undefined) facts.push(`each postcopy fault fetches ${bytes(m.faultBytes)} (${seconds(m.faultSeconds)})`);
  }
  return h(
    "div",
    { class: "step-detail", "data-key": "step-detail" },
    h(
      "p",
      { class: "step-title" },
      h("button", { type: "button", class: "link", "aria-label": `Go to step ${step.index} in the editor`, ...revealProps({ file: scenario.source.file, range: step.range }) }, `Step ${step.index}`),
      " ",
      h("code", {}, step.text),
    ),
    h("p", { class: "muted" }, facts.join(" · ")),
    step.diagnostics.length ? renderDiagnosticList(step.diagnostics, scenario.source.file, `Diagnostics of step ${step.index}`) : h("p", { class: "muted small" }, "No diagnostics at this step."),
  );
}

const CHART = { width: 520, height: 200, left: 52, right: 12, top: 12, bottom: 28 };
const SERIES_CLASSES = ["series-0", "series-1", "series-2", "series-3", "series-4"];

/** Mappings per step of every container of the VM, and each distinct limit as a line. */
export function renderChart(vm: VmReport | undefined, scenario: ScenarioReport, selectedStep: number): HTMLElement {
  const ids = [...new Set([...(vm?.containers.map((c) => c.id) ?? []), ...scenario.steps.flatMap((st) => st.containers.map((c) => c.id))])];
  const points = (id: string): (number | null)[] => [
    vm?.containers.find((c) => c.id === id)?.boot?.mappings ?? null,
    ...scenario.steps.map((st) => st.containers.find((c) => c.id === id)?.mappings ?? null),
  ];
  const series = ids.map((id) => ({ id, values: points(id) }));
  const bootLimits = vm?.containers.map((c) => c.limit) ?? [];
  const limits = [...new Set([...bootLimits, ...scenario.steps.flatMap((st) => st.containers.map((c) => c.limit))].filter((l): l is number => l !== null))];
  const all = series.flatMap((x) => x.values.filter((v): v is number => v !== null));
  const scale = chartScale([...all, ...limits]);

  const n = scenario.steps.length + 1;
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const x = (i: number) => CHART.left + (n === 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number) => CHART.top + plotH - (v / scale.max) * plotH;
  const f = (v: number) => v.toFixed(1);

  const grid = scale.ticks.map((t) =>
    s(
      "g",
      { class: "chart-tick", "data-key": `tick:${t}` },
      s("line", { x1: CHART.left, x2: CHART.width - CHART.right, y1: f(y(t)), y2: f(y(t)) }),
      s("text", { x: CHART.left - 6, y: f(y(t) + 4), "text-anchor": "end" }, compact(t)),
    ),
  );
  const xLabels = Array.from({ length: n }, (_, i) => s("text", { class: "chart-x", "data-key": `x:${i}`, x: f(x(i)), y: CHART.height - 8, "text-anchor": "middle" }, i === 0 ? "boot" : String(i)));
  const limitLines = limits.map((l) =>
    s(
      "g",
      { class: "chart-limit", "data-key": `limit:${l}` },
      s("line", { x1: CHART.left, x2: CHART.width - CHART.right, y1: f(y(l)), y2: f(y(l)) }),
      s("text", { x: CHART.width - CHART.right - 2, y: f(y(l) - 4), "text-anchor": "end" }, `limit ${count(l)}`),
    ),
  );
  const lines = series.map((sr, k) => {
    const cls = SERIES_CLASSES[k % SERIES_CLASSES.length];
    const path = sr.values
      .map((v, i) => (v === null ? null : `${f(x(i))},${f(y(v))}`))
      .filter(Boolean)
      .join(" ");
    return s(
      "g",
      { class: `chart-series ${cls}`, "data-key": `series:${sr.id}` },
      s("polyline", { points: path }),
      sr.values.map((v, i) => (v === null ? null : s("circle", { "data-key": `pt:${i}`, cx: f(x(i)), cy: f(y(v)), r: i === selectedStep ? 4.5 : 3, class: i === selectedStep ? "selected" : "" }))),
    );
  });
  const columns = Array.from({ length: n }, (_, i) => {
    const half = n === 1 ? plotW / 2 : plotW / (n - 1) / 2;
    return s("rect", {
      class: ["chart-column", i === selectedStep ? "selected" : ""],
      "data-key": `col:${i}`,
      x: f(Math.max(CHART.left - 6, x(i) - half)),
      y: CHART.top,
      width: f(Math.min(2 * half, CHART.width - CHART.right - Math.max(CHART.left - 6, x(i) - half))),
      height: plotH,
      "data-action": "select-step",
      "data-scenario": scenario.name,
      "data-step": i,
    });
  });

  const summary = series
    .map((sr) => `${sr.id}: ${sr.values.map((v, i) => `${i === 0 ? "boot" : `step ${i}`} ${v === null ? "absent" : count(v)}`).join(", ")}`)
    .join("; ");
  const chart = s(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${CHART.width} ${CHART.height}`,
      role: "img",
      "aria-label": `DMA mappings per step of scenario ${scenario.name}${limits.length ? `, limit${limits.length > 1 ? "s" : ""} ${limits.map(count).join(", ")}` : ", no entry limit"}. ${summary}`,
      "data-key": `chart:${scenario.name}`,
    },
    columns,
    grid,
    limitLines,
    lines,
    xLabels,
  );
  const legend = h(
    "ul",
    { class: "legend chart-legend", "aria-hidden": "true", "data-key": "chart-legend" },
    series.map((sr, k) => h("li", { "data-key": sr.id }, h("span", { class: `swatch line ${SERIES_CLASSES[k % SERIES_CLASSES.length]}` }), `${sr.id} mappings`)),
    limits.length ? h("li", { "data-key": "limit" }, h("span", { class: "swatch line limit" }), "limit") : null,
  );
  return h("figure", { class: "chart-figure", "data-key": "chart-figure" }, chart, legend);
}
