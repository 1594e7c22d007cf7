// `npm run bench`: prints figures, asserts nothing; budgets are printed beside them.
// - parse, format, and parse + analyze + simulate of generated 500- and 5,000-line files;
// - the same 10,000-step convert scenario on a 1 GiB and a 1 TiB confidential guest: the
//   engine's cost follows ranges and steps, never memory size, so the ratio stays near 1;
// - the language server over stdio (the bundle in dist/, run `npm run build` first): from a
//   change of a 500-line file to its diagnostics, hover and completion latencies; and at
//   scale (scripts/bench-incremental.ts): one-character edits in a 50,000-line file and a fleet;
// - only when the end-to-end setup is installed (.cache/e2e, by `npm run test:e2e`): the
//   packaged extension (`npm run package` first) in a real VS Code, in fresh sessions: the
//   extension host's own activation time (Developer: Show Running Extensions) and the time
//   from opening a .vmtopo file to its first diagnostic in the Problems panel;
// - the webview at scale in headless Chromium (scripts/bench-webview.ts): 1,000 and 10,000
//   regions, fleets of 100 and 1,000 VMs.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format, parse } from "../grammar/src/index";
import { analyzeText } from "../server/src/engine/analyze";
import { TestLspClient } from "../test/support/lsp-client";
import { churnScenario as convertScenario, generatedFile } from "./bench/inputs";
import { rows as incrementalLanguageServerRows } from "./bench-incremental";
import { webviewScale } from "./bench-webview";

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(run: () => void, repetitions: number): number {
  for (let i = 0; i < 3; i++) run(); // warm up the JIT
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const rows: [string, string, string][] = [];
for (const lines of [500, 5_000]) {
  const text = generatedFile(lines);
  const parsed = parse(text);
  if (parsed.diagnostics.length > 0) throw new Error(`generated file has diagnostics: ${parsed.diagnostics[0].message}`);
  const n = lines.toLocaleString("en-US");
  rows.push([`parse ${n} lines`, `${measure(() => parse(text), 21).toFixed(2)} ms median`, ""]);
  rows.push([`format ${n} lines`, `${measure(() => format(text), 21).toFixed(2)} ms median`, ""]);
  rows.push([`parse + analyze + simulate ${n} lines`, `${measure(() => analyzeText(text), 21).toFixed(2)} ms median`, lines === 5_000 ? "budget 100 ms" : ""]);
}
const small = convertScenario("1G", 10_000);
const large = convertScenario("1T", 10_000);
for (const text of [small, large]) {
  const analysis = analyzeText(text);
  if (analysis.diagnostics.length > 0) throw new Error(`convert scenario has diagnostics: ${analysis.diagnostics[0].message}`);
}
const smallMs = measure(() => analyzeText(small), 7);
const largeMs = measure(() => analyzeText(large), 7);
rows.push(["10,000 converts, 1 GiB guest", `${smallMs.toFixed(1)} ms median`, ""]);
rows.push(["10,000 converts, 1 TiB guest", `${largeMs.toFixed(1)} ms median`, ""]);
rows.push(["1 TiB / 1 GiB time ratio", (largeMs / smallMs).toFixed(2), "budget 1.5"]);
rows.push(...(await languageServerLatencies()));
rows.push(...(await incrementalLanguageServerRows())); // scripts/bench-incremental.ts: 50,000 lines and a fleet
rows.push(...(await vscodeActivation()));
rows.push(...(await webviewScale()));

async function languageServerLatencies(): Promise<[string, string, string][]> {
  const client = await TestLspClient.start();
  try {
    const uri = "file:///bench/latency.vmtopo";
    const text = generatedFile(500);
    await client.openAndWait(uri, text);
    const lines = text.split("\n");
    const memoryLine = lines.findIndex((l) => l.includes("memory = 16G"));
    const vmBody = { line: memoryLine, character: 2 };
    const sizeValue = { line: memoryLine, character: lines[memoryLine].indexOf("16G") + 1 };
    const samples = { diagnostics: [] as number[], hover: [] as number[], completion: [] as number[] };
    for (let i = 0; i < 21; i++) {
      // A change inside a comment: the whole file is re-analysed all the same.
      const changed = text.replace("// guest 0", `// guest 0 (edit ${i})`);
      let started = performance.now();
      const version = await client.change(uri, changed);
      await client.diagnostics(uri, (p) => p.version === version);
      samples.diagnostics.push(performance.now() - started);
      started = performance.now();
      await client.request("textDocument/hover", { textDocument: { uri }, position: sizeValue });
      samples.hover.push(performance.now() - started);
      started = performance.now();
      await client.request("textDocument/completion", { textDocument: { uri }, position: vmBody });
      samples.completion.push(performance.now() - started);
    }
    return [
      ["LSP: change → diagnostics, 500 lines", `${median(samples.diagnostics).toFixed(1)} ms median`, "budget 50 ms"],
      ["LSP: hover, 500 lines", `${median(samples.hover).toFixed(1)} ms median`, "budget 20 ms"],
      ["LSP: completion, 500 lines", `${median(samples.completion).toFixed(1)} ms median`, "budget 20 ms"],
    ];
  } finally {
    await client.stop();
  }
}

/** The parts of test/e2e/harness.mjs and scripts/e2e-setup.mjs used here (plain JavaScript modules). */
interface E2eSetup {
  CHROMIUM_PATH: string;
  REPO_ROOT: string;
  codeServerInstalled(): boolean;
  installedNode24Version(): string | undefined;
}
interface Locator {
  first(): Locator;
  filter(options: { hasText?: string | RegExp }): Locator;
  waitFor(options?: { state?: string; timeout?: number }): Promise<void>;
  innerText(): Promise<string>;
  fill(text: string): Promise<void>;
}
interface VsCodeSession {
  page: {
    keyboard: { press(key: string): Promise<void> };
    locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
    waitForFunction(fn: () => boolean, arg: null, options: { polling: "raf"; timeout: number }): Promise<unknown>;
  };
  openFile(relativePath: string): Promise<void>;
  showProblems(): Promise<void>;
  runCommand(title: string): Promise<void>;
  goToLine(line: number, column?: number): Promise<void>;
  close(): Promise<void>;
}

interface FrameLocator {
  frameLocator(selector: string): FrameLocator;
  locator(selector: string): Locator & { getAttribute(name: string): Promise<string | null>; evaluate<R, A>(fn: (element: Element, arg: A) => R, arg?: A): Promise<R> };
}
interface Harness {
  keystrokeToWebviewMs(page: VsCodeSession["page"], view: unknown, key: string): Promise<number>;
  launchVsCode(options: { workspace: string; vsixPaths: string[]; artifactPrefix: string; settings: Record<string, unknown> }): Promise<VsCodeSession>;
}

/** The packaged extension in a real VS Code, cold, three sessions: activation and open → first diagnostic. */
async function vscodeActivation(): Promise<[string, string, string][]> {
  const root = new URL("../", import.meta.url);
  const setup = (await import(new URL("scripts/e2e-setup.mjs", root).href)) as E2eSetup;
  const skip = (why: string): [string, string, string][] => [["VS Code: extension activation", `skipped: ${why}`, ""]];
  if (!setup.codeServerInstalled() || !setup.installedNode24Version() || !existsSync(setup.CHROMIUM_PATH)) return skip("run npm run test:e2e once to install code-server");
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { name: string; version: string };
  const vsix = join(setup.REPO_ROOT, `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(vsix)) return skip(`run npm run package first (${pkg.name}-${pkg.version}.vsix is missing)`);
  const harness = (await import(pathToFileURL(join(setup.REPO_ROOT, "test", "e2e", "harness.mjs")).href)) as Harness;
  const activation: number[] = [];
  const firstDiagnostic: number[] = [];
  const webviewUpdate: number[] = [];
  for (let run = 0; run < 3; run++) {
    const workspace = mkdtempSync(join(tmpdir(), "vmtopo-bench-"));
    writeFileSync(join(workspace, "bench.vmtopo"), generatedFile(500));
    const vscode = await harness.launchVsCode({ workspace, vsixPaths: [vsix], artifactPrefix: "bench", settings: {} });
    try {
      await vscode.showProblems(); // empty, so that the first row is the file's first diagnostic
      const page = vscode.page;
      await page.keyboard.press("Control+P");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible" });
      await input.fill("bench.vmtopo");
      await page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: "bench.vmtopo" }).first().waitFor({ state: "visible" });
      const started = performance.now();
      await page.keyboard.press("Enter");
      await page.waitForFunction(
        () => Array.from(document.querySelectorAll(".markers-panel .monaco-list-row .marker-source")).some((node) => node.textContent?.includes("vmtopo")),
        null,
        { polling: "raf", timeout: 60_000 },
      );
      firstDiagnostic.push(performance.now() - started);
      if (run === 2) webviewUpdate.push(...(await editToWebview(vscode, harness)));
      await vscode.runCommand("Developer: Show Running Extensions");
      const row = page.locator(".runtime-extensions-editor .monaco-list-row", { hasText: "vmtopo" }).first();
      await row.filter({ hasText: /Activation: \d+ms/ }).waitFor({ state: "visible", timeout: 30_000 });
      activation.push(Number(/Activation: (\d+)ms/.exec(await row.innerText())![1]));
    } finally {
      await vscode.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  }
  const range = (samples: number[]) => `${Math.round(Math.min(...samples))}–${Math.round(Math.max(...samples))}`;
  return [
    ["VS Code: extension activation (Running Extensions)", `${median(activation).toFixed(0)} ms median (${range(activation)}, 3 cold runs)`, "budget 500 ms"],
    ["VS Code: open 500-line file → first diagnostic", `${median(firstDiagnostic).toFixed(0)} ms median (${range(firstDiagnostic)}, 3 cold runs)`, "budget 2,000 ms"],
    ["VS Code: edit → mapping-state webview updated", `${median(webviewUpdate).toFixed(0)} ms median (${range(webviewUpdate)}, ${webviewUpdate.length} keystrokes)`, "budget 300 ms after the analysis"],
  ];
}

/**
 * Opens the mapping state beside the 500-line file, then types at the end of a comment,
 * one keystroke at a time, timing each until the webview shows the new document version.
 */
async function editToWebview(vscode: VsCodeSession, harness: Harness): Promise<number[]> {
  await vscode.runCommand("vmtopo: Show Mapping State");
  const frame = (vscode.page as unknown as { frameLocator(selector: string): FrameLocator }).frameLocator('iframe.webview.ready[src*="extensionId=vmtopo.vmtopo"]').frameLocator("#active-frame");
  const view = frame.locator("main#view");
  await view.waitFor({ state: "attached", timeout: 30_000 });
  await vscode.goToLine(7, 11); // the end of "// guest 0"
  const samples: number[] = [];
  for (let i = 0; i < 12; i++) samples.push(await harness.keystrokeToWebviewMs(vscode.page, view, i % 2 === 0 ? "x" : "Backspace"));
  return samples;
}

const width = Math.max(...rows.map(([name]) => name.length));
const figureWidth = Math.max(...rows.map(([, figure]) => figure.length));
for (const [name, figure, budget] of rows) console.log(`${name.padEnd(width)}  ${figure.padEnd(figureWidth)}  ${budget}`.trimEnd());
