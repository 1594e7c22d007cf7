// The whole mapping-state view as one tree, rebuilt from the data and the selection and
// morphed into the page by main.ts.
import { renderAddressMap, renderMapLegend, revealProps } from "./address-map";
import { renderContainers } from "./containers";
import { DIAGNOSTICS_SHOWN, renderDiagnosticList } from "./diagnostics";
import { h } from "./dom";
import { isFleet, renderFleetOverview } from "./fleet";
import { renderLivePanel } from "./live";
import { bytes, hex } from "./format";
import type { DocumentDiagnostic, LiveView, Report, VmReport } from "./report-types";
import { renderChart, renderScenarioTabs, renderStepDetail, renderTimeline } from "./scenario";
import { defaultFleetSelection, resolve, stateAt, vmNames, type Selection } from "./state";
import { renderVerdictBanner } from "./verdict";

export interface ViewData {
  uri: string;
  fileName: string;
  version: number | null;
  report: Report | null;
  diagnostics: DocumentDiagnostic[];
  /** the running QEMU compared with this document ("Attach to QEMU…"); absent when not attached */
  live?: LiveView | null;
}

function vmTabs(report: Report, selected: string | null): HTMLElement | null {
  const names = vmNames(report);
  if (isFleet(report)) {
    return h(
      "nav",
      { class: "fleet-nav", "aria-label": "Fleet", "data-key": "fleet-nav" },
      h("button", { type: "button", class: "back-button", "data-action": "show-overview", "data-key": "back" }, `← All ${report.vms.length} VMs`),
    );
  }
  if (names.length < 2) return null;
  return h(
    "div",
    { class: "tabs vm-tabs", role: "tablist", "aria-label": "VMs", "data-key": "vm-tabs" },
    names.map((name) =>
      h(
        "button",
        { type: "button", role: "tab", class: "tab", "data-key": `vm:${name}`, "aria-selected": String(name === selected), tabindex: name === selected ? 0 : -1, "data-action": "select-vm", "data-vm": name },
        name,
      ),
    ),
  );
}

function vmSummary(vm: VmReport): HTMLElement {
  const l = vm.layout;
  const facts = [
    `on host ${vm.host}`,
    vm.machine,
    vm.confidential !== "none" ? vm.confidential : null,
    `${bytes(vm.memory)} RAM${vm.maxmem > vm.memory ? `, maxmem ${bytes(vm.maxmem)}` : ""}`,
    `highest GPA ${hex(l.highestGpa)}`,
  ].filter(Boolean);
  const bits = h("span", { class: l.physBitsNeeded > l.physBits ? "level-over" : "" }, `needs ${l.physBitsNeeded} of ${l.physBits} phys-bits`);
  return h(
    "p",
    { class: "vm-summary", "data-key": "vm-summary" },
    h("button", { type: "button", class: "link vm-name", "aria-label": `vm ${vm.name}: go to its declaration`, ...revealProps(vm.source) }, vm.name),
    " ",
    h("span", { class: "muted" }, facts.join(" · ") + " · "),
    bits,
    l.relocatedAbove1T ? h("span", { class: "muted" }, " · RAM above 4 GiB relocated to 1 TiB (AMD)") : null,
  );
}

/** Buttons that export a figure (the extension host asks where to save it). */
function exportButtons(what: "address-map" | "chart", title: string): HTMLElement {
  return h(
    "span",
    { class: "export-buttons", "data-key": `export:${what}` },
    (["svg", "png"] as const).map((format) =>
      h("button", { type: "button", class: "tool-button", "data-key": format, "data-action": "export", "data-what": what, "data-format": format, "aria-label": `Export the ${title} as ${format.toUpperCase()}` }, format.toUpperCase()),
    ),
  );
}

const diagnosticKey = (d: { code: string; range: { start: { line: number; character: number } } }) => `${d.code}:${d.range.start.line}:${d.range.start.character}`;

