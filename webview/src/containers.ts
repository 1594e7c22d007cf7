// VFIO containers: gauges of DMA mappings against the entry limit (with QEMU's start-up
// check), pinned memory against memlock, and IOMMU page-table memory, at the selected step.
// `gauge` is pure (unit-tested); the rest builds DOM.
import { revealProps } from "./address-map";
import { h } from "./dom";
import { bytes, count, percent } from "./format";
import type { ScenarioReport, SourceRef, VmReport } from "./report-types";
import type { ContainerNow, VmState } from "./state";

export type GaugeLevel = "ok" | "warn" | "over" | "none";

export interface Gauge {
  value: number;
  max: number | null;
  /** value / max; null without a maximum */
  ratio: number | null;
  /** width of the bar in percent, 0..100 */
  fill: number;
  level: GaugeLevel;
  /** "6.3%", "6,412%" */
  percentText: string;
}

/** At or above `warnAt` of the maximum a gauge warns; above the maximum it is over. */
export function gauge(value: number, max: number | null, warnAt = 0.8): Gauge {
  if (max === null || !(max > 0)) return { value, max, ratio: null, fill: 0, level: "none", percentText: "" };
  const ratio = value / max;
  return {
    value,
    max,
    ratio,
    fill: Math.max(0, Math.min(100, ratio * 100)),
    level: ratio > 1 ? "over" : ratio >= warnAt ? "warn" : "ok",
    percentText: percent(ratio),
  };
}

function meter(label: string, g: Gauge, valueText: string, ticks: { at: number; label: string }[] = []): HTMLElement {
  const tickNodes =
    g.max === null
      ? []
      : ticks
          .filter((t) => t.at > 0)
          .map((t) =>
            h("span", {
              class: "gauge-tick",
              "data-key": `tick:${t.label}`,
              title: `${t.label}: ${count(t.at)}`,
              style: { left: `${Math.min(100, (t.at / g.max!) * 100)}%` },
            }),
          );
  return h(
    "div",
    {
      class: ["gauge", `level-${g.level}`],
      role: "meter",
      "aria-label": label,
      "aria-valuemin": 0,
      "aria-valuemax": g.max ?? undefined,
      "aria-valuenow": g.value,
      "aria-valuetext": valueText,
    },
    h("span", { class: ["gauge-fill", g.value > 0 ? "nonzero" : ""], style: { width: `${g.fill}%` } }),
    tickNodes,
  );
}

