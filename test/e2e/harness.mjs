// Drives the extension in a real VS Code: code-server (VS Code in the browser, installed by
// scripts/e2e-setup.mjs) in Debian's Chromium through playwright-core, headless.
// See shared/guides/real-vscode-e2e.md for why it is done this way.
//
//   const vscode = await launchVsCode({ workspace, extensionDevelopmentPath: REPO_ROOT });
//   try {
//     await vscode.openFile("main.vmtopo");
//     const row = await vscode.waitForProblem((p) => p.code === "VT001");
//     await vscode.screenshot("with-error");
//   } finally {
//     await vscode.close();
//   }
//
// Synchronisation is by waiting on conditions (playwright's waitFor, or polling with a
// timeout), never by sleeping.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import {
  CHROMIUM_PATH,
  CODE_SERVER_ENTRY,
  CODE_SERVER_VERSION,
  NODE24_BIN,
  REPO_ROOT,
  codeServerInstalled,
  installedNode24Version,
  node24Env,
} from "../../scripts/e2e-setup.mjs";

export { REPO_ROOT };
export const ARTIFACTS_DIR = path.join(REPO_ROOT, "test-artifacts");

const HOST = "127.0.0.1";

/** Settings every run starts with (the guide's list: no chat panel, no start page, no updates). */
export const DEFAULT_SETTINGS = {
  "chat.disableAIFeatures": true,
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "editor.hover.delay": 100,
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
};

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// ---------------------------------------------------------------------------------------------
// small utilities

/** Polls `probe` until it returns a truthy value, or throws `message()` after `timeout` ms. */
/** The workbench's colour theme kind, from its classes: "dark", "light", "hc-dark", "hc-light" or "other". */
export async function workbenchTheme(page) {
  const classes = ((await page.locator(".monaco-workbench").getAttribute("class")) ?? "").split(/\s+/);
  if (classes.includes("hc-black")) return "hc-dark";
  if (classes.includes("hc-light")) return "hc-light";
  return classes.includes("vs-dark") ? "dark" : classes.includes("vs") ? "light" : "other";
}

/** Picks a colour theme by its label in "Preferences: Color Theme", as a user would. */
export async function pickColorTheme(page, label) {
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await page.keyboard.press("F1");
  await input.fill(">Preferences: Color Theme");
  const command = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { has: page.locator(".label-name", { hasText: /^Preferences: Color Theme$/ }) }).first();
  await command.waitFor({ state: "visible" });
  await command.click();
  // the theme picker replaces the command list: its placeholder asks for a colour theme
  await waitUntil(async () => /color theme/i.test((await input.getAttribute("placeholder")) ?? ""), { message: () => "the colour theme picker" });
  await input.fill(label);
  const row = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: label }).first();
  await row.waitFor({ state: "visible" });
  await row.click();
}

