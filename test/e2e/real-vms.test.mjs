// End to end, in a real VS Code: the commands that meet real VMs. "Copy QEMU command line" and
// "Copy libvirt XML", from a vm's code lens and from the command palette, put on the clipboard
// exactly what `vmtopo export qemu|libvirt` prints for that VM; "Import libvirt domain…" and
// "Import QEMU command line…", from a file (picked in VS Code's file dialog) or from the
// clipboard, open exactly what `vmtopo import libvirt|qemu` prints for the same input, as an
// untitled vmtopo document named after the VM, without errors; malformed XML is refused with
// its line and column, and opens nothing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { REPO_ROOT, assertE2ePrerequisites, launchVsCode, waitUntil } from "./harness.mjs";

const CLI = path.join(REPO_ROOT, "dist", "cli.cjs");

// One vm: its lenses.
const NIC = "virtio-mem-nic.vmtopo";
const NIC_VM_LINE = readFileSync(path.join(REPO_ROOT, "examples", NIC), "utf8").split("\n").findIndex((line) => line.startsWith("vm app0 ")) + 1;

// Two VMs: the palette copies the one around the cursor, else asks which.
const TWO = `vm small {
  memory = 2G
}

vm big {
  memory = 8G
  maxmem = 24G
  virtio-mem vm0 {
    size = 16G
  }
}
`;

// A domain as `virsh dumpxml` gives it, trimmed to what matters here; valid for vmtopo.
const WEB_XML = `<domain type='kvm'>
  <name>web</name>
  <maxMemory slots='16' unit='GiB'>20</maxMemory>
  <memory unit='GiB'>4</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <cpu mode='host-passthrough'>
    <numa>
      <cell id='0' cpus='0-1' memory='4' unit='GiB'/>
    </numa>
  </cpu>
  <devices>
    <memory model='virtio-mem'>
      <target>
        <size unit='GiB'>16</size>
        <node>0</node>
        <block unit='MiB'>2</block>
        <requested unit='GiB'>2</requested>
      </target>
    </memory>
  </devices>
</domain>
`;

// A command line as libvirt writes it (JSON -object/-device), valid for vmtopo.
const DB_ARGS = `qemu-system-x86_64 \\
  -name guest=db,debug-threads=on \\
  -machine q35,usb=off,dump-guest-core=off,memory-backend=pc.ram \\
  -accel kvm \\
  -cpu host \\
  -m size=8G,slots=8,maxmem=40G \\
  -object '{"qom-type":"memory-backend-ram","id":"pc.ram","size":8589934592}' \\
  -object '{"qom-type":"memory-backend-ram","id":"memvm0","reserve":false,"size":17179869184}' \\
  -device '{"driver":"virtio-mem-pci","block-size":2097152,"requested-size":0,"memdev":"memvm0","id":"vm0"}' \\
  -nodefaults
`;

// </name> where </memory> belongs: line 3, column 25 (the closing tag's name).
const BROKEN_XML = `<domain type='kvm'>
  <name>broken
  <memory unit='GiB'>4</name>
</domain>
`;

/** `node dist/cli.cjs ARGS…`: its stdout (exit status 1 only says that the design has errors). */
function cli(...args) {
  try {
    return execFileSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  } catch (error) {
    if (error.status === 1 && error.stdout) return error.stdout;
    throw error;
  }
}

