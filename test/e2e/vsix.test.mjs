// End to end, in a real VS Code, with the .vsix a user would install (`npm run package`
// first): code-server installs vmtopo-<version>.vsix with --install-extension, then one
// session checks, in the dark theme and then the light one:
//   - "vmtopo: Open Example…" lists the bundled examples and opens one from the install folder;
//   - the Problems panel lists the engine's diagnostics with their codes, as `vmtopo check`;
//   - hover on a vfio device shows its container's DMA mappings, as `vmtopo report`;
//   - inlay hints and code lenses show the mapping counts of the report;
//   - the language status shows the problem counts and the worst case of the VM under the cursor;
//   - a quick fix ("Raise block-size of 'vmem0' to 4M") applies and its VT201 disappears;
//   - the extension's page shows the packaged README (client/README.md) with its screenshots;
//   - the "Get started with vmtopo" walkthrough lists its steps.
// Screenshots land in test-artifacts/vsix-*.png. VMTOPO_UPDATE_SCREENSHOTS=1 also writes the
// README's screenshots (images/screenshots/*.png) from this run; look at them before committing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS_DIR, REPO_ROOT, assertE2ePrerequisites, launchVsCode, waitUntil, workbenchTheme } from "./harness.mjs";

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
const VSIX = path.join(REPO_ROOT, `${pkg.name}-${pkg.version}.vsix`);
const EXAMPLE = "tdx-shared-assignment.vmtopo";
const UPDATE_SCREENSHOTS = process.env.VMTOPO_UPDATE_SCREENSHOTS === "1";
const SCREENSHOTS_DIR = path.join(REPO_ROOT, "images", "screenshots");
/** The screenshots the extension's README shows (client/README.md links ../images/screenshots/NAME.png). */
const README_SCREENSHOTS = new Set([...readFileSync(path.join(REPO_ROOT, "client", "README.md"), "utf8").matchAll(/images\/screenshots\/([\w-]+)\.png/g)].map((m) => m[1]));

// A virtio-mem device of 128 GiB in 2 MiB blocks next to a VFIO device on type1: QEMU's
// start-up check fails (VT201); raising the block size to 4 MiB halves the blocks and passes.
const QUICK_FIX_FILE = "virtio-mem-vfio.vmtopo";
const QUICK_FIX_TEXT = `// virtio-mem next to an assigned NIC: 128 GiB in 2 MiB blocks.
host h {
  qemu = "10.2"
}

vm app on h {
  machine = q35
  memory = 8G
  maxmem = 136G
  virtio-mem vmem0 {
    size = 128G
    block-size = 2M
  }
  vfio nic0 {}
}
`;
const QUICK_FIX_TITLE = "Raise block-size of 'vmem0' to 4M";

const count = (n) => n.toLocaleString("en-US");

function cli(args) {
  try {
    return execFileSync(process.execPath, [path.join(REPO_ROOT, "bin", "vmtopo.js"), ...args], { encoding: "utf8" });
  } catch (error) {
    if (error.status === 1) return error.stdout; // errors found
    throw error;
  }
}

// --- helpers on a session ---------------------------------------------------------------------

const quickInput = (page) => page.locator(".quick-input-widget .quick-input-box input");
const quickRow = (page, text) => page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: text }).first();

/**
 * Runs a palette command whose result is another quick pick, then picks `item` in it. The
 * palette is retried until the command is listed: a .vsix's contributions register a moment
 * after the workbench reports itself restored.
 */
async function runCommandAndPick(vscode, title, item, filter = item) {
  const page = vscode.page;
  await waitUntil(
    async () => {
      await page.keyboard.press("F1");
      await quickInput(page).waitFor({ state: "visible" });
      await quickInput(page).fill(`>${title}`);
      const listed = await quickRow(page, title).waitFor({ state: "visible", timeout: 2_000 }).then(() => true, () => false);
      if (!listed) {
        await page.keyboard.press("Escape");
        await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
      }
      return listed;
    },
    { timeout: 30_000, interval: 500, message: () => `the command '${title}' in the command palette` },
  );
  await page.keyboard.press("Enter");
  await quickRow(page, item).waitFor({ state: "visible" });
  const rows = await page.locator(".quick-input-widget .quick-input-list .monaco-list-row").allInnerTexts();
  await quickInput(page).fill(filter);
  await quickRow(page, item).waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  return rows;
}

