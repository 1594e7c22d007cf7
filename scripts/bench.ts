// `npm run bench`: the figures of issue 9 ("speed at real scale"), each beside its budget, and
// ratios that do not depend on the machine's speed. Exits 1 when a budget is missed.
// In-process figures are CPU time of this process (process.cpuUsage: user + system), medians
// of several runs, so that a busy machine slows them less than wall time would; whole-process
// and language-server figures are wall time, medians of interleaved runs.
//
// Sections (VMTOPO_BENCH=engine,parser,start,lsp,webview,vscode runs only those):
// - engine: N separate 4 KiB converts fragmenting a TDX guest's shared memory (ascending,
//   descending, random), the 10,000 scattered converts of a 1 GiB and a 16 TiB guest;
// - parser: lexing, parsing and analysing generated 10,000- and 100,000-line files;
// - start: `vmtopo check` of a small file against `node -e 0`;
// - lsp: the language server over stdio (the bundle in dist/, `npm run build` first): edits
//   of a 500-line file to its diagnostics, hover and completion, continuous typing; and at
//   scale (scripts/bench-incremental.ts): one-character edits in a 50,000-line file and a fleet;
// - webview: the view at scale in headless Chromium (scripts/bench-webview.ts): 1,000 and
//   10,000 regions, fleets of 100 and 1,000 VMs;
// - vscode: only when the end-to-end setup is installed (.cache/e2e, `npm run test:e2e`):
//   the packaged extension (`npm run package` first) in a real VS Code, cold.
// scripts/bench/compare-yaml.ts measures yaml-language-server on the same content.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format, parse } from "../grammar/src/index";
import { vmtopoLexer } from "../grammar/src/lexer";
import { analyzeText } from "../server/src/engine/analyze";
import { IntervalSet } from "../server/src/engine/intervals";
import { TestLspClient } from "../test/support/lsp-client";
import { churnScenario, fragmentingScenario, generatedFile, type ConvertOrder } from "./bench/inputs";
import { rows as incrementalLanguageServerRows } from "./bench-incremental";
import { webviewScale } from "./bench-webview";

interface Row {
  section: string;
  name: string;
  figure: string;
  /** what the figure must stay under, as printed */
  budget?: string;
  ok?: boolean;
}

/** A figure checked against its budget (value ≤ limit). */
function row(section: string, name: string, value: number, limit: number, unit: string, figure?: string): Row {
  const shown = figure ?? (unit === "×" ? `${value.toFixed(2)} ×` : `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US")} ${unit}`);
  return { section, name, figure: shown, budget: `≤ ${limit.toLocaleString("en-US")} ${unit}`, ok: value <= limit };
}

function info(section: string, name: string, figure: string): Row {
  return { section, name, figure };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median CPU milliseconds of this process over `repetitions` runs, after one warm-up. */
function cpuMs(run: () => void, repetitions: number): number {
  run();
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  }
  return median(samples);
}

const wanted = new Set((process.env.VMTOPO_BENCH ?? "engine,parser,start,lsp,webview,vscode").split(","));
const rows: Row[] = [];
if (wanted.has("engine")) rows.push(...engine());
if (wanted.has("parser")) rows.push(...parser());
if (wanted.has("start")) rows.push(...start());
if (wanted.has("lsp")) rows.push(...(await languageServer()));
if (wanted.has("lsp")) rows.push(...(await incrementalLanguageServerRows()).map((r) => fromSection("lsp", r)));
if (wanted.has("webview")) rows.push(...(await webviewScale()).map((r) => fromSection("webview", r)));
if (wanted.has("vscode")) rows.push(...(await vscodeActivation()));

/** Engine time of a text: analysis minus parsing (the engine's own share). */
function engineMs(text: string, repetitions: number): number {
  const analysis = analyzeText(text);
  if (analysis.diagnostics.length > 0) throw new Error(`bench input has diagnostics: ${analysis.diagnostics[0].message}`);
  return Math.max(0, cpuMs(() => analyzeText(text), repetitions) - cpuMs(() => parse(text), repetitions));
}

