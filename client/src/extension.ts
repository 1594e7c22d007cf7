// The extension: starts the vmtopo language server (the same bundle as the CLI) for
// .vmtopo documents. Everything language-related happens in the server.
import * as path from "node:path";
import type { ExtensionContext } from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { registerOpenExample } from "./examples";
import { CLIENT_COMMANDS } from "./protocol";
import { registerLanguageStatus } from "./language-status";
import { registerMappingStatePanel } from "./mapping-state-panel";
import { registerAttachQemu } from "./attach-qemu";
import { LiveStates } from "./live-state";
import { registerRealVmCommands } from "./real-vms";

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  registerOpenExample(context);
  const serverModule = context.asAbsolutePath(path.join("dist", "server.cjs"));
  const run = { module: serverModule, transport: TransportKind.stdio, args: ["lsp"] };
  const serverOptions: ServerOptions = { run, debug: { ...run, options: { execArgv: ["--nolazy", "--inspect=6019"] } } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "vmtopo" },
      { scheme: "untitled", language: "vmtopo" },
    ],
    // The server pulls `vmtopo.*` settings; this tells it when they change.
    synchronize: { configurationSection: "vmtopo" },
    // The commands this client runs: the server puts only these in code lenses.
    initializationOptions: { clientCommands: CLIENT_COMMANDS },
  };
  client = new LanguageClient("vmtopo", "vmtopo", serverOptions, clientOptions);
  context.subscriptions.push(client);
  // Before start: the panel's serializer must exist when VS Code restores a panel.
  const liveStates = new LiveStates();
  context.subscriptions.push(liveStates);
  registerMappingStatePanel(context, client, liveStates);
  registerAttachQemu(context, client, liveStates);
  await client.start();
  registerLanguageStatus(context, client);
  registerRealVmCommands(context, client);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
