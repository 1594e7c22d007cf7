// The round trip of the interop tests (qemu-import, libvirt-export): import(export(design))
// analyses the same as the design. What is compared, and how the imported VM replaces the
// design's own.
import type { Analysis } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";

/** The VM's figures and diagnostics without source positions (the imported text has its own). */
export function vmFigures(analysis: Analysis, vm: string): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).filter(([k]) => !["range", "file", "source", "related", "line", "declaredAt", "diagnostics"].includes(k)).map(([k, v]) => [k, strip(v)]));
    return value;
  };
  const report = buildReport(analysis).vms.find((v) => v.name === vm);
  // Sorted: positions decide the order, and the imported text has its own (the report's
  // per-VM list of diagnostics is left out above for the same reason: it is this list).
  const diagnostics = analysis.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`).sort();
  return { report: strip(report), diagnostics };
}

/** The design with the VM's declaration replaced by the imported one. */
export function spliced(text: string, analysis: Analysis, vm: string, imported: string): string {
  const a = analysis.vms.find((v) => v.vm.name === vm)!;
  const lines = analysis.parse.lines;
  const start = lines.offset(a.vm.decl.range.start);
  const end = lines.offset(a.vm.decl.range.end);
  const body = imported.slice(imported.indexOf("\nvm ") + 1);
  return text.slice(0, start) + body.trimEnd() + text.slice(end);
}
