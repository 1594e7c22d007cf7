// The npm package is the `vmtopo` command for terminals, CI and other editors: `npm pack`,
// `npm install -g` of the tarball into a fresh prefix, then `vmtopo check` and
// `vmtopo lsp --stdio` from there, as a user would (after `npm run build`).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";
import { repoRoot } from "../support/fixtures";

const work = mkdtempSync(join(tmpdir(), "vmtopo-npm-"));
const prefix = join(work, "prefix");
const vmtopo = join(prefix, "bin", "vmtopo");
let files: string[] = [];

before(() => {
  const pack = spawnSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(pack.status, 0, pack.stderr);
  const [{ filename, files: packed }] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  files = packed.map((file) => file.path);
  // The bundles carry every dependency: the install needs no registry.
  const install = spawnSync("npm", ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, join(work, filename)], { encoding: "utf8" });
  assert.equal(install.status, 0, install.stderr);
});

after(() => {
  for (const name of readdirSync(work)) if (name.endsWith(".tgz")) spawnSync("rm", ["-f", join(work, name)]);
});

test("the package holds the command, its bundle and the rule pages, and nothing of the extension", () => {
  assert.ok(files.includes("bin/vmtopo.js"));
  assert.ok(files.includes("dist/server.cjs"));
  assert.ok(files.includes("docs/rules/VT201.md"));
  assert.ok(!files.includes("dist/extension.cjs"), "the extension bundle is the .vsix's");
  assert.deepEqual(files.filter((file) => /\.map$|^(server|client|grammar|webview|test|scripts)\//.test(file)), []);
});

test("vmtopo check runs from the installed package", () => {
  assert.ok(existsSync(vmtopo), `${vmtopo} was not installed`);
  const run = spawnSync(vmtopo, ["check", join(repoRoot, "examples", "tdx-shared-assignment.vmtopo")], { encoding: "utf8" });
  assert.equal(run.stderr, "");
  assert.match(run.stdout, /error VT201 /);
  assert.equal(run.status, 1);
});

test("vmtopo lsp --stdio from the installed package answers initialize and publishes diagnostics", async () => {
  const child = spawn(vmtopo, ["lsp", "--stdio"], { stdio: "pipe" });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  try {
    const published = new Promise<{ uri: string; diagnostics: { code: string }[] }>((resolve) => connection.onNotification("textDocument/publishDiagnostics", resolve));
    const result = await connection.sendRequest<{ serverInfo: { name: string } }>("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal(result.serverInfo.name, "vmtopo");
    await connection.sendNotification("initialized", {});
    await connection.sendNotification("textDocument/didOpen", { textDocument: { uri: "file:///ws/a.vmtopo", languageId: "vmtopo", version: 1, text: "vm v {\n  memory 4G\n}\n" } });
    const { diagnostics } = await published;
    assert.deepEqual(diagnostics.map((d) => d.code), ["VT001"]);
    await connection.sendRequest("shutdown");
    await connection.sendNotification("exit");
  } finally {
    connection.dispose();
    child.kill();
  }
});