export async function waitUntil(probe, { timeout = 30_000, interval = 200, message = () => "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${timeout} ms waiting for ${message()}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function vscodeTmpEntries() {
  try {
    return new Set(readdirSync(os.tmpdir()).filter((name) => name.startsWith("vscode-")));
  } catch {
    return new Set();
  }
}

/** Proportional set size (KiB) of `pids` and all their descendants, from /proc. */
function processTreePssKiB(rootPids) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const seen = new Set();
  const stack = rootPids.filter(Boolean);
  while (stack.length) {
    const pid = stack.pop();
    if (seen.has(pid)) continue;
    seen.add(pid);
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // gone, or not ours to read
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return { kib: total, processes: seen.size };
}

function childPidsOf(parentPid, commandIncludes) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parentPid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(commandIncludes)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

function processGroupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// preconditions

/** Throws a message saying what to do when code-server, Chromium or the build is missing. */
export function assertE2ePrerequisites({ extensionDevelopmentPath, requiredFiles = [] } = {}) {
  const problems = [];
  if (!existsSync(CHROMIUM_PATH)) problems.push(`${CHROMIUM_PATH} is missing: run 'node scripts/e2e-setup.mjs'`);
  if (!installedNode24Version()) problems.push(`Node 24 is missing in .cache/e2e: run 'node scripts/e2e-setup.mjs'`);
  if (!codeServerInstalled()) problems.push(`code-server ${CODE_SERVER_VERSION} is missing in .cache/e2e: run 'node scripts/e2e-setup.mjs'`);
  if (extensionDevelopmentPath) {
    for (const file of requiredFiles) {
      const full = path.resolve(extensionDevelopmentPath, file);
      if (!existsSync(full)) problems.push(`${full} is missing: run 'npm run build' first`);
    }
  }
  if (problems.length) throw new Error(`end-to-end test cannot run:\n  - ${problems.join("\n  - ")}`);
}

// ---------------------------------------------------------------------------------------------
// code-server

/**
 * Starts code-server with Node 24 in its own process group, with a fresh HOME, XDG dirs,
 * user-data-dir and extensions-dir, seeded settings, on a free port; resolves once /healthz
 * answers. `vsixPaths` are installed with --install-extension into that extensions-dir first.
 */
export async function startCodeServer({ settings = {}, vsixPaths = [], logName = "code-server", healthTimeout = 30_000 } = {}) {
  const tempRoot = mkdtempSync(path.join(os.tmpdir(), "vmtopo-e2e-"));
  const dirs = {
    root: tempRoot,
    home: path.join(tempRoot, "home"),
    xdgConfig: path.join(tempRoot, "xdg-config"),
    xdgData: path.join(tempRoot, "xdg-data"),
    xdgCache: path.join(tempRoot, "xdg-cache"),
    // VS Code puts its IPC sockets (vscode-ipc-*.sock, vscode-git-*.sock) in XDG_RUNTIME_DIR
    // or the temp dir: both point inside tempRoot, so removing it removes them.
    runtime: path.join(tempRoot, "run"),
    tmp: path.join(tempRoot, "tmp"),
    userData: path.join(tempRoot, "user-data"),
    extensions: path.join(tempRoot, "extensions"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(path.join(dirs.userData, "User"), { recursive: true });
  writeFileSync(path.join(dirs.userData, "User", "settings.json"), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));

  const env = node24Env({
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_RUNTIME_DIR: dirs.runtime,
    TMPDIR: dirs.tmp,
  });
  // The tests' own Node options (--test and the like) must not leak into code-server.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const commonArgs = ["--user-data-dir", dirs.userData, "--extensions-dir", dirs.extensions];

  for (const vsix of vsixPaths) {
    const result = spawnSync(NODE24_BIN, [CODE_SERVER_ENTRY, ...commonArgs, "--install-extension", path.resolve(vsix)], {
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    if (result.status !== 0) {
      rmSync(tempRoot, { recursive: true, force: true });
      throw new Error(`code-server --install-extension ${vsix} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    }
  }

  const port = await freePort();
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const logFile = path.join(ARTIFACTS_DIR, `${logName}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(
    NODE24_BIN,
    [
      CODE_SERVER_ENTRY,
      ...commonArgs,
      "--bind-addr", `${HOST}:${port}`,
      "--auth", "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      "--reconnection-grace-time", "5",
      "--vscode-option", "enable-smoke-test-driver",
    ],
    { env, cwd: dirs.home, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exitInfo;
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve((exitInfo = { code, signal }))));

  const server = {
    port,
    pid: child.pid,
    dirs,
    logFile,
    baseUrl: `http://${HOST}:${port}`,
    /** The vscode-remote:// URI of a path on this machine, as the workbench names it. */
    remoteUri: (absPath) => `vscode-remote://${HOST}:${port}${absPath.split(path.sep).map(encodeURIComponent).join("/")}`,
    async stop() {
      if (processGroupAlive(child.pid)) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
        try {
          await waitUntil(() => !processGroupAlive(child.pid), { timeout: 5_000, interval: 100, message: () => "code-server's process group to exit" });
        } catch {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // already gone
          }
          await waitUntil(() => !processGroupAlive(child.pid), { timeout: 5_000, interval: 100, message: () => "code-server's process group to die" }).catch(() => {});
        }
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      log.end();
      rmSync(tempRoot, { recursive: true, force: true });
    },
  };

  try {
    await waitUntil(
      async () => {
        if (exitInfo) throw new Error(`code-server exited (${exitInfo.code ?? exitInfo.signal}); see ${logFile}`);
        const response = await fetch(`${server.baseUrl}/healthz`);
        return response.ok;
      },
      { timeout: healthTimeout, interval: 100, message: () => `code-server's /healthz on port ${port} (log: ${logFile})` },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

// ---------------------------------------------------------------------------------------------
// the workbench in Chromium

/**
 * Starts code-server and Chromium, opens `workspace` with the extension at
 * `extensionDevelopmentPath` loaded (or only the installed `vsixPaths`), and waits until the
 * workbench is restored. Returns a session whose `close()` must run in a `finally`.
 */
export async function launchVsCode({
  workspace,
  extensionDevelopmentPath,
  vsixPaths = [],
  settings = {},
  artifactPrefix = "e2e",
  viewport = { width: 1600, height: 1000 },
  permissions = [],
  readyTimeout = 60_000,
} = {}) {
  if (!workspace) throw new Error("launchVsCode: workspace is required");
  const tmpBefore = vscodeTmpEntries();
  const startedAt = performance.now();
  const server = await startCodeServer({ settings, vsixPaths, logName: `${artifactPrefix}-code-server` });
  let browser;
  const session = new VsCodeSession({ server, artifactPrefix, tmpBefore, startedAt });
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    session.browser = browser;
    session.chromiumPids = childPidsOf(process.pid, "chromium");
    // `permissions` such as ["clipboard-read", "clipboard-write"]: granted to the workbench's origin.
    const context = await browser.newContext({ viewport });
    if (permissions.length) await context.grantPermissions(permissions, { origin: server.baseUrl });
    const page = await context.newPage();
    session.page = page;
    page.on("console", (message) => {
      if (message.type() === "error") session.consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => session.consoleErrors.push(`pageerror: ${error.message}`));

    const query = new URLSearchParams({ folder: path.resolve(workspace) });
    if (extensionDevelopmentPath) {
      query.set("payload", JSON.stringify([["extensionDevelopmentPath", server.remoteUri(path.resolve(extensionDevelopmentPath))]]));
    }
    await page.goto(`${server.baseUrl}/?${query}`);
    await page.waitForFunction(() => typeof window.driver?.whenWorkbenchRestored === "function", null, { timeout: readyTimeout });
    await page.evaluate(() => window.driver.whenWorkbenchRestored());
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: readyTimeout });
    session.sampleMemory();
    session.readyAfterMs = performance.now() - startedAt;
    return session;
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * Presses `key` and returns the milliseconds until the webview's `view` element (a locator
 * inside the webview frame) shows a `data-version` above the current one: the time from a
 * keystroke to the view's update, observed in the page, without polling.
 */
export async function keystrokeToWebviewMs(page, view, key) {
  const version = Number(await view.getAttribute("data-version"));
  await view.evaluate((element, expected) => {
    window.__vmtopoSeen = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (Number(element.getAttribute("data-version")) >= expected) {
          observer.disconnect();
          resolve(Date.now());
        }
      });
      observer.observe(element, { attributes: true, attributeFilter: ["data-version"] });
    });
  }, version + 1);
  const started = Date.now();
  await page.keyboard.press(key);
  return (await view.evaluate(() => window.__vmtopoSeen)) - started;
}

export class VsCodeSession {
  constructor({ server, artifactPrefix, tmpBefore, startedAt }) {
    this.server = server;
    this.artifactPrefix = artifactPrefix;
    this.tmpBefore = tmpBefore;
    this.startedAt = startedAt;
    this.browser = undefined;
    this.page = undefined;
    this.chromiumPids = [];
    this.consoleErrors = [];
    this.peakMemoryKiB = 0;
    this.readyAfterMs = undefined;
    this.closed = false;
    this.memoryTimer = setInterval(() => this.sampleMemory(), 1_000);
    this.memoryTimer.unref();
  }

  /** Samples the memory (PSS) of code-server's and Chromium's process trees; keeps the peak. */
  sampleMemory() {
    const { kib } = processTreePssKiB([this.server.pid, ...this.chromiumPids]);
    if (kib > this.peakMemoryKiB) this.peakMemoryKiB = kib;
    return kib;
  }

  // --- commands and files ---

  /** Runs a command from the command palette (F1) by its title, e.g. "View: Focus Problems". */
  async runCommand(title) {
    const page = this.page;
    await page.keyboard.press("F1");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor({ state: "visible" });
    await input.fill(`>${title}`);
    const row = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: title }).first();
    await row.waitFor({ state: "visible" });
    await page.keyboard.press("Enter");
    await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /** Opens a workspace file by quick open (Ctrl+P) and waits for its editor to be active. */
  async openFile(relativePath, { timeout = 20_000 } = {}) {
    const page = this.page;
    const name = path.basename(relativePath);
    await page.keyboard.press("Control+P");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor({ state: "visible", timeout });
    await input.fill(relativePath);
    await page
      .locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: name })
      .first()
      .waitFor({ state: "visible", timeout });
    await page.keyboard.press("Enter");
    await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ state: "visible", timeout });
    await this.activeEditor().waitFor({ state: "visible", timeout });
    this.sampleMemory();
  }

  /** The focused-group's editor. */
  activeEditor() {
    return this.page.locator(".editor-group-container.active .monaco-editor").first();
  }

  /** The language mode shown in the status bar (e.g. "vmtopo" or "Plain Text"). */
  async languageMode() {
    return (await this.page.locator("#status\\.editor\\.mode").innerText()).trim();
  }

  async waitForLanguageMode(expected, { timeout = 15_000 } = {}) {
    let last = "";
    await waitUntil(
      async () => {
        last = await this.languageMode();
        return last === expected;
      },
      { timeout, message: () => `the status bar's language mode to be '${expected}' (it shows '${last}')` },
    );
  }

  // --- the editor ---

  /**
   * Moves the cursor to a 1-based line and column with "Go to Line/Column" (Ctrl+G). The
   * editor is clicked first unless `focusEditor` is false (the click waits for the editor to
   * be "stable"; in high contrast its focus border keeps that from settling).
   */
  async goToLine(line, column = 1, { focusEditor = true } = {}) {
    const page = this.page;
    if (focusEditor) await this.activeEditor().click({ position: { x: 200, y: 10 } });
    await page.keyboard.press("Control+G");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press("Enter");
    await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
    await waitUntil(async () => (await this.cursorPosition())?.line === line, {
      timeout: 5_000,
      message: () => `the cursor to reach line ${line}`,
    });
  }

  /** The cursor position from the status bar ("Ln 6, Col 10"), 1-based. */
  async cursorPosition() {
    const text = await this.page.locator("#status\\.editor\\.selection").innerText();
    const match = /Ln (\d+), Col (\d+)/.exec(text);
    return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
  }

  /** Types text at the cursor of the active editor, as keystrokes. */
  async typeText(text) {
    await this.page.keyboard.type(text);
  }

  /** The text of a 1-based visible line of the active editor, as rendered. */
  async lineText(line) {
    const lines = await this.activeEditor()
      .locator(".view-lines .view-line")
      .evaluateAll((nodes) =>
        nodes
          .map((node) => ({ top: parseFloat(node.style.top), text: node.textContent.replace(/\u00a0/g, " ") }))
          .sort((a, b) => a.top - b.top)
          .map((entry) => entry.text),
      );
    const firstVisible = await this.activeEditor()
      .locator(".margin-view-overlays .line-numbers")
      .first()
      .innerText()
      .then(Number)
      .catch(() => 1);
    return lines[line - firstVisible];
  }

  /** Error squiggles currently drawn in the active editor. */
  squiggles() {
    return this.activeEditor().locator(".squiggly-error");
  }

  /** The 1-based (visible) lines of the active editor that carry an error squiggle. */
  async squiggleLines() {
    return this.activeEditor().evaluate((editor) => {
      const numbers = [...editor.querySelectorAll(".margin-view-overlays .line-numbers")].map((node) => {
        const box = node.getBoundingClientRect();
        return { line: Number(node.textContent.trim()), top: box.top, bottom: box.bottom };
      });
      const lines = new Set();
      for (const squiggle of editor.querySelectorAll(".squiggly-error")) {
        const box = squiggle.getBoundingClientRect();
        const middle = (box.top + box.bottom) / 2;
        const hit = numbers.find((n) => middle >= n.top && middle < n.bottom);
        if (hit) lines.add(hit.line);
      }
      return [...lines].sort((a, b) => a - b);
    });
  }

  /** Waits until line `line` of the active editor has (or, with present=false, has no) error squiggle. */
  async waitForSquiggle(line, { present = true, timeout = 10_000 } = {}) {
    let seen = [];
    await waitUntil(
      async () => {
        seen = await this.squiggleLines();
        return seen.includes(line) === present;
      },
      { timeout, message: () => `${present ? "an" : "no"} error squiggle on line ${line} (squiggles on lines: ${seen.join(", ") || "none"})` },
    );
  }

  // --- the Problems panel ---

  /** Opens and focuses the Problems panel. */
  async showProblems() {
    const panel = this.page.locator(".markers-panel");
    if (await panel.isVisible()) return;
    await this.page.keyboard.press("Control+Shift+M");
    // The shortcut can be swallowed while the workbench is still settling (quick open
    // closing, an editor taking focus); the command palette always reaches the view.
    const shown = await panel.waitFor({ state: "visible", timeout: 5_000 }).then(() => true, () => false);
    if (!shown) await this.runCommand("View: Show Problems");
    await panel.waitFor({ state: "visible" });
  }

  /**
   * The rows of the Problems panel that are problems (not file headers), each as
   * { ariaLabel, text, severity, message, line, column, source, code }.
   */
  async problems() {
    const rows = await this.page.locator(".markers-panel .monaco-list-row").evaluateAll((nodes) =>
      nodes.map((node) => ({
        ariaLabel: node.getAttribute("aria-label") ?? "",
        text: (node.innerText ?? node.textContent ?? "").replace(/\s+/g, " ").trim(),
        shownSource: node.querySelector(".marker-source")?.textContent?.trim(),
        shownCode: node.querySelector(".marker-code")?.textContent?.trim(),
      })),
    );
    return rows.map(parseProblemRow).filter((row) => row.line !== undefined);
  }

  /** Waits until a Problems row matches `predicate`; returns it. */
  async waitForProblem(predicate, { timeout = 30_000, description = "a matching problem" } = {}) {
    await this.showProblems();
    let seen = [];
    return waitUntil(
      async () => {
        seen = await this.problems();
        this.sampleMemory();
        return seen.find(predicate);
      },
      { timeout, interval: 250, message: () => `${description} in the Problems panel; rows seen: ${describeRows(seen)}` },
    );
  }

  /** Waits until no Problems row matches `predicate`. */
  async waitForNoProblem(predicate, { timeout = 30_000, description = "the problem" } = {}) {
    await this.showProblems();
    let seen = [];
    await waitUntil(
      async () => {
        seen = await this.problems();
        return !seen.some(predicate);
      },
      { timeout, interval: 250, message: () => `${description} to leave the Problems panel; rows seen: ${describeRows(seen)}` },
    );
  }

  // --- artifacts and teardown ---

  /** Saves a screenshot of the whole window to test-artifacts/<prefix>-<name>.png. */
  async screenshot(name) {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${this.artifactPrefix}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Closes the browser, kills code-server's process group, removes the temp dirs and sockets. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.memoryTimer);
    const errors = [];
    try {
      if (this.browser) await this.browser.close();
    } catch (error) {
      errors.push(error);
    } finally {
      try {
        await this.server.stop();
      } catch (error) {
        errors.push(error);
      }
      // Sockets of this run that still landed in the shared temp dir.
      for (const name of vscodeTmpEntries()) {
        if (!this.tmpBefore.has(name)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
      }
    }
    if (this.consoleErrors.length) {
      writeFileSync(path.join(ARTIFACTS_DIR, `${this.artifactPrefix}-console-errors.log`), this.consoleErrors.join("\n") + "\n");
    }
    if (errors.length) throw errors[0];
  }
}

