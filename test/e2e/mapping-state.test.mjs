// End to end, in a real VS Code (code-server in headless Chromium): "vmtopo: Show Mapping
// State" opens the webview beside the editor; it shows the address map and the container
// gauges with the numbers `vmtopo report` computes, follows edits as the user types (keeping
// the selected step), reveals declarations and diagnostics in the editor, survives a reload,
// and reads well in the dark and the light theme (screenshots in test-artifacts/).
//
// It also measures the time from a keystroke to the webview's update and prints it
// (`t.diagnostic`): the keystroke is pressed, then the webview's own MutationObserver stamps
// the moment its page shows the new document version.
//
// Run: npm run build && node scripts/e2e-setup.mjs && node --test test/e2e/mapping-state.test.mjs
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS_DIR, REPO_ROOT, assertE2ePrerequisites, launchVsCode, waitUntil, keystrokeToWebviewMs } from "./harness.mjs";

const REQUIRED = ["package.json", "dist/extension.cjs", "dist/server.cjs", "dist/webview.js", "dist/webview.css"];
const WEBVIEW_IFRAME = 'iframe.webview.ready[src*="extensionId=vmtopo.vmtopo"]';
const SAMPLES = 12;

const count = (n) => n.toLocaleString("en-US");

/** `vmtopo report --format json` of `text` (written to a scratch file beside the workspace). */
function cliReport(text, dir) {
  const file = path.join(dir, "cli-check.vmtopo");
  writeFileSync(file, text);
  return JSON.parse(execFileSync(process.execPath, [path.join(REPO_ROOT, "bin", "vmtopo.js"), "report", "--format", "json", file], { encoding: "utf8" }));
}

function workspaceWith(example, t, others = []) {
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-mapping-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  for (const name of [example, ...others]) copyFileSync(path.join(REPO_ROOT, "examples", name), path.join(workspace, name));
  const scratch = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-cli-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  return { workspace, scratch, text: readFileSync(path.join(REPO_ROOT, "examples", example), "utf8") };
}

/** The webview alone, as it is drawn: test-artifacts/<prefix>-<name>-webview.png. */
async function webviewScreenshot(vscode, name) {
  await vscode.page.locator(WEBVIEW_IFRAME).screenshot({ path: path.join(ARTIFACTS_DIR, `${vscode.artifactPrefix}-${name}-webview.png`) });
}

function webviewOf(vscode) {
  return vscode.page.frameLocator(WEBVIEW_IFRAME).frameLocator("#active-frame");
}

async function waitForView(webview, { timeout = 30_000 } = {}) {
  await webview.locator("main#view[data-version]").waitFor({ state: "attached", timeout });
  await webview.locator('[data-key="address-map"]').waitFor({ state: "visible", timeout });
}

const figure = (webview, key) => webview.locator(`[data-figure="${key}"]`).first().innerText();

async function waitForFigure(webview, key, predicate, description) {
  let last = "";
  return waitUntil(
    async () => {
      last = await figure(webview, key);
      return predicate(last) ? last : undefined;
    },
    { timeout: 15_000, interval: 50, message: () => `${description} (the view shows '${last}')` },
  );
}

/** Makes the text editor's group the active one again (after working in the webview). */
async function focusTextEditor(vscode) {
  await vscode.runCommand("View: Focus First Editor Group");
  await vscode.activeEditor().waitFor({ state: "visible", timeout: 5_000 });
}

/** Closes the side bar so that editor and webview share the window. */
async function closeSideBar(vscode) {
  if (await vscode.page.locator("#workbench\\.parts\\.sidebar").isVisible()) await vscode.runCommand("View: Toggle Primary Side Bar Visibility");
}

