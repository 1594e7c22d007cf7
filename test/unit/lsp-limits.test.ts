// Over the real protocol: inputs far beyond any hand-written topology do not take the server
// down. A 20 MB document and a line of 800,000 attributes are answered within a second, with
// one diagnostic that says the document is too large; a document with thousands of problems
// publishes the first 1,000 and one that says how many more there are.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

const REQUEST_BUDGET_MS = 1000;

/** Every request an editor sends for an open document, each answered within the budget. */
async function assertResponsive(uri: string): Promise<void> {
  const doc = { textDocument: { uri } };
  const position = { line: 0, character: 3 };
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } };
  const requests: [string, unknown][] = [
    ["textDocument/hover", { ...doc, position }],
    ["textDocument/completion", { ...doc, position }],
    ["textDocument/semanticTokens/full", doc],
    ["textDocument/documentSymbol", doc],
    ["textDocument/foldingRange", doc],
    ["textDocument/selectionRange", { ...doc, positions: [position] }],
    ["textDocument/inlayHint", { ...doc, range }],
    ["textDocument/codeLens", doc],
    ["textDocument/documentLink", doc],
    ["textDocument/definition", { ...doc, position }],
    ["textDocument/references", { ...doc, position, context: { includeDeclaration: true } }],
    ["textDocument/formatting", { ...doc, options: { tabSize: 2, insertSpaces: true } }],
    ["textDocument/rangeFormatting", { ...doc, range, options: { tabSize: 2, insertSpaces: true } }],
    ["textDocument/codeAction", { ...doc, range, context: { diagnostics: [] } }],
    ["workspace/symbol", { query: "v" }],
    ["vmtopo/mappingState", { uri }],
  ];
  for (const [method, params] of requests) {
    const started = performance.now();
    await client.request(method, params);
    const took = performance.now() - started;
    assert.ok(took < REQUEST_BUDGET_MS, `${method} took ${took.toFixed(0)} ms`);
  }
}

async function assertTooLarge(uri: string, text: string, why: RegExp, line = 0): Promise<void> {
  const published = await client.openAndWait(uri, text);
  assert.equal(published.diagnostics.length, 1);
  const [diagnostic] = published.diagnostics;
  assert.equal(diagnostic.code, "VT099");
  assert.match(String(diagnostic.message), /too large for the editor to analyse/);
  assert.match(String(diagnostic.message), why);
  assert.equal(diagnostic.range.start.line, line);
  await assertResponsive(uri);
}

test("a 20 MB document gets one 'too large' diagnostic, and every request is answered within a second", async () => {
  const block = 'vm v on h {\n  memory = 16G\n  virtio-mem m { size = 8G }\n  vfio n { host = "0000:3b:00.0" }\n}\n';
  await assertTooLarge("file:///ws/huge.vmtopo", block.repeat(Math.ceil(20_000_000 / block.length)), /19\.1 MiB of text; the limit is 2\.0 MiB/);
});

test("one line of 800,000 attributes gets one 'too large' diagnostic, and every request is answered within a second", async () => {
  await assertTooLarge("file:///ws/one-line.vmtopo", `vm v { ${"memory = 1G ".repeat(800_000)}}`, /MiB of text/);
});

test("a line over 100,000 characters in a small document is too large too, shown on that line", async () => {
  const text = `host h {}\nvm v on h { ${"memory = 1G ".repeat(12_500)}}\n`;
  await assertTooLarge("file:///ws/long-line.vmtopo", text, /a line of 150,013 characters; the limit is 100,000/, 1);
});

test("a document with 2,500 problems publishes the first 1,000 and one that counts the rest", async () => {
  const uri = "file:///ws/many.vmtopo";
  const published = await client.openAndWait(uri, "%\n".repeat(2_500));
  assert.equal(published.diagnostics.length, 1_001);
  assert.ok(published.diagnostics.slice(0, 1_000).every((d) => d.code === "VT001"));
  const last = published.diagnostics[1_000];
  assert.equal(last.code, "VT099");
  assert.equal(last.severity, 3, "information");
  assert.match(String(last.message), /^1,500 more diagnostics in this file not shown/);
  assert.deepEqual(last.range.start, { line: 1_000, character: 0 }, "placed at the first one left out");
  await assertResponsive(uri);
});
