// End to end, in a real VS Code (code-server in headless Chromium), in the dark, light and
// high-contrast themes (screenshots in test-artifacts/fleet-verdict-*):
// - the verdict banner: a VM QEMU refuses (VT104) says so at the top of its view, in red;
//   a VT201 that QEMU 10.1 only warns about is drawn as a warning, not as a failure;
// - the fleet overview of a file with 100 VMs: hosts → VMs with verdicts and gauges, the
//   search box, a verdict filter, selecting a VM (its view lists its diagnostics only), and
//   back to the overview;
// - exports: the address map as SVG and PNG through the save dialog, and "Copy Report as
//   Markdown" into the clipboard.
//
// Run: npm run build && node scripts/e2e-setup.mjs && node --test test/e2e/fleet-verdict.test.mjs
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS_DIR, REPO_ROOT, assertE2ePrerequisites, launchVsCode, waitUntil } from "./harness.mjs";

const REQUIRED = ["package.json", "dist/extension.cjs", "dist/server.cjs", "dist/webview.js", "dist/webview.css"];
const WEBVIEW_IFRAME = 'iframe.webview.ready[src*="extensionId=vmtopo.vmtopo"]';

/** 100 VMs on 5 hosts; every ninth VM's virtio-mem has a 2 MiB block under 1 GiB pages (VT104). */
function fleetText(vms) {
  const hosts = 5;
  const out = [];
  for (let h = 0; h < hosts; h++) out.push(`host rack${h} {`, `  qemu = "${h % 2 ? "10.1" : "10.2"}"`, "  memlock = 512G", "  hugepages {", "    1G = 64", "  }", "}");
  for (let i = 0; i < vms; i++) {
    const name = `vm${String(i).padStart(3, "0")}`;
    out.push(`vm ${name} on rack${i % hosts} {`, `  memory = ${4 + (i % 5) * 4}G`, "  maxmem = 80G", "  virtio-mem vmem0 {", "    size = 32G", ...(i % 9 === 0 ? ["    block-size = 2M", "    page-size = 1G"] : []), "  }", `  vfio nic0 { host = "0000:3b:00.0" }`, "}");
  }
  return out.join("\n") + "\n";
}

const VERDICTS = `// One VM QEMU refuses, one QEMU 10.1 starts with a warning.
host old {
  qemu = "10.1"
  vfio { backend = type1 }
}

vm refused {
  memory = 4G
  maxmem = 20G
  virtio-mem m0 {
    size = 8G
    block-size = 2M
    page-size = 1G
  }
}

vm warned on old {
  confidential = tdx
  memory = 16G
  vfio nic0 { host = "0000:3b:00.0" }
}
`;

function webviewOf(vscode) {
  return vscode.page.frameLocator(WEBVIEW_IFRAME).frameLocator("#active-frame");
}

async function closeSideBar(vscode) {
  if (await vscode.page.locator("#workbench\\.parts\\.sidebar").isVisible()) await vscode.runCommand("View: Toggle Primary Side Bar Visibility");
}

async function webviewScreenshot(vscode, name) {
  await vscode.page.locator(WEBVIEW_IFRAME).screenshot({ path: path.join(ARTIFACTS_DIR, `${vscode.artifactPrefix}-${name}-webview.png`) });
}

/** Accepts VS Code's save dialog (the simple file dialog in the browser) at its proposed path. */
async function acceptSaveDialog(vscode, expectedName) {
  const input = vscode.page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible", timeout: 15_000 });
  await waitUntil(async () => (await input.inputValue()).endsWith(expectedName), { timeout: 10_000, message: () => `the save dialog to propose ${expectedName}` });
  await vscode.page.keyboard.press("Enter");
}

const THEMES = [
  { name: "dark", theme: "Default Dark Modern", full: true },
  { name: "light", theme: "Default Light Modern", full: false },
  { name: "high-contrast", theme: "Default High Contrast", full: false },
];

