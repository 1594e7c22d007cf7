// Files as the CLI reads and writes them: through the shared safe reader (regular files
// only, size cap, UTF-8), and written by rename so a failure never loses the original.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import type { SourceReader } from "../engine/program";
import { readSourceFileSync } from "../files/read-source";
import type { Io } from "./args";
import { printable } from "./printable";

export class UnreadableFile extends Error {}

/** Reads a file as UTF-8, or fails with the one-line reason CLI.md asks for. */
export async function readSource(path: string): Promise<string> {
  const read = readSourceFileSync(path);
  if ("text" in read) return read.text;
  throw new UnreadableFile(`${printable(path)}: ${read.reason}`);
}

/**
 * The file's text, or null after printing why it cannot be read (the caller goes on and exits
 * with 2). `nul: "words"` reads a /proc/PID/cmdline, whose words NUL bytes separate.
 */
export async function readOrReport(path: string, io: Io, nul: "binary" | "words" = "binary"): Promise<string | null> {
  const read = readSourceFileSync(path, undefined, nul);
  if ("text" in read) return read.text;
  io.err(`vmtopo: ${printable(path)}: ${read.reason}\n`);
  return null;
}

/** The engine's paths are absolute and '/'-separated. */
export function enginePath(path: string): string {
  return resolve(path).split(sep).join("/");
}

/** Imported files, read from disk safely (a FIFO or /dev/zero is refused, not read). */
export const diskReader: SourceReader = {
  read(path) {
    const read = readSourceFileSync(path);
    return "text" in read ? read.text : read;
  },
};

export class WriteFailed extends Error {}

const WRITE_ERRORS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "the file is too large for this file system or for the process's file size limit",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EIO: "input/output error",
  EXDEV: "cannot rename across file systems",
};

/**
 * Replaces `path`'s content without ever leaving it half-written: the text goes to a temporary
 * file beside it (same directory, so the rename stays on one file system), is fsynced, takes
 * the original's mode, and is renamed over it (atomic on POSIX). On any failure the temporary
 * file is removed and the original is untouched; the error is one line.
 */
export function writeFileAtomically(path: string, text: string): void {
  let temp: string | undefined;
  let fd: number | undefined;
  try {
    // A symbolic link stays a link: the file it points to is the one replaced.
    const target = realpathSync(path);
    const mode = statSync(target).mode & 0o7777;
    temp = join(dirname(target), `.${basename(target)}.vmtopo-${randomBytes(6).toString("hex")}.tmp`);
    fd = openSync(temp, "wx", mode);
    const data = Buffer.from(text, "utf8");
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    try {
      if (temp !== undefined) unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw new WriteFailed(`${printable(path)}: not written, the original is unchanged: ${(code && WRITE_ERRORS[code]) ?? (code ? `cannot write (${code})` : String(error))}`);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // the write error is the one to report
  }
}
