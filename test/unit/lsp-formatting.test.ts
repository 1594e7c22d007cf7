// Formatting over the real protocol: a whole document, a range (widened to the declarations
// it touches), and a document with syntax errors, which is left alone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { TextEdit } from "vscode-languageserver-protocol";
import { TestLspClient } from "../support/lsp-client";
import { applyEdits } from "../support/edits";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

const options = { tabSize: 2, insertSpaces: true };

test("document formatting gives the formatter's text", async () => {
  const text = "vm a { memory=1G }\nvm b {memory = 2G}\n";
  await client.openAndWait("file:///f/doc.vmtopo", text);
  const edits = await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri: "file:///f/doc.vmtopo" }, options });
  assert.equal(applyEdits(text, edits), "vm a {\n  memory = 1G\n}\nvm b {\n  memory = 2G\n}\n");
});

test("range formatting formats only the declarations the range touches", async () => {
  const text = "vm a { memory=1G }\nvm b {memory = 2G}\n";
  await client.openAndWait("file:///f/range.vmtopo", text);
  const edits = await client.request<TextEdit[]>("textDocument/rangeFormatting", {
    textDocument: { uri: "file:///f/range.vmtopo" },
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } },
    options,
  });
  assert.equal(applyEdits(text, edits), "vm a { memory=1G }\nvm b {\n  memory = 2G\n}\n");
});

test("a document with syntax errors is not formatted", async () => {
  await client.openAndWait("file:///f/broken.vmtopo", "vm a { memory 1G }\n");
  const edits = await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri: "file:///f/broken.vmtopo" }, options });
  assert.deepEqual(edits, []);
});
