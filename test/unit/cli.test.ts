// The command line as a user runs it (the bundled bin), against CLI.md: output formats and
// exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../support/fixtures";

const bin = join(repoRoot, "bin", "vmtopo.js");

function vmtopo(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: workdir });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const workdir = mkdtempSync(join(tmpdir(), "vmtopo-cli-"));
const good = "good.vmtopo";
const bad = "bad.vmtopo";
writeFileSync(join(workdir, good), "vm v {\n  memory = 4G\n}\n");
writeFileSync(join(workdir, bad), "vm v {\n  memory 4G\n}\n");

describe("vmtopo check", () => {
  test("a clean file: exit 0 and a summary", () => {
    const run = vmtopo("check", good);
    assert.equal(run.status, 0);
    assert.equal(run.stdout, "1 file checked: 0 errors, 0 warnings\n");
  });

  test("an error: exit 1, `path:line:col: severity CODE message` with 1-based positions", () => {
    const run = vmtopo("check", good, bad);
    assert.equal(run.status, 1);
    assert.equal(run.stdout.split("\n")[0], "bad.vmtopo:2:10: error VT001 expected '=' but found '4G'");
    assert.match(run.stdout, /^2 files checked: 1 error, 0 warnings$/m);
  });

  test("--format json follows CLI.md with 0-based ranges", () => {
    const run = vmtopo("check", "--format", "json", good, bad);
    assert.equal(run.status, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      files: [
        { path: good, diagnostics: [] },
        {
          path: bad,
          diagnostics: [
            {
              code: "VT001",
              severity: "error",
              message: "expected '=' but found '4G'",
              range: { start: { line: 1, character: 9 }, end: { line: 1, character: 11 } },
            },
          ],
        },
      ],
    });
  });

  test("--format sarif gives SARIF 2.1.0 with 1-based regions", () => {
    const run = vmtopo("check", `--format=sarif`, bad);
    const sarif = JSON.parse(run.stdout);
    assert.equal(sarif.version, "2.1.0");
    const [result] = sarif.runs[0].results;
    assert.equal(result.ruleId, "VT001");
    assert.equal(result.level, "error");
    assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 2, startColumn: 10, endLine: 2, endColumn: 12 });
  });

  test("an unreadable file: exit 2 with a one-line reason", () => {
    const run = vmtopo("check", "missing.vmtopo");
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "vmtopo: missing.vmtopo: no such file\n");
  });

  test("usage errors exit 2", () => {
    assert.equal(vmtopo("check").status, 2);
    assert.equal(vmtopo("check", "--format", "xml", good).status, 2);
    assert.equal(vmtopo("frobnicate").status, 2);
    assert.equal(vmtopo().status, 2);
  });
});

describe("vmtopo fmt", () => {
  test("--check exits 1 for a file that would change and leaves it alone", () => {
    const path = join(workdir, "messy.vmtopo");
    writeFileSync(path, "vm v { memory=4G }\n");
    const run = vmtopo("fmt", "--check", "messy.vmtopo");
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "messy.vmtopo: would be reformatted\n");
    assert.equal(readFileSync(path, "utf8"), "vm v { memory=4G }\n");
  });

  test("formats in place; then --check passes", () => {
    writeFileSync(join(workdir, "tidy.vmtopo"), "vm v { memory=4G }\n");
    assert.equal(vmtopo("fmt", "tidy.vmtopo").status, 0);
    assert.equal(readFileSync(join(workdir, "tidy.vmtopo"), "utf8"), "vm v {\n  memory = 4G\n}\n");
    assert.equal(vmtopo("fmt", "--check", "tidy.vmtopo").status, 0);
  });

  test("a file with syntax errors is reported and not touched", () => {
    const run = vmtopo("fmt", bad);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /bad\.vmtopo:2:10: error VT001/);
    assert.equal(readFileSync(join(workdir, bad), "utf8"), "vm v {\n  memory 4G\n}\n");
  });
});
