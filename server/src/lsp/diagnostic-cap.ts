// A document with thousands of problems (a paste gone wrong, a generated file) would flood
// the editor: at most MAX_PUBLISHED_DIAGNOSTICS are published, then one diagnostic that
// says how many more there are, placed where the first one left out starts.
import type { EngineDiagnostic } from "../engine/sink";

export const MAX_PUBLISHED_DIAGNOSTICS = 1000;

export function capDiagnostics(diagnostics: EngineDiagnostic[], max = MAX_PUBLISHED_DIAGNOSTICS): EngineDiagnostic[] {
  if (diagnostics.length <= max) return diagnostics;
  const more = diagnostics.length - max;
  const first = diagnostics[max];
  const notice: EngineDiagnostic = {
    code: "VT099",
    severity: "information",
    message: `${more.toLocaleString("en-US")} more diagnostic${more === 1 ? "" : "s"} in this file not shown (vmtopo publishes the first ${max.toLocaleString("en-US")}; \`vmtopo check\` lists them all)`,
    range: first.range,
    file: first.file,
  };
  return [...diagnostics.slice(0, max), notice];
}
