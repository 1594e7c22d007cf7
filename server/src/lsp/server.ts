// The language server: owns the connection, the open documents and the workspace, and
// wires the features (one per file under features/). Only this folder speaks LSP.
import { createConnection, ProposedFeatures, StreamMessageWriter, TextDocuments, TextDocumentSyncKind, type ClientCapabilities, type ServerCapabilities } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { ServerContext } from "./context";
import { FEATURES } from "./features/index";
import { guard, logError, setGuardLog } from "./guard";
import { Settings } from "./settings";
import { GuardedReader } from "./transport/guarded-reader";
import { Workspace } from "./workspace";

export function startServer(): void {
  // stdout carries the protocol: nothing else may print there.
  console.log = console.info = console.debug = console.warn = console.error;
  // The last resort behind the guards: a bug that still escapes is logged, never fatal.
  process.on("uncaughtException", (error) => logError("the language server", error));
  process.on("unhandledRejection", (reason) => logError("the language server (a promise)", reason));

  const writer = new StreamMessageWriter(process.stdout);
  const reader = new GuardedReader(process.stdin, {
    reply: (message) => void writer.write(message).catch(() => undefined),
    log: (text) => process.stderr.write(`vmtopo: ${text}\n`),
    fatal: (reason) => {
      process.stderr.write(`vmtopo: ${reason}; exiting so that the client can restart the server\n`);
      process.exit(1);
    },
  });
  // The client went away (stdin closed, or stdout broken): LSP's exit code says whether it asked to.
  const end = () => process.exit(reader.shutdownReceived ? 0 : 1);
  reader.onClose(end);
  writer.onError(end);

  const connection = createConnection(ProposedFeatures.all, reader, writer);
  setGuardLog((text) => connection.console.error(text));
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
  const refreshSettings = () => settings.refresh(connection).catch((error: unknown) => logError("reading the settings", error));
  connection.onInitialized(
    guard("initialized", () => {
      void refreshSettings();
      initialized.forEach((callback) => guard("an initialized callback", callback)());
    }),
  );
  connection.onDidChangeConfiguration(
    guard("didChangeConfiguration", (params: { settings?: unknown } | undefined) => {
      if (settings.supported) void refreshSettings();
      else settings.push(params?.settings);
    }),
  );

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
