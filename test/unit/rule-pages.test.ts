// Every diagnostic code has a rule page (docs/rules/VTnnn.md) whose example, run through the
// engine, raises that code on the line marked `// ← VTnnn`; its "Fixed:" block, if any, does not.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { SCHEMA } from "../../server/src/engine/schema";
import { versionsSection, withVersions } from "../../scripts/rule-versions";
import { VERSION_FACTS } from "../../server/src/engine/versions";
import { repoRoot } from "../support/fixtures";

// The project's own list of codes is the rule index (docs/rules/README.md, written from the
// specification's tables); the test reads nothing outside the repository.
const index = readFileSync(join(repoRoot, "docs", "rules", "README.md"), "utf8");
const indexCodes = [...new Set([...index.matchAll(/^\| (VT\d{3}) \|/gm)].map((m) => m[1]))].sort();
const rulesDir = join(repoRoot, "docs", "rules");
const pages = readdirSync(rulesDir).filter((f) => /^VT\d{3}\.md$/.test(f));

/** Every code the engine or the grammar can report: the `"VTnnn"` literals in their sources. */
function emittedCodes(): string[] {
  const codes = new Set<string>();
  for (const dir of [join(repoRoot, "server", "src", "engine"), join(repoRoot, "grammar", "src")]) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      for (const m of readFileSync(join(dir, file), "utf8").matchAll(/"(VT\d{3})"/g)) codes.add(m[1]);
    }
  }
  codes.delete("VT000"); // an engine bug, not a rule
  return [...codes].sort();
}

test("every code of the rule index has a rule page, and every page is in the index", () => {
  assert.ok(indexCodes.length >= 49, "the index lists the codes of the specification's tables");
  assert.deepEqual(indexCodes.filter((code) => !pages.includes(`${code}.md`)), []);
  assert.deepEqual(pages.map((p) => p.slice(0, 5)).filter((code) => !indexCodes.includes(code)), []);
});

test("every code the engine reports is in the rule index", () => {
  const emitted = emittedCodes();
  assert.ok(emitted.length >= 40, `the engine's codes are found (${emitted.length})`);
  assert.deepEqual(emitted.filter((code) => !indexCodes.includes(code)), []);
});

/** Codes only the language server raises (its limits on huge documents): no engine example to run. */
const EDITOR_ONLY = new Set(["VT099"]);

test("editor-only codes say so on their pages", () => {
  for (const code of EDITOR_ONLY) assert.match(readFileSync(join(rulesDir, `${code}.md`), "utf8"), /\*\*Raised by:\*\* the language server only/);
});

/** Codes raised by comparing a running QEMU with the design (`vmtopo live`): no file alone raises them. */
const LIVE_ONLY = new Set(["VT501"]);

test("live-only codes say so on their pages", () => {
  for (const code of LIVE_ONLY) assert.match(readFileSync(join(rulesDir, `${code}.md`), "utf8"), /\*\*Raised by:\*\* `vmtopo live`/);
});

describe("rule page examples", () => {
  for (const page of pages.sort().filter((p) => !EDITOR_ONLY.has(p.slice(0, 5)) && !LIVE_ONLY.has(p.slice(0, 5)))) {
    const code = page.slice(0, 5);
    const text = readFileSync(join(rulesDir, page), "utf8");
    const blocks = [...text.matchAll(/```vmtopo\n([\s\S]*?)```/g)].map((m) => m[1]);
    // Files the example imports: blocks opened with ```vmtopo NAME.vmtopo
    const besides = new Map([...text.matchAll(/```vmtopo ([\w.-]+)\n([\s\S]*?)```/g)].map((m) => [`/rules/${m[1]}`, m[2]]));
    test(`${code}: the example raises ${code} on the marked line`, () => {
      assert.ok(blocks.length > 0, `${page} has a vmtopo example`);
      const example = blocks[0];
      const marked = example.split("\n").flatMap((line, i) => (line.includes(`← ${code}`) ? [i] : []));
      assert.ok(marked.length > 0, `the example marks a line with '// ← ${code}'`);
      // VT008 needs the file to import itself: run it under the name it imports.
      const self = /import "([^"]+)"/.exec(example)?.[1];
      const path = `/rules/${self && !besides.has(`/rules/${self}`) ? self : "example.vmtopo"}`;
      const analysis = analyzeText(example, path, { read: (p) => (p === path ? example : besides.get(p)) });
      const lines = analysis.diagnostics.filter((d) => d.code === code).map((d) => d.range.start.line);
      assert.ok(lines.length > 0, `${code} is raised; got ${analysis.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`).join(", ")}`);
      assert.ok(lines.every((line) => marked.includes(line)), `${code} raised on lines ${lines.map((l) => l + 1)}; marked ${marked.map((l) => l + 1)}`);
    });
    const fixed = /Fixed:?\**\s*\n+```vmtopo\n([\s\S]*?)```/.exec(text)?.[1];
    if (fixed) {
      test(`${code}: the fixed example does not raise ${code}`, () => {
        const analysis = analyzeText(fixed, "/rules/fixed.vmtopo");
        assert.deepEqual(analysis.diagnostics.filter((d) => d.code === code).map((d) => d.message), []);
      });
    }
  }
});

describe("the language reference (docs/language.md, linked from hovers)", () => {
  const reference = readFileSync(join(repoRoot, "docs", "language.md"), "utf8");
  test("documents every attribute of every block", () => {
    const missing = Object.entries(SCHEMA).flatMap(([context, specs]) => specs.filter((spec) => !reference.includes(`\`${spec.name}\``)).map((spec) => `${context}.${spec.name}`));
    assert.deepEqual(missing, []);
  });
  test("has the sections hovers link to", () => {
    for (const heading of ["## host", "### host iommu", "### host vfio", "## vm", "### virtio-mem", "### vfio devices", "### dimm", "## scenario"]) {
      assert.ok(reference.includes(`\n${heading}\n`), heading);
    }
  });
  test("its first example is a valid file", () => {
    const example = /```vmtopo\n([\s\S]*?)```/.exec(reference)![1];
    const analysis = analyzeText(example, "/reference/first.vmtopo", { read: () => undefined });
    assert.deepEqual(analysis.diagnostics.filter((d) => d.code < "VT100").map((d) => `${d.code} ${d.message}`), []);
  });
});

describe("rule pages show the version table's rows that concern them", () => {
  test("every version fact names rules that have pages", () => {
    const missing = VERSION_FACTS.flatMap((f) => f.rules.filter((code) => !pages.includes(`${code}.md`)).map((code) => `${f.id} → ${code}`));
    assert.deepEqual(missing, []);
  });
  for (const page of pages.sort()) {
    const code = page.slice(0, 5);
    test(`${code}: its Versions section is the table's (npm run docs:versions rewrites it)`, () => {
      const text = readFileSync(join(rulesDir, page), "utf8");
      assert.equal(text, withVersions(text, code));
      if (versionsSection(code)) assert.match(text, /## Versions/);
    });
  }
});
