import { readFile } from "node:fs/promises";

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
