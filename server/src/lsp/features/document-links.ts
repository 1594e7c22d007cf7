// Document links: each import's path opens the imported file.
import type { DocumentLink } from "vscode-languageserver";
import { resolveImportPath } from "../../engine/program";
import type { Feature } from "../context";
import { pathToUri, uriToPath } from "../convert";

export const documentLinks: Feature = {
  capabilities: { documentLinkProvider: { resolveProvider: false } },
  register({ connection, workspace }) {
    connection.onDocumentLinks(({ textDocument }) => {
      const analysis = workspace.analysis(textDocument.uri);
      if (!analysis) return null;
      const from = uriToPath(textDocument.uri);
      return analysis.parse.ast.imports.flatMap((imp): DocumentLink[] =>
        imp.path.kind === "string" ? [{ range: imp.path.range, target: pathToUri(resolveImportPath(from, imp.path.value)), tooltip: "Open the imported file" }] : [],
      );
    });
  },
};
