// The mapping-state view's script, inside a VS Code webview. The extension host posts the
// language server's report for the active .vmtopo document (and the document's diagnostics)
// on every analysis; the view keeps the user's selection (VM, scenario, step), morphs the
// page in place (no flicker, scroll and focus kept) and asks the host to reveal ranges.
// State survives reloads through getState/setState (the host registers a serializer).
import "./styles.css";
import { morph } from "./dom";
import { addressMapSvg, chartSvg, svgToPngBase64, type ExportColors } from "./export";
import { reportMarkdown } from "./markdown";
import { parseLiveMessage } from "./live-message";
import type { HostMessage, LiveView, Range, ViewMessage } from "./report-types";
import { defaultFleetSelection, emptySelection, resolve, stateAt, type FleetSelection, type Selection } from "./state";
import { renderView, type ViewData } from "./view";

interface Persisted {
  data: ViewData | null;
  selection: Selection;
  scrollY: number;
}

declare function acquireVsCodeApi(): { postMessage(message: ViewMessage): void; getState(): unknown; setState(state: Persisted): void };

const vscode = acquireVsCodeApi();
const mount = document.getElementById("root") ?? document.body;
const persisted = vscode.getState() as Partial<Persisted> | undefined;
let data: ViewData | null = persisted?.data ?? null;
if (data?.live) {
  // The saved state is checked as a message would be: the live state only as rebuilt.
  const checked = parseLiveMessage({ type: "live", uri: data.uri, live: data.live });
  data = { ...data, live: "refused" in checked ? null : checked.live };
}
let selection: Selection = { ...emptySelection(), ...persisted?.selection };

function save(): void {
  vscode.setState({ data, selection, scrollY: window.scrollY });
}

function render(): void {
  const next = renderView(data, selection);
  const current = mount.firstElementChild;
  if (current && current.tagName === next.tagName) morph(current, next);
  else mount.replaceChildren(next);
  save();
}

function parseRange(text: string | null): Range | null {
  const parts = (text ?? "").split(":").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0)) return null;
  return { start: { line: parts[0], character: parts[1] }, end: { line: parts[2], character: parts[3] } };
}

/** Carries out an element's data-action; returns whether the view changed. */
function act(element: Element): boolean {
  const get = (name: string) => element.getAttribute(name);
  switch (get("data-action")) {
    case "reveal": {
      const range = parseRange(get("data-range"));
      if (range) vscode.postMessage({ type: "reveal", file: get("data-file"), range });
      return false;
    }
    case "select-vm":
      selection = { ...selection, vm: get("data-vm"), diagnosticsShown: undefined };
      render();
      window.scrollTo(0, 0);
      return true;
    case "show-overview":
      selection = { ...selection, vm: null, diagnosticsShown: undefined };
      break;
    case "fleet-verdict":
      selection = { ...selection, fleet: { ...fleet(), verdict: get("data-verdict") ?? "all" } };
      break;
    case "fleet-sort": {
      const sort = get("data-sort") as FleetSelection["sort"];
      const current = fleet();
      selection = { ...selection, fleet: { ...current, sort, descending: current.sort === sort ? !current.descending : false } };
      break;
    }
    case "more-diagnostics": {
      const shown = Number(get("data-shown"));
      if (!Number.isInteger(shown) || shown <= 0) return false;
      selection = { ...selection, diagnosticsShown: shown };
      break;
    }
    case "export":
      void exportFigure(get("data-what"), get("data-format"));
      return false;
    case "copy-markdown":
      copyMarkdown();
      return false;
    case "live-refresh":
      vscode.postMessage({ type: "live-refresh" });
      return false;
    case "live-detach":
      vscode.postMessage({ type: "live-detach" });
      return false;
    case "show-live-step":
      if (!data?.live) return false;
      selection = showLiveStep(selection, data.live);
      break;
    case "select-scenario": {
      const vm = data?.report ? resolve(data.report, selection).vmName : null;
      const name = get("data-scenario");
      if (vm === null || name === null) return false;
      selection = { ...selection, scenario: { ...selection.scenario, [vm]: name } };
      break;
    }
    case "select-step": {
      const scenario = get("data-scenario");
      const step = Number(get("data-step"));
      if (scenario === null || !Number.isInteger(step)) return false;
      selection = { ...selection, step: { ...selection.step, [scenario]: step } };
      break;
    }
    default:
      return false;
  }
  render();
  return true;
}

/** The selection moved to the VM and the step of the design the live state was matched to. */
function showLiveStep(current: Selection, live: LiveView): Selection {
  const moved: Selection = { ...current, vm: live.vm, diagnosticsShown: undefined };
  if (live.scenario === null) {
    // Boot: the step 0 of the scenario on show.
    const shown = data?.report ? resolve(data.report, moved).scenario : undefined;
    return shown ? { ...moved, step: { ...moved.step, [shown.name]: 0 } } : moved;
  }
  return { ...moved, scenario: { ...moved.scenario, [live.vm]: live.scenario }, step: { ...moved.step, [live.scenario]: live.step ?? 0 } };
}

function fleet(): FleetSelection {
  return selection.fleet ?? defaultFleetSelection();
}

/** The search box filters as one types. */
document.addEventListener("input", (event) => {
  const target = event.target as HTMLInputElement | null;
  if (target?.getAttribute?.("data-action") !== "fleet-query") return;
  selection = { ...selection, fleet: { ...fleet(), query: target.value } };
  render();
});

