// End to end, in a real VS Code: the mapping-state webview is untrusted input (issue 10).
// Content injected into the view posts `reveal` messages for /etc/passwd, ~/.ssh, VS Code's
// user settings, an https URL, and a file of the report at a range past its end; none opens
// anything. A real click on the view, posted after them (messages are handled in order),
// still reveals its declaration, so the hostile ones were processed, and dropped.
//
// Run: npm run build && node scripts/e2e-setup.mjs && node --test test/e2e/webview-untrusted.test.mjs
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { REPO_ROOT, assertE2ePrerequisites, launchVsCode, waitUntil } from "./harness.mjs";

const REQUIRED = ["package.json", "dist/extension.cjs", "dist/server.cjs", "dist/webview.js", "dist/webview.css"];
const WEBVIEW_IFRAME = 'iframe.webview.ready[src*="extensionId=vmtopo.vmtopo"]';
const EXAMPLE = "tdx-shared-assignment.vmtopo";

test("hostile reveal messages from the webview open nothing; real ones still work", { timeout: 300_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: REQUIRED });
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-untrusted-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  copyFileSync(path.join(REPO_ROOT, "examples", EXAMPLE), path.join(workspace, EXAMPLE));
  const lines = readFileSync(path.join(workspace, EXAMPLE), "utf8").split("\n");
  const file = path.join(workspace, EXAMPLE);

  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: "webview-untrusted" });
  try {
    await vscode.openFile(EXAMPLE);
    await vscode.waitForLanguageMode("vmtopo");
    await vscode.runCommand("vmtopo: Show Mapping State");
    const webview = vscode.page.frameLocator(WEBVIEW_IFRAME).frameLocator("#active-frame");
    await webview.locator('[data-key="address-map"]').waitFor({ state: "visible", timeout: 60_000 });

    // Elements the view's own click handler trusts: as if markup had been injected into it.
    const hostile = [
      ["/etc/passwd", "0:0:0:1"],
      [path.join(os.homedir(), ".ssh", "id_rsa"), "0:0:0:1"],
      ["vscode-userdata:/User/settings.json", "0:0:0:1"],
      ["https://example.com/x.vmtopo", "0:0:0:1"],
      [file, `${lines.length + 100}:0:${lines.length + 100}:5`],
    ];
    await webview.locator("body").evaluate((body, items) => {
      for (const [target, range] of items) {
        const button = document.createElement("button");
        button.className = "injected";
        button.setAttribute("data-action", "reveal");
        button.setAttribute("data-file", target);
        button.setAttribute("data-range", range);
        button.textContent = target;
        body.prepend(button);
      }
    }, hostile);
    const injected = webview.locator("button.injected");
    for (let i = 0; i < hostile.length; i++) await injected.nth(i).click();

    // Then a real one: the region of td0's RAM above 4 GiB reveals its `memory` attribute.
    const memoryLine = lines.findIndex((l, i) => i > lines.findIndex((x) => x.startsWith("vm td0")) && /^\s*memory = /.test(l)) + 1;
    await webview.locator('.map-region[data-key^="section:ram-above-4g"]').first().click();
    await waitUntil(async () => (await vscode.cursorPosition())?.line === memoryLine, { timeout: 15_000, message: () => `the cursor to reach line ${memoryLine}` });

    const tabs = await vscode.page.locator(".editor-group-container .tabs-container .tab").allInnerTexts();
    assert.deepEqual(tabs.filter((t) => /passwd|id_rsa|settings|example\.com/.test(t)), [], `tabs: ${tabs.join(" | ")}`);
    await vscode.screenshot("after-hostile-reveals");
  } finally {
    await vscode.close();
  }
});
