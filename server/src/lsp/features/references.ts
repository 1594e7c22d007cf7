// Find references: every use of the name under the cursor, with its declaration when asked.
import { symbolAt } from "../../engine/symbols";
import type { Feature } from "../context";
import { pathToUri, uriToPath } from "../convert";

export const references: Feature = {
  capabilities: { referencesProvider: true },
  register({ connection, workspace }) {
    connection.onReferences(({ textDocument, position, context }) => {
      const index = workspace.symbols(textDocument.uri);
      if (!index) return null;
      const hit = symbolAt(index, uriToPath(textDocument.uri), position);
      if (!hit) return null;
      const uses = index.references.filter((r) => r.key === hit.key);
      const declarations = context.includeDeclaration ? index.definitions.filter((d) => d.key === hit.key) : [];
      return [...declarations, ...uses].map((s) => ({ uri: pathToUri(s.file), range: s.range }));
    });
  },
};