/** The theme's colours, resolved, so that an exported figure looks as the view does. */
function themeColors(): ExportColors {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = v("--vscode-foreground", "#333");
  const muted = v("--vscode-descriptionForeground", "#888");
  const ram = v("--vscode-charts-blue", "#3794ff");
  const green = v("--vscode-charts-green", "#89d185");
  return {
    background: v("--vscode-editor-background", "#fff"),
    foreground,
    muted,
    kinds: {
      ram,
      dimm: ram,
      private: v("--vscode-charts-purple", "#b180d7"),
      rom: muted,
      "virtio-mem": green,
      "device-memory": green,
      plugged: green,
      shared: v("--vscode-charts-yellow", "#cca700"),
      "pci-hole": muted,
      reserved: v("--vscode-charts-red", "#f14c4c"),
    },
  };
}

const fileStem = () => (data?.fileName.split("/").pop() ?? "vmtopo").replace(/\.vmtopo$/, "");

async function exportFigure(what: string | null, format: string | null): Promise<void> {
  if (!data?.report || (what !== "address-map" && what !== "chart") || (format !== "svg" && format !== "png")) return;
  const r = resolve(data.report, selection);
  let figure: { svg: string; width: number; height: number } | null = null;
  let name = `${fileStem()}-${r.vmName ?? "vm"}`;
  if (what === "address-map" && r.vm) {
    figure = addressMapSvg(r.vm, stateAt(data.report, r.vm, r.scenario, r.step), themeColors());
    name += "-address-map";
  } else if (what === "chart" && r.scenario) {
    const chart = document.querySelector<SVGSVGElement>("svg.chart");
    const colors = themeColors();
    const title = `DMA mappings per step of scenario ${r.scenario.name} (vm ${r.vmName ?? "?"})`;
    if (chart) figure = chartSvg(chart, colors.background, { title, foreground: colors.foreground, muted: colors.muted });
    name += `-${r.scenario.name}-chart`;
  }
  if (!figure) return;
  const payload = format === "svg" ? figure.svg : await svgToPngBase64(figure.svg, figure.width, figure.height);
  vscode.postMessage({ type: "export", what, format, name, data: payload });
}

let markdownWanted = false;

function copyMarkdown(): void {
  if (!data?.report) {
    markdownWanted = true; // answered with the next report
    return;
  }
  markdownWanted = false;
  vscode.postMessage({ type: "copy-markdown", text: reportMarkdown(data.report, data.fileName, data.diagnostics) });
}

document.addEventListener("click", (event) => {
  const target = (event.target as Element | null)?.closest?.("[data-action]");
  if (target && !target.hasAttribute("disabled")) act(target);
});

// Tab lists (VMs, scenarios, the step timeline): arrows, Home and End move the selection.
document.addEventListener("keydown", (event) => {
  const tab = (event.target as Element | null)?.closest?.('[role="tab"]');
  const list = tab?.closest('[role="tablist"]');
  if (!tab || !list) return;
  const tabs = Array.from(list.querySelectorAll<HTMLElement>('[role="tab"]'));
  const i = tabs.indexOf(tab as HTMLElement);
  const j =
    event.key === "ArrowDown" || event.key === "ArrowRight" ? Math.min(tabs.length - 1, i + 1)
    : event.key === "ArrowUp" || event.key === "ArrowLeft" ? Math.max(0, i - 1)
    : event.key === "Home" ? 0
    : event.key === "End" ? tabs.length - 1
    : -1;
  if (j < 0) return;
  event.preventDefault();
  const key = tabs[j].getAttribute("data-key");
  act(tabs[j]);
  // The morph keeps the tab element; find it by key in case its list was rebuilt.
  const again = key ? list.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`) : null;
  (again ?? tabs[j]).focus();
});

let scrollPending = false;
window.addEventListener("scroll", () => {
  if (scrollPending) return;
  scrollPending = true;
  requestAnimationFrame(() => {
    scrollPending = false;
    save();
  });
});

window.addEventListener("message", (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message?.type) {
    case "live": {
      // Untrusted like every message: the live state is used only as parseLiveMessage rebuilt it.
      const checked = parseLiveMessage(message);
      if ("refused" in checked || !data || data.uri !== checked.uri) return;
      const attached = !data.live && checked.live !== null;
      const matchedElsewhere = checked.live !== null && (data.live?.scenario !== checked.live.scenario || data.live?.step !== checked.live.step || data.live?.vm !== checked.live.vm);
      data = { ...data, live: checked.live };
      // On attaching, or when matched to another step, the view shows that step beside QEMU.
      if (checked.live && (attached || matchedElsewhere)) selection = showLiveStep(selection, checked.live);
      render();
      break;
    }
    case "update":
      data = { uri: message.uri, fileName: message.fileName, version: message.version, report: message.report, diagnostics: message.diagnostics, live: data?.uri === message.uri ? data.live : null };
      render();
      if (markdownWanted) copyMarkdown();
      break;
    case "request-markdown":
      copyMarkdown();
      break;
    case "diagnostics":
      if (!data || data.uri !== message.uri) return;
      data = { ...data, diagnostics: message.diagnostics };
      render();
      break;
    case "select":
      selection = { ...selection, vm: message.vm };
      render();
      window.scrollTo(0, 0);
      break;
  }
});

render();
if (persisted?.scrollY) window.scrollTo(0, persisted.scrollY);
vscode.postMessage({ type: "ready" });
