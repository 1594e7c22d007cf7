// Specification of the TextMate grammar (syntax highlighting) and the language configuration:
// the fixture is tokenized the way VS Code does it, and chosen tokens must carry chosen scopes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
// Both packages are CommonJS bundles: import the module object, take the values from it.
import vsctm, { type IGrammar, type IToken } from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const { Registry, INITIAL, parseRawGrammar } = vsctm;

const repoFile = (path: string): URL => new URL(`../../${path}`, import.meta.url);
const GRAMMAR_FILE = repoFile("grammar/vmtopo.tmLanguage.json");
const CONFIG_FILE = repoFile("grammar/language-configuration.json");
const FIXTURE_FILE = repoFile("test/fixtures/textmate/sample.vmtopo");

// ---------------------------------------------------------------------------------------------
// Expectations: [a fragment that picks one fixture line, the text within it, a scope it must have]
// A scope matches itself and its refinements: `invalid.illegal` matches `invalid.illegal.x.vmtopo`.
// ---------------------------------------------------------------------------------------------

const SCOPES: Array<[line: string, text: string, scope: string]> = [
  // comments
  ["// Fixture for test/unit/textmate.test.ts", "// Fixture for test/unit/textmate.test.ts", "comment.line.double-slash.vmtopo"],
  ["/* Every construct of the language at least once,", "/* Every construct of the language at least once,", "comment.block.vmtopo"],
  ["in a block comment spanning two lines. */", "*/", "comment.block.vmtopo"],
  ["} // a boot-time DIMM", "// a boot-time DIMM", "comment.line.double-slash.vmtopo"],

  // declarations
  ['import "common.vmtopo"', "import", "keyword.other.import.vmtopo"],
  ['import "common.vmtopo"', '"common.vmtopo"', "string.quoted.double.vmtopo"],
  ["host spr {", "host", "storage.type.host.vmtopo"],
  ["host spr {", "spr", "entity.name.type.host.vmtopo"],
  ["vm td0 on spr {", "vm", "storage.type.vm.vmtopo"],
  ["vm td0 on spr {", "td0", "entity.name.type.vm.vmtopo"],
  ["vm td0 on spr {", "on", "keyword.other.on.vmtopo"],
  ["vm td0 on spr {", "spr", "entity.name.type.host.vmtopo"],
  ["scenario bounce-buffers for td0", "scenario", "storage.type.scenario.vmtopo"],
  ["scenario bounce-buffers for td0", "bounce-buffers", "entity.name.function.scenario.vmtopo"],
  ["scenario bounce-buffers for td0", "for", "keyword.other.for.vmtopo"],
  ["scenario bounce-buffers for td0", "td0", "entity.name.type.vm.vmtopo"],

  // blocks and devices
  ["iommu {", "iommu", "storage.type.block.vmtopo"],
  ["  vfio {", "vfio", "storage.type.block.vmtopo"],
  ["hugepages { 2M", "hugepages", "storage.type.block.vmtopo"],
  ["reserved msi", "reserved", "storage.type.block.vmtopo"],
  ["reserved msi", "msi", "entity.name.variable.reserved.vmtopo"],
  ["virtio-mem vmem0 {", "virtio-mem", "storage.type.block.vmtopo"],
  ["virtio-mem vmem0 {", "vmem0", "entity.name.variable.device.vmtopo"],
  ["vfio nic0 {", "vfio", "storage.type.block.vmtopo"],
  ["dimm dimm0 {", "dimm", "storage.type.block.vmtopo"],
  ["dimm dimm0 {", "dimm0", "entity.name.variable.device.vmtopo"],
  ["  numa {", "numa", "storage.type.block.vmtopo"],
  ["node 0 { memory = 8G }", "node", "storage.type.block.vmtopo"],
  ["node 0 { memory = 8G }", "0", "constant.numeric.integer.vmtopo"],
  ["node 0 { memory = 8G }", "memory", "variable.other.property.vmtopo"],
  ["    node 1 {", "node", "storage.type.block.vmtopo"],
  ["      memory = 8G", "memory", "variable.other.property.vmtopo"],
  ["host spr {", "{", "punctuation.section.block.begin.vmtopo"],

  // attributes: a name followed by `=`, even when the name is a keyword
  ["block-size = 2M", "block-size", "variable.other.property.vmtopo"],
  ["block-size = 2M", "=", "keyword.operator.assignment.vmtopo"],
  ['host = "0000:3b:00.0"', "host", "variable.other.property.vmtopo"],
  ["host-x = ", "host-x", "variable.other.property.vmtopo"],

  // values
  ["block-size = 2M", "2M", "constant.numeric.size.vmtopo"],
  ["block-size = 2M", "M", "keyword.other.unit.vmtopo"],
  ["[4K, 2MiB, 1G]", "2MiB", "constant.numeric.size.vmtopo"],
  ["[4K, 2MiB, 1G]", "MiB", "keyword.other.unit.vmtopo"],
  ["[4K, 2MiB, 1G]", "[", "punctuation.definition.list.begin.vmtopo"],
  ["[4K, 2MiB, 1G]", ",", "punctuation.separator.comma.vmtopo"],
  ["memory = 16GB", "16GB", "constant.numeric.size.vmtopo"],
  ["size = 1.5G", "1.5G", "constant.numeric.size.vmtopo"],
  ["hugepages { 2M = 0  1G = 32 }", "1G", "constant.numeric.size.vmtopo"],
  ["migration-bandwidth = 25Gbit", "25Gbit", "constant.numeric.bandwidth.vmtopo"],
  ["migration-bandwidth = 25Gbit", "Gbit", "keyword.other.unit.vmtopo"],
  ["reserved msi = 0xfee00000", "0xfee00000", "constant.numeric.integer.hexadecimal.vmtopo"],
  ["dma-entry-limit = 65_535", "65_535", "constant.numeric.integer.decimal.vmtopo"],
  ["address-width = 48", "48", "constant.numeric.integer.decimal.vmtopo"],
  ["0xfee00000 .. 0xfef00000", "..", "keyword.operator.range.vmtopo"],
  ['qemu = "10.1"', '"10.1"', "string.quoted.double.vmtopo"],
  ['"label \\"quoted\\" \\\\ path"', '\\"', "constant.character.escape.vmtopo"],
  ['"label \\"quoted\\" \\\\ path"', "\\\\", "constant.character.escape.vmtopo"],
  ['"bad \\q escape"', "\\q", "invalid.illegal"],
  ["prealloc = on", "on", "constant.language.boolean.vmtopo"],
  ["cap-ipc-lock = off", "off", "constant.language.boolean.vmtopo"],
  ["memlock = unlimited", "unlimited", "constant.language.vmtopo"],
  ["viommu = none", "none", "constant.language.vmtopo"],
  ["vendor = intel-vtd", "intel-vtd", "variable.other.enummember.vmtopo"],

  // scenario steps
  ["convert 0 .. 256M to shared", "convert", "keyword.control.step.vmtopo"],
  ["convert 0 .. 256M to shared", "to", "keyword.other.to.vmtopo"],
  ["convert 0 .. 256M to shared", "shared", "keyword.other.shared.vmtopo"],
  ["convert 0 .. 256M to private", "private", "keyword.other.private.vmtopo"],
  ["resize vmem0 to 4G", "resize", "keyword.control.step.vmtopo"],
  ["resize vmem0 to 4G", "vmem0", "variable.other.device.vmtopo"],
  ["hotplug vfio nic1 {", "hotplug", "keyword.control.step.vmtopo"],
  ["hotplug vfio nic1 {", "nic1", "entity.name.variable.device.vmtopo"],
  ["viommu-map nic1 512 x 2M", "viommu-map", "keyword.control.step.vmtopo"],
  ["viommu-map nic1 512 x 2M", "x", "keyword.operator.times.vmtopo"],
  ["unplug nic0", "unplug", "keyword.control.step.vmtopo"],
  ["migrate to spr postcopy", "migrate", "keyword.control.step.vmtopo"],
  ["migrate to spr postcopy", "spr", "entity.name.type.host.vmtopo"],
  ["migrate to spr postcopy", "postcopy", "keyword.other.postcopy.vmtopo"],
  ["migrate to spr precopy", "precopy", "keyword.other.precopy.vmtopo"],
];

