// The server's end of the JSON-RPC pipe, stricter and more forgiving than vscode-jsonrpc's
// own reader, which goes deaf forever on `Content-Length: -5` or on headers ended by "\n\n",
// and answers nothing to a body that is not JSON.
//
// - Framing (LSP base protocol): header lines end with "\r\n"; a bare "\n" is accepted too,
//   as clangd and rust-analyzer's lsp-server accept it. A header that cannot be framed (no or
//   a negative Content-Length, a line without ':', a header or body past the caps) leaves no
//   way to find the next message: the server says why on stderr and exits with status 1, so
//   that the client restarts it.
// - Bodies: invalid UTF-8 or JSON → -32700 Parse error; not a JSON-RPC 2.0 message → -32600.
// - Lifecycle: requests before `initialize` → -32002; requests after `shutdown` → -32600;
//   notifications then are dropped (except `exit`).
// - Params: wrong-typed params of a checked method → -32602 (requests) or dropped (notifications).
import type { Readable } from "node:stream";
import { AbstractMessageReader, Emitter, type DataCallback, type Disposable, type Message, type MessageReader, type ResponseMessage } from "vscode-languageserver/node";
import { paramsProblem } from "./params";

export const MAX_HEADER_BYTES = 8 * 1024;
/** Generous for a document sent whole at didOpen; the engine caps what it analyses. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export const ErrorCodes = { ParseError: -32700, InvalidRequest: -32600, InvalidParams: -32602, ServerNotInitialized: -32002 } as const;

export interface GuardedReaderHooks {
  /** answers a request the reader rejects itself (the connection's writer) */
  reply(message: ResponseMessage): void;
  /** a message was dropped or rejected: for the log */
  log(text: string): void;
  /** framing is lost: report and end the process */
  fatal(reason: string): void;
}

type Lifecycle = "new" | "running" | "shutdown";

