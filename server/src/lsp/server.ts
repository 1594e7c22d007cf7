// The language server: owns the connection and the open documents, and hands each feature
// (one per file under features/) what it needs. Only this folder speaks LSP.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { DiagnosticsPublisher } from "./features/diagnostics";

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const diagnostics = new DiagnosticsPublisher(connection, documents);

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    },
    serverInfo: { name: "vmtopo", version: typeof __VMTOPO_VERSION__ === "string" ? __VMTOPO_VERSION__ : "dev" },
  }));

  documents.onDidChangeContent((change) => diagnostics.schedule(change.document));
  documents.onDidClose((event) => diagnostics.clear(event.document.uri));

  documents.listen(connection);
  connection.listen();
}

declare const __VMTOPO_VERSION__: string | undefined;