/** Words that must come out as exactly one token: `-` is part of a vmtopo name. */
const SINGLE_TOKENS: Array<[line: string, text: string]> = [
  ["block-size = 2M", "block-size"],
  ["vendor = intel-vtd", "intel-vtd"],
  ["virtio-mem vmem0 {", "virtio-mem"],
  ["scenario bounce-buffers for td0", "bounce-buffers"],
  ["dma-entry-limit = 65_535", "65_535"],
];

/** Keywords inside longer names must not be highlighted as keywords. */
const NOT_KEYWORDS: Array<[line: string, text: string]> = [
  ["virtio-mem vmem0 {", "vmem0"],
  ["resize vmem0 to 4G", "vmem0"],
  ["host-x = ", "host-x"],
  ["dimm dimm0 {", "dimm0"],
];

// ---------------------------------------------------------------------------------------------
// Machinery
// ---------------------------------------------------------------------------------------------

interface TokenizedLine {
  text: string;
  tokens: IToken[];
}

let loadedGrammar: Promise<IGrammar> | undefined;
let tokenizedFixture: Promise<TokenizedLine[]> | undefined;

const grammar = (): Promise<IGrammar> => (loadedGrammar ??= loadGrammar());

async function loadGrammar(): Promise<IGrammar> {
  const wasm = readFileSync(repoFile("node_modules/vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === "source.vmtopo"
        ? parseRawGrammar(readFileSync(GRAMMAR_FILE, "utf8"), GRAMMAR_FILE.pathname)
        : null,
  });
  const grammar = await registry.loadGrammar("source.vmtopo");
  assert.ok(grammar, "the grammar source.vmtopo loads");
  return grammar;
}

