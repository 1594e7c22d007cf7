// Publishes the engine's diagnostics for each open document, tagged with the document
// version they were computed for. Bursts of edits are coalesced: only the latest text of a
// document is analysed, a short moment after typing pauses.
import { readFileSync } from "node:fs";
import type { Connection, TextDocuments } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { analyzeText } from "../../engine/analyze";
import type { SourceReader } from "../../engine/program";
import { pathToUri, toLspDiagnostic, uriToPath } from "../convert";

const DEBOUNCE_MS = 75;

export class DiagnosticsPublisher {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
  ) {}

  /** Imported files: the open document if there is one, else the disk. */
  private readonly reader: SourceReader = {
    read: (path) => {
      const open = this.documents.get(pathToUri(path));
      if (open) return open.getText();
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
  };

  schedule(document: TextDocument): void {
    clearTimeout(this.pending.get(document.uri));
    this.pending.set(
      document.uri,
      setTimeout(() => this.publish(document.uri), DEBOUNCE_MS),
    );
  }

  clear(uri: string): void {
    clearTimeout(this.pending.get(uri));
    this.pending.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private publish(uri: string): void {
    this.pending.delete(uri);
    const document = this.documents.get(uri);
    if (!document) return;
    const { diagnostics } = analyzeText(document.getText(), uriToPath(uri), this.reader);
    void this.connection.sendDiagnostics({ uri, version: document.version, diagnostics: diagnostics.map(toLspDiagnostic) });
  }
}