// ---------------------------------------------------------------------------------------------
// Problems rows

const SEVERITY_WORDS = { Error: "error", Warning: "warning", Info: "information", Hint: "hint" };

/**
 * Parses a Problems row. Its aria-label reads like
 * "Error: expected '=' but found '16G' at line 7 and character 10. generated by vmtopo"
 * (no code in it); the row shows the message, then the source and the code in their own
 * elements (.marker-source, .marker-code: "vmtopo(VT001)" on screen) and "[Ln 7, Col 10]".
 * Lines and columns are 1-based.
 */
export function parseProblemRow(row) {
  const aria = /^(Error|Warning|Info|Hint): (.*) at line (\d+) and character (\d+)\.(?:.*?generated by (.+?))?\.?$/s.exec(row.ariaLabel);
  const shownPosition = /\[Ln (\d+), Col (\d+)\]/.exec(row.text);
  return {
    ...row,
    severity: aria ? SEVERITY_WORDS[aria[1]] : undefined,
    message: aria?.[2],
    line: aria ? Number(aria[3]) : shownPosition ? Number(shownPosition[1]) : undefined,
    column: aria ? Number(aria[4]) : shownPosition ? Number(shownPosition[2]) : undefined,
    source: row.shownSource ?? aria?.[5]?.trim(),
    code: row.shownCode,
  };
}

function describeRows(rows) {
  if (!rows.length) return "(none)";
  return rows.map((row) => `${JSON.stringify(row.ariaLabel)} (shown as ${JSON.stringify(row.text)})`).join("; ");
}