/** The bounding box of the line number `line` (1-based) in the active editor. */
async function lineBox(vscode, line) {
  const box = await vscode
    .activeEditor()
    .locator(".margin-view-overlays .line-numbers")
    .filter({ hasText: new RegExp(`^${line}$`) })
    .first()
    .boundingBox();
  assert.ok(box, `line ${line} is not rendered`);
  return box;
}

/** Screenshot of the union of `boxes` (plus a margin) into test-artifacts/vsix-<name>.png, and images/screenshots/<name>.png when updating. */
async function clipShot(vscode, name, boxes, { margin = 12 } = {}) {
  const viewport = vscode.page.viewportSize();
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `vsix-${name}.png`);
  await vscode.page.screenshot({ path: file, clip: { x, y, width: right - x, height: bottom - y } });
  if (UPDATE_SCREENSHOTS && README_SCREENSHOTS.has(name)) {
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    copyFileSync(file, path.join(SCREENSHOTS_DIR, `${name}.png`));
  }
  return file;
}

const box = async (locator) => {
  const b = await locator.boundingBox();
  assert.ok(b, `${locator} has no box`);
  return b;
};

/** Shows the hover at the cursor (Ctrl+K Ctrl+I) and returns its locator once it holds `expected`. */
async function showHover(vscode, expected) {
  const page = vscode.page;
  const hover = page.locator(".monaco-editor .monaco-hover:visible .monaco-hover-content").first();
  await waitUntil(
    async () => {
      if (!(await hover.isVisible())) {
        await page.keyboard.press("Control+K");
        await page.keyboard.press("Control+I");
        await hover.waitFor({ state: "visible", timeout: 3_000 }).catch(() => {});
      }
      return expected.test(await hover.innerText().catch(() => ""));
    },
    { timeout: 20_000, interval: 250, message: () => `a hover matching ${expected}` },
  );
  return hover;
}

async function hideHover(vscode) {
  await vscode.page.keyboard.press("Escape");
  await vscode.page.locator(".monaco-editor .monaco-hover:visible").waitFor({ state: "hidden" });
}

/** Opens the language status hover (the `{}` entry of the status bar) and returns its text. */
async function languageStatus(vscode, expected) {
  const page = vscode.page;
  const entry = page.locator("#status\\.languageStatus");
  const hover = page.locator(".monaco-hover:visible", { hasText: "Show Problems" }).first();
  let text = "";
  await waitUntil(
    async () => {
      if (!(await hover.isVisible())) await entry.click();
      await hover.waitFor({ state: "visible", timeout: 3_000 }).catch(() => {});
      text = (await hover.innerText().catch(() => "")).replace(/\s+/g, " ");
      if (expected.every((re) => re.test(text))) return true;
      // Not there yet (e.g. figures of an older version): close it and look again.
      await page.keyboard.press("Escape");
      return false;
    },
    { timeout: 20_000, interval: 300, message: () => `the language status to show ${expected.join(" and ")} (it shows ${JSON.stringify(text)})` },
  );
  return { text, hover, entry };
}

/** The editor area and the Problems panel down to its last row. */
async function editorAndProblems(page) {
  const panel = await box(page.locator(".part.panel"));
  const rows = await page.locator(".markers-panel .monaco-list-row").filter({ visible: true }).evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().bottom));
  const bottom = Math.min(panel.y + panel.height, Math.max(panel.y + 60, ...rows) + 8);
  return [await box(page.locator(".part.editor")), { ...panel, height: bottom - panel.y }];
}

// --- the test ---------------------------------------------------------------------------------

