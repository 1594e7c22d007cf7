// Code lenses on each `vm`: its DMA mappings at boot and in the worst case, summed over its
// VFIO containers, and "Show mapping state", which runs the client's `vmtopo.showMappingState`
// with [uri, vmName] (the mapping-state webview).
import type { CodeLens } from "vscode-languageserver";
import type { Analysis } from "../../engine/analyze";
import { count } from "../../engine/format";
import type { Feature } from "../context";
import { vmAnalysisOf } from "../figures";
import { exportLenses } from "./real-vms";

export const SHOW_MAPPING_STATE = "vmtopo.showMappingState";

export const codeLens: Feature = {
  capabilities: { codeLensProvider: { resolveProvider: false } },
  register({ connection, workspace }) {
    connection.onCodeLens(({ textDocument }) => {
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? lensesOf(analysis, textDocument.uri) : [];
    });
  },
};

export function lensesOf(analysis: Analysis, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const decl of analysis.parse.ast.declarations) {
    if (decl.kind !== "vm") continue;
    const vm = vmAnalysisOf(analysis, decl);
    if (!vm) continue;
    const range = decl.name.range;
    const boot = vm.containers.reduce((sum, c) => sum + c.boot.mappings, 0);
    const worst = vm.containers.reduce((sum, c) => sum + c.worstCase.mappings, 0);
    const title = vm.containers.length === 0 ? "no VFIO devices" : `${count(boot)} DMA mapping${boot === 1 ? "" : "s"} (worst case ${count(worst)})`;
    // An empty command id: a label that does nothing when clicked.
    lenses.push({ range, command: { title, command: "" } });
    lenses.push({ range, command: { title: "Show mapping state", command: SHOW_MAPPING_STATE, arguments: [uri, vm.vm.name] } });
    lenses.push(...exportLenses(uri, vm.vm.name, range));
  }
  return lenses;
}
