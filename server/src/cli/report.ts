// `vmtopo report FILE [--format text|json] [--scenario NAME]`: the figures of every VM,
// container and scenario step of a file.
import { analyzeText } from "../engine/analyze";
import { duration, hex } from "../engine/format";
import { formatBytes as bytes, formatCount as count } from "../engine/format-units";
import { buildReport, type ContainerReport, type FiguresAt, type Report, type VmReport } from "../engine/report";
import { verdictHeadline } from "../engine/verdict";
import { parseArgs, UsageError, type Io } from "./args";
import { diskReader, enginePath, readOrReport } from "./files";
import { printable } from "./printable";
import { table } from "./table";

export async function runReport(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, ["format", "scenario"], []);
  const format = options.get("format") ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, not '${format}'`);
  if (files.length !== 1) throw new UsageError("report takes exactly one FILE");
  const [path] = files;
  const text = await readOrReport(path, io);
  if (text === null) return 2;
  const analysis = analyzeText(text, enginePath(path), diskReader);
  const scenario = options.get("scenario") as string | undefined;
  if (scenario !== undefined && !analysis.scenarios.some((s) => s.scenario.name.text === scenario)) {
    throw new UsageError(`${printable(path)} has no scenario '${printable(scenario)}'`);
  }
  const report = buildReport(analysis, scenario);
  report.file = path;
  if (format === "json") {
    // CLI.md: byte figures are JSON integers, exact. A figure past 2^53 would be rounded by
    // every JSON reader, so the report is refused rather than printed wrong.
    const unsafe = firstUnsafeNumber(report, "");
    if (unsafe) {
      io.err(`vmtopo: ${printable(path)}: ${unsafe.at} = ${BigInt(Math.round(unsafe.value))} is not a safe integer (2^53 or more), which JSON cannot carry exactly; the sizes in this file are beyond any real machine\n`);
      return 1;
    }
  }
  io.out(format === "json" ? JSON.stringify(report, null, 2) + "\n" : textReport(report));
  return 0;
}

/** The first integer-valued figure of the report that is not a safe integer, with its JSON path. */
export function firstUnsafeNumber(value: unknown, at: string): { at: string; value: number } | undefined {
  if (typeof value === "number") return Number.isFinite(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER ? { at: at || "(root)", value } : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstUnsafeNumber(value[i], `${at}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      const found = firstUnsafeNumber(child, at ? `${at}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

const dash = "—";
const at = (f: FiguresAt | null) => (f ? `${count(f.mappings)} / ${bytes(f.pinnedBytes)}` : dash);

export function textReport(report: Report): string {
  const out: string[] = [];
  for (const vm of report.vms) {
    out.push(`vm ${vm.name} on ${vm.host}: ${vm.machine}, ${bytes(vm.memory)} boot RAM, maxmem ${bytes(vm.maxmem)}${vm.confidential !== "none" ? `, ${vm.confidential}` : ""}`);
    out.push(verdictLine(vm));
    const l = vm.layout;
    out.push(`  highest GPA ${hex(l.highestGpa)}: needs ${l.physBitsNeeded} phys-bits, has ${l.physBits}${l.relocatedAbove1T ? "; RAM above 4 GiB relocated to 1 TiB (AMD)" : ""}`);
    const regions = [
      ...l.sections.map((s) => [s.name, s.kind, hex(s.start), hex(s.end), bytes(s.end - s.start)]),
      ...(l.deviceMemory ? [["device memory", "", hex(l.deviceMemory.start), hex(l.deviceMemory.end), bytes(l.deviceMemory.end - l.deviceMemory.start)]] : []),
      ...(l.pciHole64 ? [["64-bit PCI hole", "", hex(l.pciHole64.start), hex(l.pciHole64.end), bytes(l.pciHole64.end - l.pciHole64.start)]] : []),
    ].sort((a, b) => parseInt(a[2], 16) - parseInt(b[2], 16));
    out.push(table(["region", "kind", "start", "end", "size"], regions));
    if (vm.virtioMem.length > 0) {
      out.push("");
      out.push(
        table(
          ["virtio-mem", "base", "size", "block", "blocks", "plugged", "usable region", "guest", "largest passing"],
          vm.virtioMem.map((v) => [v.name, v.base === null ? dash : hex(v.base), bytes(v.size), bytes(v.blockSize), count(v.blocks), count(v.pluggedBlocks), bytes(v.usableRegion), v.guestMode.toUpperCase(), v.largestPassingSize === null ? dash : bytes(v.largestPassingSize)]),
        ),
      );
    }
    if (vm.containers.length > 0) {
      out.push("");
      out.push(
        table(
          ["container", "backend", "devices", "limit", "start-up check", "boot", "peak", "worst case", "page tables"],
          vm.containers.map((c) => containerRow(c)),
        ),
      );
    }
    out.push("");
  }
  for (const s of report.scenarios) {
    out.push(`scenario ${s.name} for ${s.vm}`);
    const ids = [...new Set(s.steps.flatMap((step) => step.containers.map((c) => c.id)))];
    out.push(
      table(
        ["step", "line", "text", ...ids.map((id) => `${id} mappings / pinned`), "notes"],
        s.steps.map((step) => [
          String(step.index),
          String(step.line + 1),
          printable(step.text),
          ...ids.map((id) => {
            const c = step.containers.find((x) => x.id === id);
            return c ? `${count(c.mappings)} / ${bytes(c.pinnedBytes)}` : dash;
          }),
          [
            ...(step.migration ? [`moves ${bytes(step.migration.bytes)} in ${duration(step.migration.seconds)}${step.migration.faultSeconds !== undefined ? `, ${duration(step.migration.faultSeconds)} per fault` : ""}`] : []),
            ...step.diagnostics.map((d) => `${d.severity} ${d.code}`),
          ].join("; "),
        ]),
      ),
    );
    out.push("");
  }
  if (report.vms.length === 0 && report.scenarios.length === 0) out.push(`${printable(report.file)}: no VMs or scenarios`);
  return out.join("\n").replace(/\n+$/, "") + "\n";
}

/** The VM's verdict, as the webview's banner says it: the headline, then the first reason. */
export function verdictLine(vm: VmReport): string {
  const v = vm.verdict;
  const mark = v.kind === "starts" ? "✓" : v.kind === "starts-with-warnings" ? "⚠" : "✗";
  return `  ${mark} ${verdictHeadline(v)}${v.message ? `: ${v.message}` : ""}`;
}

function containerRow(c: ContainerReport): string[] {
  const check = c.startupCheck ? `${count(c.startupCheck.total)} ${c.startupCheck.passes ? "≤" : ">"} ${count(c.startupCheck.limit)} ${c.startupCheck.passes ? "passes" : "FAILS"}` : dash;
  const peak = `${at(c.peak)}${c.peak.scenario ? ` (${c.peak.scenario} #${c.peak.step})` : ""}`;
  return [
    c.id,
    c.backend + (c.behindViommu ? " (vIOMMU)" : ""),
    c.devices.join(", "),
    c.limit === null ? "none" : count(c.limit),
    check,
    at(c.boot),
    peak,
    at(c.worstCase),
    `${bytes(c.pageTableBytes)}${c.domains > 1 ? ` (${c.domains} domains)` : ""}`,
  ];
}
