// End to end, in a real VS Code: the engine's diagnostics (not only syntax errors) reach the
// Problems panel, with their codes, severities and lines as `vmtopo check` reports them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { REPO_ROOT, assertE2ePrerequisites, launchVsCode } from "./harness.mjs";

const EXAMPLE = "tdx-shared-assignment.vmtopo";

test("the engine's diagnostics of an example show in the Problems panel with their codes", { timeout: 240_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: ["package.json", "dist/extension.cjs", "dist/server.cjs"] });
  const source = path.join(REPO_ROOT, "examples", EXAMPLE);
  // What the CLI reports is what the editor must show.
  const check = JSON.parse(cliCheck(source));
  const expected = check.files[0].diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.range.start.line + 1 }));
  assert.ok(expected.some((d) => d.code === "VT201") && expected.some((d) => d.code === "VT202"), "the example raises VT201 and VT202");

  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-engine-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  copyFileSync(source, path.join(workspace, EXAMPLE));

  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: "engine-diagnostics" });
  try {
    await vscode.openFile(EXAMPLE);
    await vscode.waitForLanguageMode("vmtopo");
    for (const want of expected) {
      const row = await vscode.waitForProblem((p) => p.code === want.code && p.line === want.line, { timeout: 30_000, description: `${want.code} at line ${want.line}` });
      assert.equal(row.severity, want.severity, `${want.code} at line ${want.line}: ${row.ariaLabel}`);
      assert.equal(row.source, "vmtopo");
    }
    const shown = (await vscode.problems()).filter((p) => p.source === "vmtopo");
    assert.equal(shown.length, expected.length, `the Problems panel lists exactly the CLI's diagnostics: ${shown.map((p) => `${p.code}@${p.line}`).join(", ")}`);
    await vscode.goToLine(expected[0].line, 1);
    await vscode.screenshot("engine-diagnostics");
  } catch (error) {
    await vscode.screenshot("engine-diagnostics-failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});

/** `vmtopo check --format json`; exit status 1 only says that errors were found. */
function cliCheck(file) {
  try {
    return execFileSync(process.execPath, [path.join(REPO_ROOT, "bin", "vmtopo.js"), "check", "--format", "json", file], { encoding: "utf8" });
  } catch (error) {
    if (error.status === 1) return error.stdout;
    throw error;
  }
}