/** Tokenizes the fixture once, line after line, carrying the rule stack as VS Code does. */
function fixture(): Promise<TokenizedLine[]> {
  tokenizedFixture ??= grammar().then((vmtopo) => {
    let state = INITIAL;
    return readFileSync(FIXTURE_FILE, "utf8")
      .split(/\r?\n/)
      .map((text) => {
        const { tokens, ruleStack } = vmtopo.tokenizeLine(text, state);
        state = ruleStack;
        return { text, tokens };
      });
  });
  return tokenizedFixture;
}

/**
 * The tokens that make up `text` inside the only fixture line containing `lineFragment`.
 * Fails unless the text is cut out cleanly: a token starts where it starts and one ends where
 * it ends (so `vm` inside `vmem0` is not found as a token of its own).
 */
async function tokensOf(lineFragment: string, text: string): Promise<IToken[]> {
  const lines = (await fixture()).filter((line) => line.text.includes(lineFragment));
  assert.equal(lines.length, 1, `exactly one fixture line contains ${JSON.stringify(lineFragment)}`);
  const [line] = lines;
  const offsetInFragment = lineFragment.indexOf(text);
  assert.ok(offsetInFragment >= 0, `${JSON.stringify(text)} is part of ${JSON.stringify(lineFragment)}`);
  const start = line.text.indexOf(lineFragment) + offsetInFragment;
  const end = start + text.length;
  const tokens = line.tokens.filter((token) => token.startIndex < end && token.endIndex > start);
  const describe = tokens.map((t) => JSON.stringify(line.text.slice(t.startIndex, t.endIndex))).join(" ");
  // The last token of a line ends one past it: vscode-textmate tokenizes the line with its "\n".
  const lastEnd = Math.min(tokens.at(-1)?.endIndex ?? -1, line.text.length);
  assert.ok(
    tokens.length > 0 && tokens[0].startIndex === start && lastEnd === end,
    `${JSON.stringify(text)} in ${JSON.stringify(line.text)} is whole tokens, not part of ${describe}`,
  );
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Grammar
// ---------------------------------------------------------------------------------------------

test("the grammar is source.vmtopo and every regular expression in it compiles", async () => {
  const raw = JSON.parse(readFileSync(GRAMMAR_FILE, "utf8"));
  assert.equal(raw.scopeName, "source.vmtopo");
  await grammar(); // loads oniguruma
  const patterns: string[] = [];
  (function collect(node: unknown): void {
    if (Array.isArray(node)) return node.forEach(collect);
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (["match", "begin", "end", "while"].includes(key) && typeof value === "string") patterns.push(value);
      else collect(value);
    }
  })(raw);
  assert.ok(patterns.length > 20, "the grammar has patterns");
  // vscode-textmate compiles rules lazily; compile them all so that an unused broken rule fails.
  for (const pattern of patterns) {
    assert.doesNotThrow(() => new oniguruma.OnigScanner([pattern]), `compiles: ${pattern}`);
  }
});

