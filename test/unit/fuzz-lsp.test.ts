// Fuzzing the language server and the webview's messages (issue 10). Each run draws a fresh
// seed (printed in the test names; VMTOPO_SEED=n replays it), is bounded in time, and checks
// what must always hold: the transport answers every request as JSON-RPC says or exits with
// a message, no handler fails with an internal error (-32603), the server still answers
// afterwards, incremental edits leave the server's text equal to the client's, and no
// webview message is acted on unless it fits its schema.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { filesOfReport, parseViewMessage, rangeInside } from "../../client/src/view-messages";
import { GuardedReader } from "../../server/src/lsp/transport/guarded-reader";
import { CHECKED_REQUESTS } from "../../server/src/lsp/transport/params";
import { repoRoot } from "../support/fixtures";
import { mutate, Random, rng } from "../support/random";
import { frame, RawServer, type RpcMessage } from "../support/raw-lsp";

const SEED = Number(process.env.VMTOPO_SEED ?? Math.floor(Math.random() * 2 ** 31));
const seeded = (salt: number) => new Random(rng(SEED + salt));
const servers: RawServer[] = [];
after(() => servers.forEach((s) => s.kill()));

const example = readFileSync(join(repoRoot, "examples", "virtio-mem-nic.vmtopo"), "utf8");

/** Odd JSON values: wrong types, extremes, deep nesting, NULs, huge strings. */
function oddValue(random: Random, depth = 0): unknown {
  const leaves: (() => unknown)[] = [
    () => null,
    () => -1,
    () => 2 ** 31,
    () => 2 ** 53 + 2,
    () => 1.5,
    () => Number.MAX_VALUE,
    () => -0,
    () => random.int(100),
    () => "",
    () => "\u0000\uffff\ud800",
    () => "file:///" + "a/".repeat(random.int(300)) + "x.vmtopo",
    () => "x".repeat(random.int(70_000)),
    () => true,
    () => [],
    () => ({}),
    () => ({ line: random.int(5), character: random.int(5) }),
    () => ({ start: { line: 0, character: 0 }, end: { line: random.int(1e6), character: 0 } }),
    () => ({ __proto__: { polluted: true }, constructor: { prototype: 1 } }),
  ];
  if (depth < 3 && random.chance(0.2)) return random.chance(0.5) ? [oddValue(random, depth + 1), oddValue(random, depth + 1)] : { [random.pick(["uri", "line", "textDocument", "position", "range"])]: oddValue(random, depth + 1) };
  return random.pick(leaves)();
}

/** A valid params object for `method`, with one field replaced, deleted or added at random. */
function mutatedParams(random: Random, uri: string): unknown {
  const position = { line: random.int(40), character: random.int(30) };
  const range = { start: { line: 0, character: 0 }, end: { line: random.int(40), character: random.int(30) } };
  const base: Record<string, unknown> = {
    textDocument: { uri },
    position,
    range,
    positions: [position],
    context: { diagnostics: [], includeDeclaration: true, triggerKind: 1 },
    newName: "renamed",
    options: { tabSize: 2, insertSpaces: true },
    previousResultId: "1",
    query: "v",
    uri,
  };
  if (random.chance(0.25)) return base; // valid: the handler itself is exercised
  if (random.chance(0.1)) return oddValue(random);
  const params = structuredClone(base) as Record<string, any>;
  const paths = [["textDocument"], ["textDocument", "uri"], ["position"], ["position", "line"], ["position", "character"], ["range"], ["range", "end"], ["range", "start", "line"], ["context"], ["context", "diagnostics"], ["newName"], ["options", "tabSize"], ["positions"], ["query"], ["uri"]];
  for (let i = 0, n = 1 + random.int(3); i < n; i++) {
    const path = random.pick(paths);
    let target = params;
    for (const key of path.slice(0, -1)) {
      if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
      target = target[key];
    }
    if (random.chance(0.2)) delete target[path[path.length - 1]];
    else target[path[path.length - 1]] = oddValue(random);
  }
  return params;
}

