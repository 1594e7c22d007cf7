// SARIF 2.1.0 for code-scanning tools in CI. Columns are 1-based there.
import type { CheckedFile } from "./check";

const LEVEL = { error: "error", warning: "warning", information: "note", hint: "note" } as const;

export function toSarif(files: CheckedFile[]) {
  const ruleIds = [...new Set(files.flatMap((f) => f.diagnostics.map((d) => d.code)))].sort();
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "vmtopo",
            rules: ruleIds.map((id) => ({ id, helpUri: `docs/rules/${id}.md` })),
          },
        },
        results: files.flatMap((file) =>
          file.diagnostics.map((d) => ({
            ruleId: d.code,
            level: LEVEL[d.severity],
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: file.path.split("\\").join("/") },
                  region: {
                    startLine: d.range.start.line + 1,
                    startColumn: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}
