// The language server under a hostile client (issue 10): malformed framing, invalid JSON,
// lifecycle violations, wrong-typed params, URIs that name no local file, imports of FIFOs,
// devices and huge files. The server must answer as JSON-RPC and LSP ask, or exit with a
// message, and never hang, go deaf or die.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, test } from "node:test";
import { CHECKED_REQUESTS } from "../../server/src/lsp/transport/params";
import { RawServer } from "../support/raw-lsp";

const servers: RawServer[] = [];
after(() => servers.forEach((s) => s.kill()));
const track = <T extends { server: RawServer }>(started: T) => (servers.push(started.server), started);
const start = () => {
  const server = RawServer.start();
  servers.push(server);
  return server;
};

const hover = (server: RawServer, uri: string) => server.request("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: 0 } });

describe("framing", () => {
  test("Content-Length: -5: the server says why on stderr and exits 1 (the client restarts it), not deaf forever", async () => {
    const server = start();
    server.write("Content-Length: -5\r\n\r\n{}");
    assert.deepEqual(await server.exited(), { code: 1, signal: null });
    assert.match(server.stderr, /malformed message from the client: Content-Length: "-5" is not a byte count/);
  });

  test("a header line without ':' or without Content-Length: exit 1 with the reason", async () => {
    for (const header of ["Content-Length 12\r\n\r\n", "Content-Type: application/vscode-jsonrpc\r\n\r\n"]) {
      const server = start();
      server.write(header);
      assert.equal((await server.exited()).code, 1);
      assert.match(server.stderr, /malformed message from the client/);
    }
  });

  test("a header that never ends (no empty line within 8 KiB): exit 1", async () => {
    const server = start();
    server.write("X-Padding: " + "a".repeat(9000));
    assert.equal((await server.exited()).code, 1);
    assert.match(server.stderr, /header longer than 8192 bytes/);
  });

  test("a header ended by \\n\\n is understood (as clangd and rust-analyzer do)", async () => {
    const server = start();
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
    server.write(`Content-Length: ${Buffer.byteLength(body)}\n\n${body}`);
    const answer = await server.response(1);
    assert.equal(answer.result.serverInfo.name, "vmtopo");
  });

  test("invalid JSON → -32700 with id null, and the server goes on", async () => {
    const { server } = track(await RawServer.initialized());
    server.write("Content-Length: 9\r\n\r\n{not json");
    const error = await server.response(null);
    assert.equal(error.error?.code, -32700);
    server.write(Buffer.concat([Buffer.from("Content-Length: 2\r\n\r\n"), Buffer.from([0xc3, 0x28])]));
    assert.equal((await server.waitFor((m) => m.id === null && m !== error, "a second -32700")).error?.code, -32700);
    assert.equal((await hover(server, "file:///nothing-open.vmtopo")).result, null);
  });

  test("not a JSON-RPC request → -32600", async () => {
    const { server } = track(await RawServer.initialized());
    server.send({ jsonrpc: "1.0", id: 7, method: "textDocument/hover" });
    assert.equal((await server.response(7)).error?.code, -32600);
    server.send([{ jsonrpc: "2.0", id: 8, method: "shutdown" }]);
    assert.equal((await server.response(null)).error?.code, -32600);
    server.send({ jsonrpc: "2.0", id: 9, method: 42 });
    assert.equal((await server.response(9)).error?.code, -32600);
  });
});

describe("lifecycle", () => {
  test("a request before initialize → -32002; a notification before it is dropped", async () => {
    const server = start();
    server.notify("textDocument/didOpen", { textDocument: { uri: "file:///early.vmtopo", languageId: "vmtopo", version: 1, text: "vm {" } });
    const early = await server.request("textDocument/hover", { textDocument: { uri: "file:///early.vmtopo" }, position: { line: 0, character: 0 } });
    assert.equal(early.error?.code, -32002);
    const init = await server.request("initialize", { processId: null, rootUri: null, capabilities: {} });
    assert.ok(init.result.capabilities);
    const again = await server.request("initialize", { processId: null, rootUri: null, capabilities: {} });
    assert.equal(again.error?.code, -32600);
  });

  test("after shutdown: requests → -32600, exit → status 0", async () => {
    const { server } = track(await RawServer.initialized());
    assert.equal((await server.request("shutdown")).result, null);
    assert.equal((await hover(server, "file:///x.vmtopo")).error?.code, -32600);
    server.notify("exit");
    assert.deepEqual(await server.exited(), { code: 0, signal: null });
  });

  test("the client closing stdin without shutdown: exit 1", async () => {
    const server = start();
    server.child.stdin.end();
    assert.equal((await server.exited()).code, 1);
  });
});

describe("params", () => {
  // Each capability the server advertises, and the requests a client may then send.
  const METHODS: Record<string, string[]> = {
    completionProvider: ["textDocument/completion"],
    semanticTokensProvider: ["textDocument/semanticTokens/full", "textDocument/semanticTokens/full/delta", "textDocument/semanticTokens/range"],
    codeActionProvider: ["textDocument/codeAction"],
    hoverProvider: ["textDocument/hover"],
    inlayHintProvider: ["textDocument/inlayHint"],
    codeLensProvider: ["textDocument/codeLens"],
    definitionProvider: ["textDocument/definition"],
    referencesProvider: ["textDocument/references"],
    renameProvider: ["textDocument/rename", "textDocument/prepareRename"],
    documentSymbolProvider: ["textDocument/documentSymbol"],
    workspaceSymbolProvider: ["workspace/symbol"],
    foldingRangeProvider: ["textDocument/foldingRange"],
    selectionRangeProvider: ["textDocument/selectionRange"],
    documentLinkProvider: ["textDocument/documentLink"],
    documentFormattingProvider: ["textDocument/formatting"],
    documentRangeFormattingProvider: ["textDocument/rangeFormatting"],
  };

  test("every request of every advertised capability has its params checked (and is fuzzed)", async () => {
    const { capabilities } = track(await RawServer.initialized());
    const providers = Object.keys(capabilities).filter((key) => key !== "textDocumentSync");
    assert.deepEqual(providers.filter((key) => !(key in METHODS)), [], "a new capability: add its requests here and to transport/params.ts");
    const unchecked = providers.flatMap((key) => METHODS[key]).filter((method) => !CHECKED_REQUESTS.includes(method));
    assert.deepEqual(unchecked, []);
  });

  test("wrong-typed params → -32602 naming the field, for requests; notifications are dropped", async () => {
    const { server } = track(await RawServer.initialized());
    const cases: [string, unknown, RegExp][] = [
      ["textDocument/hover", { textDocument: { uri: 5 }, position: { line: 0, character: 0 } }, /textDocument\.uri: a string/],
      ["textDocument/hover", { textDocument: { uri: "file:///a.vmtopo" }, position: { line: -1, character: 0 } }, /position\.line: an integer/],
      ["textDocument/completion", { textDocument: { uri: "file:///a.vmtopo" }, position: "0:0" }, /position: an object/],
      ["textDocument/codeAction", { textDocument: { uri: "file:///a.vmtopo" }, range: { start: { line: 2, character: 0 }, end: { line: 1, character: 0 } }, context: { diagnostics: [] } }, /range: a range whose start is not after its end/],
      ["textDocument/rename", { textDocument: { uri: "file:///a.vmtopo" }, position: { line: 0, character: 0 }, newName: null }, /newName: a string/],
      ["vmtopo/mappingState", { uri: ["file:///a.vmtopo"] }, /uri: a string/],
      ["vmtopo/live", { uri: "file:///a.vmtopo", socket: 7, vm: "v" }, /socket: a string/],
      ["workspace/symbol", null, /params must be an object/],
    ];
    for (const [method, params, message] of cases) {
      const answer = await server.request(method, params);
      assert.equal(answer.error?.code, -32602, `${method} ${JSON.stringify(params)} → ${JSON.stringify(answer)}`);
      assert.match(answer.error!.message, message);
    }
    server.notify("textDocument/didChange", { textDocument: { uri: "file:///a.vmtopo", version: "x" }, contentChanges: "all" });
    assert.equal((await hover(server, "file:///a.vmtopo")).result, null, "still answering");
  });
});

describe("documents that are not local files", () => {
  const uris = ["file://host/share/x.vmtopo", "file:///home/u/a%2fb.vmtopo", "file:///home/u/%E2%82%28.vmtopo", "untitled:Untitled-1", "vscode-vfs://github/u/r/x.vmtopo"];
  for (const uri of uris) {
    test(`didOpen of ${uri}: analysed in memory, each import says it resolves against nothing`, async () => {
      const { server } = track(await RawServer.initialized());
      const text = 'import "hosts.vmtopo"\n\nvm v {\n  memory 4G\n}\n';
      server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "vmtopo", version: 1, text } });
      const published = await server.diagnostics(uri);
      const codes = published.params.diagnostics.map((d: any) => `${d.code}@${d.range.start.line}`);
      assert.deepEqual(codes, ["VT009@0", "VT001@3"]);
      assert.match(published.params.diagnostics[0].message, /not a file on disk .* resolve against nothing/);
      await new Promise((resolve) => setTimeout(resolve, 100)); // past the old crash (~20 ms after didOpen)
      assert.equal((await hover(server, uri)).error, undefined);
      assert.equal(server.exit, undefined);
    });
  }
});

