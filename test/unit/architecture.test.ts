// The layering of ARCHITECTURE.md, checked on every run: grammar ← engine ← server
// features / CLI ← client, with LSP only in server/src/lsp and vscode only in client/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/fixtures";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Runtime imports: `import type` and `export type` erase at build and are allowed. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, "utf8").replace(/^\s*(?:import|export) type [^;]*;/gms, "");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"'\n;]*?(?:from\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
}

const RULES: { layer: string; forbidden: RegExp; why: string }[] = [
  { layer: "grammar/src", forbidden: /^vscode|server\/|client\/|webview\/|^node:fs/, why: "the grammar depends on nothing" },
  { layer: "server/src/engine", forbidden: /^vscode|\/lsp\/|\/cli\/|client\//, why: "the engine never speaks LSP or vscode" },
  { layer: "server/src/files", forbidden: /^vscode|\/lsp\/|\/cli\//, why: "file reading serves the CLI and the server alike, depending on neither" },
  { layer: "server/src/qmp", forbidden: /^vscode|\/lsp\/|\/cli\//, why: "the QMP client serves the CLI and the server alike, depending on neither" },
  { layer: "server/src/cli", forbidden: /^vscode|\/lsp\//, why: "the CLI uses the engine, not the language server" },
  { layer: "server/src/lsp", forbidden: /^vscode$|client\//, why: "the server speaks LSP, never the vscode API" },
  { layer: "client/src", forbidden: /grammar\/|server\/|webview\//, why: "the client reaches the engine only over LSP" },
  {
    layer: "webview/src",
    // One exception: the pure, import-free formatter of bytes and counts, so that the view
    // and the CLI print figures alike (issue 11).
    forbidden: /^vscode|grammar\/|server\/(?!src\/engine\/format-units$)|client\//,
    why: "the webview receives JSON by postMessage only (it may import the report's types, and format-units at run time)",
  },
];

for (const rule of RULES) {
  test(`${rule.layer}: ${rule.why}`, () => {
    const files = sourceFiles(join(repoRoot, rule.layer));
    assert.ok(files.length > 0, `${rule.layer} has sources`);
    const violations = files.flatMap((file) =>
      importsOf(file)
        .filter((spec) => rule.forbidden.test(spec))
        .map((spec) => `${relative(repoRoot, file)} imports '${spec}'`),
    );
    assert.deepEqual(violations, []);
  });
}

test("the import scanner sees imports (so the rules above can fail)", () => {
  const client = importsOf(join(repoRoot, "client/src/extension.ts"));
  assert.ok(client.includes("vscode-languageclient/node"), JSON.stringify(client));
});

test("type-only imports are not counted as dependencies, runtime imports are", () => {
  const webview = importsOf(join(repoRoot, "webview/src/report-types.ts"));
  assert.deepEqual(webview.filter((spec) => spec.includes("server/")), []);
});

test("format-units, the one engine module the webview bundles, imports nothing", () => {
  assert.deepEqual(importsOf(join(repoRoot, "server/src/engine/format-units.ts")), []);
  assert.ok(!/^\s*import\s/m.test(readFileSync(join(repoRoot, "server/src/engine/format-units.ts"), "utf8")), "no import statements at all, type-only included");
});