test("the mapping state follows the document: right numbers, updates as you type, keeps the selected step (dark theme)", { timeout: 300_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: REQUIRED });
  const EXAMPLE = "virtio-mem-nic.vmtopo";
  const { workspace, scratch, text } = workspaceWith(EXAMPLE, t);
  const report = cliReport(text, scratch);
  const vm = report.vms[0];
  const c0 = vm.containers[0];
  const scenario = report.scenarios[0];

  const vscode = await launchVsCode({
    workspace,
    extensionDevelopmentPath: REPO_ROOT,
    artifactPrefix: "mapping-state-dark",
    settings: { "workbench.colorTheme": "Default Dark Modern" },
    viewport: { width: 1800, height: 1100 },
  });
  try {
    await vscode.openFile(EXAMPLE);
    await vscode.waitForLanguageMode("vmtopo");
    await closeSideBar(vscode);
    // The editor title carries the command's button.
    await vscode.page.locator('.editor-actions [aria-label*="Show Mapping State"]').first().waitFor({ state: "visible", timeout: 15_000 });
    await vscode.runCommand("vmtopo: Show Mapping State");
    const webview = webviewOf(vscode);
    await waitForView(webview);

    // The address map: one region per section of the report, plus the PCI hole, device
    // memory and the host's reserved IOVA windows; the aperture's end.
    await waitUntil(async () => (await webview.locator(".map-region").count()) === vm.layout.sections.length + 2 + report.hosts[0].reservedIova.length, {
      timeout: 10_000,
      message: () => "a region per section, the PCI hole, device memory and the reserved window",
    });
    for (const section of vm.layout.sections) {
      await webview.locator(`[data-key="section:${section.name}:${section.start}"]`).waitFor({ state: "attached" });
    }
    assert.match(await webview.locator(".map-label.aperture-label").innerText(), /48-bit IOVA space ends at 256 TiB/);

    // The gauges at boot: the CLI's figures.
    const bootText = await waitForFigure(webview, "mappings", (s) => s.startsWith(`${count(c0.boot.mappings)} of ${count(c0.limit)}`), "boot mappings");
    t.diagnostic(`boot: ${bootText}`);
    const meter = webview.locator('[role="meter"]').first();
    assert.equal(await meter.getAttribute("aria-valuenow"), String(c0.boot.mappings));
    assert.equal(await meter.getAttribute("aria-valuemax"), String(c0.limit));
    assert.match(await webview.locator(".verdict").first().innerText(), new RegExp(`within the limit of QEMU's DMA-mapping start-up check: ${count(c0.startupCheck.total)} ≤ ${count(c0.startupCheck.limit)}`));
    assert.match(await figure(webview, "pinned"), /of 137 GiB memlock/);
    await vscode.screenshot("1-boot");

    // Keyboard: the step timeline moves with the arrow keys.
    await webview.locator('[data-key="step:0"]').focus();
    await vscode.page.keyboard.press("ArrowDown");
    await vscode.page.keyboard.press("ArrowDown");
    await webview.locator('[data-key="step:2"][aria-selected="true"]').waitFor({ state: "attached", timeout: 5_000 });
    const step2 = scenario.steps[1];
    await waitForFigure(webview, "mappings", (s) => s.startsWith(`${count(step2.containers[0].mappings)} of ${count(c0.limit)}`), "step 2's mappings");
    assert.equal(await webview.locator('[data-key="step:2"]').evaluate((el) => el === document.activeElement), true, "focus stays on the selected step");
    await webview.locator(".chart-limit").first().waitFor({ state: "attached" });
    await vscode.screenshot("2-step-2");
    await webview.locator(".map-panel").scrollIntoViewIfNeeded();
    await vscode.screenshot("3-step-2-map");
    await webviewScreenshot(vscode, "3-step-2-map");

    // Edit step 2 in the editor: the view follows, still on step 2.
    const lines = text.split("\n");
    const stepLine = lines.findIndex((l) => l.includes("resize vmem0 to 100G")) + 1;
    const column = lines[stepLine - 1].indexOf("100G") + 4; // 1-based column right after "100"
    await focusTextEditor(vscode);
    await vscode.goToLine(stepLine, column);
    for (let i = 0; i < 3; i++) await vscode.page.keyboard.press("Backspace");
    await vscode.typeText("64");
    const edited = [...lines];
    edited[stepLine - 1] = edited[stepLine - 1].replace("resize vmem0 to 100G", "resize vmem0 to 64G");
    const editedReport = cliReport(edited.join("\n"), scratch);
    const editedStep2 = editedReport.scenarios[0].steps[1];
    const after = await waitForFigure(webview, "mappings", (s) => s.startsWith(`${count(editedStep2.containers[0].mappings)} of `), "step 2's mappings after the edit");
    t.diagnostic(`after the edit, step 2: ${after}`);
    assert.equal(await webview.locator('[data-key="step:2"]').getAttribute("aria-selected"), "true", "the selected step is kept");
    assert.match(await webview.locator('[data-key="step:2"] .step-text').innerText(), /resize vmem0 to 64G/);

    // Edit → update latency: one keystroke at a time, alternating 64G ↔ 6G.
    const main = webview.locator("main#view");
    const samples = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await keystrokeToWebviewMs(vscode.page, main, i % 2 === 0 ? "Backspace" : "4"));
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)];
    t.diagnostic(`edit → webview update (ms, ${SAMPLES} keystrokes): median ${median}, min ${samples[0]}, max ${samples.at(-1)}; all: ${samples.join(", ")}`);
    assert.ok(median < 1000, `the view updates within a second of a keystroke (median ${median} ms)`);
    // Even count of keystrokes: the document reads 64G again.
    await waitForFigure(webview, "mappings", (s) => s.startsWith(`${count(editedStep2.containers[0].mappings)} of `), "the mappings after the last keystroke");
    await vscode.screenshot("4-after-edits");
  } catch (error) {
    await vscode.screenshot("failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});

test("code lens, reveal, diagnostics and reload (light theme)", { timeout: 300_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: REQUIRED });
  const EXAMPLE = "tdx-shared-assignment.vmtopo";
  const OTHER = "virtio-mem-nic.vmtopo";
  const { workspace, scratch, text } = workspaceWith(EXAMPLE, t, [OTHER]);
  const report = cliReport(text, scratch);
  const td2 = report.vms.find((v) => v.name === "td2");
  const lines = text.split("\n");

  const vscode = await launchVsCode({
    workspace,
    extensionDevelopmentPath: REPO_ROOT,
    artifactPrefix: "mapping-state-light",
    settings: { "workbench.colorTheme": "Default Light Modern" },
    viewport: { width: 1800, height: 1100 },
  });
  try {
    await vscode.openFile(EXAMPLE);
    await vscode.waitForLanguageMode("vmtopo");
    await closeSideBar(vscode);
    // The code lens above `vm td2` opens the view on td2.
    const td2Line = lines.findIndex((l) => l.startsWith("vm td2")) + 1;
    await vscode.goToLine(td2Line, 1);
    const lens = vscode.page.locator(".monaco-editor .codelens-decoration a", { hasText: "Show mapping state" });
    await waitUntil(async () => (await lens.count()) >= 2, { timeout: 30_000, message: () => "the code lenses" });
    const lenses = await lens.evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().top));
    // The lens of td2 is the one closest above the cursor's line: pick it by position.
    const lineTop = await vscode.activeEditor().locator(".view-overlays .current-line").first().evaluate((n) => n.getBoundingClientRect().top);
    const index = lenses.reduce((best, top, i) => (top < lineTop && (best < 0 || top > lenses[best]) ? i : best), -1);
    await lens.nth(index).click();
    const webview = webviewOf(vscode);
    await waitForView(webview);
    await webview.locator('[data-key="vm:td2"][aria-selected="true"]').waitFor({ state: "attached", timeout: 15_000 });
    const c0 = td2.containers[0];
    await waitForFigure(webview, "mappings", (s) => s.startsWith(`${count(c0.boot.mappings)} of ${count(c0.limit)}`), "td2's boot mappings");
    assert.match(await webview.locator(".verdict").first().innerText(), new RegExp(`over \\(QEMU refuses\\) the limit of QEMU's DMA-mapping start-up check: ${count(c0.startupCheck.total)} > ${count(c0.startupCheck.limit)}`));

    // td2's own diagnostics are listed (not the file's others); clicking one reveals it.
    const diagnostics = webview.locator(".diagnostics-panel .diagnostic");
    await waitUntil(async () => (await diagnostics.count()) === td2.diagnostics.length, { timeout: 15_000, message: () => "td2's diagnostics in the view" });
    assert.match(await webview.locator("#diagnostics-heading").innerText(), new RegExp(`Diagnostics of vm td2 \\(${td2.diagnostics.length}\\)`));
    assert.match(await webview.locator(".verdict-banner").innerText(), /vm td2 refused by QEMU \(VT201\)/);
    const first = diagnostics.first();
    const where = await first.locator(".diagnostic-where").innerText();
    await vscode.screenshot("1-td2");
    await first.click();
    const [line] = where.split(":").map(Number);
    await waitUntil(async () => (await vscode.cursorPosition())?.line === line, { timeout: 10_000, message: () => `the cursor to reach the diagnostic's line ${line}` });

    // Back to td0 and the step 1 of its small-swiotlb scenario: 64 MiB shared (the default
    // pool's conversion fails and is rolled back, so it shares nothing).
    await webview.locator('[data-key="vm:td0"]').click();
    await webview.locator('[data-key="scenario:td0-small-swiotlb"]').click();
    await webview.locator('[data-key="step:1"]').click();
    await webview.locator('[data-key="step:1"][aria-selected="true"]').waitFor({ state: "attached" });
    const td0Step = report.scenarios.find((s) => s.name === "td0-small-swiotlb").steps[0];
    await waitForFigure(webview, "mappings", (s) => s.startsWith(`${count(td0Step.containers[0].mappings)} of 65,535`), "td0 after step 1");
    await webview.locator(".fill-shared").first().waitFor({ state: "attached" });
    await vscode.screenshot("2-td0-step-1");
    await webview.locator(".map-panel").scrollIntoViewIfNeeded();
    await vscode.screenshot("3-td0-step-1-map");
    await webviewScreenshot(vscode, "3-td0-step-1-map");

    // Clicking a region reveals the attribute that defines it.
    const memoryLine = lines.findIndex((l, i) => i > lines.findIndex((x) => x.startsWith("vm td0")) && /^\s*memory = /.test(l)) + 1;
    await webview.locator('.map-region.kind-private[data-key^="section:ram-above-4g"]').click();
    await waitUntil(async () => (await vscode.cursorPosition())?.line === memoryLine, { timeout: 10_000, message: () => `the cursor to reach td0's memory attribute on line ${memoryLine}` });

    // The view follows the active .vmtopo editor, and comes back to td0's step 1.
    await focusTextEditor(vscode);
    await vscode.openFile(OTHER);
    await webview.locator('[data-key="vm-summary"] .vm-name', { hasText: "app0" }).waitFor({ state: "visible", timeout: 15_000 });
    assert.match(await webview.locator(".file-name").innerText(), /virtio-mem-nic\.vmtopo/);
    await vscode.page.locator(".editor-group-container .tabs-container .tab", { hasText: EXAMPLE }).first().click();
    await webview.locator('[data-key="vm:td0"][aria-selected="true"]').waitFor({ state: "attached", timeout: 15_000 });
    await webview.locator('[data-key="step:1"][aria-selected="true"]').waitFor({ state: "attached", timeout: 15_000 });

    // A reload restores the panel (serializer) with its selection (getState).
    // (Developer: Reload Window shuts the workbench down properly, flushing the webview's
    // state to storage; a bare page reload in the browser may not.)
    await vscode.runCommand("Developer: Reload Window");
    await vscode.page.waitForFunction(() => typeof window.driver?.whenWorkbenchRestored === "function", null, { timeout: 60_000 });
    await vscode.page.evaluate(() => window.driver.whenWorkbenchRestored());
    const restored = webviewOf(vscode);
    await waitForView(restored, { timeout: 60_000 });
    await restored.locator('[data-key="vm:td0"][aria-selected="true"]').waitFor({ state: "attached", timeout: 30_000 });
    await restored.locator('[data-key="step:1"][aria-selected="true"]').waitFor({ state: "attached", timeout: 30_000 });
    await waitForFigure(restored, "mappings", (s) => s.startsWith(`${count(td0Step.containers[0].mappings)} of 65,535`), "td0 after step 1, after the reload");
    await vscode.screenshot("4-after-reload");
  } catch (error) {
    await vscode.screenshot("failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});
