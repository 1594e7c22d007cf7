// Workspace symbols: hosts, VMs, scenarios and devices of every open document and of the
// files they import, matched by a fuzzy query (its letters in order).
import { SymbolKind, type SymbolInformation } from "vscode-languageserver";
import type { SymbolKind as VmtopoKind } from "../../engine/symbols";
import type { Feature } from "../context";
import { pathToUri } from "../convert";

const KIND: Record<VmtopoKind, SymbolKind> = { host: SymbolKind.Class, vm: SymbolKind.Module, scenario: SymbolKind.Function, device: SymbolKind.Object };

export function fuzzyMatch(query: string, name: string): boolean {
  let at = 0;
  const lower = name.toLowerCase();
  for (const ch of query.toLowerCase()) {
    at = lower.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

export const workspaceSymbols: Feature = {
  capabilities: { workspaceSymbolProvider: true },
  register({ connection, workspace, documents }) {
    connection.onWorkspaceSymbol(({ query }) => {
      const seen = new Set<string>();
      const found: SymbolInformation[] = [];
      for (const document of documents.all()) {
        for (const d of workspace.symbols(document.uri)?.definitions ?? []) {
          const id = `${d.file}:${d.range.start.line}:${d.range.start.character}`;
          if (seen.has(id) || !fuzzyMatch(query, d.name)) continue;
          seen.add(id);
          found.push({ name: d.name, kind: KIND[d.kind], containerName: d.container ?? d.detail, location: { uri: pathToUri(d.file), range: d.fullRange } });
        }
      }
      return found;
    });
  },
};
