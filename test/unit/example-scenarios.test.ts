// The examples' scenarios, step by step: after each step, every container's mappings and
// pinned bytes (exact), plugged blocks, migration figures and the codes raised. Expectations are in
// test/fixtures/examples/scenarios.txt, one case per example (UPDATE_FIXTURES=1 rewrites
// them from the engine: review every changed figure against DOMAIN.md before committing).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "node:test";
import { diskReader, enginePath } from "../../server/src/cli/files";
import { analyzeText } from "../../server/src/engine/analyze";
import { count, duration, exactBytes as bytes } from "../../server/src/engine/format";
import { buildReport } from "../../server/src/engine/report";
import { exampleFiles } from "../support/corpus";
import { readCases, repoRoot, updating, writeCases, type FixtureCase } from "../support/fixtures";

const fixture = join(repoRoot, "test", "fixtures", "examples", "scenarios.txt");
const cases = readCases(fixture);

function describeSteps(path: string): string {
  const report = buildReport(analyzeText(readFileSync(path, "utf8"), enginePath(path), diskReader));
  const lines: string[] = [];
  for (const s of report.scenarios) {
    lines.push(`scenario ${s.name} for ${s.vm}`);
    for (const step of s.steps) {
      const containers = step.containers.map((c) => `${c.id} ${count(c.mappings)} / ${bytes(c.pinnedBytes)}`).join(", ") || "no containers";
      const plugged = Object.entries(step.pluggedBlocks).map(([name, n]) => `${name} ${count(n)} blocks`).join(", ");
      const migration = step.migration ? `; moves ${bytes(step.migration.bytes)} in ${duration(step.migration.seconds)}${step.migration.faultSeconds !== undefined ? `, ${duration(step.migration.faultSeconds)}/fault` : ""}` : "";
      const codes = step.diagnostics.map((d) => d.code).join(" ");
      lines.push(`  ${step.index}. ${step.text} → ${containers}${plugged ? `; ${plugged}` : ""}${step.sharedBytes ? `; shared ${bytes(step.sharedBytes)}` : ""}${migration}${codes ? `; ${codes}` : ""}`);
    }
  }
  return lines.join("\n");
}

for (const path of exampleFiles()) {
  const name = basename(path);
  test(`scenarios of ${name}, step by step`, () => {
    const actual = describeSteps(path);
    let entry = cases.find((c) => c.title === name);
    if (updating) {
      if (!entry) cases.push((entry = { title: name, input: "", sections: new Map() } as FixtureCase));
      entry.sections.set("steps", actual);
      return;
    }
    assert.ok(entry, `test/fixtures/examples/scenarios.txt has a case for ${name}`);
    assert.equal(actual, entry.sections.get("steps") ?? "");
  });
}
if (updating) process.on("exit", () => writeCases(fixture, cases.sort((a, b) => a.title.localeCompare(b.title))));
