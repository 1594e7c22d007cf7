// The main job's check of the examples: each example declares, in an `// expect:` line, the
// diagnostic codes `vmtopo check` must report for it (or `none`). An example that reports
// anything else, or misses something, fails the job: the examples are documentation that
// must stay true.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const files = readdirSync("examples").filter((f) => f.endsWith(".vmtopo")).sort().map((f) => `examples/${f}`);
let output;
try {
  output = execFileSync(process.execPath, ["bin/vmtopo.js", "check", "--format", "json", ...files], { encoding: "utf8" });
} catch (error) {
  if (error.status !== 1) throw error; // 1 means "some example reports an error", which may be expected
  output = error.stdout;
}
const results = JSON.parse(output).files;
let failures = 0;
for (const { path, diagnostics } of results) {
  const line = /^\/\/ expect: ([^(]*)/m.exec(readFileSync(path, "utf8"));
  const expected = line ? line[1].trim().split(/\s+/).filter((c) => c !== "none").sort() : null;
  const actual = diagnostics.map((d) => d.code).sort();
  const ok = expected !== null && JSON.stringify(expected) === JSON.stringify(actual);
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${path.padEnd(40)} ${actual.join(" ") || "no diagnostics"}${ok ? "" : `   (expected: ${expected === null ? "an '// expect:' line" : expected.join(" ") || "none"})`}`);
  if (!ok) for (const d of diagnostics) console.log(`       ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`);
}
console.log(`${results.length - failures} passed, ${failures} failed`);
process.exitCode = failures > 0 ? 1 : 0;
