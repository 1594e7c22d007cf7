// "Copy report as Markdown": the file's VMs with their verdicts and gauges, each VM's
// containers, the scenarios step by step, and the diagnostics, as GitHub-flavoured Markdown
// to paste into an issue or a review. Pure (unit-tested); figures as everywhere else.
import { fleetRows } from "./fleet";
import { bytes, count, hex } from "./format";
import type { Report } from "./report-types";
import { VERDICT_ICON, VERDICT_SEVERITY, verdictHeadline } from "./verdict";

/** A table cell: one line, pipes escaped, nothing that Markdown would read as markup. */
const cell = (text: string) => text.replace(/\r?\n|\r/g, " ").replace(/([\\|`*_<>[\]])/g, "\\$1");

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.map(cell).join(" | ")} |`, `|${head.map(() => " --- ").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

export function reportMarkdown(report: Report, fileName: string, diagnostics: { code: string; severity: string; message: string; range: { start: { line: number; character: number } } }[]): string {
  const out: string[] = [`# vmtopo report: ${cell(fileName)}`, ""];
  const rows = fleetRows(report);
  if (rows.length > 0) {
    out.push("## VMs", "");
    out.push(
      ...table(
        ["VM", "host", "verdict", "first reason", "DMA mappings (worst container)", "memlock", "hugepages"],
        rows.map(({ vm, mappings, memlock, hugepages }) => [
          vm.name,
          vm.host,
          `${VERDICT_ICON[VERDICT_SEVERITY[vm.verdict.kind]]} ${verdictHeadline(vm.verdict)}`,
          vm.verdict.message ?? "",
          mappings ? `${count(mappings.value)} of ${count(mappings.gauge.max!)} (${mappings.gauge.percentText})` : vm.containers.length ? "no entry limit" : "no VFIO",
          memlock ? `${bytes(memlock.value)} of ${bytes(memlock.gauge.max!)}` : "unlimited",
          hugepages ? (hugepages.pool > 0 ? `${bytes(hugepages.value)} of ${bytes(hugepages.pool)} pool` : `${bytes(hugepages.value)}, no pool`) : "—",
        ]),
      ),
      "",
    );
  }
  for (const vm of report.vms) {
    out.push(`## vm ${cell(vm.name)} on ${cell(vm.host)}`, "");
    out.push(`${vm.machine}, ${bytes(vm.memory)} RAM, maxmem ${bytes(vm.maxmem)}${vm.confidential !== "none" ? `, ${vm.confidential}` : ""}; highest GPA ${hex(vm.layout.highestGpa)}, needs ${vm.layout.physBitsNeeded} of ${vm.layout.physBits} phys-bits.`, "");
    if (vm.containers.length > 0) {
      out.push(
        ...table(
          ["container", "backend", "devices", "limit", "start-up check", "boot", "peak", "worst case"],
          vm.containers.map((c) => [
            c.id,
            c.backend + (c.behindViommu ? " (vIOMMU)" : ""),
            c.devices.join(", "),
            c.limit === null ? "none" : count(c.limit),
            c.startupCheck ? `${count(c.startupCheck.total)} ${c.startupCheck.passes ? "≤" : ">"} ${count(c.startupCheck.limit)}` : "—",
            c.boot ? `${count(c.boot.mappings)} / ${bytes(c.boot.pinnedBytes)}` : "—",
            `${count(c.peak.mappings)} / ${bytes(c.peak.pinnedBytes)}${c.peak.scenario ? ` (${c.peak.scenario} step ${c.peak.step})` : ""}`,
            c.worstCase ? `${count(c.worstCase.mappings)} / ${bytes(c.worstCase.pinnedBytes)}` : "—",
          ]),
        ),
        "",
      );
    }
  }
  for (const s of report.scenarios) {
    out.push(`## scenario ${cell(s.name)} for ${cell(s.vm)}`, "");
    const ids = [...new Set(s.steps.flatMap((step) => step.containers.map((c) => c.id)))];
    out.push(
      ...table(
        ["step", "text", ...ids.map((id) => `${id} mappings`), "diagnostics"],
        s.steps.map((step) => {
          const byId = new Map(step.containers.map((c) => [c.id, c]));
          return [String(step.index), step.text, ...ids.map((id) => (byId.has(id) ? count(byId.get(id)!.mappings) : "—")), step.diagnostics.map((d) => `${d.severity} ${d.code}`).join(", ")];
        }),
      ),
      "",
    );
  }
  if (diagnostics.length > 0) {
    out.push("## Diagnostics", "");
    out.push(...table(["line", "severity", "code", "message"], diagnostics.map((d) => [String(d.range.start.line + 1), d.severity, d.code, d.message])), "");
  }
  return out.join("\n");
}