function engine(): Row[] {
  const out: Row[] = [];
  const byOrder = new Map<ConvertOrder, number[]>();
  for (const steps of [10_000, 100_000]) {
    for (const order of ["ascending", "descending", "random"] as const) {
      const ms = engineMs(fragmentingScenario(steps, order), steps > 10_000 ? 3 : 5);
      byOrder.set(order, [...(byOrder.get(order) ?? []), ms]);
      const name = `${steps.toLocaleString("en-US")} fragmenting 4 KiB converts, ${order}`;
      out.push(steps > 10_000 ? row("engine", name, ms, 1000, "ms") : info("engine", name, `${ms.toFixed(1)} ms`));
    }
  }
  const [small, large] = byOrder.get("random")!;
  out.push(row("engine", "100k / 10k converts (random), time ratio (linear: 10)", large / small, 15, "×"));
  const set = IntervalSet.empty();
  for (let i = 0; i < 100_000; i++) set.add([((i * 7919) % 100_000) * 8192, (((i * 7919) % 100_000) * 8192) + 4096]);
  out.push(row("engine", "interval tree height after 100,000 scattered adds (≤ 4 log2 n)", set.height, Math.floor(4 * Math.log2(100_000)), "nodes", `${set.height} nodes`));
  const gib = engineMs(churnScenario("1G", 10_000), 7);
  const tib = engineMs(churnScenario("16T", 10_000), 7);
  out.push(row("engine", "the bench's 10,000 scattered converts, 1 GiB guest", gib, 100, "ms"));
  out.push(row("engine", "the same on a 16 TiB guest", tib, 100, "ms"));
  out.push(row("engine", "16 TiB / 1 GiB time ratio (size-independent: 1)", tib / gib, 1.5, "×"));
  return out;
}

function parser(): Row[] {
  const out: Row[] = [];
  const parseByLines = new Map<number, number>();
  const analysisByLines = new Map<number, number>();
  for (const lines of [500, 5_000]) {
    const text = generatedFile(lines);
    const n = lines.toLocaleString("en-US");
    out.push(info("parser", `parse ${n} lines`, `${cpuMs(() => parse(text), 21).toFixed(2)} ms`));
    out.push(info("parser", `format ${n} lines`, `${cpuMs(() => format(text), 21).toFixed(2)} ms`));
    const analyze = cpuMs(() => analyzeText(text), 21);
    out.push(lines === 5_000 ? row("parser", `parse + analyze + simulate ${n} lines`, analyze, 100, "ms") : info("parser", `parse + analyze + simulate ${n} lines`, `${analyze.toFixed(2)} ms`));
  }
  for (const lines of [10_000, 100_000]) {
    const text = generatedFile(lines);
    if (parse(text).diagnostics.length > 0) throw new Error("the generated file has syntax errors");
    const repetitions = lines > 10_000 ? 5 : 9;
    const lex = cpuMs(() => vmtopoLexer.tokenize(text), repetitions);
    const full = cpuMs(() => parse(text), repetitions);
    const analysis = cpuMs(() => analyzeText(text), 3);
    parseByLines.set(lines, full);
    const n = lines.toLocaleString("en-US");
    out.push(info("parser", `${n} lines: lexing / full parse / parse + analysis`, `${lex.toFixed(0)} / ${full.toFixed(0)} / ${analysis.toFixed(0)} ms`));
    // The budget is the issue's, on the 100,000-line file. At 10,000 lines the lexer's few
    // milliseconds are mostly warm, young-generation work, so the ratio says little: shown only.
    if (lines > 10_000) out.push(row("parser", `${n} lines: full parse / lexing`, full / lex, 3, "×"));
    else out.push(info("parser", `${n} lines: full parse / lexing`, `${(full / lex).toFixed(2)} ×`));
    analysisByLines.set(lines, analysis);
  }
  out.push(row("parser", "100k / 10k lines, parse time ratio (linear: 10)", parseByLines.get(100_000)! / parseByLines.get(10_000)!, 15, "×"));
  // Each generated block is a VM and its scenario: a check across VMs that cost O(n²) shows here.
  out.push(row("parser", "100k / 10k lines, parse + analysis time ratio (linear: 10)", analysisByLines.get(100_000)! / analysisByLines.get(10_000)!, 15, "×"));
  return out;
}