describe("imports of special files through the server", () => {
  const dir = mkdtempSync(join(tmpdir(), "vmtopo-harden-lsp-"));
  spawnSync("mkfifo", [join(dir, "fifo.vmtopo")]);
  spawnSync("truncate", ["-s", "1G", join(dir, "sparse.vmtopo")]);
  writeFileSync(join(dir, "broken.vmtopo"), "host h {\n  qemu \"10.2\"\n}\n");
  writeFileSync(join(dir, "hosts.vmtopo"), "host good {\n  qemu = \"10.2\"\n}\n");

  test("a FIFO, /dev/zero, a 1 GB file, a .txt and a broken file: diagnostics on each import, answered at once", async () => {
    const { server } = track(await RawServer.initialized());
    const uri = pathToFileURL(join(dir, "main.vmtopo")).href;
    const text = ['import "fifo.vmtopo"', 'import "/dev/zero"', 'import "sparse.vmtopo"', 'import "/proc/self/environ"', 'import "broken.vmtopo"', 'import "hosts.vmtopo"', "", "vm v on good {", "  memory = 4G", "}", ""].join("\n");
    const started = Date.now();
    server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "vmtopo", version: 1, text } });
    const published = await server.diagnostics(uri, undefined, 5_000);
    const found = published.params.diagnostics.map((d: any) => `${d.range.start.line}:${d.code}`);
    assert.deepEqual(found, ["0:VT009", "1:VT009", "2:VT009", "3:VT009", "4:VT010"]);
    assert.ok(Date.now() - started < 3_000, `published after ${Date.now() - started} ms`);
    const broken = published.params.diagnostics[4];
    assert.equal(broken.relatedInformation[0].location.uri, pathToFileURL(join(dir, "broken.vmtopo")).href);
    assert.equal(broken.relatedInformation[0].location.range.start.line, 1);
    assert.equal((await hover(server, uri)).error, undefined);
  });
});
