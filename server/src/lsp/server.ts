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
  let clientCommands = new Set<string>();
  const context: ServerContext = {
    connection,
    documents,
    workspace: new Workspace(documents, settings),
    settings,
    whenInitialized: (callback) => initialized.push(callback),
    clientCapabilities: () => clientCapabilities,
    clientHandles: (command) => clientCommands.has(command),
  };
  for (const feature of FEATURES) feature.register(context);

  connection.onInitialize((params) => {
    clientCapabilities = params.capabilities;
    settings.supported = params.capabilities.workspace?.configuration === true;
    settings.initialize(params.initializationOptions);
    clientCommands = clientCommandsFrom(params.initializationOptions);
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
  connection.onDidChangeConfiguration((params) => {
    if (settings.supported) void settings.refresh(connection);
    else settings.push(params?.settings);
  });

  documents.listen(connection);
  connection.listen();
}

/**
 * The client-side commands the client says it runs (`initializationOptions.clientCommands`):
 * only those may appear in code lenses, so editors other than VS Code get no dead buttons.
 */
function clientCommandsFrom(options: unknown): Set<string> {
  const list = typeof options === "object" && options !== null ? (options as { clientCommands?: unknown }).clientCommands : undefined;
  return new Set(Array.isArray(list) ? list.filter((item): item is string => typeof item === "string") : []);
}

declare const __VMTOPO_VERSION__: string | undefined;
