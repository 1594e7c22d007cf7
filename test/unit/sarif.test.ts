// `vmtopo check --format sarif` on the bundled examples passes Microsoft's SARIF Multitool
// with no error: URIs relative to %SRCROOT% (or absolute file URIs without a base), absolute
// rule links, the tool's version. Warnings (no informationUri: the project has no public home
// page yet) are allowed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/fixtures";
import { sarifFindings } from "../support/sarif-multitool";

const bin = join(repoRoot, "bin", "vmtopo.js");
const out = mkdtempSync(join(tmpdir(), "vmtopo-sarif-"));
const examples = readdirSync(join(repoRoot, "examples")).filter((name) => name.endsWith(".vmtopo"));
const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version;

function sarifOf(paths: string[], cwd: string, file: string) {
  const run = spawnSync(process.execPath, [bin, "check", "--format", "sarif", ...paths], { cwd, encoding: "utf8" });
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  writeFileSync(join(out, file), run.stdout);
  return JSON.parse(run.stdout);
}

test("relative paths: URIs relative to %SRCROOT%, which is the working directory", () => {
  const sarif = sarifOf(examples, join(repoRoot, "examples"), "relative.sarif");
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.version, version);
  assert.equal(run.originalUriBaseIds["%SRCROOT%"].uri, `file://${join(repoRoot, "examples")}/`);
  const locations = run.results.map((r: { locations: { physicalLocation: { artifactLocation: unknown } }[] }) => r.locations[0].physicalLocation.artifactLocation);
  assert.ok(locations.length > 10, "the examples raise diagnostics");
  for (const location of locations) assert.match(location.uri, /^[^/]+\.vmtopo$/), assert.equal(location.uriBaseId, "%SRCROOT%");
  for (const rule of run.tool.driver.rules) assert.match(rule.helpUri, /^file:\/\/\/.*\/docs\/rules\/VT\d{3}\.md$/);
  const { findings } = sarifFindings(join(out, "relative.sarif"), join(out, "relative.validation.sarif"));
  assert.deepEqual(findings.filter((line) => / error /.test(line)), []);
});

test("absolute paths: file URIs without a base", () => {
  const sarif = sarifOf(examples.map((name) => join(repoRoot, "examples", name)), out, "absolute.sarif");
  for (const result of sarif.runs[0].results) {
    const location = result.locations[0].physicalLocation.artifactLocation;
    assert.equal(location.uriBaseId, undefined);
    assert.match(location.uri, /^file:\/\/\//);
  }
  const { findings } = sarifFindings(join(out, "absolute.sarif"), join(out, "absolute.validation.sarif"));
  assert.deepEqual(findings.filter((line) => / error /.test(line)), []);
});

test("the validator finds what it must (so the tests above can fail)", () => {
  const broken = { version: "2.1.0", runs: [{ tool: { driver: { name: "x", rules: [{ id: "R1", helpUri: "docs/rules/R1.md" }] } }, results: [
    { ruleId: "R1", level: "error", message: { text: "m" }, locations: [{ physicalLocation: { artifactLocation: { uri: "/abs/a.vmtopo", uriBaseId: "%SRCROOT%" } } }] },
  ] }] };
  writeFileSync(join(out, "broken.sarif"), JSON.stringify(broken));
  const { findings } = sarifFindings(join(out, "broken.sarif"), join(out, "broken.validation.sarif"));
  assert.ok(findings.some((line) => /error SARIF1004/.test(line)), findings.join("\n"));
  assert.ok(findings.some((line) => /error SARIF1005/.test(line)), findings.join("\n"));
});