function deviceRefs(vm: VmReport, scenarios: ScenarioReport[], name: string): SourceRef | null {
  const declared = vm.vfio.find((d) => d.name === name);
  if (declared) return declared.source;
  // A device that only a scenario hot-plugs: its hotplug step.
  for (const s of scenarios) {
    const step = s.steps.find((x) => new RegExp(`^hotplug\\s+vfio\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(x.text));
    if (step) return { file: s.source.file, range: step.range };
  }
  return null;
}

function containerCard(vm: VmReport, scenarios: ScenarioReport[], state: VmState, c: ContainerNow): HTMLElement {
  const r = c.report;
  const now = c.now;
  const devices = r.devices.map((name) => {
    const source = deviceRefs(vm, scenarios, name);
    return source
      ? h("button", { type: "button", class: "chip", "data-key": `dev:${name}`, "aria-label": `vfio ${name}: go to its declaration`, ...revealProps(source) }, name)
      : h("span", { class: "chip", "data-key": `dev:${name}` }, name);
  });
  const head = h(
    "h4",
    { class: "container-head" },
    h("span", { class: "container-id" }, r.id),
    h("span", { class: "muted" }, ` · ${r.backend}${r.behindViommu ? " · behind vIOMMU" : ""} · `),
    devices,
  );
  if (!now) {
    return h("section", { class: "container absent", "data-key": `container:${r.id}`, "aria-label": `container ${r.id}` }, head, h("p", { class: "muted" }, `Not present ${state.label}.`));
  }

  const limit = now.limit;
  const mappings = gauge(now.mappings, limit);
  const mappingsText = limit === null ? `${count(now.mappings)} (no entry limit on ${r.backend})` : `${count(now.mappings)} of ${count(limit)} (${mappings.percentText})`;
  const ticks = [
    ...(r.worstCase ? [{ at: r.worstCase.mappings, label: "worst case" }] : []),
    ...(r.peak.mappings !== now.mappings ? [{ at: r.peak.mappings, label: "peak" }] : []),
  ];

  const check = r.startupCheck;
  // QEMU's check alone does not decide whether the VM starts (the banner says that); a
  // failing check is drawn in the severity QEMU gives it (an error from 10.2, a warning before).
  const failure = check && !check.passes ? vm.diagnostics.find((d) => d.code === "VT201" && d.message.includes(`container ${r.id} `)) : undefined;
  const failSeverity = failure?.severity === "warning" ? "warning" : "error";
  const terms = check ? `${count(check.mappings)} possible mappings + ${count(check.memslots)} memslots − ${count(check.sections)} section${check.sections === 1 ? "" : "s"}` : "";
  const verdict = check
    ? h(
        "p",
        { class: ["verdict", check.passes ? "within" : failSeverity === "warning" ? "warns" : "fails"], "data-key": "verdict" },
        h("span", { class: "verdict-word" }, check.passes ? "within" : failSeverity === "warning" ? "⚠ over (QEMU warns)" : "✗ over (QEMU refuses)"),
        check.passes
          ? ` the limit of QEMU's DMA-mapping start-up check: ${count(check.total)} ≤ ${count(check.limit)} (${terms})`
          : ` the limit of QEMU's DMA-mapping start-up check: ${count(check.total)} > ${count(check.limit)} (${terms})`,
      )
    : h("p", { class: "verdict muted", "data-key": "verdict" }, r.backend === "iommufd"
          ? "iommufd has no entry limit: QEMU makes no start-up check."
          : r.behindViommu
            ? "Behind the vIOMMU the guest decides the mappings: QEMU makes no start-up check."
            : "QEMU's start-up check counts virtio-mem and confidential memory only: none is mapped here.");

  const memlock = state.host?.memlock ?? null;
  const pinned = gauge(now.pinnedBytes, memlock);
  const pinnedText = memlock === null ? `${bytes(now.pinnedBytes)} (memlock unlimited)` : `${bytes(now.pinnedBytes)} of ${bytes(memlock)} memlock (${pinned.percentText})`;

  const row = (key: string, name: string, g: Gauge | null, text: string, source: SourceRef | null = null, ticksFor: { at: number; label: string }[] = []) => {
    const drawn = g && g.level !== "none" ? ticksFor.filter((t) => t.at > 0) : [];
    return h(
      "div",
      { class: "figure-row", "data-key": key },
      // A setting to go to, not a link away: named plainly, underlined on hover.
      source
        ? h("button", { type: "button", class: "figure-name setting", title: "Go to the setting", "aria-label": `${name}: go to its setting`, ...revealProps(source) }, name)
        : h("span", { class: "figure-name" }, name),
      g && g.level !== "none" ? meter(`${name} of container ${r.id}`, g, text, ticksFor) : h("span", { class: "gauge-none", "aria-hidden": "true" }),
      h("span", { class: ["figure-value", g ? `level-${g.level}` : ""], "data-figure": key }, text),
      // Every tick on the meter is named here, not only in a tooltip.
      drawn.length ? h("span", { class: "gauge-ticks", "data-key": "ticks" }, `marks: ${drawn.map((t) => `│ ${t.label} ${count(t.at)}`).join(" · ")}`) : null,
    );
  };

  const peak = r.peak;
  const extremes = [
    `peak ${count(peak.mappings)}${peak.scenario ? ` (${peak.scenario} step ${peak.step})` : " (at boot)"}`,
    r.worstCase ? `worst case ${count(r.worstCase.mappings)} mappings, ${bytes(r.worstCase.pinnedBytes)} pinned` : null,
    `${r.domains} IOMMU domain${r.domains === 1 ? "" : "s"}`,
  ].filter(Boolean);

  return h(
    "section",
    { class: "container", "data-key": `container:${r.id}`, "aria-label": `container ${r.id}` },
    head,
    row("mappings", "DMA mappings", mappings, mappingsText, null, ticks),
    verdict,
    row("pinned", "Pinned memory", pinned, pinnedText, state.host?.memlockSource ?? null),
    row("page-tables", "IOMMU page tables", null, `${bytes(now.pageTableBytes)}${r.pageTableBytes !== now.pageTableBytes ? ` (largest ${bytes(r.pageTableBytes)})` : ""}`),
    h("p", { class: "muted small", "data-key": "extremes" }, extremes.join(" · ")),
  );
}

export function renderContainers(vm: VmReport, scenarios: ScenarioReport[], state: VmState): HTMLElement {
  const present = state.containers;
  return h(
    "div",
    { class: "containers", "data-key": "containers" },
    present.length === 0 ? h("p", { class: "muted" }, `vm ${vm.name} has no VFIO devices: nothing is mapped for DMA.`) : present.map((c) => containerCard(vm, scenarios, state, c)),
  );
}
