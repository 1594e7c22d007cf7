// End to end, in a real VS Code against a real QEMU 7.2: "vmtopo: Attach to QEMU…" asks for
// the QMP socket and the point of the design, and the running VM's differences from the design
// (VT501) appear in the Problems panel, then disappear when compared with the matching step.
// QEMU starts paused (-S) with requested-size = 1 GiB on its virtio-mem device; the design
// requests nothing at boot and 1 GiB after step 1 of scenario 'plug'.
//
// The mapping-state view opens with the attach and shows the running VM beside the design's
// matched step (the "Running VM" panel: Design | Live (QEMU)); after the test plugs memory with
// `qom-set … requested-size` over QMP, its Refresh button reads QEMU again and the view shows
// the difference; Detach clears it. Screenshots in the dark, light and high-contrast themes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS_DIR, REPO_ROOT, assertE2ePrerequisites, launchVsCode, pickColorTheme, waitUntil, workbenchTheme } from "./harness.mjs";

const WEBVIEW_IFRAME = 'iframe.webview.ready[src*="extensionId=vmtopo.vmtopo"]';

const DESIGN = `vm guest {
  machine = q35
  accel = tcg
  cpu = named
  memory = 2G
  maxmem = 18G
  virtio-mem vm0 {
    size = 16G
    block-size = 2M
  }
}

scenario plug for guest {
  resize vm0 to 1G
}
`;

/** QEMU with a QMP socket; resolves once its HMP prompt shows that every chardev (QMP's too) listens. */
function startQemu(socket) {
  const args = ["-machine", "q35", "-accel", "tcg", "-m", "2G,maxmem=18G", "-object", "memory-backend-ram,id=m0,size=16G,reserve=off", "-device", "virtio-mem-pci,id=vm0,memdev=m0,block-size=2M,requested-size=1G", "-nodefaults", "-nographic", "-S", "-monitor", "stdio", "-qmp", `unix:${socket},server=on,wait=off`];
  const child = spawn(process.env.VMTOPO_QEMU ?? "qemu-system-x86_64", args, { stdio: ["pipe", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`QEMU did not start: ${stderr}`)), 30_000);
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("(qemu)")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`QEMU exited (${code}): ${stderr}`)));
  });
}

/**
 * One QMP command on QEMU's socket, as a management tool would send it: greeting,
 * qmp_capabilities, the command; each answer is an event (QEMU takes one client at a time,
 * and vmtopo closes its connection after each comparison).
 */
function qmp(socket, command, args) {
  return new Promise((resolve, reject) => {
    const connection = net.createConnection(socket);
    const timer = setTimeout(() => connection.destroy(new Error(`QMP ${command}: no answer within 10 s`)), 10_000);
    let buffer = "";
    let stage = 0;
    connection.setEncoding("utf8");
    connection.on("data", (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (message.event) continue;
        if (message.error) return connection.destroy(new Error(`QMP ${command}: ${message.error.desc}`));
        if (stage === 0 && message.QMP) connection.write(JSON.stringify({ execute: "qmp_capabilities" }) + "\n");
        else if (stage === 1) connection.write(JSON.stringify({ execute: command, arguments: args }) + "\n");
        else if (stage === 2) {
          clearTimeout(timer);
          connection.end();
          resolve(message.return);
        }
        stage++;
      }
    });
    connection.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function webviewOf(vscode) {
  return vscode.page.frameLocator(WEBVIEW_IFRAME).frameLocator("#active-frame");
}

/** The webview alone, as drawn: test-artifacts/attach-qemu-<name>-webview.png. */
async function webviewScreenshot(vscode, name) {
  await vscode.page.locator(WEBVIEW_IFRAME).screenshot({ path: path.join(ARTIFACTS_DIR, `${vscode.artifactPrefix}-${name}-webview.png`) });
}

/** A row of the Running VM panel: its design and live cells and whether it is drawn as differing. */
/** One row as rendered at one moment: read in a single evaluation, so a re-render cannot mix two states. */
async function liveRow(webview, key) {
  return webview.locator(`.live-panel tr[data-row="${key}"]`).evaluate((row) => ({
    design: row.querySelector('[data-side="design"]')?.innerText ?? "",
    live: row.querySelector('[data-side="live"]')?.innerText ?? "",
    status: row.getAttribute("data-status"),
    classes: row.getAttribute("class") ?? "",
  }));
}

async function waitForLiveRow(webview, key, predicate, description) {
  let last;
  return waitUntil(
    async () => {
      last = await liveRow(webview, key).catch(() => undefined);
      return last && predicate(last) ? last : undefined;
    },
    { timeout: 30_000, interval: 100, message: () => `${description} (the row reads ${JSON.stringify(last)})` },
  );
}

/** Preferences: Color Theme, as a user picks one. */
async function pickTheme(vscode, label, expected) {
  const page = vscode.page;
  await pickColorTheme(page, label);
  await waitUntil(async () => (await workbenchTheme(page)) === expected, { message: () => `the ${label} theme` });
}

async function attach(vscode, socket, point) {
  const page = vscode.page;
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible" });
  await input.fill(">vmtopo: Attach to QEMU");
  await page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: "Attach to QEMU" }).first().waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
  // The socket's input box, then the quick pick of boot and the scenario's steps.
  await page.locator(".quick-input-widget", { hasText: "QMP socket" }).waitFor({ state: "visible" });
  await input.fill(socket);
  await page.keyboard.press("Enter");
  const row = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: point }).first();
  await row.waitFor({ state: "visible" });
  await row.click();
}

