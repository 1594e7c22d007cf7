// A real LSP client for tests: spawns the bundled server (`dist/server.cjs lsp --stdio`) and
// speaks JSON-RPC to it over stdio, as an editor does.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  createProtocolConnection,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";
import { repoRoot } from "./fixtures";

export const serverBundle = join(repoRoot, "dist", "server.cjs");

export class TestLspClient {
  private readonly published: PublishDiagnosticsParams[] = [];
  /** when each publication arrived (performance.now()), in the order of `published` */
  private readonly arrivals: number[] = [];
  private readonly waiters: (() => void)[] = [];
  private versions = new Map<string, number>();

  private constructor(
    private readonly process: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
  ) {
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      this.arrivals.push(performance.now());
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  /**
   * `capabilities`: the client capabilities sent at initialize (none by default, as a minimal
   * client); `initializationOptions` as an editor's configuration would send them.
   */
  static async start(capabilities: Record<string, unknown> = {}, initializationOptions?: unknown): Promise<TestLspClient> {
    if (!existsSync(serverBundle)) throw new Error(`${serverBundle} is missing: run 'npm run build' first`);
    const child = spawn(process.execPath, [serverBundle, "lsp", "--stdio"], { stdio: "pipe" });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    const client = new TestLspClient(child, connection);
    await connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities, initializationOptions });
    await connection.sendNotification("initialized", {});
    return client;
  }

  async open(uri: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "vmtopo", version: 1, text } });
  }

  /** Replaces the whole text (a full-document change) and returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** The first diagnostics published for `uri` that satisfy `accept`, waiting up to `timeoutMs`. */
  async diagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.published.find((p) => p.uri === uri && accept(p));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(this.published)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Every publication for `uri` so far, with the time it arrived (performance.now()). */
  publications(uri: string): { params: PublishDiagnosticsParams; at: number }[] {
    return this.published.flatMap((params, i) => (params.uri === uri ? [{ params, at: this.arrivals[i] }] : []));
  }

  /** Any request, e.g. `client.request("textDocument/hover", { textDocument: { uri }, position })`. */
  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** Opens `text` and waits until its diagnostics are published (the analysis is done). */
  async openAndWait(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    await this.open(uri, text);
    return this.diagnostics(uri, (p) => p.version === this.versions.get(uri));
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest("shutdown");
      await this.connection.sendNotification("exit");
    } finally {
      this.connection.dispose();
      this.process.kill();
    }
  }
}
