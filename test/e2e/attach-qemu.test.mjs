// End to end, in a real VS Code against a real QEMU 7.2: "vmtopo: Attach to QEMU…" asks for
// the QMP socket and the point of the design, and the running VM's differences from the design
// (VT501) appear in the Problems panel, then disappear when compared with the matching step.
// QEMU starts paused (-S) with requested-size = 1 GiB on its virtio-mem device; the design
// requests nothing at boot and 1 GiB after step 1 of scenario 'plug'.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { REPO_ROOT, assertE2ePrerequisites, launchVsCode } from "./harness.mjs";

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

test("Attach to QEMU: the running VM's difference shows as VT501, and goes when compared with the matching step", { timeout: 240_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: ["package.json", "dist/extension.cjs", "dist/server.cjs"] });
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-attach-"));
  const socket = path.join(workspace, "qmp.sock");
  writeFileSync(path.join(workspace, "guest.vmtopo"), DESIGN);
  const qemu = await startQemu(socket);
  t.after(() => {
    qemu.kill("SIGKILL");
    rmSync(workspace, { recursive: true, force: true });
  });

  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: "attach-qemu" });
  try {
    await vscode.openFile("guest.vmtopo");
    await vscode.waitForLanguageMode("vmtopo");
    await attach(vscode, socket, "at boot");
    const row = await vscode.waitForProblem((p) => p.code === "VT501" && p.line === 7, { timeout: 30_000, description: "VT501 on the virtio-mem line" });
    assert.equal(row.severity, "warning", row.ariaLabel);
    assert.match(row.message, /requested-size 1 GiB, the design requests 0 B at boot/);
    await vscode.screenshot("attach-qemu-difference");

    await attach(vscode, socket, "plug #1");
    await vscode.waitForNoProblem((p) => p.code === "VT501", { timeout: 30_000, description: "VT501" });
    await vscode.screenshot("attach-qemu-matches");
  } catch (error) {
    await vscode.screenshot("attach-qemu-failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});
