// The language server's incremental analysis (engine/analysis-cache.ts) gives exactly what a
// full analysis of the same text gives, after every one of thousands of random edits: the
// syntax tree, tokens and comments, the diagnostics, the symbols, the report, and completion
// at random places. Each
// sequence starts from a valid file (the examples, with their imports, and a generated fleet)
// and goes on typing, deleting, pasting and breaking it, as a user does, so that the cache
// sees declarations appear, vanish, merge, split and move. The seed is printed; VMTOPO_SEED
// replays a failure.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { ParseResult } from "../../grammar/src/index";
import { IncrementalAnalyzer } from "../../server/src/engine/analysis-cache";
import { analyzeText, type Analysis } from "../../server/src/engine/analyze";
import type { SourceReader } from "../../server/src/engine/program";
import { buildReport } from "../../server/src/engine/report";
import { buildSymbolIndex } from "../../server/src/engine/symbols";
import { completeAt } from "../../server/src/lsp/features/completion";
import { exampleFiles } from "../support/corpus";
import { mutate, Random, randomTokens, relayout, revalue, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20261130);
const SEQUENCES = 40;
const EDITS_PER_SEQUENCE = 60;

const disk: SourceReader = {
  read: (path) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

/** A file of many small declarations, so that edits meet many segment boundaries. */
function fleet(vms: number): string {
  const out = ['host h1 { qemu = "10.2" vfio { backend = iommufd accounting = user } hugepages { 1G = 64 } }', "host h2 {", "  iommu { page-sizes = [4K, 2M] }", "}"];
  for (let i = 0; i < vms; i++) {
    out.push(`vm v${i} on h${1 + (i % 2)} {`, `  memory = ${1 + (i % 4)}G`, "  maxmem = 32G", `  virtio-mem m${i} { size = 8G block-size = 2M }`, `  vfio n${i} {}`, "} // end", `scenario s${i} for v${i} { resize m${i} to 2G convert 0 .. 64M to shared }`);
  }
  return out.join("\n") + "\n";
}

/** One edit as a user makes it: mostly typing and deleting a character or a word. */
function edit(random: Random, text: string): string {
  const at = random.int(text.length + 1);
  switch (random.int(10)) {
    case 0:
    case 1:
      return text.slice(0, at) + random.pick(["x", "1", " ", "\n", "{", "}", "=", '"', "/", "*", "G", "-"]) + text.slice(at);
    case 2:
    case 3:
      return text.slice(0, at) + text.slice(at + 1);
    case 4:
      return text.slice(0, at) + randomTokens(random, 1 + random.int(4)) + text.slice(at);
    case 5:
      return relayout(random, text);
    case 6:
      return revalue(random, text);
    case 7:
      return text.slice(0, at) + random.pick(["vm z on h1 { memory = 1G }\n", "} vm ", "/* ", " */", "host ", "scenario q for v1 {", "import \"x.vmtopo\"\n"]) + text.slice(at);
    default:
      return mutate(random, text);
  }
}

function tokenView(tokens: ParseResult["tokens"]) {
  return tokens.map((t) => [t.image, t.tokenType.name, t.startOffset, t.endOffset, t.startLine, t.startColumn, t.endLine, t.endColumn].join(","));
}

/**
 * Completion reads only the tokens of the declaration around the cursor in an incremental
 * parse (engine/incremental-parse.ts, tokensAround), all of them in a full one: same items.
 */
function assertSameCompletions(random: Random, incremental: Analysis, full: Analysis, context: string): void {
  const text = full.parse.lines.text;
  for (let k = 0; k < 3; k++) {
    const position = full.parse.lines.position(random.int(text.length + 1));
    const params = { textDocument: { uri: "file:///ws/x.vmtopo" }, position };
    const options = { snippets: true, markdown: true, preIndent: true, asIs: true };
    const items = (analysis: Analysis) => completeAt(analysis, () => buildSymbolIndex(analysis.program), params, options);
    assert.deepEqual(items(incremental), items(full), `completion at ${position.line + 1}:${position.character + 1}, ${context}`);
  }
}

function assertSame(incremental: Analysis, full: Analysis, context: string): void {
  assert.deepEqual(incremental.parse.ast, full.parse.ast, `syntax tree, ${context}`);
  assert.deepEqual(incremental.parse.diagnostics, full.parse.diagnostics, `syntax diagnostics, ${context}`);
  assert.deepEqual(tokenView(incremental.parse.tokens), tokenView(full.parse.tokens), `tokens, ${context}`);
  assert.deepEqual(tokenView(incremental.parse.comments), tokenView(full.parse.comments), `comments, ${context}`);
  assert.deepEqual(incremental.diagnostics, full.diagnostics, `diagnostics, ${context}`);
  assert.deepEqual(buildSymbolIndex(incremental.program), buildSymbolIndex(full.program), `symbols, ${context}`);
  assert.deepEqual(buildReport(incremental), buildReport(full), `report, ${context}`);
}

test(`${SEQUENCES} × ${EDITS_PER_SEQUENCE} random edits (seed ${SEED}): incremental analysis equals full analysis`, () => {
  const random = new Random(rng(SEED));
  const starts = [...exampleFiles().map((path) => ({ path, text: readFileSync(path, "utf8") })), { path: "/ws/fleet.vmtopo", text: fleet(12) }];
  let edits = 0;
  for (let s = 0; s < SEQUENCES; s++) {
    const { path, text: original } = starts[s % starts.length];
    const analyzer = new IncrementalAnalyzer();
    let text = original;
    assertSame(analyzer.analyze(text, path, disk), analyzeText(text, path, disk), `sequence ${s} (${path}), as opened`);
    for (let e = 0; e < EDITS_PER_SEQUENCE; e++) {
      const before = text;
      text = edit(random, text);
      // Now and then the user undoes back to the valid file.
      if (random.chance(0.03)) text = original;
      edits++;
      const context = `sequence ${s} (${path}), edit ${e}; replay with VMTOPO_SEED=${SEED}\n--- before:\n${before}\n--- after:\n${text}`;
      const incremental = analyzer.analyze(text, path, disk);
      const full = analyzeText(text, path, disk);
      assertSameCompletions(random, incremental, full, context);
      assertSame(incremental, full, context);
    }
  }
  assert.equal(edits, SEQUENCES * EDITS_PER_SEQUENCE);
});

test("an unchanged declaration keeps its syntax tree and its figures across edits elsewhere", () => {
  const analyzer = new IncrementalAnalyzer();
  const text = fleet(20);
  const first = analyzer.analyze(text, "/ws/a.vmtopo", disk);
  // Type one character into the memory of the last VM: the others are not recomputed.
  const at = text.lastIndexOf("memory = ") + "memory = ".length;
  const second = analyzer.analyze(text.slice(0, at) + "1" + text.slice(at), "/ws/a.vmtopo", disk);
  assert.equal(second.parse.ast.declarations[0], first.parse.ast.declarations[0]);
  assert.equal(second.vms[0], first.vms[0], "the first VM's analysis is the same object");
  assert.notEqual(second.vms[19], first.vms[19], "the edited VM is analysed again");
  assert.deepEqual(second.diagnostics, analyzeText(text.slice(0, at) + "1" + text.slice(at), "/ws/a.vmtopo", disk).diagnostics);
});

test("a comment edited inside a host's block keeps the host's syntax tree, so no VM on it is analysed again", () => {
  const analyzer = new IncrementalAnalyzer();
  const text = fleet(20).replace("host h2 {", "host h2 { // the lab's");
  const first = analyzer.analyze(text, "/ws/h.vmtopo", disk);
  const h2 = first.parse.ast.declarations[1];
  assert.ok(h2.kind === "host" && h2.name.text === "h2" && first.vms[1].vm.host.name === "h2");
  const at = text.indexOf("the lab's") + "the lab's".length;
  const edited = text.slice(0, at) + " box" + text.slice(at);
  const second = analyzer.analyze(edited, "/ws/h.vmtopo", disk);
  assert.equal(second.parse.ast.declarations[1], h2, "the host's declaration is the same object");
  assert.equal(second.vms[1], first.vms[1], "the analysis of a VM on it is the same object");
  assert.deepEqual(second.diagnostics, analyzeText(edited, "/ws/h.vmtopo", disk).diagnostics);
  // A change the syntax tree sees makes a new declaration, and the VMs on it are analysed again.
  const changed = analyzer.analyze(edited.replace("iommu { page-sizes = [4K, 2M] }", "iommu { page-sizes = [4K] }"), "/ws/h.vmtopo", disk);
  assert.notEqual(changed.parse.ast.declarations[1], h2);
  assert.notEqual(changed.vms[1], first.vms[1]);
});

test("a scenario is replayed again when another VM it depends on changes, not otherwise", () => {
  // `migrate to b` asks how much of b's 1 GiB pool the VMs already there use (VT305).
  const file = (resident: string, comment: string) => `host a { qemu = "10.2" hugepages { 1G = 64 } }
host b { qemu = "10.2" hugepages { 1G = 64 } }
vm mover on a {
  memory = 32G
  backend = file
  file-system = hugetlbfs
  page-size = 1G
}
vm resident on b {
  memory = ${resident}
  backend = file
  file-system = hugetlbfs
  page-size = 1G
} // ${comment}
scenario evacuate for mover {
  migrate to b precopy
}
`;
  const analyzer = new IncrementalAnalyzer();
  const codes = (analysis: Analysis) => analysis.diagnostics.map((d) => d.code);
  const fits = analyzer.analyze(file("16G", "x"), "/ws/m.vmtopo", disk);
  assert.deepEqual(codes(fits), []);
  const unrelated = analyzer.analyze(file("16G", "xy"), "/ws/m.vmtopo", disk);
  assert.equal(unrelated.scenarios[0], fits.scenarios[0], "an edit in a comment keeps the replay");
  const full = analyzer.analyze(file("48G", "xy"), "/ws/m.vmtopo", disk);
  assert.deepEqual(codes(full), ["VT305"], "the destination's pool is now used by the resident VM");
  assert.deepEqual(full.diagnostics, analyzeText(file("48G", "xy"), "/ws/m.vmtopo", disk).diagnostics);
});
