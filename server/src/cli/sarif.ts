// SARIF 2.1.0 for code-scanning tools in CI, as Microsoft's SARIF Multitool validates it:
// columns are 1-based; a relative path is a relative URI against %SRCROOT% (the directory
// `vmtopo check` ran in), an absolute one a file URI with no base; rules link to their
// pages by absolute URI (the pages shipped beside the bundle); the tool carries its version.
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { rulePage } from "../files/rule-pages";
import type { CheckedFile } from "./check";

const LEVEL = { error: "error", warning: "warning", information: "note", hint: "note" } as const;
const SRCROOT = "%SRCROOT%";

export function toSarif(files: CheckedFile[], version: string, cwd = process.cwd()) {
  const ruleIds = [...new Set(files.flatMap((f) => f.diagnostics.map((d) => d.code)))].sort();
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "vmtopo",
            version,
            ...(/^\d+\.\d+\.\d+/.test(version) ? { semanticVersion: version } : {}),
            rules: ruleIds.map((id) => {
              const helpUri = rulePage(id);
              return helpUri ? { id, helpUri } : { id };
            }),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(cwd.endsWith("/") ? cwd : `${cwd}/`).href } },
        results: files.flatMap((file) => {
          const artifactLocation = artifactOf(file.path);
          return file.diagnostics.map((d) => ({
            ruleId: d.code,
            level: LEVEL[d.severity],
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation,
                  region: {
                    startLine: d.range.start.line + 1,
                    startColumn: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                  },
                },
              },
            ],
          }));
        }),
      },
    ],
  };
}

/** A relative path stays relative to %SRCROOT%; an absolute one is a file URI of its own. */
function artifactOf(path: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(path)) return { uri: pathToFileURL(path).href };
  // Relative URI references: segments percent-encoded, separators as '/'.
  return { uri: path.split(/[\\/]/).map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
}
