// The language server over a raw pipe: the tests write any bytes they like (malformed
// headers, invalid JSON, wrong-typed params) and read what the server answers, or see it
// exit. Every wait is bounded, so a deaf server fails the test instead of hanging it.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { serverBundle } from "./lsp-client";

export interface RpcMessage {
  jsonrpc: string;
  id?: number | string | null;
  method?: string;
  params?: any;
  result?: any;
  error?: { code: number; message: string };
}

export const frame = (body: string | Buffer) => {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, "ascii"), bytes]);
};

export class RawServer {
  readonly messages: RpcMessage[] = [];
  stderr = "";
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private buffer = Buffer.alloc(0);
  private readonly waiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on("data", (data: Buffer) => this.onData(data));
    child.stderr.on("data", (data: Buffer) => (this.stderr += data.toString("utf8")));
    child.on("exit", (code, signal) => {
      this.exit = { code, signal };
      this.wake();
    });
    child.stdin.on("error", () => undefined); // writing to a server that exited
  }

  static start(): RawServer {
    return new RawServer(spawn(process.execPath, [serverBundle, "lsp", "--stdio"], { stdio: "pipe" }));
  }

  /** Starts a server and takes it through initialize / initialized. */
  static async initialized(capabilities: Record<string, unknown> = {}): Promise<{ server: RawServer; capabilities: Record<string, unknown> }> {
    const server = RawServer.start();
    const init = await server.request("initialize", { processId: null, rootUri: null, capabilities });
    if (init.error) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
    server.notify("initialized", {});
    return { server, capabilities: init.result.capabilities };
  }

  write(bytes: Buffer | string): void {
    if (!this.child.stdin.destroyed) this.child.stdin.write(bytes);
  }

  send(message: unknown): void {
    this.write(frame(JSON.stringify(message)));
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  request(method: string, params?: unknown, timeoutMs = 10_000): Promise<RpcMessage> {
    const id = this.nextId++;
    this.send({ jsonrpc: "2.0", id, method, params });
    return this.response(id, timeoutMs);
  }

  response(id: number | string | null, timeoutMs = 10_000): Promise<RpcMessage> {
    return this.waitFor((m) => m.id === id && m.method === undefined, `a response to id ${id}`, timeoutMs);
  }

  /** The first message (from the start) that satisfies `accept`. */
  async waitFor(accept: (m: RpcMessage) => boolean, what: string, timeoutMs = 10_000): Promise<RpcMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(accept);
      if (found) return found;
      if (this.exit) throw new Error(`the server exited (${JSON.stringify(this.exit)}) before ${what}; stderr: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`);
      await this.sleepUntilMessage(left);
    }
  }

  diagnostics(uri: string, accept: (params: any) => boolean = () => true, timeoutMs = 10_000): Promise<RpcMessage> {
    return this.waitFor((m) => m.method === "textDocument/publishDiagnostics" && m.params.uri === uri && accept(m.params), `diagnostics for ${uri}`, timeoutMs);
  }

  async exited(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.exit) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the server did not exit within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await this.sleepUntilMessage(left);
    }
    return this.exit;
  }

  kill(): void {
    if (!this.exit) this.child.kill();
  }

  private sleepUntilMessage(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    this.waiters.splice(0).forEach((wake) => wake());
  }

  private onData(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) break;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString("ascii"))?.[1]);
      if (this.buffer.length < end + 4 + length) break;
      this.messages.push(JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString("utf8")));
      this.buffer = this.buffer.subarray(end + 4 + length);
    }
    this.wake();
  }
}
