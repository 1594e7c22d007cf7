// `vmtopo check FILE... [--format text|json|sarif]`
import type { Diagnostic } from "../../../grammar/src/index";
import { analyzeText } from "../engine/analyze";
import { parseArgs, UsageError, type Io } from "./args";
import { diskReader, enginePath, readOrReport } from "./files";
import { printable } from "./printable";
import { toSarif } from "./sarif";
import { VERSION } from "./version";

export interface CheckedFile {
  path: string;
  diagnostics: Diagnostic[];
}

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

export async function runCheck(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, ["format"], []);
  const format = (options.get("format") ?? "text") as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
  if (files.length === 0) throw new UsageError("check needs at least one FILE");

  const checked: CheckedFile[] = [];
  let unreadable = false;
  for (const path of files) {
    const text = await readOrReport(path, io);
    if (text === null) {
      // Reported on stderr; the other files are still checked, and the exit status says 2.
      unreadable = true;
      continue;
    }
    checked.push({ path, diagnostics: analyzeText(text, enginePath(path), diskReader).diagnostics });
  }

  if (format === "json") io.out(JSON.stringify({ files: checked.map(jsonFile) }, null, 2) + "\n");
  else if (format === "sarif") io.out(JSON.stringify(toSarif(checked, VERSION), null, 2) + "\n");
  else io.out(textReport(checked));

  if (unreadable) return 2;
  return checked.some((f) => f.diagnostics.some((d) => d.severity === "error")) ? 1 : 0;
}

function jsonFile(file: CheckedFile) {
  return {
    path: file.path,
    diagnostics: file.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, range: d.range })),
  };
}

/** `path:line:col: severity VTnnn message`, 1-based as compilers print; one line whatever the path holds. */
export function diagnosticLine(path: string, d: Diagnostic): string {
  return `${printable(path)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${printable(d.message)}`;
}

/** Every diagnostic as a line, then a summary. */
export function textReport(files: CheckedFile[]): string {
  const lines: string[] = [];
  const count = { error: 0, warning: 0, other: 0 };
  for (const file of files) {
    for (const d of file.diagnostics) {
      lines.push(diagnosticLine(file.path, d));
      if (d.severity === "error") count.error++;
      else if (d.severity === "warning") count.warning++;
      else count.other++;
    }
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(`${plural(files.length, "file")} checked: ${plural(count.error, "error")}, ${plural(count.warning, "warning")}`);
  return lines.join("\n") + "\n";
}
