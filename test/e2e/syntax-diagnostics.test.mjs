// End to end, in a real VS Code (code-server in headless Chromium): a syntax error in a
// .vmtopo file shows up in the Problems panel as VT001 from vmtopo at the right line, with a
// squiggle in the editor, and goes away once the error is fixed by typing in the editor.
//
// Run: node scripts/e2e-setup.mjs && node --test test/e2e/*.test.mjs   (npm run test:e2e)
// Screenshots and code-server's log land in test-artifacts/.
//
// VMTOPO_E2E_EXTENSION=/path/to/extension runs the same test against another extension folder
// (a stand-in, to check the harness itself); by default the repository is the extension.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { REPO_ROOT, assertE2ePrerequisites, launchVsCode } from "./harness.mjs";

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "small.vmtopo");
const DIAGNOSTIC_TIMEOUT = 30_000;

/** The first examples/*.vmtopo alphabetically, or the test's own fixture when there is none. */
function pickSourceFile() {
  const examples = path.join(REPO_ROOT, "examples");
  const candidates = existsSync(examples) ? readdirSync(examples).filter((name) => name.endsWith(".vmtopo")).sort() : [];
  for (const name of candidates) {
    const file = path.join(examples, name);
    if (findAttributeLine(readFileSync(file, "utf8").split("\n"))) return file;
  }
  return FIXTURE;
}

const ATTRIBUTE = /^(\s*)([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(\S.*)$/;

/** An attribute line `name = value` to break, preferring a numeric value (`memory = 16G`). */
function findAttributeLine(lines) {
  let fallback;
  for (let index = 0; index < lines.length; index++) {
    const match = ATTRIBUTE.exec(lines[index]);
    if (!match) continue;
    const found = { index, indent: match[1], name: match[2], value: match[3] };
    if (/^[0-9]/.test(found.value)) return found;
    fallback ??= found;
  }
  return fallback;
}

test("a syntax error shows as VT001 in the Problems panel and goes away when fixed", { timeout: 240_000 }, async (t) => {
  const extensionDevelopmentPath = process.env.VMTOPO_E2E_EXTENSION ? path.resolve(process.env.VMTOPO_E2E_EXTENSION) : REPO_ROOT;
  assertE2ePrerequisites({
    extensionDevelopmentPath,
    requiredFiles: process.env.VMTOPO_E2E_EXTENSION ? ["package.json"] : ["package.json", "dist/extension.cjs", "dist/server.cjs"],
  });

  // A workspace with one file whose attribute line has lost its '='.
  const source = pickSourceFile();
  const lines = readFileSync(source, "utf8").split("\n");
  const attribute = findAttributeLine(lines);
  assert.ok(attribute, `${source} has no 'name = value' line to break`);
  const fileName = "syntax-error.vmtopo";
  const brokenLine = `${attribute.indent}${attribute.name} ${attribute.value}`;
  const fixedLine = `${attribute.indent}${attribute.name} = ${attribute.value}`;
  const errorLine = attribute.index + 1; // 1-based, as the Problems panel shows it
  const valueColumn = attribute.indent.length + attribute.name.length + 2; // where '=' goes back
  lines[attribute.index] = brokenLine;
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-workspace-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  writeFileSync(path.join(workspace, fileName), lines.join("\n"));
  t.diagnostic(`source: ${path.relative(REPO_ROOT, source)}; line ${errorLine} broken to ${JSON.stringify(brokenLine)}`);

  const isSyntaxErrorAtLine = (problem) => problem.line === errorLine && problem.code === "VT001";
  const started = performance.now();
  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath, artifactPrefix: "syntax-diagnostics" });
  try {
    t.diagnostic(`workbench ready after ${(vscode.readyAfterMs / 1000).toFixed(1)} s`);
    await vscode.openFile(fileName);
    await vscode.waitForLanguageMode("vmtopo").catch((error) => {
      throw new Error(`the extension did not register the vmtopo language for ${fileName}: ${error.message}`);
    });

    let problem;
    try {
      problem = await vscode.waitForProblem(isSyntaxErrorAtLine, {
        timeout: DIAGNOSTIC_TIMEOUT,
        description: `a VT001 diagnostic at line ${errorLine}`,
      });
    } catch (error) {
      await vscode.screenshot("failure-no-diagnostic").catch(() => {});
      throw new Error(`the vmtopo extension published no syntax diagnostic within ${DIAGNOSTIC_TIMEOUT / 1000} s: ${error.message}\ncode-server log: ${vscode.server.logFile}`);
    }
    t.diagnostic(`Problems row: aria-label ${JSON.stringify(problem.ariaLabel)}; text ${JSON.stringify(problem.text)}`);
    assert.equal(problem.severity, "error", `VT001 should be an error: ${problem.ariaLabel}`);
    assert.equal(problem.line, errorLine);
    assert.equal(problem.source, "vmtopo", `the row should name vmtopo as its source: ${problem.ariaLabel}`);
    assert.match(problem.ariaLabel, new RegExp(`at line ${errorLine} and character \\d+\\..*generated by vmtopo`));
    assert.equal(problem.code, "VT001");
    assert.match(problem.text, /vmtopo\s*\(?VT001\)?/, `the row should show vmtopo(VT001): ${problem.text}`);
    assert.match(problem.text, new RegExp(`\\[Ln ${errorLine}, Col \\d+\\]`));
    // Bring the line into view, with the cursor where the '=' belongs, and see the squiggle.
    await vscode.goToLine(errorLine, valueColumn);
    await vscode.waitForSquiggle(errorLine);
    await vscode.screenshot("1-error-shown");

    // Fix it as a person would: type the '=' back in.
    await vscode.typeText("= ");
    assert.equal(await vscode.lineText(errorLine), fixedLine, "the editor should show the fixed line");
    await vscode.waitForNoProblem(isSyntaxErrorAtLine, {
      timeout: DIAGNOSTIC_TIMEOUT,
      description: `the VT001 diagnostic at line ${errorLine}`,
    });
    const remaining = (await vscode.problems()).filter((p) => p.code === "VT001");
    assert.deepEqual(remaining.map((p) => p.ariaLabel), [], "no syntax error should be left once the line is fixed");
    await vscode.waitForSquiggle(errorLine, { present: false });
    await vscode.screenshot("2-error-fixed");
    t.diagnostic(`peak memory of code-server + Chromium (PSS): ${(vscode.peakMemoryKiB / 1024).toFixed(0)} MiB`);
  } finally {
    await vscode.close();
    t.diagnostic(`VS Code session took ${((performance.now() - started) / 1000).toFixed(1)} s including teardown`);
  }
});