for (const [line, text, scope] of SCOPES) {
  test(`${JSON.stringify(text)} in ${JSON.stringify(line)} is ${scope}`, async () => {
    for (const token of await tokensOf(line, text)) {
      assert.ok(
        token.scopes.some((s) => s.startsWith(scope)),
        `${JSON.stringify(text)} has ${scope}; its scopes are ${token.scopes.join(" ")}`,
      );
    }
  });
}

for (const [line, text] of SINGLE_TOKENS) {
  test(`${JSON.stringify(text)} in ${JSON.stringify(line)} is a single token`, async () => {
    assert.equal((await tokensOf(line, text)).length, 1);
  });
}

for (const [line, text] of NOT_KEYWORDS) {
  test(`${JSON.stringify(text)} in ${JSON.stringify(line)} is not a keyword`, async () => {
    for (const token of await tokensOf(line, text)) {
      const keywordScopes = token.scopes.filter((s) => /^(keyword|storage)\./.test(s));
      assert.deepEqual(keywordScopes, [], `${JSON.stringify(text)} has no keyword scope`);
    }
  });
}

test("the fixture ends outside every block, comment and string", async () => {
  // A rule that never closed (comment, string, body) would leave its scope on the last token.
  const lastTokens = (await fixture()).filter((line) => line.tokens.length > 0).at(-1)!.tokens;
  assert.deepEqual(lastTokens.at(-1)!.scopes, ["source.vmtopo"]);
});

// ---------------------------------------------------------------------------------------------
// Language configuration
// ---------------------------------------------------------------------------------------------

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: Array<[string, string]>;
  autoClosingPairs: Array<{ open: string; close: string; notIn?: string[] }>;
  folding: { markers: { start: string; end: string } };
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  wordPattern: string;
}

/** Strict JSON (JSON.parse rejects comments and trailing commas). */
const configuration = (): LanguageConfiguration => JSON.parse(readFileSync(CONFIG_FILE, "utf8"));

const wordsOf = (text: string): string[] =>
  Array.from(text.matchAll(new RegExp(configuration().wordPattern, "g")), (match) => match[0]);

test("language configuration: comments, brackets and closing quotes", () => {
  const config = configuration();
  assert.deepEqual(config.comments, { lineComment: "//", blockComment: ["/*", "*/"] });
  assert.deepEqual(config.brackets, [["{", "}"], ["[", "]"]]);
  const quote = config.autoClosingPairs.find((pair) => pair.open === '"');
  assert.deepEqual(quote?.notIn, ["string", "comment"]);
});

test("language configuration: words keep dashes, hex digits and fractions", () => {
  assert.deepEqual(wordsOf("block-size = 2M"), ["block-size", "2M"]);
  assert.deepEqual(wordsOf("reserved msi = 0xfee00000 .. 0xfef00000"), ["reserved", "msi", "0xfee00000", "0xfef00000"]);
  assert.deepEqual(wordsOf("virtio-mem vmem0 { size = 1.5G }"), ["virtio-mem", "vmem0", "size", "1.5G"]);
  assert.deepEqual(wordsOf("vendor = intel-vtd"), ["vendor", "intel-vtd"]);
  assert.deepEqual(wordsOf("convert 0..256M to shared"), ["convert", "0", "256M", "to", "shared"]);
  assert.deepEqual(wordsOf("page-sizes = [4K, 2MiB]"), ["page-sizes", "4K", "2MiB"]);
});

test("language configuration: indentation follows braces and brackets", () => {
  const { increaseIndentPattern, decreaseIndentPattern } = configuration().indentationRules;
  const increases = new RegExp(increaseIndentPattern);
  const decreases = new RegExp(decreaseIndentPattern);
  assert.ok(increases.test("host spr {"));
  assert.ok(increases.test("  page-sizes = ["));
  assert.ok(increases.test("vm td0 { // boot RAM only"));
  assert.ok(!increases.test("  dimm dimm0 { size = 4G }"));
  assert.ok(!increases.test("  memory = 4G // {"));
  assert.ok(decreases.test("  }"));
  assert.ok(decreases.test("]"));
  assert.ok(!decreases.test("  memory = 4G"));
});

test("language configuration: #region markers fold", () => {
  const { start, end } = configuration().folding.markers;
  assert.ok(new RegExp(start).test("  // #region hosts"));
  assert.ok(new RegExp(end).test("// #endregion"));
  assert.ok(!new RegExp(start).test("// #endregion"));
});
