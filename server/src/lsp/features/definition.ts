// Go to definition: from a use of a host, VM, scenario or device to its declaration,
// across imported files.
import { symbolAt } from "../../engine/symbols";
import type { Feature } from "../context";
import { pathToUri, uriToPath } from "../convert";

export const definition: Feature = {
  capabilities: { definitionProvider: true },
  register({ connection, workspace }) {
    connection.onDefinition(({ textDocument, position }) => {
      const index = workspace.symbols(textDocument.uri);
      if (!index) return null;
      const hit = symbolAt(index, uriToPath(textDocument.uri), position);
      if (!hit) return null;
      return index.definitions.filter((d) => d.key === hit.key).map((d) => ({ uri: pathToUri(d.file), range: d.range }));
    });
  },
};