test("Attach to QEMU: the running VM's difference shows as VT501 and beside the design in the mapping-state view; a qom-set and Refresh show the new difference; Detach clears it", { timeout: 300_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: ["package.json", "dist/extension.cjs", "dist/server.cjs", "dist/webview.js", "dist/webview.css"] });
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-attach-"));
  const socket = path.join(workspace, "qmp.sock");
  writeFileSync(path.join(workspace, "guest.vmtopo"), DESIGN);
  const qemu = await startQemu(socket);
  t.after(() => {
    qemu.kill("SIGKILL");
    rmSync(workspace, { recursive: true, force: true });
  });

  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: "attach-qemu", settings: { "workbench.colorTheme": "Default Dark Modern" }, viewport: { width: 1800, height: 1100 } });
  try {
    await vscode.openFile("guest.vmtopo");
    await vscode.waitForLanguageMode("vmtopo");
    if (await vscode.page.locator("#workbench\\.parts\\.sidebar").isVisible()) await vscode.runCommand("View: Toggle Primary Side Bar Visibility");
    if ((await workbenchTheme(vscode.page)) !== "dark") await pickTheme(vscode, "Dark Modern", "dark");

    // 1. At boot: QEMU requests 1 GiB, the design nothing. The Problems panel and the view agree.
    await attach(vscode, socket, "at boot");
    const row = await vscode.waitForProblem((p) => p.code === "VT501" && p.line === 7, { timeout: 30_000, description: "VT501 on the virtio-mem line" });
    assert.equal(row.severity, "warning", row.ariaLabel);
    assert.match(row.message, /requested-size 1 GiB, the design requests 0 B at boot/);
    const webview = webviewOf(vscode);
    await webview.locator(".live-panel").waitFor({ state: "visible", timeout: 30_000 });
    const boot = await waitForLiveRow(webview, "virtio-mem:vm0:requested-size", (r) => r.status === "differs", "requested-size differs at boot");
    assert.deepEqual([boot.design, boot.live], ["0 B", "1 GiB"]);
    assert.match(boot.classes, /severity-warning/);
    assert.deepEqual(await webview.locator(".live-table thead th").allInnerTexts(), ["", "Design (at boot)", "Live (QEMU)"]);
    assert.match(await webview.locator(".live-message .diagnostic-message").first().innerText(), /virtio-mem 'vm0' has requested-size 1 GiB, the design requests 0 B at boot/);
    assert.match(await webview.locator(".live-status").innerText(), /^Matched to the design at boot · read \d\d:\d\d:\d\d/);
    assert.match(await webview.locator(".live-panel h2").innerText(), /vm guest in QEMU 7\.2\./);
    // QEMU's flat view, as read: boot RAM below 2 GiB and the device's region at 4 GiB.
    assert.deepEqual(await liveRow(webview, "ram:vm0:0").then((r) => [r.design, r.live, r.status]), ["0x1_0000_0000 – 0x5_0000_0000 (16 GiB)", "0x1_0000_0000 – 0x5_0000_0000 (16 GiB)", "same"]);
    assert.equal((await liveRow(webview, "ram:boot RAM:1")).live, "0x10_0000 – 0x8000_0000 (2,047 MiB)");
    await vscode.screenshot("difference");
    await webviewScreenshot(vscode, "dark-boot-difference");

    // 2. Compared with step 1 of plug (resize vm0 to 1G): no difference; the view moves to step 1.
    await attach(vscode, socket, "plug #1");
    await vscode.waitForNoProblem((p) => p.code === "VT501", { timeout: 30_000, description: "VT501" });
    const matched = await waitForLiveRow(webview, "virtio-mem:vm0:requested-size", (r) => r.status === "same" && r.design === "1 GiB", "requested-size as designed after step 1");
    assert.equal(matched.live, "1 GiB");
    assert.equal((await webview.locator(".live-summary").textContent()).replace(/\s+/g, " "), "✓ No difference from the design.");
    assert.equal(await webview.locator('.timeline [aria-selected="true"]').getAttribute("data-key"), "step:1");
    assert.match(await webview.locator(".live-status").innerText(), /^Matched to the design after step 1 of plug resize vm0 to 1G/);
    // Paused, no guest driver: nothing plugged yet, a note rather than a difference.
    assert.match(await webview.locator(".live-note-row").first().innerText(), /the guest has plugged 0 B of the 1 GiB requested/);
    await vscode.screenshot("matches");
    await webviewScreenshot(vscode, "dark-step1-matches");

    // 3. A management tool plugs more memory; Refresh reads QEMU again.
    await qmp(socket, "qom-set", { path: "/machine/peripheral/vm0", property: "requested-size", value: 2 * 1024 ** 3 });
    await webview.locator('.live-panel [data-action="live-refresh"]').click();
    const plugged = await waitForLiveRow(webview, "virtio-mem:vm0:requested-size", (r) => r.status === "differs", "requested-size differs after qom-set and Refresh");
    assert.deepEqual([plugged.design, plugged.live], ["1 GiB", "2 GiB"]);
    assert.match(await webview.locator(".live-message .diagnostic-message").first().innerText(), /requested-size 2 GiB, the design requests 1 GiB after step 1 of scenario 'plug'/);
    // The same difference in the Problems panel, on the step's line.
    const after = await vscode.waitForProblem((p) => p.code === "VT501" && p.line === 14, { timeout: 30_000, description: "VT501 on step 1's line" });
    assert.match(after.message, /requested-size 2 GiB/);
    await vscode.screenshot("after-qom-set");
    await webviewScreenshot(vscode, "dark-after-qom-set");

    // 4. The same view in the light and a high-contrast theme.
    await pickTheme(vscode, "Light Modern", "light");
    await webview.locator(".live-panel tr.live-differs").waitFor({ state: "visible" });
    await webviewScreenshot(vscode, "light-after-qom-set");
    await pickTheme(vscode, "Dark High Contrast", "hc-dark");
    await webview.locator(".live-panel tr.live-differs").waitFor({ state: "visible" });
    await webviewScreenshot(vscode, "hc-after-qom-set");

    // 5. Detach: the panel and the differences go.
    await webview.locator('.live-panel [data-action="live-detach"]').click();
    await webview.locator(".live-panel").waitFor({ state: "detached", timeout: 15_000 });
    await vscode.waitForNoProblem((p) => p.code === "VT501", { timeout: 30_000, description: "VT501 after detaching" });
    await webview.locator('[data-key="address-map"]').waitFor({ state: "visible" });
    await webviewScreenshot(vscode, "hc-detached");
  } catch (error) {
    await vscode.screenshot("failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});