describe("JSON-RPC fuzzer", () => {
  test(`every advertised request with mutated params (seed ${SEED}): answered, never an internal error, the server survives`, async () => {
    const random = seeded(1);
    const { server } = await RawServer.initialized({ workspace: { configuration: false } });
    servers.push(server);
    const uri = "file:///fuzz/example.vmtopo";
    server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "vmtopo", version: 1, text: example } });
    await server.diagnostics(uri);
    const methods = CHECKED_REQUESTS.filter((m) => m !== "initialize" && m !== "shutdown");
    const deadline = Date.now() + 6_000;
    let sent = 0;
    const failures: string[] = [];
    while (Date.now() < deadline && sent < 2_000) {
      const batch = methods.map((method) => ({ method, params: mutatedParams(random, random.chance(0.9) ? uri : String(oddValue(random))) }));
      const answers = await Promise.all(batch.map(({ method, params }) => server.request(method, params, 20_000).then((answer) => ({ method, params, answer }))));
      sent += batch.length;
      for (const { method, params, answer } of answers) {
        if (answer.error && answer.error.code !== -32602) failures.push(`${method} ${JSON.stringify(params).slice(0, 300)} → ${JSON.stringify(answer.error).slice(0, 300)}`);
      }
      if (failures.length > 0) break;
    }
    assert.deepEqual(failures, [], `replay with VMTOPO_SEED=${SEED}`);
    assert.ok(sent >= methods.length, `${sent} requests sent`);
    assert.equal((await server.request("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: 0 } })).error, undefined);
    assert.equal(server.exit, undefined);
  });

  test(`random bytes, headers, bodies and chunkings through the reader (seed ${SEED}): answered or refused, never thrown`, () => {
    const random = seeded(2);
    const deadline = Date.now() + 3_000;
    const pieces: (() => Buffer)[] = [
      () => frame(JSON.stringify({ jsonrpc: "2.0", id: random.int(1000), method: random.pick(["initialize", "shutdown", ...CHECKED_REQUESTS, "nope"]), params: oddValue(random) })),
      () => frame(JSON.stringify({ jsonrpc: "2.0", method: random.pick(["textDocument/didOpen", "textDocument/didChange", "exit", "$/cancelRequest"]), params: oddValue(random) })),
      () => frame(JSON.stringify(oddValue(random))),
      () => frame(Buffer.from(Array.from({ length: random.int(40) }, () => random.int(256)))),
      () => Buffer.from(`Content-Length: ${random.pick(["-5", "1e3", "", "0x10", "99999999999", " 7 "])}\r\n\r\n`),
      () => Buffer.from(random.pick(["\r\n", "\n", "Content-Type: x\r\n", "garbage", "Content-Length: 2\n\n{}"])),
    ];
    let streams = 0;
    while (Date.now() < deadline) {
      const replies: RpcMessage[] = [];
      const delivered: unknown[] = [];
      let fatal: string | undefined;
      const reader = new GuardedReader(new Readable({ read() {} }), { reply: (m) => replies.push(m as RpcMessage), log: () => undefined, fatal: (reason) => (fatal = reason) });
      reader.listen((m) => delivered.push(m));
      const stream = Buffer.concat(Array.from({ length: 1 + random.int(12) }, () => random.pick(pieces)()));
      for (let at = 0; at < stream.length; ) {
        const size = 1 + random.int(64);
        reader.onData(stream.subarray(at, at + size));
        at += size;
      }
      for (const reply of replies) assert.ok(reply.error && [-32700, -32600, -32602, -32002].includes(reply.error.code), `reply ${JSON.stringify(reply)} (seed ${SEED})`);
      for (const m of delivered) assert.equal((m as RpcMessage).jsonrpc, "2.0", `seed ${SEED}`);
      if (fatal !== undefined) assert.match(fatal, /^malformed message from the client: /);
      streams++;
    }
    assert.ok(streams > 100, `${streams} streams`);
  });
});

