// `vmtopo fmt FILE... [--check]`: formats in place, or with --check lists the files that
// would change. A file with syntax errors is left untouched and reported.
import { format } from "../../../grammar/src/index";
import { parseArgs, UsageError, type Io } from "./args";
import { diagnosticLine } from "./check";
import { readOrReport, writeFileAtomically, WriteFailed } from "./files";
import { printable } from "./printable";

export async function runFmt(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, [], ["check"]);
  const checkOnly = options.has("check");
  if (files.length === 0) throw new UsageError("fmt needs at least one FILE");

  let status = 0;
  let failed = false;
  for (const path of files) {
    const text = await readOrReport(path, io);
    if (text === null) {
      failed = true; // reported; the other files are still formatted
      continue;
    }
    const result = format(text);
    if (result.text === null) {
      for (const d of result.diagnostics) {
        io.err(`${diagnosticLine(path, d)}\n`);
      }
      io.err(`vmtopo: ${printable(path)}: not formatted: fix the syntax errors first\n`);
      status = 1;
      continue;
    }
    if (result.text === text) continue;
    if (checkOnly) {
      io.out(`${printable(path)}: would be reformatted\n`);
      status = 1;
    } else {
      try {
        writeFileAtomically(path, result.text);
      } catch (error) {
        if (!(error instanceof WriteFailed)) throw error;
        io.err(`vmtopo: ${error.message}\n`);
        failed = true;
        continue;
      }
      io.out(`${printable(path)}: formatted\n`);
    }
  }
  return failed ? 2 : status;
}
