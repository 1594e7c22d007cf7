// Rename (with prepare) of hosts, VMs, scenarios and devices, across imported files. A new
// name must be an identifier and must not clash with another of the same kind.
import { ResponseError, type TextEdit, type WorkspaceEdit } from "vscode-languageserver";
import { symbolAt } from "../../engine/symbols";
import type { Feature } from "../context";
import { pathToUri, uriToPath } from "../convert";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const rename: Feature = {
  capabilities: { renameProvider: { prepareProvider: true } },
  register({ connection, workspace }) {
    connection.onPrepareRename(({ textDocument, position }) => {
      const index = workspace.symbols(textDocument.uri);
      const hit = index && symbolAt(index, uriToPath(textDocument.uri), position);
      if (!hit) return null;
      return { range: hit.range, placeholder: hit.name };
    });

    connection.onRenameRequest(({ textDocument, position, newName }): WorkspaceEdit | null => {
      const index = workspace.symbols(textDocument.uri);
      const hit = index && symbolAt(index, uriToPath(textDocument.uri), position);
      if (!index || !hit) return null;
      if (!IDENTIFIER.test(newName)) throw new ResponseError(1, `'${newName}' is not a name: a name starts with a letter or '_' and goes on with letters, digits, '_' or '-'`);
      const clashKey = hit.key.replace(/[^:/#]+$/, newName);
      if (newName !== hit.name && index.definitions.some((d) => d.key === clashKey)) {
        throw new ResponseError(1, `a ${hit.kind} named '${newName}' already exists`);
      }
      const changes: Record<string, TextEdit[]> = {};
      for (const s of [...index.definitions, ...index.references]) {
        if (s.key !== hit.key) continue;
        (changes[pathToUri(s.file)] ??= []).push({ range: s.range, newText: newName });
      }
      return { changes };
    });
  },
};
