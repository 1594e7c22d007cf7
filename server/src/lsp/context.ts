// What every feature gets: the connection, the documents, the workspace and the settings.
import type { ClientCapabilities, Connection, ServerCapabilities, TextDocuments } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Settings } from "./settings";
import type { Workspace } from "./workspace";

export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  workspace: Workspace;
  settings: Settings;
  /** runs once the client has sent `initialized` (the connection has a single handler for it) */
  whenInitialized(callback: () => void): void;
  /** what the client announced at initialize (empty before) */
  clientCapabilities(): ClientCapabilities;
  /** the client announced (in `initializationOptions.clientCommands`) that it runs this command */
  clientHandles(command: string): boolean;
}

/** One LSP feature: what it announces at initialize, and the handlers it installs. */
export interface Feature {
  capabilities?: Partial<ServerCapabilities>;
  register(context: ServerContext): void;
}