export class GuardedReader extends AbstractMessageReader implements MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** a body being collected: its length, and the chunks so far */
  private needed = -1;
  private parts: Buffer[] = [];
  private partsSize = 0;
  private callback: DataCallback | undefined;
  private lifecycle: Lifecycle = "new";
  private dead = false;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  readonly onShutdown = new Emitter<void>();

  constructor(
    private readonly readable: Readable,
    private readonly hooks: GuardedReaderHooks,
  ) {
    super();
  }

  get shutdownReceived(): boolean {
    return this.lifecycle === "shutdown";
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (data: Buffer) => this.onData(data);
    const onError = (error: Error) => this.fireError(error);
    const onEnd = () => this.fireClose();
    this.readable.on("data", onData);
    this.readable.on("error", onError);
    this.readable.on("end", onEnd);
    this.readable.on("close", onEnd);
    return {
      dispose: () => {
        this.readable.off("data", onData);
        this.readable.off("error", onError);
        this.readable.off("end", onEnd);
        this.readable.off("close", onEnd);
      },
    };
  }

  /** Feeds bytes as they arrive (public for the tests, which feed the reader directly). */
  onData(data: Buffer): void {
    if (this.dead) return;
    if (this.needed >= 0) {
      this.parts.push(data);
      this.partsSize += data.length;
      if (this.partsSize < this.needed) return;
      this.buffer = Buffer.concat(this.parts, this.partsSize);
      this.parts = [];
      this.partsSize = 0;
    } else {
      this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    }
    this.drain();
  }

  private drain(): void {
    while (!this.dead) {
      if (this.needed < 0) {
        const header = this.readHeader();
        if (header === undefined) return;
        this.needed = header;
      }
      if (this.buffer.length < this.needed) {
        // Collect the rest of the body without copying the buffer on every chunk.
        if (this.buffer.length > 0) {
          this.parts = [this.buffer];
          this.partsSize = this.buffer.length;
        }
        this.buffer = Buffer.alloc(0);
        return;
      }
      const body = this.buffer.subarray(0, this.needed);
      this.buffer = this.buffer.subarray(this.needed);
      this.needed = -1;
      this.deliver(body);
    }
  }

  /** The Content-Length of the next message, once its whole header is in; undefined to wait. */
  private readHeader(): number | undefined {
    // Line breaks between messages are tolerated.
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a)) start++;
    const end = headerEnd(this.buffer, start);
    if (end === undefined) {
      this.buffer = this.buffer.subarray(start);
      if (this.buffer.length > MAX_HEADER_BYTES) this.die(`a message header longer than ${MAX_HEADER_BYTES} bytes`);
      return undefined;
    }
    const lines = this.buffer.subarray(start, end.header).toString("latin1").split(/\r?\n/);
    this.buffer = this.buffer.subarray(end.body);
    let length: number | undefined;
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon <= 0) return this.die(`a header line without 'name:' (${JSON.stringify(line.slice(0, 80))})`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        if (!/^\d{1,10}$/.test(value)) return this.die(`Content-Length: ${JSON.stringify(value.slice(0, 40))} is not a byte count`);
        length = Number(value);
        if (length > MAX_BODY_BYTES) return this.die(`Content-Length: ${length} is more than ${MAX_BODY_BYTES} bytes`);
      } else if (name === "content-type" && /charset=/i.test(value) && !/charset=["']?utf-?8/i.test(value)) {
        return this.die(`${line.trim()}: only UTF-8 is supported`);
      }
    }
    if (length === undefined) return this.die("a message header without Content-Length");
    return length;
  }

  private die(reason: string): undefined {
    this.dead = true;
    this.buffer = Buffer.alloc(0);
    this.parts = [];
    this.hooks.fatal(`malformed message from the client: ${reason}`);
    return undefined;
  }

  private deliver(body: Buffer): void {
    let message: unknown;
    try {
      message = JSON.parse(this.decoder.decode(body));
    } catch (error) {
      this.reject(null, ErrorCodes.ParseError, `Parse error: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.admit(message)) this.callback?.(message as Message);
  }

  /** true if the message goes on to the connection; otherwise it was answered or dropped. */
  private admit(message: unknown): boolean {
    if (Array.isArray(message)) return this.reject(null, ErrorCodes.InvalidRequest, "Invalid Request: batches are not part of LSP");
    if (typeof message !== "object" || message === null) return this.reject(null, ErrorCodes.InvalidRequest, "Invalid Request: not a JSON-RPC message object");
    const m = message as Record<string, unknown>;
    const id = m.id;
    const validId = id === undefined || typeof id === "string" || (typeof id === "number" && Number.isInteger(id));
    const replyId = validId && id !== undefined ? (id as string | number) : null;
    if (m.jsonrpc !== "2.0") return this.reject(replyId, ErrorCodes.InvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"");
    if (!validId) return this.reject(null, ErrorCodes.InvalidRequest, "Invalid Request: id must be an integer or a string");
    if (m.method === undefined) {
      // A response to one of the server's requests (workspace/configuration, registrations).
      if (id === undefined || ("result" in m) === ("error" in m)) return this.drop("a response without an id, or with both or neither of result and error");
      return true;
    }
    if (typeof m.method !== "string") return this.reject(replyId, ErrorCodes.InvalidRequest, "Invalid Request: method must be a string");
    if (m.params !== undefined && (typeof m.params !== "object" || m.params === null)) {
      return id === undefined ? this.drop(`${m.method}: params must be an object or an array`) : this.reject(replyId, ErrorCodes.InvalidParams, "Invalid params: params must be an object or an array");
    }
    return id === undefined ? this.admitNotification(m.method, m.params) : this.admitRequest(id as string | number, m.method, m.params);
  }

  private admitRequest(id: string | number, method: string, params: unknown): boolean {
    if (this.lifecycle === "shutdown") return this.reject(id, ErrorCodes.InvalidRequest, `Invalid Request: the server is shutting down; only 'exit' is accepted`);
    if (this.lifecycle === "new" && method !== "initialize") return this.reject(id, ErrorCodes.ServerNotInitialized, `Server not initialized: '${method}' before 'initialize'`);
    if (this.lifecycle === "running" && method === "initialize") return this.reject(id, ErrorCodes.InvalidRequest, "Invalid Request: 'initialize' was already received");
    const problem = paramsProblem(method, params, true);
    if (problem) return this.reject(id, ErrorCodes.InvalidParams, `Invalid params for '${method}': ${problem}`);
    if (method === "initialize") this.lifecycle = "running";
    if (method === "shutdown") {
      this.lifecycle = "shutdown";
      this.onShutdown.fire();
    }
    return true;
  }

  private admitNotification(method: string, params: unknown): boolean {
    if (method === "exit") return true;
    if (this.lifecycle !== "running") return this.drop(`${method}: ${this.lifecycle === "new" ? "before 'initialize'" : "after 'shutdown'"}`);
    const problem = paramsProblem(method, params, false);
    if (problem) return this.drop(`${method}: invalid params: ${problem}`);
    return true;
  }

  private reject(id: string | number | null, code: number, message: string): false {
    this.hooks.log(`rejected a message from the client: ${code} ${message}`);
    this.hooks.reply({ jsonrpc: "2.0", id, error: { code, message } });
    return false;
  }

  private drop(why: string): false {
    this.hooks.log(`dropped a notification from the client: ${why}`);
    return false;
  }
}

/** Where the header starting at `start` ends (before its empty line) and the body begins. */
function headerEnd(buffer: Buffer, start: number): { header: number; body: number } | undefined {
  for (let i = buffer.indexOf(0x0a, start); i >= 0; i = buffer.indexOf(0x0a, i + 1)) {
    const lineEnd = i > start && buffer[i - 1] === 0x0d ? i - 1 : i;
    if (buffer[i + 1] === 0x0a) return { header: lineEnd, body: i + 2 };
    if (buffer[i + 1] === 0x0d && buffer[i + 2] === 0x0a) return { header: lineEnd, body: i + 3 };
    if (i + 1 >= buffer.length || (buffer[i + 1] === 0x0d && i + 2 >= buffer.length)) return undefined;
  }
  return undefined;
}
