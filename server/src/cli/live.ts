// `vmtopo live --qmp SOCKET FILE --vm NAME [--scenario NAME [--step N]] [--format text|json]`:
// compares a running QEMU with the design's prediction for one VM (at boot, or after a
// scenario step: its last one unless --step says which). Exit 0: no difference; 1: VT501
// differences; 2: usage, an unreadable file, or no QMP answer.
import { analyzeText } from "../engine/analyze";
import { compareLive, liveDesign, LiveDesignError, type LiveComparison } from "../engine/interop/live-compare";
import { buildReport } from "../engine/report";
import { QmpClient, QmpError } from "../qmp/qmp-client";
import { readLiveVm } from "../qmp/read-live";
import { parseArgs, UsageError, type Io } from "./args";
import { diskReader, enginePath, readOrReport } from "./files";
import { printable } from "./printable";

export async function runLive(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, ["qmp", "vm", "scenario", "step", "format", "timeout"], []);
  const format = options.get("format") ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, not '${format}'`);
  const socket = options.get("qmp") as string | undefined;
  const vmName = options.get("vm") as string | undefined;
  if (socket === undefined) throw new UsageError("live needs --qmp SOCKET (QEMU's -qmp unix:SOCKET,server=on,wait=off)");
  if (vmName === undefined) throw new UsageError("live needs --vm NAME: the design's VM the running QEMU is");
  if (files.length !== 1) throw new UsageError("live takes exactly one FILE");
  const stepText = options.get("step") as string | undefined;
  if (stepText !== undefined && !/^[1-9]\d{0,5}$/.test(stepText)) throw new UsageError(`--step must be a step number (1, 2, …), not '${stepText}'`);
  const timeoutText = (options.get("timeout") as string | undefined) ?? "10000";
  if (!/^[1-9]\d{0,6}$/.test(timeoutText)) throw new UsageError(`--timeout must be milliseconds, not '${timeoutText}'`);
  const [path] = files;
  const text = await readOrReport(path, io);
  if (text === null) return 2;
  const analysis = analyzeText(text, enginePath(path), diskReader);
  const report = buildReport(analysis, options.get("scenario") as string | undefined);
  let design;
  try {
    design = liveDesign(analysis, report, vmName, options.get("scenario") as string | undefined, stepText === undefined ? undefined : Number(stepText));
  } catch (error) {
    if (error instanceof LiveDesignError) throw new UsageError(`${printable(path)}: ${error.message}`);
    throw error;
  }
  let client: QmpClient | undefined;
  let comparison: LiveComparison;
  try {
    client = await QmpClient.connect(socket, { timeoutMs: Number(timeoutText) });
    comparison = compareLive(design, await readLiveVm(client));
  } catch (error) {
    if (!(error instanceof QmpError)) throw error;
    io.err(`vmtopo: ${printable(socket)}: ${printable(error.message)}\n`);
    return 2;
  } finally {
    client?.close();
  }
  const shownPath = (file: string) => (file === enginePath(path) ? path : file);
  if (format === "json") {
    io.out(JSON.stringify({ file: path, ...comparison, differences: comparison.differences.map((d) => ({ ...d, file: shownPath(d.file) })) }, null, 2) + "\n");
  } else {
    const when = comparison.step === null ? "at boot" : `after step ${comparison.step} of scenario '${comparison.scenario}'`;
    const lines = [`vm ${comparison.vm} (QEMU ${comparison.qemuVersion ?? "of unknown version"} on ${printable(socket)}) against the design ${when}:`];
    for (const d of comparison.differences) lines.push(`${printable(shownPath(d.file))}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${printable(d.message)}`);
    for (const note of comparison.notes) lines.push(`note: ${printable(note)}`);
    const n = comparison.differences.length;
    lines.push(n === 0 ? "no difference" : `${n} difference${n === 1 ? "" : "s"}`);
    io.out(lines.join("\n") + "\n");
  }
  return comparison.differences.length > 0 ? 1 : 0;
}