export function renderView(data: ViewData | null, selection: Selection): HTMLElement {
  const root = (...children: Parameters<typeof h>[2][]) =>
    h("main", { id: "view", "data-version": data?.version ?? undefined, "aria-busy": "false" }, ...children);
  if (!data) return root(h("p", { class: "empty" }, "Open a .vmtopo file to see its mapping state."));
  const report = data.report;
  const header = h(
    "header",
    { class: "view-header", "data-key": "header" },
    h("h1", {}, "Mapping state ", h("span", { class: "file-name" }, data.fileName)),
    report ? h("button", { type: "button", class: "tool-button", "data-action": "copy-markdown", "data-key": "copy-markdown", "aria-label": "Copy the report as Markdown" }, "Copy as Markdown") : null,
  );
  const shown = selection.diagnosticsShown ?? DIAGNOSTICS_SHOWN;
  const diagnosticsPanel = (title: string, list: { code: string; severity: string; message: string; range: ViewData["diagnostics"][number]["range"] }[], label: string, note: string | null = null) =>
    h(
      "section",
      { class: "panel diagnostics-panel", "aria-labelledby": "diagnostics-heading", "data-key": "diagnostics" },
      h("h2", { id: "diagnostics-heading" }, `${title} (${list.length})`),
      note ? h("p", { class: "muted small" }, note) : null,
      list.length ? renderDiagnosticList(list, null, label, shown) : h("p", { class: "muted" }, "No diagnostics."),
    );
  const diagnostics = diagnosticsPanel("Diagnostics", data.diagnostics, "Diagnostics of the document");
  if (!report) return root(header, h("p", { class: "empty" }, "The language server has no analysis of this document yet."), diagnostics);
  const names = vmNames(report);
  if (isFleet(report) && (selection.vm === null || !names.includes(selection.vm))) {
    // The overview lists each VM's problems with the VM; below, only the file's others.
    const ofVms = new Set(report.vms.flatMap((vm) => vm.diagnostics.map(diagnosticKey)));
    const others = data.diagnostics.filter((d) => !ofVms.has(diagnosticKey(d)));
    return root(
      header,
      renderFleetOverview(report, selection.fleet ?? defaultFleetSelection()),
      diagnosticsPanel("Other diagnostics of the file", others, "Diagnostics of the file outside its VMs", `${data.diagnostics.length} in the file; those of a VM are listed in its view.`),
    );
  }
  const r = resolve(report, selection);
  if (r.vmName === null) return root(header, h("p", { class: "empty" }, "This file declares no VM and no scenario."), diagnostics);

  const scenarioSection = r.scenario
    ? h(
        "section",
        { class: "panel scenario-panel", "aria-labelledby": "scenario-heading", "data-key": "scenario" },
        h("h2", { id: "scenario-heading" }, "Scenario ", h("button", { type: "button", class: "link", "aria-label": `scenario ${r.scenario.name}: go to its declaration`, ...revealProps(r.scenario.source) }, r.scenario.name)),
        renderScenarioTabs(r.scenarios, r.scenario),
        renderTimeline(r.scenario, r.step),
        renderStepDetail(r.scenario, r.step),
      )
    : null;
  const chartSection = r.scenario
    ? h(
        "section",
        { class: "panel chart-panel", "aria-labelledby": "chart-heading", "data-key": "chart" },
        h("div", { class: "panel-head" }, h("h2", { id: "chart-heading" }, "DMA mappings per step"), exportButtons("chart", "per-step chart")),
        renderChart(r.vm, r.scenario, r.step),
      )
    : null;

  if (!r.vm) {
    return root(
      header,
      vmTabs(report, r.vmName),
      h("p", { class: "muted", "data-key": "imported" }, `vm ${r.vmName} is declared in an imported file; open that file to see its address map and containers.`),
      h("div", { class: "grid no-map", "data-key": `grid:${r.vmName}` }, scenarioSection, chartSection),
      diagnostics,
    );
  }
  const vm = r.vm;
  const state = stateAt(report, vm, r.scenario, r.step);
  // With several VMs, the list shows this VM's problems (the engine's attribution).
  const vmDiagnostics = report.vms.length > 1 ? diagnosticsPanel(`Diagnostics of vm ${vm.name}`, vm.diagnostics, `Diagnostics of vm ${vm.name}`, `${data.diagnostics.length} in the whole file.`) : diagnostics;
  const stateNote = h("span", { class: "state-label" }, state.label);
  const livePanel = data.live ? renderLivePanel(data.live, report, r, data.version) : null;
  return root(
    header,
    vmTabs(report, r.vmName),
    renderVerdictBanner(vm, report.file),
    vmSummary(vm),
    h(
      "div",
      { class: ["grid", livePanel ? "with-live" : ""], "data-key": `grid:${vm.name}` },
      livePanel,
      scenarioSection,
      h(
        "section",
        { class: "panel containers-panel", "aria-labelledby": "containers-heading", "data-key": "containers" },
        h("h2", { id: "containers-heading" }, "VFIO containers ", stateNote.cloneNode(true)),
        renderContainers(vm, r.scenarios, state),
      ),
      h(
        "section",
        { class: "panel map-panel", "aria-labelledby": "map-heading", "data-key": "map" },
        h("div", { class: "panel-head" }, h("h2", { id: "map-heading" }, "Guest-physical address map ", stateNote), exportButtons("address-map", "address map")),
        renderMapLegend(vm, state),
        renderAddressMap(vm, state),
      ),
      chartSection,
    ),
    vmDiagnostics,
  );
}
