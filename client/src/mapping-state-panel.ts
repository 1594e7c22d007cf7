// The mapping-state webview: "vmtopo: Show Mapping State" opens it beside the editor. It
// follows the active .vmtopo editor, and after each analysis (the server's
// `vmtopo/mappingStateChanged`) asks for `vmtopo/mappingState` and posts the report, with
// the document's vmtopo diagnostics, to the webview (dist/webview.js). Clicks in the view
// come back as ranges to reveal. A serializer brings the panel back after a reload.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { BaseLanguageClient } from "vscode-languageclient";
import type { LiveStates } from "./live-state";
import { mappingStateChanges } from "./mapping-state-events";
import { DETACH_QEMU, MAPPING_STATE_REQUEST, REFRESH_LIVE_STATE, SHOW_MAPPING_STATE, type MappingStateParams, type MappingStateResult } from "./protocol";
import { COPY_REPORT_MARKDOWN, handleViewExportMessage } from "./view-exports";
import { filesOfReport, parseViewMessage, rangeInside, type Range } from "./view-messages";

export const MAPPING_STATE_VIEW = "vmtopo.mappingState";

const SEVERITY: Record<vscode.DiagnosticSeverity, string> = {
  [vscode.DiagnosticSeverity.Error]: "error",
  [vscode.DiagnosticSeverity.Warning]: "warning",
  [vscode.DiagnosticSeverity.Information]: "information",
  [vscode.DiagnosticSeverity.Hint]: "hint",
};

const isVmtopo = (document: vscode.TextDocument | undefined): document is vscode.TextDocument => document?.languageId === "vmtopo";

function safeParse(uri: string): vscode.Uri | undefined {
  try {
    return vscode.Uri.parse(uri, true);
  } catch {
    return undefined;
  }
}

/** The engine names files by '/'-separated paths, other schemes by their URI. */
function uriOfEnginePath(file: string): vscode.Uri {
  return file.startsWith("/") || /^[A-Za-z]:\//.test(file) ? vscode.Uri.file(file) : vscode.Uri.parse(file);
}

class MappingStatePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  /** the document shown, as the language client names it */
  private uri: string | undefined;
  private ready = false;
  private pendingVm: string | undefined;
  private requested = 0;
  private posted = 0;
  private editorColumn: vscode.ViewColumn | undefined;
  /** the files of the report on show: the only ones a reveal from the view may open */
  private revealable = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: BaseLanguageClient,
    private readonly liveStates: LiveStates,
  ) {
    this.editorColumn = vscode.window.activeTextEditor?.viewColumn;
    this.disposables.push(
      // Attached, refreshed or detached: the view's "Running VM" panel follows.
      liveStates.onDidChange((uri) => {
        if (uri === this.uri) void this.postLive();
      }),
      mappingStateChanges(client, context.subscriptions)((e) => {
        if (this.panel && e.uri === this.uri) void this.refresh();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!editor || !isVmtopo(editor.document)) return;
        this.editorColumn = editor.viewColumn;
        if (this.panel && editor.document.uri.toString() !== this.uri) this.showDocument(editor.document.uri.toString());
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (!this.panel || !this.ready || this.uri === undefined) return;
        const uri = this.uri;
        if (e.uris.some((u) => u.toString() === uri)) void this.post({ type: "diagnostics", uri, diagnostics: this.diagnostics(uri) });
      }),
    );
  }

  /** The command: `target` is the code lens's URI string or the editor title's Uri. */
  async show(target?: vscode.Uri | string, vm?: string): Promise<void> {
    const active = vscode.window.activeTextEditor;
    const uri = typeof target === "string" ? target : target instanceof vscode.Uri ? target.toString() : isVmtopo(active?.document) ? active.document.uri.toString() : this.uri;
    if (active && isVmtopo(active.document)) this.editorColumn = active.viewColumn;
    if (this.panel) {
      this.panel.reveal(undefined, true);
    } else {
      const panel = vscode.window.createWebviewPanel(MAPPING_STATE_VIEW, "Mapping state", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.webviewOptions());
      this.attach(panel);
    }
    if (vm !== undefined) {
      this.pendingVm = vm;
      this.flushSelection();
    }
    if (uri !== undefined) this.showDocument(uri);
  }

  /** The serializer: a panel restored after a reload, with the webview's saved state. */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    this.panel?.dispose();
    this.attach(panel);
    // The saved state comes from the webview: untrusted. Only a .vmtopo document is reopened.
    const uri = (state as { data?: { uri?: unknown } } | undefined)?.data?.uri;
    if (typeof uri !== "string" || uri.length > 4096 || !/\.vmtopo$/i.test(safeParse(uri)?.path ?? "")) return;
    // The server analyses open documents: open it (without an editor) if it is not.
    await Promise.resolve(vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).catch(() => undefined);
    this.showDocument(uri);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, "dist")] };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, "images", "file-icon.svg");
    panel.webview.options = this.webviewOptions();
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message)),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
        this.panelDisposables.forEach((d) => d.dispose());
        this.panelDisposables = [];
      }),
    );
  }

  private showDocument(uri: string): void {
    this.uri = uri;
    if (this.panel) this.panel.title = `Mapping state: ${vscode.workspace.asRelativePath(vscode.Uri.parse(uri), false).split("/").pop()}`;
    void this.refresh();
  }

  private onMessage(raw: unknown): void {
    const message = parseViewMessage(raw);
    if ("refused" in message) {
      this.client.outputChannel.appendLine(`[mapping state] dropped a message from the webview: ${message.refused}`);
      return;
    }
    if (message.type === "ready") {
      // The webview (re)loaded: when created, restored, or shown again after being hidden.
      this.ready = true;
      this.flushSelection();
      this.flushMarkdown();
      void this.refresh();
    } else if (message.type === "reveal") {
      void this.reveal(message.file, message.range);
    } else if (message.type === "live-refresh") {
      void vscode.commands.executeCommand(REFRESH_LIVE_STATE);
    } else if (message.type === "live-detach") {
      void vscode.commands.executeCommand(DETACH_QEMU);
    } else {
      // Exports and "Copy as Markdown" (view-exports.ts checks the message itself).
      handleViewExportMessage(message, this.uri);
    }
  }

  // ---- Copy report as Markdown (the view builds it; view-exports.ts copies it) ----------

  /** The command: show the view for the active document, then ask it for its Markdown. */
  async copyMarkdown(): Promise<void> {
    await this.show();
    if (this.ready) await this.post({ type: "request-markdown" });
    else this.markdownPending = true;
  }

  private markdownPending = false;

  private flushMarkdown(): void {
    if (!this.ready || !this.markdownPending) return;
    this.markdownPending = false;
    void this.post({ type: "request-markdown" });
  }

  private flushSelection(): void {
    if (!this.ready || this.pendingVm === undefined || this.uri === undefined) return;
    void this.post({ type: "select", uri: this.uri, vm: this.pendingVm });
    this.pendingVm = undefined;
  }

  /** Asks the server for the report and posts it, unless a newer answer was posted already. */
  private async refresh(): Promise<void> {
    const uri = this.uri;
    if (!this.panel || !this.ready || uri === undefined) return;
    const ticket = ++this.requested;
    let result: MappingStateResult | null = null;
    try {
      await this.client.start();
      const params: MappingStateParams = { uri };
      result = await this.client.sendRequest<MappingStateResult | null>(MAPPING_STATE_REQUEST, params);
    } catch {
      result = null;
    }
    if (ticket < this.posted || uri !== this.uri) return;
    this.posted = ticket;
    this.revealable = filesOfReport(result?.report ?? null);
    await this.post({
      type: "update",
      uri,
      fileName: vscode.workspace.asRelativePath(vscode.Uri.parse(uri), false),
      version: result?.version ?? null,
      report: result?.report ?? null,
      diagnostics: this.diagnostics(uri),
    });
    this.flushSelection();
    await this.postLive();
  }

  /** The running QEMU compared with the document on show, or null (not attached). */
  private async postLive(): Promise<void> {
    if (this.uri === undefined) return;
    await this.post({ type: "live", uri: this.uri, live: this.liveStates.get(this.uri) });
  }

  private diagnostics(uri: string) {
    return vscode.languages
      .getDiagnostics(vscode.Uri.parse(uri))
      .filter((d) => d.source === "vmtopo")
      .map((d) => ({
        code: typeof d.code === "object" ? String(d.code.value) : String(d.code ?? ""),
        severity: SEVERITY[d.severity],
        message: d.message,
        range: { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } },
      }));
  }

  private async post(message: unknown): Promise<void> {
    if (this.panel && this.ready) await this.panel.webview.postMessage(message);
  }

  private async reveal(file: string | null, r: Range): Promise<void> {
    if (file !== null && !this.revealable.has(file)) {
      this.client.outputChannel.appendLine(`[mapping state] dropped a reveal of a file outside the report: ${JSON.stringify(file.slice(0, 200))}`);
      return;
    }
    const target = file === null ? (this.uri ? safeParse(this.uri) : undefined) : uriOfEnginePath(file);
    if (!target) return;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    try {
      const document = await vscode.workspace.openTextDocument(target);
      if (!rangeInside(r, document.lineCount, (line) => document.lineAt(line).text.length)) {
        this.client.outputChannel.appendLine(`[mapping state] dropped a reveal of a range outside ${target.toString(true)}`);
        return;
      }
      const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.toString());
      const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? this.editorColumn ?? vscode.ViewColumn.One, selection: range, preserveFocus: false });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch (error) {
      void vscode.window.showWarningMessage(`vmtopo: cannot open ${target.toString(true)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(18).toString("base64");
    const dist = vscode.Uri.joinPath(this.context.extensionUri, "dist");
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js"));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.css"));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `script-src 'nonce-${nonce}'`].join("; ");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>vmtopo mapping state</title>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Registers "vmtopo: Show Mapping State" and the panel's serializer. */
export function registerMappingStatePanel(context: vscode.ExtensionContext, client: BaseLanguageClient, liveStates: LiveStates): void {
  const panel = new MappingStatePanel(context, client, liveStates);
  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand(SHOW_MAPPING_STATE, (target?: vscode.Uri | string, vm?: string) => panel.show(target, vm)),
    vscode.commands.registerCommand(COPY_REPORT_MARKDOWN, () => panel.copyMarkdown()),
    vscode.window.registerWebviewPanelSerializer(MAPPING_STATE_VIEW, { deserializeWebviewPanel: (webviewPanel, state) => panel.revive(webviewPanel, state) }),
  );
}
