// Publishes the engine's diagnostics for each open document, tagged with the document
// version they were computed for. Bursts of edits are coalesced: only the latest text is
// analysed, a short moment after typing pauses, or at the latest MAX_WAIT_MS after the first
// edit of a burst, so that continuous typing still sees fresh diagnostics; a change
// re-analyses every open document that imports the changed file. At most 1,000 diagnostics
// are published per document (diagnostic-cap.ts). After each publication, `vmtopo/mappingStateChanged`
// tells the client (the webview) that fresh figures are available.
import { DidChangeWatchedFilesNotification, type Connection } from "vscode-languageserver";
import { toLspDiagnostic, uriToPath } from "../convert";
import type { Feature, ServerContext } from "../context";
import { MaxWaitDebouncer } from "../debounce";
import { capDiagnostics } from "../diagnostic-cap";
import { errorMessage, guard } from "../guard";
import { MAPPING_STATE_CHANGED } from "../protocol";

// Long enough to coalesce a burst of keystrokes, short enough to stay within the 50 ms budget.
const DEBOUNCE_MS = 20;
// Typing never starves feedback: under continuous edits, a publication at least every
// 250 ms. The debouncer already starts early by the analysis's own duration; the deadline
// keeps 50 ms more for the event loop, late under a flood of edits to apply.
export const MAX_WAIT_MS = 200;

class Publisher {
  private readonly debouncer = new MaxWaitDebouncer<string>(
    guard("publishing diagnostics", (uri: string) => this.publish(uri), (error, uri) => this.publishInternalError(uri, error)),
    DEBOUNCE_MS,
    MAX_WAIT_MS,
  );
  constructor(private readonly context: ServerContext) {}

  schedule(uri: string): void {
    this.debouncer.schedule(uri);
  }

  clear(uri: string): void {
    this.debouncer.cancel(uri);
    void this.context.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private publish(uri: string): void {
    const { connection, documents, workspace } = this.context;
    // Always the newest text: the document as it is now, not as it was when the burst began.
    const document = documents.get(uri);
    const analysis = workspace.analysis(uri);
    if (!document || !analysis) return;
    // An import is still being read: its arrival schedules this document again.
    if (workspace.awaitingFiles(uri)) return;
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics: capDiagnostics(analysis.diagnostics).map(toLspDiagnostic) });
    void connection.sendNotification(MAPPING_STATE_CHANGED, { uri, version: document.version });
  }

  /** A bug of ours while analysing shows on the document as VT000, not as a dead server. */
  private publishInternalError(uri: string, error: unknown): void {
    const document = this.context.documents.get(uri);
    if (!document) return;
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const message = `internal error in the vmtopo server: ${errorMessage(error)} (details in the server log)`;
    void this.context.connection.sendDiagnostics({ uri, version: document.version, diagnostics: [{ range, severity: 1, code: "VT000", source: "vmtopo", message }] });
  }
}

export const diagnostics: Feature = {
  register(context: ServerContext) {
    const { documents, workspace, connection } = context;
    const publisher = new Publisher(context);
    const refresh = (path: string) => {
      workspace.invalidate(path);
      for (const uri of workspace.dependents(path)) publisher.schedule(uri);
    };
    documents.onDidOpen((e) => publisher.schedule(e.document.uri));
    documents.onDidChangeContent((e) => refresh(uriToPath(e.document.uri)));
    documents.onDidClose((e) => {
      workspace.forget(e.document.uri);
      publisher.clear(e.document.uri);
      refresh(uriToPath(e.document.uri)); // importers now read it from disk
    });
    connection.onDidChangeWatchedFiles((e) => e.changes.forEach((change) => refresh(uriToPath(change.uri))));
    // A file read from disk arrived, or changed: analyse what waited for it or reads it.
    workspace.disk.onLoaded((path) => {
      const waiting = documents.all().filter((d) => workspace.awaitingFiles(d.uri)).map((d) => d.uri);
      const readers = workspace.dependents(path);
      workspace.invalidate();
      for (const uri of new Set([...waiting, ...readers])) publisher.schedule(uri);
    });
    context.settings.onChange(() => {
      workspace.invalidate();
      documents.all().forEach((d) => publisher.schedule(d.uri));
    });
    context.whenInitialized(() => watchFiles(connection));
  },
};

/** Asks the client to report .vmtopo files changed on disk, where it supports that. */
function watchFiles(connection: Connection): void {
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.vmtopo" }] }).catch(() => undefined);
}
