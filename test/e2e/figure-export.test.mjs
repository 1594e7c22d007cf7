// End to end, in a real VS Code: the mapping-state webview's SVG and PNG buttons save the
// per-step chart and the address map where the save dialog says, under the name it proposes
// (<file>-<vm>[-<scenario>]-chart|address-map.svg|png). Each saved file is checked as a real
// image: the SVG is well-formed XML (xmllint) with an <svg> root, a title and a legend, and
// both formats decode in Chromium to an image of non-zero size.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS_DIR, REPO_ROOT, assertE2ePrerequisites, launchVsCode, waitUntil } from "./harness.mjs";

const EXAMPLE = "virtio-mem-nic.vmtopo";
const WEBVIEW_IFRAME = 'iframe.webview.ready[src*="extensionId=vmtopo.vmtopo"]';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

test("the chart and the address map export as SVG and PNG files that are real images", { timeout: 300_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: ["package.json", "dist/extension.cjs", "dist/server.cjs", "dist/webview.js"] });
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-figures-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  copyFileSync(path.join(REPO_ROOT, "examples", EXAMPLE), path.join(workspace, EXAMPLE));

  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: "figure-export", viewport: { width: 1800, height: 1100 } });
  const page = vscode.page;
  const quickInput = page.locator(".quick-input-widget");
  const quickInputBox = quickInput.locator(".quick-input-box input");
  try {
    await vscode.openFile(EXAMPLE);
    await vscode.waitForLanguageMode("vmtopo");
    await vscode.runCommand("vmtopo: Show Mapping State");
    const webview = page.frameLocator(WEBVIEW_IFRAME).frameLocator("#active-frame");
    await webview.locator('[data-key="address-map"]').waitFor({ state: "visible", timeout: 30_000 });
    await webview.locator("svg.chart").first().waitFor({ state: "visible", timeout: 30_000 });
    await vscode.screenshot("view");

    const exported = [
      { what: "chart", format: "svg", name: "virtio-mem-nic-app0-batch-window-chart.svg" },
      { what: "chart", format: "png", name: "virtio-mem-nic-app0-batch-window-chart.png" },
      { what: "address-map", format: "svg", name: "virtio-mem-nic-app0-address-map.svg" },
      { what: "address-map", format: "png", name: "virtio-mem-nic-app0-address-map.png" },
    ];
    for (const { what, format, name } of exported) {
      await webview.locator(`[data-key="export:${what}"] button[data-format="${format}"]`).click();
      // code-server's save dialog is a quick input holding the proposed path: beside the design.
      const proposed = path.join(workspace, name);
      await quickInput.locator(".quick-input-title", { hasText: "Export" }).waitFor({ state: "visible" });
      await waitUntil(async () => (await quickInputBox.inputValue()) === proposed, { timeout: 10_000, message: () => `the dialog to propose ${proposed}` });
      if (format === "svg" && what === "chart") await vscode.screenshot("save-dialog");
      await page.keyboard.press("Enter");
      await quickInput.waitFor({ state: "hidden" });
      const file = proposed;
      await waitUntil(() => existsSync(file), { timeout: 15_000, message: () => `${name} on disk` });
      const bytes = readFileSync(file);
      copyFileSync(file, path.join(ARTIFACTS_DIR, `figure-export-${name}`)); // to look at
      let dataUrl;
      if (format === "svg") {
        execFileSync("xmllint", ["--noout", file]); // throws on malformed XML
        assert.match(bytes.toString("utf8"), /^(<\?xml[^>]*>\s*)?<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${name}: an <svg> root`);
        // The file says what it shows: a title and the legend, as the view does.
        const words = what === "chart" ? [">DMA mappings per step of scenario batch-window (vm app0)</text>", ">c0 mappings</text>", ">limit</text>"] : [">Guest-physical address map of vm app0 at boot</text>", ">unplugged</text>", ">IOMMU aperture ends (48-bit IOVA space)</text>"];
        for (const word of words) assert.ok(bytes.toString("utf8").includes(word), `${name}: ${word}`);
        dataUrl = `data:image/svg+xml;base64,${bytes.toString("base64")}`;
      } else {
        assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE, `${name}: the PNG signature`);
        dataUrl = `data:image/png;base64,${bytes.toString("base64")}`;
      }
      // Decoded by Chromium, as an <img> would be.
      const size = await page.evaluate(async (url) => {
        const image = new Image();
        image.src = url;
        await image.decode();
        return { width: image.naturalWidth, height: image.naturalHeight };
      }, dataUrl);
      assert.ok(size.width > 100 && size.height > 50, `${name} decodes to an image: ${JSON.stringify(size)}`);
      t.diagnostic(`${name}: ${bytes.length} bytes, ${size.width}×${size.height}`);
    }
  } catch (error) {
    await vscode.screenshot("failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});