test("Copy QEMU command line / libvirt XML and Import libvirt domain / QEMU command line, as the CLI does them", { timeout: 420_000 }, async (t) => {
  assertE2ePrerequisites({ extensionDevelopmentPath: REPO_ROOT, requiredFiles: ["package.json", "dist/extension.cjs", "dist/server.cjs", "dist/cli.cjs"] });
  const workspace = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-real-vms-"));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  const file = (name) => path.join(workspace, name);
  copyFileSync(path.join(REPO_ROOT, "examples", NIC), file(NIC));
  writeFileSync(file("two.vmtopo"), TWO);
  writeFileSync(file("bad.vmtopo"), "vm bad {\n  memory = 4G\n  maxmem = 2G\n}\n"); // VT004
  writeFileSync(file("web.xml"), WEB_XML);
  writeFileSync(file("db.args"), DB_ARGS);
  writeFileSync(file("broken.xml"), BROKEN_XML);
  // The clipboard's text as a file named as the commands name the clipboard ("Imported by vmtopo
  // from the clipboard"): the CLI's import of it is what the clipboard import must open.
  mkdirSync(file("as-clipboard"));
  const asClipboard = (text) => (writeFileSync(file("as-clipboard/the clipboard"), text), file("as-clipboard/the clipboard"));

  const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT, artifactPrefix: "real-vms", permissions: ["clipboard-read", "clipboard-write"] });
  const page = vscode.page;
  const quickInput = page.locator(".quick-input-widget");
  const quickInputBox = quickInput.locator(".quick-input-box input");
  const readClipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const writeClipboard = (text) => page.evaluate((value) => navigator.clipboard.writeText(value), text);
  /** Waits until the clipboard holds something else than `before`; returns it. */
  const clipboardChange = (before, what) => waitUntil(async () => { const now = await readClipboard(); return now !== before && now; }, { timeout: 15_000, message: () => `${what} on the clipboard` });

  /** F1, the command's title, Enter; the command may go on with its own quick input. */
  async function palette(title) {
    await page.keyboard.press("F1");
    await quickInputBox.waitFor({ state: "visible" });
    await quickInputBox.fill(`>${title}`);
    await quickInput.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ state: "visible" });
    await page.keyboard.press("Enter");
  }
  /** Clicks the quick pick's row showing `label`. */
  async function pick(label, screenshot) {
    const row = quickInput.locator(".quick-input-list .monaco-list-row", { hasText: label }).first();
    await row.waitFor({ state: "visible" });
    if (screenshot) await vscode.screenshot(screenshot);
    await row.click();
  }
  /** Picks a file in the open dialog (code-server's simple dialog: a quick input taking a path). */
  async function pickFile(absolutePath, screenshot) {
    await quickInput.locator(".quick-input-title", { hasText: "Import" }).waitFor({ state: "visible" });
    // The dialog fills in its folder and lists it asynchronously: typing before that is overwritten.
    await quickInput.locator(".quick-input-list .monaco-list-row", { hasText: path.basename(absolutePath) }).first().waitFor({ state: "visible" });
    await waitUntil(async () => (await quickInputBox.inputValue()) === path.dirname(absolutePath) + "/", { timeout: 10_000, message: () => "the dialog's folder in its input" });
    await quickInputBox.fill(absolutePath);
    await quickInput.locator(".quick-input-list .monaco-list-row.focused", { hasText: path.basename(absolutePath) }).waitFor({ state: "visible" });
    if (screenshot) await vscode.screenshot(screenshot);
    await page.keyboard.press("Enter");
    await quickInput.waitFor({ state: "hidden" });
  }
  /** The whole text of the active editor, through select all and copy (the DOM shows only what is in view). */
  async function activeEditorText() {
    const before = await readClipboard();
    await writeClipboard("");
    await vscode.activeEditor().click({ position: { x: 300, y: 10 } });
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Control+C");
    const text = await clipboardChange("", "the editor's text");
    await writeClipboard(before);
    return text;
  }
  /**
   * The notification whose text includes `text`, from the notifications center (this headless
   * workbench lists notifications there without showing toasts); the center is cleared after.
   */
  async function notification(text, screenshot) {
    await palette("Notifications: Show Notifications");
    const item = page.locator(".notifications-center .notification-list-item", { hasText: text }).first();
    await item.waitFor({ state: "visible", timeout: 15_000 });
    const shown = (await item.innerText()).replace(/\s+/g, " ").trim();
    if (screenshot) await vscode.screenshot(screenshot);
    await palette("Notifications: Clear All Notifications");
    await item.waitFor({ state: "detached" });
    return shown;
  }
  const tabTitles = () => page.locator(".tabs-container .tab").evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute("aria-label") ?? tab.textContent));
  /** Runs an import to its end: a new editor with a vmtopo document named `name`, whose text is returned. */
  async function importOpens(name, run) {
    const tabsBefore = (await tabTitles()).length;
    await run();
    await waitUntil(async () => (await tabTitles()).length === tabsBefore + 1, { timeout: 15_000, message: () => "the imported design's editor" });
    await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ state: "visible" });
    await vscode.waitForLanguageMode("vmtopo");
    // Indented as the formatter writes it, not with the editor's guess for an empty document.
    await waitUntil(async () => (await page.locator("#status\\.editor\\.indentation").innerText()).trim() === "Spaces: 2", { timeout: 5_000, message: () => "'Spaces: 2' in the status bar" });
    // The verdict lens says that the server analysed it: no error ("✓ starts", not "✗ refused").
    await vscode.activeEditor().locator(".codelens-decoration", { hasText: "✓ starts" }).first().waitFor({ state: "visible", timeout: 30_000 });
    const errors = (await vscode.problems().catch(() => [])).filter((p) => p.severity === "error");
    assert.deepEqual(errors, [], "no error in the Problems panel");
    await vscode.waitForNoProblem((p) => p.severity === "error", { timeout: 5_000, description: "errors" });
    assert.equal(await vscode.squiggles().count(), 0, "no error squiggle in the imported design");
    return activeEditorText();
  }

  try {
    // --- Copy, from the lenses of the file's only vm ---
    await vscode.openFile(NIC);
    await vscode.waitForLanguageMode("vmtopo");
    await vscode.goToLine(NIC_VM_LINE, 1);
    for (const [title, target] of [["Copy QEMU command line", "qemu"], ["Copy libvirt XML", "libvirt"]]) {
      const lens = vscode.activeEditor().locator(".codelens-decoration a", { hasText: title }).first();
      await lens.waitFor({ state: "visible", timeout: 30_000 });
      await writeClipboard("");
      await lens.click();
      assert.equal(await clipboardChange("", `the ${target} export`), cli("export", target, file(NIC)), `the lens '${title}' copies what 'vmtopo export ${target}' prints`);
      await vscode.screenshot(`lens-${target}`);
      const what = target === "qemu" ? "QEMU command line" : "libvirt domain XML";
      assert.equal(await notification("copied"), `vmtopo: ${what} of vm 'app0' copied`);
    }

    // --- Copy, from the palette: the vm around the cursor, else the one picked ---
    await vscode.openFile("two.vmtopo");
    await vscode.waitForLanguageMode("vmtopo");
    await vscode.activeEditor().locator(".codelens-decoration a", { hasText: "Copy libvirt XML" }).first().waitFor({ state: "visible", timeout: 30_000 });
    await vscode.goToLine(8, 5); // inside vm big's virtio-mem block
    await writeClipboard("");
    await palette("vmtopo: Copy QEMU command line");
    assert.equal(await clipboardChange("", "big's command line"), cli("export", "qemu", file("two.vmtopo"), "--vm", "big"), "the palette copies the vm around the cursor");
    await vscode.goToLine(4, 1); // between the two VMs
    await writeClipboard("");
    await palette("vmtopo: Copy libvirt XML");
    await pick("small", "palette-pick-vm");
    assert.equal(await clipboardChange("", "small's domain"), cli("export", "libvirt", file("two.vmtopo"), "--vm", "small"), "the palette copies the vm picked");

    // --- Import, from files picked in the open dialog ---
    const fromLibvirtFile = await importOpens("web.vmtopo", async () => {
      await palette("vmtopo: Import libvirt domain…");
      await pick("From a file…");
      await pickFile(file("web.xml"), "import-libvirt-dialog");
    });
    assert.equal(fromLibvirtFile, cli("import", "libvirt", file("web.xml")), "Import libvirt domain… opens what 'vmtopo import libvirt' prints");
    await vscode.screenshot("import-libvirt-file");

    const fromQemuFile = await importOpens("db.vmtopo", async () => {
      await palette("vmtopo: Import QEMU command line…");
      await pick("From a file…");
      await pickFile(file("db.args"));
    });
    assert.equal(fromQemuFile, cli("import", "qemu", file("db.args")), "Import QEMU command line… opens what 'vmtopo import qemu' prints");
    await vscode.screenshot("import-qemu-file");

    // --- Import, from the clipboard ---
    await writeClipboard(WEB_XML);
    const fromLibvirtClipboard = await importOpens("web-2.vmtopo", async () => {
      await palette("vmtopo: Import libvirt domain…");
      await pick("From the clipboard");
    });
    assert.equal(fromLibvirtClipboard, cli("import", "libvirt", asClipboard(WEB_XML)));
    assert.match(fromLibvirtClipboard, /^\/\/ Imported by vmtopo from the libvirt domain in the clipboard\.\n/);

    await writeClipboard(DB_ARGS);
    const fromQemuClipboard = await importOpens("db-2.vmtopo", async () => {
      await palette("vmtopo: Import QEMU command line…");
      await pick("From the clipboard");
    });
    assert.equal(fromQemuClipboard, cli("import", "qemu", asClipboard(DB_ARGS)));
    assert.match(fromQemuClipboard, /^\/\/ Imported by vmtopo from the clipboard \(qemu-system-x86_64\)\.\n/);
    await vscode.screenshot("import-qemu-clipboard");

    // --- Malformed XML: an error with its line and column, and no document ---
    const tabsBefore = await tabTitles();
    await palette("vmtopo: Import libvirt domain…");
    await pick("From a file…");
    await pickFile(file("broken.xml"));
    await palette("Notifications: Show Notifications");
    const item = page.locator(".notifications-center .notification-list-item", { hasText: "malformed XML" }).first();
    await item.waitFor({ state: "visible", timeout: 15_000 });
    assert.equal((await item.locator(".notification-list-item-message").first().innerText()).trim(), "vmtopo: broken.xml:3:25: malformed XML: </name> closes <memory> opened on line 3");
    assert.deepEqual(await tabTitles(), tabsBefore, "no document opened for malformed XML");
    await vscode.screenshot("import-malformed");
    // Its button shows the place in the file.
    await item.locator(".monaco-button", { hasText: "Show in broken.xml" }).click();
    await page.locator(".tabs-container .tab.active", { hasText: "broken.xml" }).waitFor({ state: "visible" });
    await waitUntil(async () => (await vscode.cursorPosition())?.line === 3, { timeout: 10_000, message: () => "the cursor on line 3 of broken.xml" });
    assert.deepEqual(await vscode.cursorPosition(), { line: 3, column: 25 });
    await vscode.screenshot("import-malformed-shown");

    // An empty clipboard: said so, nothing opened.
    await writeClipboard("");
    const tabsBeforeEmpty = await tabTitles();
    await palette("vmtopo: Import QEMU command line…");
    await pick("From the clipboard");
    assert.equal(await notification("clipboard is empty"), "vmtopo: the clipboard is empty; copy a QEMU command line first");
    assert.deepEqual(await tabTitles(), tabsBeforeEmpty, "no document opened for an empty clipboard");

    // --- A design with an error is copied anyway (as `vmtopo export` does), with a warning ---
    await vscode.openFile("bad.vmtopo");
    await vscode.waitForLanguageMode("vmtopo");
    const refusedLens = vscode.activeEditor().locator(".codelens-decoration a", { hasText: "Copy QEMU command line" }).first();
    await refusedLens.waitFor({ state: "visible", timeout: 30_000 });
    await writeClipboard("");
    await refusedLens.click();
    assert.equal(await clipboardChange("", "bad's command line"), cli("export", "qemu", file("bad.vmtopo")));
    assert.equal(await notification("copied", "copy-with-errors"), "vmtopo: QEMU command line of vm 'bad' copied; the design has 1 error (see Problems), so QEMU will likely refuse it");
  } catch (error) {
    await vscode.screenshot("failure").catch(() => {});
    throw error;
  } finally {
    await vscode.close();
  }
});
