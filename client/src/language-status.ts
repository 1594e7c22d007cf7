// Two language status items for .vmtopo editors (the `{}` entry of the status bar):
// - the active document's vmtopo errors and warnings, severity Error when there are errors;
//   its command opens the Problems panel;
// - the worst-case DMA mappings of the VM under the cursor (a `vm` block or a scenario for
//   it), else of the file's worst VFIO container; its command opens the mapping state.
// The figures come from `vmtopo/mappingState` and the outline (`textDocument/documentSymbol`),
// refreshed on `vmtopo/mappingStateChanged` for the active document and, debounced, when the
// active editor or its selection changes.
import * as vscode from "vscode";
import { DocumentSymbolRequest, type BaseLanguageClient, type DocumentSymbol, type SymbolInformation } from "vscode-languageclient";
import { mappingStatus, problemsStatus, vmAtLine, type MappingState, type OutlineEntry, type StatusSeverity, type StatusText } from "./language-status-text";
import { mappingStateChanges } from "./mapping-state-events";
import { MAPPING_STATE_REQUEST, SHOW_MAPPING_STATE } from "./protocol";

const SHOW_PROBLEMS = "workbench.actions.view.problems";
const SELECTOR: vscode.DocumentSelector = { language: "vmtopo" };
const DEBOUNCE_MS = 150;

const SEVERITY: Record<StatusSeverity, vscode.LanguageStatusSeverity> = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

interface Loaded {
  uri: string;
  state: MappingState;
  outline: OutlineEntry[];
}

function show(item: vscode.LanguageStatusItem, status: StatusText): void {
  item.text = status.text;
  item.detail = status.detail;
  item.severity = SEVERITY[status.severity];
  item.accessibilityInformation = { label: `${status.text}: ${status.detail}` };
}

function activeVmtopoEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === "vmtopo" ? editor : undefined;
}

function outlineOf(symbols: DocumentSymbol[] | SymbolInformation[] | null): OutlineEntry[] {
  return (symbols ?? []).flatMap((s) => ("range" in s ? [{ name: s.name, kind: s.kind, range: s.range }] : []));
}

export function registerLanguageStatus(context: vscode.ExtensionContext, client: BaseLanguageClient): void {
  const problems = vscode.languages.createLanguageStatusItem("vmtopo.problems", SELECTOR);
  problems.name = "vmtopo problems";
  problems.command = { title: "Show Problems", command: SHOW_PROBLEMS };
  const mappings = vscode.languages.createLanguageStatusItem("vmtopo.mappings", SELECTOR);
  mappings.name = "vmtopo DMA mappings";
  mappings.text = "DMA mappings";
  mappings.busy = true;
  context.subscriptions.push(problems, mappings);

  let loaded: Loaded | undefined;
  let generation = 0; // the newest fetch; older answers are dropped
  let timer: ReturnType<typeof setTimeout> | undefined;

  const updateProblems = (): void => {
    const editor = activeVmtopoEditor();
    if (!editor) return;
    let errors = 0;
    let warnings = 0;
    for (const d of vscode.languages.getDiagnostics(editor.document.uri)) {
      if (d.source !== "vmtopo") continue;
      if (d.severity === vscode.DiagnosticSeverity.Error) errors++;
      else if (d.severity === vscode.DiagnosticSeverity.Warning) warnings++;
    }
    show(problems, problemsStatus(errors, warnings));
  };

  const render = (): void => {
    const editor = activeVmtopoEditor();
    if (!editor || loaded?.uri !== editor.document.uri.toString()) return;
    const { report } = loaded.state;
    const status = mappingStatus(report, vmAtLine(loaded.outline, report, editor.selection.active.line));
    show(mappings, status);
    mappings.command = { title: "Show mapping state", command: SHOW_MAPPING_STATE, arguments: status.vm === undefined ? [loaded.uri] : [loaded.uri, status.vm] };
  };

  const fetch = async (): Promise<void> => {
    const editor = activeVmtopoEditor();
    if (!editor) return;
    const uri = editor.document.uri.toString();
    const mine = ++generation;
    mappings.busy = true;
    try {
      const [state, symbols] = await Promise.all([
        client.sendRequest<MappingState | null>(MAPPING_STATE_REQUEST, { uri }),
        client.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }),
      ]);
      if (mine !== generation) return;
      if (!state) return; // not analysed yet: vmtopo/mappingStateChanged follows
      loaded = { uri, state, outline: outlineOf(symbols) };
      mappings.busy = false;
      render();
    } catch (error) {
      if (mine !== generation) return;
      mappings.busy = false;
      show(mappings, { text: "DMA mappings unavailable", detail: error instanceof Error ? error.message : String(error), severity: "warning" });
    }
  };

  /** Re-renders (or, when the figures are stale or of another document, fetches them) after a short pause. */
  const schedule = (refetch: boolean): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const editor = activeVmtopoEditor();
      if (!editor) return;
      if (refetch || loaded?.uri !== editor.document.uri.toString()) void fetch();
      else render();
    }, DEBOUNCE_MS);
  };

  context.subscriptions.push(
    { dispose: () => timer !== undefined && clearTimeout(timer) },
    vscode.window.onDidChangeActiveTextEditor(() => {
      updateProblems();
      schedule(false);
    }),
    vscode.window.onDidChangeTextEditorSelection((e) => {
      if (e.textEditor === activeVmtopoEditor()) schedule(false);
    }),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const active = activeVmtopoEditor()?.document.uri.toString();
      if (active !== undefined && e.uris.some((u) => u.toString() === active)) updateProblems();
    }),
    mappingStateChanges(client, context.subscriptions)(({ uri }) => {
      if (uri === activeVmtopoEditor()?.document.uri.toString()) schedule(true);
    }),
  );
  updateProblems();
  void fetch();
}
