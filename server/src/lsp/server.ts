// The language server: owns the connection, the open documents and the workspace, and
// wires the features (one per file under features/). Only this folder speaks LSP.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type ClientCapabilities, type ServerCapabilities } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { ServerContext } from "./context";
import { FEATURES } from "./features/index";
import { Settings } from "./settings";
import { Workspace } from "./workspace";

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const settings = new Settings();
  const initialized: (() => void)[] = [];
  let clientCapabilities: ClientCapabilities = {};
  const context: ServerContext = {
    connection,
    documents,
    workspace: new Workspace(documents, settings),
    settings,
    whenInitialized: (callback) => initialized.push(callback),
    clientCapabilities: () => clientCapabilities,
  };
  for (const feature of FEATURES) feature.register(context);

  connection.onInitialize((params) => {
    clientCapabilities = params.capabilities;
    settings.supported = params.capabilities.workspace?.configuration === true;
    const capabilities: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    };
    for (const feature of FEATURES) Object.assign(capabilities, feature.capabilities);
    return { capabilities, serverInfo: { name: "vmtopo", version: typeof __VMTOPO_VERSION__ === "string" ? __VMTOPO_VERSION__ : "dev" } };
  });
  connection.onInitialized(() => {
    void settings.refresh(connection);
    initialized.forEach((callback) => callback());
  });
  connection.onDidChangeConfiguration(() => void settings.refresh(connection));

  documents.listen(connection);
  connection.listen();
}

declare const __VMTOPO_VERSION__: string | undefined;