/** `vmtopo check` of a small file against `node -e 0`: whole processes, interleaved, wall time. */
function start(): Row[] {
  const bin = new URL("../bin/vmtopo.js", import.meta.url).pathname;
  if (!existsSync(new URL("../dist/cli.cjs", import.meta.url))) return [info("start", "vmtopo check, small file", "skipped: run npm run build first")];
  const dir = mkdtempSync(join(tmpdir(), "vmtopo-bench-"));
  const file = join(dir, "small.vmtopo");
  writeFileSync(file, 'host h {\n  qemu = "10.2"\n}\nvm v on h {\n  memory = 4G\n}\n');
  const time = (args: string[]) => {
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${args.join(" ")} failed: ${run.stderr}`);
    return performance.now() - started;
  };
  const check: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 21; i++) {
    check.push(time([bin, "check", file]));
    bare.push(time(["-e", "0"]));
  }
  rmSync(dir, { recursive: true, force: true });
  return [
    info("start", "vmtopo check, small file / node -e 0", `${median(check).toFixed(0)} / ${median(bare).toFixed(0)} ms`),
    row("start", "vmtopo check / node -e 0", median(check) / median(bare), 1.5, "×"),
  ];
}

/**
 * A row of a section's own bench module ([name, figure, "budget N unit"]): checked when its
 * figure and budget both start with a number in the same unit.
 */
function fromSection(section: string, [label, figure, budget]: [string, string, string]): Row {
  const name = label.replace(new RegExp(`^${section}:?\\s*`, "i"), "");
  const value = /^(-?[\d,.]+)\s*(ms|s|×|x)?/.exec(figure);
  const limit = /budget\s+(?:≤\s*)?([\d,.]+)\s*(ms|s|×|x)?/.exec(budget);
  if (!value || !limit || (value[2] ?? "") !== (limit[2] ?? "")) return { section, name, figure, budget: budget || undefined };
  const number = (text: string) => Number(text.replace(/,/g, ""));
  return { section, name, figure, budget: `≤ ${limit[1]} ${limit[2] ?? ""}`.trimEnd(), ok: number(value[1]) <= number(limit[1]) };
}

async function languageServer(): Promise<Row[]> {
  const out: Row[] = [];
  const client = await TestLspClient.start();
  try {
    for (const [lines, budgets] of [[500, { diagnostics: 50, hover: 20, completion: 20 }]] as const) {
      const uri = `file:///bench/latency-${lines}.vmtopo`;
      const text = generatedFile(lines);
      await client.openAndWait(uri, text);
      const textLines = text.split("\n");
      const memoryLine = textLines.findIndex((l) => l.includes("memory = 16G"));
      const vmBody = { line: memoryLine, character: 2 };
      const sizeValue = { line: memoryLine, character: textLines[memoryLine].indexOf("16G") + 1 };
      const samples = { diagnostics: [] as number[], hover: [] as number[], completion: [] as number[] };
      for (let i = 0; i < 11; i++) {
        // a one-character edit in a comment
        const changed = text.replace("// guest 0", `// guest 0${i % 2 === 0 ? "x" : ""}`);
        let started = performance.now();
        const version = await client.change(uri, changed);
        await client.diagnostics(uri, (p) => p.version === version, 30_000);
        samples.diagnostics.push(performance.now() - started);
        started = performance.now();
        await client.request("textDocument/hover", { textDocument: { uri }, position: sizeValue });
        samples.hover.push(performance.now() - started);
        started = performance.now();
        await client.request("textDocument/completion", { textDocument: { uri }, position: vmBody });
        samples.completion.push(performance.now() - started);
      }
      const n = lines.toLocaleString("en-US");
      out.push(row("lsp", `${n} lines: edit → diagnostics (incl. the 20 ms debounce)`, median(samples.diagnostics), budgets.diagnostics, "ms"));
      out.push(row("lsp", `${n} lines: hover`, median(samples.hover), budgets.hover, "ms"));
      out.push(row("lsp", `${n} lines: completion`, median(samples.completion), budgets.completion, "ms"));
    }
    out.push(...(await continuousTyping(client)));
  } finally {
    await client.stop();
  }
  return out;
}

