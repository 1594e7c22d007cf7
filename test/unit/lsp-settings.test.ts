// Over the real protocol: settings reach the server however the client sends them. VS Code
// answers `workspace/configuration`; Neovim and Emacs/eglot push them in
// `workspace/didChangeConfiguration` or give them once in `initializationOptions`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { InlayHint } from "vscode-languageserver-protocol";
import { settingsFrom, DEFAULT_SETTINGS } from "../../server/src/lsp/settings";
import { TestLspClient } from "../support/lsp-client";

const uri = "file:///ws/settings.vmtopo";
const text = "vm v {\n  memory = 4G\n  vfio nic0 {}\n}\n";
const whole = { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } };

async function hintCount(client: TestLspClient): Promise<number> {
  const hints = await client.request<InlayHint[] | null>("textDocument/inlayHint", { textDocument: { uri }, range: whole });
  return hints?.length ?? 0;
}

test("initializationOptions.settings turn inlay hints off for a client without workspace/configuration", async () => {
  const client = await TestLspClient.start({}, { settings: { inlayHints: { enabled: false } } });
  try {
    await client.openAndWait(uri, text);
    assert.equal(await hintCount(client), 0);
  } finally {
    await client.stop();
  }
});

test("settings pushed by didChangeConfiguration apply when the client cannot be asked", async () => {
  const client = await TestLspClient.start();
  try {
    await client.openAndWait(uri, text);
    assert.ok((await hintCount(client)) > 0, "hints are on by default");
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: { vmtopo: { inlayHints: { enabled: false } } } });
    assert.equal(await hintCount(client), 0);
    // A push for another server's section changes nothing.
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: { yaml: { inlayHints: { enabled: true } } } });
    assert.equal(await hintCount(client), 0);
  } finally {
    await client.stop();
  }
});

test("malformed settings keep the defaults, value by value", () => {
  assert.deepEqual(settingsFrom({ inlayHints: "no", defaultQemuVersion: 7.2, defaultKernelVersion: "6.1" }), {
    ...DEFAULT_SETTINGS,
    defaultKernelVersion: "6.1",
  });
  assert.deepEqual(settingsFrom({ vmtopo: { defaultQemuVersion: "x; rm -rf /" } }), DEFAULT_SETTINGS);
  assert.deepEqual(settingsFrom(null), DEFAULT_SETTINGS);
  assert.deepEqual(settingsFrom([1, 2]), DEFAULT_SETTINGS);
});
