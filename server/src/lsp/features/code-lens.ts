// Code lenses on each `vm`: its verdict (the engine's, as the webview's banner and the CLI
// report say it: "✗ refused by QEMU (VT104)"), its DMA mappings at boot and in the worst case, summed over its
// VFIO containers, and "Show mapping state", which runs the client's `vmtopo.showMappingState`
// with [uri, vmName] (the mapping-state webview). A lens whose command the client did not
// announce in `initializationOptions.clientCommands` is left out: other editors would show a
// button that fails. While a VM's declaration has a syntax error the figures are those it
// last had, marked stale (figures.ts, LastGoodFigures).
import type { CodeLens } from "vscode-languageserver";
import type { Analysis } from "../../engine/analyze";
import { count } from "../../engine/format";
import type { Feature } from "../context";
import { lastGoodFigures, verdictOf, verdictText } from "../figures";
import { exportLenses } from "./real-vms";

export const SHOW_MAPPING_STATE = "vmtopo.showMappingState";

export const codeLens: Feature = {
  capabilities: { codeLensProvider: { resolveProvider: false } },
  register({ connection, workspace, clientHandles }) {
    connection.onCodeLens(({ textDocument }) => {
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? lensesOf(analysis, textDocument.uri).filter((lens) => !lens.command?.command || clientHandles(lens.command.command)) : [];
    });
  },
};

export function lensesOf(analysis: Analysis, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const decl of analysis.parse.ast.declarations) {
    if (decl.kind !== "vm") continue;
    const found = lastGoodFigures.vm(uri, analysis, decl);
    if (!found) continue;
    const vm = found.vm;
    const range = decl.name.range;
    const boot = vm.containers.reduce((sum, c) => sum + c.boot.mappings, 0);
    const worst = vm.containers.reduce((sum, c) => sum + c.worstCase.mappings, 0);
    const figures = vm.containers.length === 0 ? "no VFIO devices" : `${count(boot)} DMA mapping${boot === 1 ? "" : "s"} (worst case ${count(worst)})`;
    const title = found.stale ? `${figures}, as last valid: fix the syntax error to update` : figures;
    // An empty command id: a label that does nothing when clicked. No verdict while the
    // text is broken: it would only say "refused" for the syntax error being typed.
    const verdict = found.stale ? undefined : verdictOf(analysis, vm.vm.name);
    if (verdict) lenses.push({ range, command: { title: verdictText(verdict), command: "" } });
    lenses.push({ range, command: { title, command: "" } });
    lenses.push({ range, command: { title: "Show mapping state", command: SHOW_MAPPING_STATE, arguments: [uri, vm.vm.name] } });
    lenses.push(...exportLenses(uri, vm.vm.name, range));
  }
  return lenses;
}

