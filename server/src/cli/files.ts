import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { SourceReader } from "../engine/program";
import type { Io } from "./args";

export class UnreadableFile extends Error {}

/** Reads a file as UTF-8, or fails with the one-line reason CLI.md asks for. */
export async function readSource(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : String((error as Error).message);
    throw new UnreadableFile(`${path}: ${reason}`);
  }
}

/** The file's text, or null after printing why it cannot be read (the caller exits with 2). */
export async function readOrReport(path: string, io: Io): Promise<string | null> {
  try {
    return await readSource(path);
  } catch (error) {
    if (!(error instanceof UnreadableFile)) throw error;
    io.err(`vmtopo: ${error.message}\n`);
    return null;
  }
}

/** The engine's paths are absolute and '/'-separated. */
export function enginePath(path: string): string {
  return resolve(path).split(sep).join("/");
}

/** Imported files, read from disk. */
export const diskReader: SourceReader = {
  read(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};