/** 1,000 edits a second for 5 s: the longest gap between two publications, and the last one's version. */
async function continuousTyping(client: TestLspClient): Promise<Row[]> {
  const uri = "file:///bench/typing.vmtopo";
  const text = generatedFile(3_000);
  await client.openAndWait(uri, text);
  const started = performance.now();
  let version = 1;
  for (let i = 0; performance.now() - started < 5_000; i++) {
    version = await client.change(uri, text.replace("// guest 0", `// guest 0 ${i}`));
    await new Promise((resolve) => setTimeout(resolve, 1)); // about 1,000 edits a second
  }
  const ended = performance.now();
  await client.diagnostics(uri, (p) => p.version === version, 30_000);
  const publications = client.publications(uri);
  const lastVersion = publications[publications.length - 1].params.version;
  const published = publications.map((p) => p.at);
  const during = [started, ...published.filter((t) => t <= ended), ended];
  const gaps = during.slice(1).map((t, i) => t - during[i]);
  return [row("lsp", "typing 1,000 edits/s for 5 s: longest gap between publications", Math.max(...gaps), 250, "ms"), info("lsp", "typing: the newest version is published at the end", lastVersion === version ? "yes" : `no (${lastVersion} of ${version})`)];
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
async function vscodeActivation(): Promise<Row[]> {
  const root = new URL("../", import.meta.url);
  const setup = (await import(new URL("scripts/e2e-setup.mjs", root).href)) as E2eSetup;
  const skip = (why: string): Row[] => [{ section: "VS Code", name: "extension activation", figure: `skipped: ${why}` }];
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
    row("VS Code", "extension activation (Running Extensions)", median(activation), 100, "ms", `${median(activation).toFixed(0)} ms median (${range(activation)}, 3 cold runs)`),
    row("VS Code", "open 500-line file → first diagnostic", median(firstDiagnostic), 2000, "ms", `${median(firstDiagnostic).toFixed(0)} ms median (${range(firstDiagnostic)}, 3 cold runs)`),
    row("VS Code", "edit → mapping-state webview updated", median(webviewUpdate), 300, "ms", `${median(webviewUpdate).toFixed(0)} ms median (${range(webviewUpdate)}, ${webviewUpdate.length} keystrokes)`),
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


const nameWidth = Math.max(...rows.map((r) => r.section.length + 2 + r.name.length));
const figureWidth = Math.max(...rows.map((r) => r.figure.length));
for (const r of rows) {
  const verdict = r.ok === undefined ? "" : r.ok ? "ok" : "MISSED";
  console.log(`${`${r.section}: ${r.name}`.padEnd(nameWidth)}  ${r.figure.padEnd(figureWidth)}  ${(r.budget ?? "").padEnd(12)}  ${verdict}`.trimEnd());
}
const missed = rows.filter((r) => r.ok === false);
if (missed.length > 0) {
  console.log(`\n${missed.length} budget${missed.length === 1 ? "" : "s"} missed: ${missed.map((r) => `${r.section}: ${r.name}`).join("; ")}`);
  process.exitCode = 1;
}
