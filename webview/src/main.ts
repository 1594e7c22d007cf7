// The mapping-state view's script, inside a VS Code webview. The extension host posts the
// language server's report for the active .vmtopo document (and the document's diagnostics)
// on every analysis; the view keeps the user's selection (VM, scenario, step), morphs the
// page in place (no flicker, scroll and focus kept) and asks the host to reveal ranges.
// State survives reloads through getState/setState (the host registers a serializer).
import "./styles.css";
import { morph } from "./dom";
import type { HostMessage, Range, ViewMessage } from "./report-types";
import { emptySelection, resolve, type Selection } from "./state";
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
      selection = { ...selection, vm: get("data-vm") };
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
    case "update":
      data = { uri: message.uri, fileName: message.fileName, version: message.version, report: message.report, diagnostics: message.diagnostics };
      render();
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
