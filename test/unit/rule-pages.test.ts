// Every diagnostic code has a rule page (docs/rules/VTnnn.md) whose example, run through the
// engine, raises that code on the line marked `// ← VTnnn`; its "Fixed:" block, if any, does not.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { versionsSection, withVersions } from "../../scripts/rule-versions";
import { VERSION_FACTS } from "../../server/src/engine/versions";
import { repoRoot } from "../support/fixtures";

const spec = readFileSync(join(repoRoot, "..", "shared", "spec", "DOMAIN.md"), "utf8");
const specCodes = [...new Set(spec.match(/VT\d{3}/g) ?? [])].sort();
const rulesDir = join(repoRoot, "docs", "rules");
const pages = readdirSync(rulesDir).filter((f) => /^VT\d{3}\.md$/.test(f));

test("every code of DOMAIN.md has a rule page", () => {
  assert.ok(specCodes.length >= 49, "DOMAIN.md lists the codes");
  assert.deepEqual(specCodes.filter((code) => !pages.includes(`${code}.md`)), []);
});

describe("rule page examples", () => {
  for (const page of pages.sort()) {
    const code = page.slice(0, 5);
    const text = readFileSync(join(rulesDir, page), "utf8");
    const blocks = [...text.matchAll(/```vmtopo\n([\s\S]*?)```/g)].map((m) => m[1]);
    test(`${code}: the example raises ${code} on the marked line`, () => {
      assert.ok(blocks.length > 0, `${page} has a vmtopo example`);
      const example = blocks[0];
      const marked = example.split("\n").flatMap((line, i) => (line.includes(`← ${code}`) ? [i] : []));
      assert.ok(marked.length > 0, `the example marks a line with '// ← ${code}'`);
      // VT008 needs the file to import itself: run it under the name it imports.
      const self = /import "([^"]+)"/.exec(example)?.[1];
      const path = `/rules/${self ?? "example.vmtopo"}`;
      const analysis = analyzeText(example, path, { read: (p) => (p === path ? example : undefined) });
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
