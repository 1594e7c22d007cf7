// A paused QEMU spoken to over QMP (/work/shared/guides/libvirt-and-qmp-oracles.md), for the
// run-time oracle: the test listens on a Unix socket first and QEMU connects to it as a client
// (`-chardev socket,path=…` without server=on), so no step waits by sleeping: the connection,
// the greeting and each answer are events. Answers are matched to commands by `id`; QMP
// events interleaved with them are ignored. Every run is bounded by a timeout.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QEMU_BINARY } from "./qemu-oracle";

export type QmpAnswer = { ok: true; value: unknown } | { ok: false; error: string; errorClass: string };

export interface QmpSession {
  execute(command: string, args?: Record<string, unknown>): Promise<QmpAnswer>;
  close(): Promise<void>;
}

/** Starts QEMU with `args` (paused, no display) and a QMP monitor connected to us. */
export async function startQmp(args: readonly string[], timeoutMs = 30_000): Promise<QmpSession> {
  const dir = mkdtempSync(join(tmpdir(), "vmtopo-qmp-"));
  const path = join(dir, "qmp.sock");
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  const child = spawn(QEMU_BINARY, [...args, "-chardev", `socket,id=qmp,path=${path}`, "-mon", "chardev=qmp,mode=control", "-S", "-display", "none", "-nodefaults"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  const cleanup = () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  let socket: Socket;
  try {
    socket = await new Promise<Socket>((resolve, reject) => {
      server.once("connection", resolve);
      child.once("exit", (code) => reject(new Error(`QEMU exited (${code}) before connecting its QMP monitor: ${stderr.trim()}`)));
      child.once("error", reject);
    });
  } catch (error) {
    clearTimeout(timer);
    cleanup();
    throw error;
  }
  const done = () => {
    clearTimeout(timer);
    cleanup();
  };
  try {
    return await session(child, socket, done, () => stderr);
  } catch (error) {
    child.kill("SIGKILL");
    socket.destroy();
    done();
    throw error;
  }
}

function session(child: ChildProcess, socket: Socket, cleanup: () => void, stderr: () => string): Promise<QmpSession> {
  const waiting = new Map<number, (answer: QmpAnswer) => void>();
  let greeted: (() => void) | undefined;
  let buffer = "";
  let nextId = 1;
  let closed: Error | undefined;
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line === "") continue;
      const message = JSON.parse(line) as { QMP?: unknown; id?: number; return?: unknown; error?: { class: string; desc: string } };
      if (message.QMP !== undefined) greeted?.();
      else if (message.id !== undefined) {
        const resolve = waiting.get(message.id);
        waiting.delete(message.id);
        resolve?.(message.error ? { ok: false, error: message.error.desc, errorClass: message.error.class } : { ok: true, value: message.return });
      }
    }
  });
  const failAll = () => {
    closed = new Error(`QEMU's QMP connection closed: ${stderr().trim()}`);
    for (const [, resolve] of waiting) resolve({ ok: false, error: closed.message, errorClass: "closed" });
    waiting.clear();
  };
  socket.on("close", failAll);
  socket.on("error", failAll);

  const execute = (command: string, args?: Record<string, unknown>): Promise<QmpAnswer> => {
    if (closed) return Promise.reject(closed);
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + "\n");
    });
  };
  const close = async () => {
    if (!closed) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await execute("quit");
      await exited;
    }
    socket.destroy();
    cleanup();
  };
  return new Promise((resolve, reject) => {
    greeted = () => {
      greeted = undefined;
      execute("qmp_capabilities").then((answer) => (answer.ok ? resolve({ execute, close }) : reject(new Error(`qmp_capabilities: ${answer.error}`))), reject);
    };
    const early = () => reject(new Error(`QEMU ended during the QMP handshake (exit ${child.exitCode}): ${stderr().trim()}`));
    if (child.exitCode !== null) early();
    child.once("exit", early);
    socket.once("close", early);
  });
}