test("the packaged .vsix in a real VS Code: examples, diagnostics, hover, inlay hints, language status, quick fix, README, walkthrough", { timeout: 360_000 }, async (t) => {
  assertE2ePrerequisites();
  assert.ok(existsSync(VSIX), `${path.basename(VSIX)} is missing: run 'npm run package' first`);
  const vsixAge = statSync(VSIX).mtimeMs;
  for (const bundle of ["dist/extension.cjs", "dist/server.cjs"]) {
    assert.ok(statSync(path.join(REPO_ROOT, bundle)).mtimeMs <= vsixAge, `${path.basename(VSIX)} is older than ${bundle}: run 'npm run package' again`);
  }

  // What the CLI says about the example is what the editor must show.
  const exampleSource = path.join(REPO_ROOT, "examples", EXAMPLE);
  const exampleLines = readFileSync(exampleSource, "utf8").split("\n");
  const expected = JSON.parse(cli(["check", "--format", "json", exampleSource])).files[0].diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.range.start.line + 1 }));
  const report = JSON.parse(cli(["report", "--format", "json", exampleSource]));
  const td0 = report.vms.find((vm) => vm.name === "td0");
  assert.ok(td0 && td0.containers.length === 1, "the example's td0 has one VFIO container");
  const [c0] = td0.containers;
  const vmLine = exampleLines.findIndex((l) => /^vm td0 on /.test(l)) + 1;
  const deviceLine = exampleLines.findIndex((l, i) => i >= vmLine && /^\s*vfio nic0 \{/.test(l)) + 1;
  const vmEnd = exampleLines.findIndex((l, i) => i >= vmLine && l === "}") + 1;
  assert.ok(vmLine > 0 && deviceLine > vmLine && vmEnd > deviceLine, "the example declares vm td0 with vfio nic0");
  const errors = expected.filter((d) => d.severity === "error").length;
  const warnings = expected.filter((d) => d.severity === "warning").length;

  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-vsix-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  writeFileSync(path.join(workspace, QUICK_FIX_FILE), QUICK_FIX_TEXT);

  const started = performance.now();
  const vscode = await launchVsCode({
    workspace,
    vsixPaths: [VSIX],
    artifactPrefix: "vsix",
    viewport: { width: 1280, height: 800 },
    settings: { "workbench.colorTheme": "Dark 2026", "editor.minimap.enabled": false, "editor.stickyScroll.enabled": false, "breadcrumbs.enabled": false, "remote.autoForwardPorts": false },
  });
  const page = vscode.page;
  try {
    t.diagnostic(`workbench ready after ${(vscode.readyAfterMs / 1000).toFixed(1)} s (includes --install-extension)`);
    // The seeded theme applies once the built-in theme extension has loaded.
    await waitUntil(async () => (await workbenchTheme(page)) === "dark", { message: () => "the dark theme" });

    await t.test("vmtopo: Open Example… lists the bundled examples and opens one", async () => {
      const rows = await runCommandAndPick(vscode, "vmtopo: Open Example", EXAMPLE, "tdx-shared");
      const bundled = ["aarch64-smmuv3-64k", "fleet", "hosts", "hugetlb-postcopy", "mixed-iommu-hotplug", "sev-snp", "tdx-shared-assignment", "virtio-mem-nic"];
      for (const name of bundled) assert.ok(rows.some((r) => r.includes(`${name}.vmtopo`)), `the quick pick lists ${name}.vmtopo: ${JSON.stringify(rows)}`);
      await page.locator(".tabs-container .tab.active", { hasText: EXAMPLE }).waitFor({ state: "visible" });
      await vscode.waitForLanguageMode("vmtopo");
    });

    await t.test("the Problems panel lists the engine's diagnostics with their codes", async () => {
      for (const want of expected) {
        const row = await vscode.waitForProblem((p) => p.code === want.code && p.line === want.line && p.source === "vmtopo", { description: `${want.code} at line ${want.line}` });
        assert.equal(row.severity, want.severity, row.ariaLabel);
      }
      // The file is the one in the extension's install folder (its imports resolve there).
      const header = await page.locator(".markers-panel .monaco-list-row", { hasText: EXAMPLE }).first().innerText();
      assert.ok(header.includes(`vmtopo.vmtopo-${pkg.version}/examples`), `opened from the install folder: ${header}`);
      const shown = (await vscode.problems()).filter((p) => p.source === "vmtopo");
      assert.equal(shown.length, expected.length, `exactly the CLI's diagnostics: ${shown.map((p) => `${p.code}@${p.line}`).join(", ")}`);
      await vscode.goToLine(vmLine, 1);
      await vscode.activeEditor().locator(".squiggly-warning").first().waitFor({ state: "visible" }); // td0's VT201, in view
      await clipShot(vscode, "diagnostics", await editorAndProblems(page), { margin: 0 });
    });

    await t.test("hover on a vfio device shows its container's DMA mappings", async () => {
      const column = exampleLines[deviceLine - 1].indexOf("nic0") + 2;
      await vscode.goToLine(deviceLine, column);
      const hover = await showHover(vscode, /DMA mappings/);
      const text = (await hover.innerText()).replace(/\s+/g, " ");
      assert.match(text, /vfio nic0 · container c0 \(type1\)/);
      assert.match(text, new RegExp(`at boot: ${count(c0.boot.mappings)} DMA mappings`));
      assert.match(text, new RegExp(`worst case: ${count(c0.worstCase.mappings)} DMA mappings`));
      assert.match(text, new RegExp(`Limit ${count(c0.limit)}`));
      const hoverBox = await box(page.locator(".monaco-editor .monaco-hover:visible").first());
      const line = await lineBox(vscode, deviceLine);
      await clipShot(vscode, "hover", [hoverBox, line, { ...line, y: line.y + 3 * line.height }], { margin: 0 });
      await hideHover(vscode);
    });

    await t.test("inlay hints and code lenses show the report's mapping counts", async () => {
      await vscode.goToLine(vmEnd, 1);
      // Monaco keeps rendered lines in no particular DOM order, and some off screen: take the visible ones.
      const lens = page.locator(".monaco-editor .codelens-decoration", { hasText: `${count(c0.boot.mappings)} DMA mappings (worst case ${count(c0.worstCase.mappings)})` }).filter({ visible: true }).first();
      await lens.waitFor({ state: "visible" });
      assert.match(await lens.innerText(), /Show mapping state/);
      // The hint after `vfio nic0 { … }`: the container's mappings at boot.
      const hint = page.locator('.monaco-editor .inlay-hint, .monaco-editor [class*="dyn-rule"]', { hasText: new RegExp(`^\\s*${count(c0.boot.mappings)}\\s+mappings?\\s*$`) }).filter({ visible: true }).first();
      await hint.waitFor({ state: "visible" });
      const memoryHint = page.locator('.monaco-editor .inlay-hint, .monaco-editor [class*="dyn-rule"]', { hasText: /GiB\sbelow\s4G/ } /* Monaco renders spaces as U+00A0 */).filter({ visible: true }).first();
      await memoryHint.waitFor({ state: "visible" });
      await clipShot(vscode, "inlay-hints", [await box(lens), await lineBox(vscode, vmEnd), { ...(await box(memoryHint)), x: (await box(memoryHint)).x + 40 }]);
    });

    await t.test("the language status shows the problems and the worst case of the VM under the cursor", async () => {
      await vscode.goToLine(deviceLine, 3);
      const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
      const problemsText = [errors ? plural(errors, "error") : "", warnings ? plural(warnings, "warning") : ""].filter(Boolean).join(", ");
      const { text, hover, entry } = await languageStatus(vscode, [new RegExp(problemsText), new RegExp(`td0: ${count(c0.worstCase.mappings)} DMA mappings worst case`)]);
      assert.match(text, /over the limit of 65,535/);
      assert.match(text, /Show mapping state/);
      assert.match((await entry.locator(".codicon").first().getAttribute("class")) ?? "", /error/, "the entry shows the error severity");
      await clipShot(vscode, "language-status", [await box(hover), await box(entry)]);
      await page.keyboard.press("Escape");
      // Outside any VM: the file's worst container (all three VMs have the same worst case here).
      await vscode.goToLine(1, 1);
      await languageStatus(vscode, [/DMA mappings worst case \((td0|td1|td2)\)/]);
      await page.keyboard.press("Escape");
    });

    await t.test("a quick fix raises the block size and its VT201 disappears", async () => {
      await vscode.openFile(QUICK_FIX_FILE);
      await vscode.waitForLanguageMode("vmtopo");
      const lines = QUICK_FIX_TEXT.split("\n");
      const blockSizeLine = lines.findIndex((l) => l.includes("block-size = 2M")) + 1;
      const isVt201 = (p) => p.code === "VT201" && p.line === blockSizeLine;
      await vscode.waitForProblem(isVt201, { description: `VT201 at line ${blockSizeLine}` });
      await vscode.goToLine(blockSizeLine, lines[blockSizeLine - 1].indexOf("2M") + 1);
      await vscode.waitForSquiggle(blockSizeLine);
      // Ctrl+. may come before the server's code actions for the new diagnostic: ask again then.
      const fix = page.locator(".action-widget .monaco-list-row.action", { hasText: QUICK_FIX_TITLE }).first();
      await waitUntil(
        async () => {
          await page.keyboard.press("Control+.");
          if (await fix.waitFor({ state: "visible", timeout: 3_000 }).then(() => true, () => false)) return true;
          await page.keyboard.press("Escape");
          return false;
        },
        { timeout: 30_000, interval: 250, message: () => `the quick fix '${QUICK_FIX_TITLE}'` },
      );
      const menu = await box(page.locator(".action-widget .monaco-list").first());
      const above = await lineBox(vscode, blockSizeLine - 4);
      const below = await lineBox(vscode, blockSizeLine + 3);
      await clipShot(vscode, "quick-fix", [{ ...menu, width: menu.width + 8, height: menu.height + 8 }, { ...above, y: above.y + above.height - 2, height: 1 }, below], { margin: 0 });
      await fix.click();
      await vscode.waitForNoProblem(isVt201, { description: "the VT201 row" });
      assert.equal((await vscode.lineText(blockSizeLine)).trim(), "block-size = 4M");
      await vscode.waitForSquiggle(blockSizeLine, { present: false });
      await vscode.screenshot("quick-fix-applied");
    });

    await t.test("the light theme shows the same", async () => {
      await vscode.runCommand("Preferences: Toggle between Light/Dark Themes");
      await waitUntil(async () => (await workbenchTheme(page)) === "light", { message: () => "the light theme" });
      await page.locator(".tabs-container .tab", { hasText: EXAMPLE }).first().click();
      await page.locator(".tabs-container .tab.active", { hasText: EXAMPLE }).waitFor({ state: "visible" });
      await vscode.showProblems();
      await vscode.goToLine(vmLine, 1);
      await clipShot(vscode, "diagnostics-light", await editorAndProblems(page), { margin: 0 });
      const column = exampleLines[deviceLine - 1].indexOf("nic0") + 2;
      await vscode.goToLine(deviceLine, column);
      await showHover(vscode, /DMA mappings/);
      const line = await lineBox(vscode, deviceLine);
      await clipShot(vscode, "hover-light", [await box(page.locator(".monaco-editor .monaco-hover:visible").first()), line, { ...line, y: line.y + 3 * line.height }], { margin: 0 });
      await hideHover(vscode);
    });

    await t.test("the extension's page shows the packaged README", async () => {
      await vscode.runCommand("Extensions: Show Installed Extensions");
      const item = page.locator(".extensions-viewlet .monaco-list-row", { hasText: "vmtopo" }).first();
      await item.waitFor({ state: "visible" });
      await item.click();
      await page.locator(".extension-editor").waitFor({ state: "visible" });
      // The README is rendered in a webview (two iframes deep); find its frame by its heading.
      let readme;
      await waitUntil(
        async () => {
          for (const frame of page.frames()) {
            const found = await frame.evaluate(() => document.querySelector("h1")?.textContent ?? "").catch(() => "");
            if (found.includes("VM memory topologies for QEMU/KVM")) return (readme = frame);
          }
          return undefined;
        },
        { message: () => "the README in the extension's page" },
      );
      // Its screenshots are there, by their alt texts. VS Code's extension page only loads
      // https images (the marketplace rewrites relative links to the repository's raw files);
      // a .vsix installed offline shows the alt texts, so their loading is not checked here.
      const readmeSource = readFileSync(path.join(REPO_ROOT, "client", "README.md"), "utf8");
      const alts = [...readmeSource.matchAll(/!\[([^\]]+)\]\([^)]+\.png\)/g)].map((m) => m[1]);
      assert.ok(alts.length > 0, "the README shows screenshots");
      const shownAlts = await readme.evaluate(() => [...document.images].map((img) => img.alt));
      assert.deepEqual(shownAlts, alts, "the packaged README is client/README.md with its screenshots");
      const text = await readme.evaluate(() => document.body.innerText);
      for (const setting of ["vmtopo.trace.server", "vmtopo.inlayHints.enabled", "vmtopo.defaultQemuVersion", "vmtopo.defaultKernelVersion"]) assert.ok(text.includes(setting), `the README documents ${setting}`);
      assert.ok(text.includes("VT201"), "the README indexes the rules");
      const activation = (await item.locator(".activation-status").innerText().catch(() => "")).trim();
      if (activation) t.diagnostic(`activation time shown in the Extensions view: ${activation}`);
      await vscode.screenshot("extension-page");
    });

    await t.test("the walkthrough 'Get started with vmtopo' shows its steps", async () => {
      await vscode.runCommand("View: Hide Panel");
      await runCommandAndPick(vscode, "Welcome: Open Walkthrough", "Get started with vmtopo", "vmtopo");
      await page.mouse.move(5, 5); // no tooltip from the Extensions view over the page
      const steps = page.locator(".gettingStartedContainer .getting-started-step");
      await page.locator(".gettingStartedContainer", { hasText: "Get started with vmtopo" }).waitFor({ state: "visible" });
      const titles = (await steps.locator(".step-title").allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(titles, pkg.contributes.walkthroughs[0].steps.map((s) => s.title));
      await vscode.screenshot("walkthrough");
    });

    t.diagnostic(`peak memory of code-server + Chromium (PSS): ${(vscode.peakMemoryKiB / 1024).toFixed(0)} MiB`);
  } catch (error) {
    await vscode.screenshot("failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
    t.diagnostic(`VS Code session took ${((performance.now() - started) / 1000).toFixed(1)} s including teardown`);
  }
});
