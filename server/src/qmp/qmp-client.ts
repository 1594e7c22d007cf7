// A small QMP client (QEMU Machine Protocol, docs/interop/qmp-spec.rst in QEMU): JSON objects,
// one per line, on a Unix socket. The server greets with {"QMP": {...}}; the client leaves
// capabilities negotiation with `qmp_capabilities`; every command may carry an "id" that its
// answer ({"return": …} or {"error": {"class", "desc"}}) echoes; events ({"event": …}) arrive
// interleaved with answers and are ignored here. Used by `vmtopo live` and the language
// server's `vmtopo/live` request. Everything QEMU sends is untrusted: a line is capped, a
// malformed one ends the session with an error, every wait is bounded.
import { createConnection, type Socket } from "node:net";

export class QmpError extends Error {}

/** The `info mtree -f` of a large VM is a few hundred KiB; anything past this is not QEMU. */
const MAX_LINE = 32 * 1024 * 1024;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  command: string;
}

export interface QmpGreeting {
  version?: { qemu?: { major: number; minor: number; micro: number }; package?: string };
}

export class QmpClient {
  private buffer = "";
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private failure: Error | null = null;
  private greetingWaiter: Pending | null = null;
  greeting: QmpGreeting | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.receive(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const reason = error.code === "ENOENT" ? "no such socket" : error.code === "ECONNREFUSED" ? "nothing listens on this socket" : error.code === "EACCES" ? "permission denied" : error.message;
      this.fail(new QmpError(`cannot talk to QEMU's QMP socket: ${reason} (start QEMU with -qmp unix:PATH,server=on,wait=off)`));
    });
    socket.on("close", () => this.fail(new QmpError("QEMU closed the QMP connection")));
  }

  /** Connects, reads the greeting and negotiates capabilities. */
  static async connect(path: string, options: { timeoutMs?: number } = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const socket = createConnection({ path });
    const client = new QmpClient(socket, timeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new QmpError(`no QMP greeting on ${path} within ${timeoutMs} ms`)), timeoutMs);
        client.greetingWaiter = { resolve: () => resolve(), reject, timer, command: "greeting" };
      });
      await client.execute("qmp_capabilities");
      return client;
    } catch (error) {
      client.close();
      throw error instanceof QmpError ? error : new QmpError(String(error));
    }
  }

  /** Runs one command; resolves with its "return", rejects with QEMU's error description. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = `vmtopo-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpError(`QEMU did not answer '${command}' within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer, command });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + "\n");
    });
  }

  close(): void {
    this.socket.destroy();
    this.fail(new QmpError("the QMP connection is closed"));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE) {
      this.fail(new QmpError(`a QMP message longer than ${MAX_LINE} bytes`));
      this.socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line !== "") this.message(line);
    }
  }

  private message(line: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      message = parsed as Record<string, unknown>;
    } catch {
      this.fail(new QmpError(`not QMP: ${line.slice(0, 120)}`));
      this.socket.destroy();
      return;
    }
    if ("QMP" in message) {
      this.greeting = (message.QMP ?? {}) as QmpGreeting;
      const waiter = this.greetingWaiter;
      this.greetingWaiter = null;
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(undefined);
      }
      return;
    }
    if ("event" in message) return;
    const id = typeof message.id === "string" ? message.id : undefined;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (!pending || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if ("return" in message) pending.resolve(message.return);
    else {
      const error = message.error as { class?: unknown; desc?: unknown } | undefined;
      pending.reject(new QmpError(`${pending.command}: ${typeof error?.desc === "string" ? error.desc : "QEMU returned an error"}`));
    }
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    if (this.greetingWaiter) {
      clearTimeout(this.greetingWaiter.timer);
      this.greetingWaiter.reject(error);
      this.greetingWaiter = null;
    }
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
  }
}
