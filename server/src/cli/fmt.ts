// `vmtopo fmt FILE... [--check]`: formats in place, or with --check lists the files that
// would change. A file with syntax errors is left untouched and reported.
import { writeFile } from "node:fs/promises";
import { format } from "../../../grammar/src/index";
import { parseArgs, UsageError, type Io } from "./args";
import { readOrReport } from "./files";

export async function runFmt(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, [], ["check"]);
  const checkOnly = options.has("check");
  if (files.length === 0) throw new UsageError("fmt needs at least one FILE");

  let status = 0;
  for (const path of files) {
    const text = await readOrReport(path, io);
    if (text === null) return 2;
    const result = format(text);
    if (result.text === null) {
      for (const d of result.diagnostics) {
        io.err(`${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}\n`);
      }
      io.err(`vmtopo: ${path}: not formatted: fix the syntax errors first\n`);
      status = 1;
      continue;
    }
    if (result.text === text) continue;
    if (checkOnly) {
      io.out(`${path}: would be reformatted\n`);
      status = 1;
    } else {
      await writeFile(path, result.text, "utf8");
      io.out(`${path}: formatted\n`);
    }
  }
  return status;
}
