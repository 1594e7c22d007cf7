// Reading a .vmtopo file from disk safely, for the CLI and the language server alike: only
// regular files are read (a FIFO without a writer would block forever, /dev/zero would fill
// the memory), never more than a size cap, and only UTF-8 text. Every refusal is a one-line
// reason and a diagnostic code (VT005: the file cannot be read; VT009: the file is not
// something vmtopo reads), never an exception.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { bytes } from "../engine/format";
import type { Unreadable } from "../engine/program";

export const DEFAULT_MAX_SOURCE_BYTES = 10 * 1024 * 1024;

/** `VMTOPO_MAX_FILE_SIZE` (bytes, or with a K/M/G suffix, powers of 1024) overrides the cap. */
export function maxSourceBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VMTOPO_MAX_FILE_SIZE?.trim();
  const match = raw ? /^(\d+)\s*([KMG]?)i?B?$/i.exec(raw) : null;
  if (!match) return DEFAULT_MAX_SOURCE_BYTES;
  const value = Number(match[1]) * 1024 ** "_KMG".indexOf(match[2].toUpperCase() || "_");
  return Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_MAX_SOURCE_BYTES;
}

export type SourceRead = { text: string } | Unreadable;

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. O_NOCTTY: a
// terminal device never becomes our controlling terminal. Both are no-ops for regular files.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 64 * 1024;

/**
 * Reads `path` synchronously (the CLI: nothing else to do meanwhile, and never blocking).
 * `nul: "words"`: NUL bytes separate words (a /proc/PID/cmdline), text all the same.
 */
export function readSourceFileSync(path: string, maxBytes = maxSourceBytes(), nul: "binary" | "words" = "binary"): SourceRead {
  let fd: number | undefined;
  try {
    const refused = refuse(statSync(path), maxBytes);
    if (refused) return refused;
    fd = openSync(path, OPEN_FLAGS);
    // Checked again on the open file: the path may have been replaced in between.
    const refusedOpen = refuse(fstatSync(fd), maxBytes);
    if (refusedOpen) return refusedOpen;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      // /proc files say size 0 and can be long: the cap holds while reading too.
      if (total > maxBytes) return tooLarge(total, maxBytes, true);
      chunks.push(chunk.subarray(0, n));
    }
    return decode(Buffer.concat(chunks, total), nul);
  } catch (error) {
    return fromErrno(error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads `path` without blocking the event loop (the language server). */
export async function readSourceFile(path: string, maxBytes = maxSourceBytes()): Promise<SourceRead> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const refused = refuse(await stat(path), maxBytes);
    if (refused) return refused;
    handle = await open(path, OPEN_FLAGS);
    const refusedOpen = refuse(await handle.stat(), maxBytes);
    if (refusedOpen) return refusedOpen;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK), 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) return tooLarge(total, maxBytes, true);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return decode(Buffer.concat(chunks, total));
  } catch (error) {
    return fromErrno(error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function refuse(stats: Stats, maxBytes: number): Unreadable | undefined {
  if (!stats.isFile()) return { code: "VT009", reason: `${kindOf(stats)}, not a regular file` };
  if (stats.size > maxBytes) return tooLarge(stats.size, maxBytes, false);
  return undefined;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "a special file";
}

function tooLarge(size: number, maxBytes: number, whileReading: boolean): Unreadable {
  const what = whileReading ? "larger than" : `${bytes(size)}, more than`;
  return { code: "VT009", reason: `${what} the ${bytes(maxBytes)} limit (VMTOPO_MAX_FILE_SIZE raises it)` };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decode(bytes: Buffer, nul: "binary" | "words" = "binary"): SourceRead {
  if (nul === "binary" && bytes.includes(0)) return { code: "VT009", reason: "a binary file (it contains NUL bytes)" };
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { code: "VT009", reason: "not UTF-8 text" };
  }
}

const ERRNO: Record<string, string> = {
  ENOENT: "no such file",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "a directory, not a regular file",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "the name is too long",
  ENXIO: "a socket or a device, not a regular file",
  EIO: "input/output error",
  EMFILE: "too many open files",
};

function fromErrno(error: unknown): Unreadable {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reason = (code && ERRNO[code]) ?? (code ? `cannot be read (${code})` : `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  const unreadable: Unreadable = { code: code === "EISDIR" || code === "ENXIO" ? "VT009" : "VT005", reason };
  if (code === "ENOENT") unreadable.missing = true;
  return unreadable;
}