for (const { name, theme, full } of THEMES) {
  test(`verdict banner, fleet overview with 100 VMs${full ? ", exports and Markdown" : ""} (${name} theme)`, { timeout: 400_000 }, async (t) => {
    assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: REQUIRED });
    const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-fleet-"));
    t.after(() => rmSync(workspace, { recursive: true, force: true }));
    writeFileSync(path.join(workspace, "fleet.vmtopo"), fleetText(100));
    writeFileSync(path.join(workspace, "verdicts.vmtopo"), VERDICTS);

    const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: `fleet-verdict-${name}`, settings: { "workbench.colorTheme": theme }, viewport: { width: 1800, height: 1100 } });
    try {
      // ---- the verdict banner ----
      await vscode.openFile("verdicts.vmtopo");
      await vscode.waitForLanguageMode("vmtopo");
      await closeSideBar(vscode);
      await vscode.runCommand("vmtopo: Show Mapping State");
      const webview = webviewOf(vscode);
      const banner = webview.locator(".verdict-banner");
      await banner.waitFor({ state: "visible", timeout: 30_000 });
      await waitUntil(async () => (await banner.getAttribute("data-verdict")) === "refused", { timeout: 15_000, message: () => "the refused VM's banner" });
      assert.match(await banner.innerText(), /vm refused refused by QEMU \(VT104\)/);
      assert.match(await banner.innerText(), /block-size 2 MiB is below the backend's 1 GiB pages/);
      assert.match(await banner.getAttribute("class"), /verdict-error/);
      // The banner is drawn in the theme's error colours, not in the default text colour.
      const colours = await banner.evaluate((el) => [getComputedStyle(el).borderTopColor, getComputedStyle(document.body).color]);
      assert.notEqual(colours[0], colours[1]);
      await vscode.screenshot("1-refused");
      await webviewScreenshot(vscode, "1-refused");

      await webview.locator('[data-key="vm:warned"]').click();
      await waitUntil(async () => (await banner.getAttribute("data-verdict")) === "starts-with-warnings", { timeout: 15_000, message: () => "the warned VM's banner" });
      assert.match(await banner.innerText(), /vm warned starts with warnings \(VT201\)/);
      assert.match(await banner.getAttribute("class"), /verdict-warning/);
      const check = webview.locator(".verdict").first();
      assert.match(await check.innerText(), /⚠ over \(QEMU warns\)/);
      assert.equal(await webview.locator(".verdict.fails").count(), 0, "no red failure for a warning");
      await vscode.screenshot("2-warned");
      await webviewScreenshot(vscode, "2-warned");

      // ---- the fleet overview ----
      await vscode.page.locator(".editor-group-container").first().click();
      await vscode.openFile("fleet.vmtopo");
      const overview = webview.locator(".fleet");
      await overview.waitFor({ state: "visible", timeout: 30_000 });
      await waitUntil(async () => (await webview.locator(".fleet-vm-row").count()) === 100, { timeout: 15_000, message: () => "100 VM rows" });
      assert.equal(await webview.locator(".fleet-host").count(), 5);
      assert.equal(await webview.locator('[role="tab"][data-action="select-vm"]').count(), 0, "no wall of tabs");
      assert.match(await webview.locator("#fleet-heading").innerText(), /100 VMs on 5 hosts/);
      const refusedChip = webview.locator('[data-key="filter:refused"]');
      const refusedCount = Number((await refusedChip.innerText()).match(/(\d+) refused/)[1]);
      assert.equal(refusedCount, 12, "every ninth VM is refused (VT104)");
      await vscode.screenshot("3-overview");
      await webviewScreenshot(vscode, "3-overview");

      // Search narrows the list as one types.
      const search = webview.locator(".fleet-search");
      await search.fill("vm04");
      await waitUntil(async () => (await webview.locator(".fleet-vm-row").count()) === 10, { timeout: 10_000, message: () => "10 VMs matching vm04" });
      assert.equal(await search.evaluate((el) => el === document.activeElement), true, "focus stays in the search box");
      await search.fill("");
      // The verdict filter.
      await refusedChip.click();
      await waitUntil(async () => (await webview.locator(".fleet-vm-row").count()) === refusedCount, { timeout: 10_000, message: () => "only refused VMs" });
      await vscode.screenshot("4-refused-only");

      // Select a refused VM: its view, its banner, its diagnostics only.
      await webview.locator('.fleet-vm[data-vm="vm009"]').click();
      await waitUntil(async () => (await banner.getAttribute("data-verdict")) === "refused", { timeout: 15_000, message: () => "vm009's banner" });
      assert.match(await banner.innerText(), /vm vm009 refused by QEMU \(VT104\)/);
      const heading = await webview.locator("#diagnostics-heading").innerText();
      assert.match(heading, /Diagnostics of vm vm009 \(\d+\)/);
      const listed = await webview.locator(".diagnostics-panel .diagnostic").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("aria-label")));
      // Its own two problems (its block size, and the hugepage pool it shares), not the file's 18.
      assert.deepEqual(listed.map((l) => l.split(" ")[1]).sort(), ["VT104", "VT112"], JSON.stringify(listed));
      await vscode.screenshot("5-vm009");
      await webviewScreenshot(vscode, "5-vm009");
      // Its diagnostic reveals the line in the editor.
      await webview.locator(".diagnostics-panel .diagnostic", { hasText: "VT104" }).click();
      const line = fleetText(100).split("\n").findIndex((l, i, all) => l.includes("block-size = 2M") && all.slice(0, i).reverse().find((x) => x.startsWith("vm "))?.startsWith("vm vm009")) + 1;
      await waitUntil(async () => (await vscode.cursorPosition())?.line === line, { timeout: 10_000, message: () => `the cursor at vm009's block-size, line ${line}` });
      await webview.locator('[data-action="show-overview"]').click();
      await overview.waitFor({ state: "visible", timeout: 10_000 });

      if (!full) return;
      // ---- exports ----
      await webview.locator('[data-key="filter:all"]').click();
      await webview.locator('.fleet-vm[data-vm="vm001"]').click();
      await webview.locator('[data-key="address-map"]').waitFor({ state: "visible", timeout: 15_000 });
      for (const format of ["svg", "png"]) {
        const fileName = `fleet-vm001-address-map.${format}`;
        await webview.locator(`.map-panel [data-action="export"][data-format="${format}"]`).click();
        await acceptSaveDialog(vscode, fileName);
        const file = path.join(workspace, fileName);
        await waitUntil(() => existsSync(file), { timeout: 15_000, message: () => `${fileName} written` });
        const bytes = readFileSync(file);
        if (format === "svg") {
          assert.match(bytes.toString("utf8"), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
          assert.match(bytes.toString("utf8"), />ram-below-4g<\/text>/);
        } else {
          assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
          assert.ok(bytes.length > 2000, `a real image (${bytes.length} bytes)`);
        }
      }
      assert.deepEqual(readdirSync(workspace).filter((f) => f.endsWith(".tmp")), [], "no temporary file left behind");

      // ---- Copy Report as Markdown ----
      await vscode.page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
      await vscode.runCommand("vmtopo: Copy Report as Markdown");
      const markdown = await waitUntil(
        async () => {
          const text = await vscode.page.evaluate(() => navigator.clipboard.readText()).catch(() => "");
          return text.startsWith("# vmtopo report") ? text : undefined;
        },
        { timeout: 15_000, message: () => "the report in the clipboard" },
      );
      assert.match(markdown, /\| vm009 \| rack4 \| ✗ refused by QEMU \(VT104\) \|/);
      assert.match(markdown, /## vm vm099 on rack4/);
    } catch (error) {
      await vscode.screenshot("failure").catch(() => {});
      throw error;
    } finally {
      await vscode.close();
    }
  });
}