describe("edit-sequence fuzzer", () => {
  test(`random incremental edits (seed ${SEED}): the server's diagnostics equal those of the final text opened afresh`, async () => {
    const random = seeded(3);
    const { server } = await RawServer.initialized();
    servers.push(server);
    const deadline = Date.now() + 5_000;
    let round = 0;
    while (Date.now() < deadline && round < 20) {
      round++;
      const uri = `file:///fuzz/edited-${round}.vmtopo`;
      let text = example;
      server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "vmtopo", version: 1, text } });
      let version = 1;
      // The client's copy, kept by the same rules as the server's (any of \r\n, \n, \r ends a line).
      let document = TextDocument.create(uri, "vmtopo", 1, text);
      for (let i = 0, n = 1 + random.int(30); i < n; i++) {
        let [from, to] = [random.int(text.length + 1), random.int(text.length + 1)].sort((a, b) => a - b);
        const range = { start: document.positionAt(from), end: document.positionAt(to) };
        [from, to] = [document.offsetAt(range.start), document.offsetAt(range.end)];
        const replacement = random.chance(0.3) ? "" : mutate(random, text.slice(from, from + random.int(20))).slice(0, 40);
        const change = random.chance(0.1) ? { text: mutate(random, text) } : { range, text: replacement };
        document = TextDocument.update(document, [change], ++version);
        text = document.getText();
        server.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [change] });
      }
      const edited = await server.diagnostics(uri, (p) => p.version === version, 20_000);
      const freshUri = `file:///fuzz/fresh-${round}.vmtopo`;
      server.notify("textDocument/didOpen", { textDocument: { uri: freshUri, languageId: "vmtopo", version: 1, text } });
      const fresh = await server.diagnostics(freshUri, () => true, 20_000);
      const strip = (ds: any[]) => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character} ${d.message}`);
      assert.deepEqual(strip(edited.params.diagnostics), strip(fresh.params.diagnostics), `round ${round}, replay with VMTOPO_SEED=${SEED}`);
    }
    assert.equal(server.exit, undefined);
  });
});

describe("webview message fuzzer", () => {
  const report = { file: "/w/main.vmtopo", hosts: [{ source: { file: "/w/hosts.vmtopo", range: {} } }], vms: [] };
  const allowed = filesOfReport(report);

  test("the files a reveal may open are the report's own", () => {
    assert.deepEqual([...allowed].sort(), ["/w/hosts.vmtopo", "/w/main.vmtopo"]);
  });

  test("the attacks of the issue are refused or confined", () => {
    for (const file of ["/etc/passwd", "~/.ssh/id_rsa", "vscode-userdata:/User/settings.json", "https://example.com/x"]) {
      const parsed = parseViewMessage({ type: "reveal", file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
      assert.ok(!("refused" in parsed) && parsed.type === "reveal" && !allowed.has(parsed.file!), `${file} is not a file of the report`);
    }
    assert.ok("refused" in parseViewMessage({ type: "reveal", file: null, range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } } }));
    assert.ok("refused" in parseViewMessage({ type: "reveal", file: null, range: { start: { line: 3, character: 0 }, end: { line: 1, character: 0 } } }));
    assert.equal(rangeInside({ start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, 3, () => 10), false);
    assert.equal(rangeInside({ start: { line: 0, character: 0 }, end: { line: 2, character: 10 } }, 3, () => 10), true);
  });

  test(`random messages (seed ${SEED}): never thrown, accepted only when they fit the schema`, () => {
    const random = seeded(4);
    const deadline = Date.now() + 1_000;
    let accepted = 0;
    let count = 0;
    while (Date.now() < deadline) {
      count++;
      const message = random.chance(0.5) ? { type: random.pick(["ready", "reveal", "update", 1]), file: random.chance(0.5) ? null : oddValue(random), range: random.chance(0.5) ? oddValue(random) : { start: oddValue(random), end: oddValue(random) } } : oddValue(random);
      const parsed = parseViewMessage(message);
      if ("refused" in parsed) continue;
      accepted++;
      if (parsed.type === "reveal") {
        const { start, end } = parsed.range;
        for (const n of [start.line, start.character, end.line, end.character]) assert.ok(Number.isInteger(n) && n >= 0 && n < 2 ** 31, `seed ${SEED}`);
        assert.ok(parsed.file === null || typeof parsed.file === "string");
        assert.deepEqual(Object.keys(parsed).sort(), ["file", "range", "type"]);
      } else assert.deepEqual(parsed, { type: "ready" });
    }
    assert.ok(count > 1000 && accepted > 0, `${count} messages, ${accepted} accepted`);
  });
});
