// Over the real protocol: semantic tokens say what only the analysis knows (what a name
// is, declared or used; attributes; enum values; numbers and their units), on top of the
// TextMate grammar. Tokens are decoded and asserted by their text.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { SemanticTokens, SemanticTokensDelta } from "vscode-languageserver-protocol";
import { LineIndex } from "../../grammar/src/index";
import { LEGEND } from "../../server/src/lsp/features/semantic-tokens";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

/** "text type modifier…" for each token, in document order. */
function decode(text: string, data: number[]): string[] {
  const lines = new LineIndex(text);
  const out: string[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [deltaLine, deltaStart, length, type, modifiers] = data.slice(i, i + 5);
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaStart : deltaStart;
    const start = lines.offset({ line, character });
    const names = LEGEND.tokenModifiers.filter((_, bit) => modifiers & (1 << bit));
    out.push([text.slice(start, start + length), LEGEND.tokenTypes[type], ...names].join(" "));
  }
  return out;
}

let documents = 0;
async function tokensOf(text: string, files: Record<string, string> = {}): Promise<string[]> {
  const dir = `file:///ws/semantic-${++documents}`;
  for (const [name, content] of Object.entries(files)) await client.openAndWait(`${dir}/${name}`, content);
  const uri = `${dir}/main.vmtopo`;
  await client.openAndWait(uri, text);
  const result = await client.request<SemanticTokens>("textDocument/semanticTokens/full", { textDocument: { uri } });
  return decode(text, result.data);
}

test("declarations and references of hosts, VMs, scenarios and devices; attributes; enum values; numbers and units", async () => {
  const text = `host spr {
  qemu = "10.1"
  memlock = unlimited
  migration-bandwidth = 25Gbit
  iommu {
    vendor = intel-vtd
    reserved msi = 0xfee00000 .. 0xfef00000
  }
  hugepages { 1G = 64 }
}
vm td0 on spr {
  confidential = tdx
  memory = 16G
  virtio-mem vmem0 { size = 64G  block-size = 2MiB }
  vfio nic0 { host = "0000:3b:00.0"  coherent = off }
}
scenario s for td0 {
  resize vmem0 to 4G
  convert 0 .. 256M to shared
  hotplug vfio hp0 { migration = pre-copy }
  unplug hp0
  viommu-map nic0 16 x 4K
  migrate to spr postcopy
}
`;
  assert.deepEqual(await tokensOf(text), [
    "spr type declaration definition",
    "qemu property",
    "memlock property",
    "unlimited enumMember",
    "migration-bandwidth property",
    "25 number",
    "Gbit unit",
    "vendor property",
    "intel-vtd enumMember",
    "msi variable declaration definition",
    "0xfee00000 number",
    "0xfef00000 number",
    "1 number",
    "G unit",
    "64 number",
    "td0 class declaration definition",
    "spr type",
    "confidential property",
    "tdx enumMember",
    "memory property",
    "16 number",
    "G unit",
    "vmem0 variable declaration definition",
    "size property",
    "64 number",
    "G unit",
    "block-size property",
    "2 number",
    "MiB unit",
    "nic0 variable declaration definition",
    "host property",
    "coherent property",
    "off enumMember",
    "s function declaration definition",
    "td0 class",
    "vmem0 variable",
    "4 number",
    "G unit",
    "0 number",
    "256 number",
    "M unit",
    "shared enumMember",
    "hp0 variable declaration definition",
    "migration property",
    "pre-copy enumMember",
    "hp0 variable",
    "nic0 variable",
    "16 number",
    "4 number",
    "K unit",
    "spr type",
    "postcopy enumMember",
  ]);
});

test("a reference that resolves to nothing gets no token; nor does a value its attribute does not take", async () => {
  const tokens = await tokensOf(`vm td0 on nowhere {\n  machine = q53\n  memory = 1G\n}\nscenario s for td9 {\n  unplug ghost\n}\n`);
  assert.deepEqual(tokens, ["td0 class declaration definition", "machine property", "memory property", "1 number", "G unit", "s function declaration definition"]);
});

test("the built-in host `default` is a host of the default library", async () => {
  const tokens = await tokensOf(`vm v on default {\n  memory = 1G\n}\n`);
  assert.ok(tokens.includes("default type defaultLibrary"), JSON.stringify(tokens));
});

test("names declared in an imported file are references here", async () => {
  const tokens = await tokensOf(`import "lab.vmtopo"\nvm td0 on lab {\n  memory = 1G\n}\n`, { "lab.vmtopo": `host lab {\n}\n` });
  assert.deepEqual(tokens.slice(0, 2), ["td0 class declaration definition", "lab type"]);
});

test("keywords used as names are names; a unit that is not one is not a unit", async () => {
  const tokens = await tokensOf(`host to {\n}\nvm on on to {\n  memory = 16Q\n}\n`);
  assert.deepEqual(tokens, ["to type declaration definition", "on class declaration definition", "to type", "memory property", "16 number"]);
});

test("the legend has a custom `unit` type and a `deprecated` modifier (which nothing in the language carries)", async () => {
  assert.ok(LEGEND.tokenTypes.includes("unit"));
  assert.ok(LEGEND.tokenModifiers.includes("deprecated"));
  const tokens = await tokensOf(`host h {\n  vfio { backend = type1 }\n}\n`);
  assert.ok(tokens.every((t) => !t.endsWith("deprecated")), JSON.stringify(tokens));
});

test("a delta after an edit, and a range", async () => {
  const uri = `file:///ws/semantic-delta.vmtopo`;
  const first = `vm td0 {\n  memory = 16G\n}\n`;
  await client.openAndWait(uri, first);
  const full = await client.request<SemanticTokens>("textDocument/semanticTokens/full", { textDocument: { uri } });
  assert.ok(full.resultId);
  const second = `vm td0 {\n  memory = 16G\n  balloon = on\n}\n`;
  const version = await client.change(uri, second);
  await client.diagnostics(uri, (p) => p.version === version);
  const delta = await client.request<SemanticTokensDelta | SemanticTokens>("textDocument/semanticTokens/full/delta", { textDocument: { uri }, previousResultId: full.resultId });
  assert.ok("edits" in delta, JSON.stringify(delta));
  const data = [...full.data];
  for (const edit of [...delta.edits].reverse()) data.splice(edit.start, edit.deleteCount, ...(edit.data ?? []));
  assert.deepEqual(decode(second, data), ["td0 class declaration definition", "memory property", "16 number", "G unit", "balloon property", "on enumMember"]);

  const range = await client.request<SemanticTokens>("textDocument/semanticTokens/range", { textDocument: { uri }, range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } } });
  assert.deepEqual(decode(second, range.data), ["balloon property", "on enumMember"]);
});

test("a NUMA node's attributes are properties and its id a number", async () => {
  const text = `vm v {
  memory = 2G
  numa {
    node 0 { memory = 1G }
    node 1 { memory = 1G }
  }
}
`;
  assert.deepEqual(await tokensOf(text), [
    "v class declaration definition",
    "memory property",
    "2 number",
    "G unit",
    "0 number",
    "memory property",
    "1 number",
    "G unit",
    "1 number",
    "memory property",
    "1 number",
    "G unit",
  ]);
});
