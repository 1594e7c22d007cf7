import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { SourceReader } from "../engine/program";

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
