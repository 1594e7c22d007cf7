// End to end, in a real VS Code: "Fix all in file" (the server's source.fixAll action), picked
// from the Source Action… menu, fixes every error of the file at once: a misspelt machine, a
// lower-case unit, a misspelt attribute and a virtio-mem block size below its 1 GiB pages
// (VT104). Afterwards the Problems panel holds no error, and the saved file is the fixed design.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { REPO_ROOT, assertE2ePrerequisites, launchVsCode, waitUntil } from "./harness.mjs";

const BROKEN = `host h {
  hugepages {
    1G = 8
  }
}

vm v on h {
  machine = q53
  memory = 4g
  maxmen = 8G
}

vm w on h {
  memory = 4G
  maxmem = 8G
  virtio-mem vmem0 {
    size = 4G
    backend = memfd
    page-size = 1G
    block-size = 2M
  }
}
`;

const FIXED = BROKEN.replace("q53", "q35").replace("4g", "4G").replace("maxmen", "maxmem").replace("block-size = 2M", "block-size = 1G");

/** `vmtopo check --format json` of a file: its diagnostics' codes and severities. */
function cliDiagnostics(file) {
  let out;
  try {
    out = execFileSync(process.execPath, [path.join(REPO_ROOT, "dist", "cli.cjs"), "check", "--format", "json", file], { encoding: "utf8" });
  } catch (error) {
    if (error.status !== 1) throw error;
    out = error.stdout;
  }
  return JSON.parse(out).files[0].diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.range.start.line + 1 }));
}

test("Fix all in file, from the Source Action… menu, clears every error of the file", { timeout: 240_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: ["package.json", "dist/extension.cjs", "dist/server.cjs", "dist/cli.cjs"] });
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-fix-all-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  const file = path.join(workspace, "main.vmtopo");
  writeFileSync(file, BROKEN);
  const targeted = cliDiagnostics(file).filter((d) => d.severity === "error");
  assert.deepEqual(targeted.map((d) => d.code).sort(), ["VT001", "VT002", "VT004", "VT104"], "the design's errors, as the CLI sees them");

  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: "fix-all" });
  const page = vscode.page;
  try {
    await vscode.openFile("main.vmtopo");
    await vscode.waitForLanguageMode("vmtopo");
    for (const want of targeted) await vscode.waitForProblem((p) => p.code === want.code && p.line === want.line, { description: `${want.code} at line ${want.line}` });
    await vscode.screenshot("before");

    // Source Action… lists the server's source actions; pick "Fix all in file".
    await vscode.goToLine(8, 3);
    await vscode.runCommand("Source Action...");
    const fixAll = page.locator(".action-widget .monaco-list-row", { hasText: "Fix all in file" }).first();
    await fixAll.waitFor({ state: "visible", timeout: 15_000 });
    assert.match(await fixAll.innerText(), /Fix all in file \(4 fixes\)/);
    await vscode.screenshot("source-action-menu");
    await fixAll.click();

    await vscode.waitForNoProblem((p) => p.severity === "error", { timeout: 30_000, description: "every error" });
    for (const want of targeted) assert.ok(!(await vscode.problems()).some((p) => p.code === want.code), `${want.code} is gone`);
    // Both VMs' verdict lenses follow: "✓ starts", none refused.
    const lenses = vscode.activeEditor().locator(".codelens-decoration");
    let verdicts = [];
    await waitUntil(
      async () => {
        verdicts = (await lenses.allInnerTexts()).map((text) => text.split("|")[0].trim());
        return verdicts.length === 2 && verdicts.every((v) => v === "✓ starts");
      },
      { timeout: 15_000, message: () => `both verdict lenses to read '✓ starts' (they read ${JSON.stringify(verdicts)})` },
    );
    await vscode.screenshot("after");

    await page.keyboard.press("Control+S");
    await waitUntil(() => readFileSync(file, "utf8") !== BROKEN, { timeout: 10_000, message: () => "the fixed file on disk" });
    assert.equal(readFileSync(file, "utf8"), FIXED);
    assert.deepEqual(cliDiagnostics(file).filter((d) => d.severity === "error"), [], "the CLI finds no error left");
  } catch (error) {
    await vscode.screenshot("failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});
