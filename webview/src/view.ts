// The whole mapping-state view as one tree, rebuilt from the data and the selection and
// morphed into the page by main.ts.
import { renderAddressMap, renderMapLegend, revealProps } from "./address-map";
import { renderContainers } from "./containers";
import { renderDiagnosticList } from "./diagnostics";
import { h } from "./dom";
import { bytes, hex } from "./format";
import type { DocumentDiagnostic, Report, VmReport } from "./report-types";
import { renderChart, renderScenarioTabs, renderStepDetail, renderTimeline } from "./scenario";
import { resolve, stateAt, vmNames, type Selection } from "./state";

export interface ViewData {
  uri: string;
  fileName: string;
  version: number | null;
  report: Report | null;
  diagnostics: DocumentDiagnostic[];
}

function vmTabs(report: Report, selected: string | null): HTMLElement | null {
  const names = vmNames(report);
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

export function renderView(data: ViewData | null, selection: Selection): HTMLElement {
  const root = (...children: Parameters<typeof h>[2][]) =>
    h("main", { id: "view", "data-version": data?.version ?? undefined, "aria-busy": "false" }, ...children);
  if (!data) return root(h("p", { class: "empty" }, "Open a .vmtopo file to see its mapping state."));
  const header = h("header", { class: "view-header", "data-key": "header" }, h("h1", {}, "Mapping state ", h("span", { class: "file-name" }, data.fileName)));
  const report = data.report;
  const diagnostics = h(
    "section",
    { class: "panel diagnostics-panel", "aria-labelledby": "diagnostics-heading", "data-key": "diagnostics" },
    h("h2", { id: "diagnostics-heading" }, `Diagnostics (${data.diagnostics.length})`),
    data.diagnostics.length ? renderDiagnosticList(data.diagnostics, null, "Diagnostics of the document") : h("p", { class: "muted" }, "No diagnostics."),
  );
  if (!report) return root(header, h("p", { class: "empty" }, "The language server has no analysis of this document yet."), diagnostics);
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
    ? h("section", { class: "panel chart-panel", "aria-labelledby": "chart-heading", "data-key": "chart" }, h("h2", { id: "chart-heading" }, "DMA mappings per step"), renderChart(r.vm, r.scenario, r.step))
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
  const stateNote = h("span", { class: "state-label" }, state.label);
  return root(
    header,
    vmTabs(report, r.vmName),
    vmSummary(vm),
    h(
      "div",
      { class: "grid", "data-key": `grid:${vm.name}` },
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
        h("h2", { id: "map-heading" }, "Guest-physical address map ", stateNote),
        renderMapLegend(vm, state),
        renderAddressMap(vm, state),
      ),
      chartSection,
    ),
    diagnostics,
  );
}
