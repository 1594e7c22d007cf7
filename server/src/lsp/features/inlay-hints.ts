// Inlay hints: the figures a line leads to, written after it. After a `vfio` device, the
// mappings of its container at boot; after a scenario step, each container's mappings after
// it; after a virtio-mem `size`, its blocks; after a VM's `memory`, the split around 4 GiB.
// Off with `vmtopo.inlayHints.enabled = false`; the client is asked to refresh on changes.
import { InlayHintKind, type InlayHint } from "vscode-languageserver";
import type * as A from "../../../../grammar/src/index";
import type { Analysis } from "../../engine/analyze";
import { bytes, count } from "../../engine/format";
import type { EngineDiagnostic } from "../../engine/sink";
import type { VmAnalysis } from "../../engine/vm-analysis";
import type { Feature } from "../context";
import { bootContainerOf, brokenLines, lastGoodFigures, mappings } from "../figures";
import { touches } from "../locate";

export const inlayHints: Feature = {
  capabilities: { inlayHintProvider: true },
  register({ connection, workspace, settings, clientCapabilities, documents }) {
    connection.languages.inlayHint.on(({ textDocument, range }) => {
      if (!settings.current.inlayHints.enabled) return [];
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? hintsIn(analysis, range, textDocument.uri) : [];
    });
    settings.onChange(() => {
      if (clientCapabilities().workspace?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh().catch(() => undefined);
    });
    documents.onDidClose(({ document }) => lastGoodFigures.forget(document.uri));
  },
};

const STALE = " (last valid)";
const STALE_TOOLTIP = "\n\nThe declaration has a syntax error: these are its figures from before the edit.";

/**
 * The hints in `range`. Never on a line with a syntax error (the user is typing there); a
 * declaration with one keeps the figures it last had, marked "(last valid)".
 */
export function hintsIn(analysis: Analysis, range: A.Range, uri = analysis.path): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const decl of analysis.parse.ast.declarations) {
    if (decl.kind !== "vm" && decl.kind !== "scenario") continue;
    const broken = brokenLines(analysis, decl.range);
    let stale = false;
    const add = (position: A.Position, label: string, tooltip: string) => {
      if (!touches(range, position) || broken.has(position.line)) return;
      hints.push({ position, label: stale ? label + STALE : label, kind: InlayHintKind.Type, paddingLeft: true, tooltip: stale ? tooltip + STALE_TOOLTIP : tooltip });
    };
    if (decl.kind === "vm") {
      const found = lastGoodFigures.vm(uri, analysis, decl);
      if (!found) continue;
      stale = found.stale;
      vmHints(decl, found.vm, add, stale ? [] : analysis.diagnostics);
    } else {
      const found = lastGoodFigures.scenario(uri, analysis, decl);
      if (!found) continue;
      stale = found.stale;
      found.scenario.steps.forEach((step, i) => {
        // the step now at that place, if it still reads the same
        const now = decl.steps[i];
        if (!now || step.containers.length === 0 || (stale && sourceText(analysis, now) !== step.text)) return;
        add(
          now.range.end,
          step.containers.map((c) => `${c.id}: ${count(c.mappings)}`).join(", "),
          `DMA mappings per VFIO container after step ${step.index}${step.containers.map((c) => `\n- ${c.id} (${c.devices.map((d) => d.name).join(", ")}): ${mappings(c.mappings)}${c.limit === null ? "" : ` of ${count(c.limit)}`}`).join("")}`,
        );
      });
    }
  }
  return hints;
}

/** A step's first line as written (as the engine records `StepResult.text`). */
function sourceText(analysis: Analysis, step: A.Step): string {
  const lines = analysis.parse.lines;
  return lines.text.slice(lines.offset(step.range.start), lines.offset(step.range.end)).split(/\r\n|\r|\n/)[0].trim();
}

type Add = (position: A.Position, label: string, tooltip: string) => void;

/** An error on any of these ranges (an invalid block size or size): no block count. */
function errorOn(diagnostics: readonly EngineDiagnostic[], ranges: A.Range[]): boolean {
  return diagnostics.some((d) => d.severity === "error" && ranges.some((r) => !after(d.range.start, r.end) && !after(r.start, d.range.end)));
}

function after(a: A.Position, b: A.Position): boolean {
  return a.line > b.line || (a.line === b.line && a.character > b.character);
}

function vmHints(decl: A.Vm, a: VmAnalysis, add: Add, diagnostics: readonly EngineDiagnostic[]): void {
  const memory = decl.items.find((i): i is A.Attribute => i.kind === "attribute" && i.name.text === "memory");
  if (memory && memory.value.kind === "size" && memory.value.bytes === a.vm.memory && a.vm.machine !== "virt" && a.vm.memory > 0) {
    const { belowMemory, aboveMemory, relocatedAbove1T } = a.layout;
    const label = aboveMemory > 0 ? `${bytes(belowMemory)} below 4G + ${bytes(aboveMemory)} above${relocatedAbove1T ? " 1T" : ""}` : `${bytes(belowMemory)} below 4G`;
    add(memory.value.range.end, label, `boot RAM of vm '${a.vm.name}' as QEMU's ${a.vm.machine} machine lays it out`);
  }
  for (const item of decl.items) {
    if (item.kind !== "device" || item.name.missing) continue;
    if (item.deviceKind === "vfio") {
      const container = bootContainerOf(a, item.name.text);
      if (container) add(item.range.end, mappings(container.boot.mappings), `DMA mappings of container ${container.id} (${container.devices.map((d) => d.name).join(", ")}) at boot`);
    } else if (item.deviceKind === "virtio-mem") {
      // by name: a stale analysis has other syntax nodes
      const figures = a.virtioMem.find((f) => f.device.name === item.name.text);
      const size = item.attributes.find((i) => i.name.text === "size");
      const blockSize = item.attributes.find((i) => i.name.text === "block-size");
      if (errorOn(diagnostics, [size, blockSize].flatMap((attribute) => (attribute ? [attribute.range] : [])))) continue;
      if (figures && size && size.value.kind !== "missing" && figures.device.blockSize > 0) {
        add(size.value.range.end, `${count(figures.blocks)} × ${bytes(figures.device.blockSize)} blocks`, `virtio-mem '${item.name.text}': ${count(figures.blocks)} blocks of ${bytes(figures.device.blockSize)}, ${count(figures.pluggedBlocks)} plugged at boot`);
      }
    }
  }
}
