// The language server at real scale (issue 9: incremental analysis), over stdio with the
// bundle in dist/ (`npm run build` first), as an editor drives it: incremental `didChange`
// notifications of one character, then the time until the diagnostics of that version are
// published (minus the 20 ms debounce: the budget is "after the debounce"), and hover and
// completion right after an edit. Cases: a 50,000-line file (typing in a comment, in a value,
// a new line) and a 3,000-line fleet of 103 VMs. Medians of interleaved samples. And the
// engine alone, in CPU time (less sensitive to a busy machine than the wall clock): a full
// analysis of the 50,000-line file against the incremental one after a one-character edit.
// Self-contained: `rows()` returns [name, figure, budget] rows for scripts/bench.ts.
import { IncrementalAnalyzer } from "../server/src/engine/analysis-cache";
import { analyzeText, type Analysis } from "../server/src/engine/analyze";
import { buildSymbolIndex } from "../server/src/engine/symbols";
import { completeAt } from "../server/src/lsp/features/completion";
import { hoverAt } from "../server/src/lsp/features/hover";
import { TestLspClient } from "../test/support/lsp-client";

type Row = [string, string, string];
const DEBOUNCE_MS = 20;

/** The bench's usual generated topology: one host, then blocks of 14 lines (a VM and its scenario). */
export function generatedTopology(lines: number): string {
  const out: string[] = ["host spr {", '  qemu = "10.2"', "  iommu {", "    page-sizes = [4K, 2M, 1G]", "  }", "}"];
  for (let i = 0; out.length < lines; i++) {
    out.push(`// guest ${i}`, `vm g${i} on spr {`, "  memory = 16G", "  maxmem = 80G", `  virtio-mem vmem${i} {`, "    size = 64G", "    block-size = 2M", "  }", `  vfio nic${i} { host = "0000:3b:00.0" }`, "}", `scenario s${i} for g${i} {`, "  convert 0 .. 256M to shared", `  resize vmem${i} to 4G`, "}");
  }
  return out.join("\n") + "\n";
}

/** A fleet: 3 hosts and 103 VMs of 28 lines each (attributes, comments, devices), about 3,000 lines. */
export function fleetTopology(vms = 103): string {
  const out: string[] = [];
  for (const [name, backend] of [["rack-a", "type1"], ["rack-b", "iommufd"], ["rack-c", "iommufd"]]) {
    out.push(`host ${name} {`, '  qemu = "10.2"', '  kernel = "6.18"', "  memory = 2T", "  iommu {", "    vendor = intel-vtd", "    page-sizes = [4K, 2M, 1G]", "  }", "  vfio {", `    backend = ${backend}`, "  }", "  hugepages {", "    1G = 1024", "  }", "}", "");
  }
  for (let i = 0; i < vms; i++) {
    out.push(
      `// tenant ${i}: a web tier guest with a VF and hot-pluggable memory`,
      `vm guest${i} on rack-${"abc"[i % 3]} {`,
      "  machine = q35",
      `  memory = ${4 + (i % 8)}G`,
      "  maxmem = 256G",
      "  backend = file",
      "  file-system = hugetlbfs",
      "  page-size = 1G",
      "",
      `  virtio-mem vmem${i} {`,
      "    size = 64G",
      "    block-size = 1G",
      "    requested = 8G",
      "  }",
      "",
      `  vfio nic${i} {`,
      `    host = "0000:3b:${(i % 32).toString(16).padStart(2, "0")}.1"`,
      "  }",
      `  vfio gpu${i} {`,
      `    host = "0000:5e:${(i % 32).toString(16).padStart(2, "0")}.0"`,
      "  }",
      "}",
      `scenario grow${i} for guest${i} {`,
      `  resize vmem${i} to 16G`,
      `  resize vmem${i} to 32G`,
      `  resize vmem${i} to 8G`,
      "}",
      "",
    );
  }
  return out.join("\n");
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Position {
  line: number;
  character: number;
}

/** One document driven by incremental one-character edits, as an editor sends them. */
class Typist {
  private version = 1;
  constructor(
    private readonly client: TestLspClient,
    readonly uri: string,
  ) {}

  async open(text: string): Promise<number> {
    const started = performance.now();
    await this.client.connection.sendNotification("textDocument/didOpen", { textDocument: { uri: this.uri, languageId: "vmtopo", version: 1, text } });
    await this.client.diagnostics(this.uri, (p) => p.version === 1, 120_000);
    return performance.now() - started;
  }

  /** Inserts `text` at `at` (or deletes the next character when `text` is empty); ms until its diagnostics. */
  async edit(at: Position, text: string): Promise<number> {
    const version = ++this.version;
    const range = { start: at, end: text === "" ? { line: at.line, character: at.character + 1 } : at };
    const started = performance.now();
    await this.client.connection.sendNotification("textDocument/didChange", { textDocument: { uri: this.uri, version }, contentChanges: [{ range, text }] });
    await this.client.diagnostics(this.uri, (p) => p.version === version, 60_000);
    return performance.now() - started;
  }

  async request(method: string, position: Position): Promise<number> {
    const started = performance.now();
    await this.client.request(method, { textDocument: { uri: this.uri }, position });
    return performance.now() - started;
  }
}

function locate(text: string, needle: string, from = 0): Position {
  const offset = text.indexOf(needle, from);
  if (offset < 0) throw new Error(`'${needle}' not in the bench file`);
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

const ms = (value: number) => `${value.toFixed(1)} ms median`;

/** CPU milliseconds of `run` (user + system), which a machine shared with other work inflates less than wall time. */
function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

export function engineRows(samples: number): Row[] {
  const text = generatedTopology(50_000);
  const analyzer = new IncrementalAnalyzer();
  const full: number[] = [];
  for (let i = 0; i < 3; i++) full.push(cpuMs(() => analyzeText(text, "/bench/50k.vmtopo")));
  analyzer.analyze(text, "/bench/50k.vmtopo", { read: () => undefined });
  const at = text.indexOf("// guest 1800") + 5;
  const edited = { comment: [] as number[], newline: [] as number[], completion: [] as number[], hover: [] as number[] };
  // Each kind in its own run: after a new line, any later edit that removes it moves everything back.
  for (const [kind, insert] of [["comment", "x"], ["newline", "\n"]] as const) {
    for (let i = 0; i < samples; i++) {
      const changed = text.slice(0, at) + insert.repeat(1 + (i % 2)) + text.slice(at);
      let analysis: Analysis | undefined;
      edited[kind].push(cpuMs(() => (analysis = analyzer.analyze(changed, "/bench/50k.vmtopo", { read: () => undefined }))));
      if (kind !== "comment" || !analysis) continue;
      // Right after the edit, as a user asks: completion in a VM body, hover on a size.
      const done = analysis;
      const body = done.parse.lines.position(changed.indexOf("  maxmem = 80G", at));
      const size = done.parse.lines.position(changed.indexOf("16G", at) + 1);
      edited.completion.push(cpuMs(() => completeAt(done, () => buildSymbolIndex(done.program), { textDocument: { uri: "file:///bench/50k.vmtopo" }, position: body }, { snippets: true, markdown: true, preIndent: true, asIs: true })));
      edited.hover.push(cpuMs(() => hoverAt(done, size)));
    }
  }
  const fullMs = median(full);
  return [
    ["engine 50,000 lines: full analysis (CPU)", `${fullMs.toFixed(0)} ms median`, ""],
    ["engine 50,000 lines: incremental after 1 character (CPU)", `${median(edited.comment).toFixed(1)} ms median`, `full / incremental ${(fullMs / median(edited.comment)).toFixed(0)}×`],
    ["engine 50,000 lines: incremental after a new line (CPU)", `${median(edited.newline).toFixed(1)} ms median`, `full / incremental ${(fullMs / median(edited.newline)).toFixed(0)}×`],
    ["engine 50,000 lines: completion after an edit (CPU)", `${median(edited.completion).toFixed(2)} ms median`, "budget 10 ms"],
    ["engine 50,000 lines: hover after an edit (CPU)", `${median(edited.hover).toFixed(2)} ms median`, "budget 10 ms"],
  ];
}

export async function rows(samples = 15): Promise<Row[]> {
  const engine = engineRows(samples);
  const client = await TestLspClient.start();
  try {
    const out: Row[] = [];
    // 50,000 lines: edits in the middle of the file, each undone by the next (x, then delete it).
    const big = generatedTopology(50_000);
    const typist = new Typist(client, "file:///bench/50k.vmtopo");
    const opened = await typist.open(big);
    out.push(["LSP 50,000 lines: open → first diagnostics", `${opened.toFixed(0)} ms`, ""]);
    const middle = big.indexOf("// guest 1800");
    const comment = locate(big, "// guest 1800");
    comment.character += "// guest 1800".length;
    const value = locate(big, "memory = 16G", middle);
    value.character += "memory = 16".length;
    const vmBody = locate(big, "  maxmem = 80G", middle);
    const sizeValue = { line: value.line, character: value.character - 1 };
    // The first comment follows the host's block: its declaration is parsed again, and must
    // keep its syntax tree, or every VM on the host is analysed again.
    const hostComment = locate(big, "// guest 0");
    hostComment.character += "// guest 0".length;
    const times = { comment: [] as number[], hostComment: [] as number[], value: [] as number[], newline: [] as number[], hover: [] as number[], completion: [] as number[] };
    for (let i = 0; i < samples; i++) {
      times.hostComment.push((await typist.edit(hostComment, "x")) - DEBOUNCE_MS);
      await typist.edit(hostComment, "");
      times.comment.push((await typist.edit(comment, "x")) - DEBOUNCE_MS);
      times.hover.push(await typist.request("textDocument/hover", sizeValue));
      times.completion.push(await typist.request("textDocument/completion", vmBody));
      await typist.edit(comment, "");
      times.value.push((await typist.edit(value, "0")) - DEBOUNCE_MS); // 16G → 160G
      await typist.edit(value, "");
      times.newline.push((await typist.edit(comment, "\n")) - DEBOUNCE_MS);
      await typist.edit(comment, "");
    }
    out.push(["LSP 50,000 lines: 1 character in a comment → diagnostics", ms(median(times.comment)), "budget 100 ms after the debounce"]);
    out.push(["LSP 50,000 lines: 1 character in the comment after the host's block → diagnostics", ms(median(times.hostComment)), "budget 100 ms after the debounce"]);
    out.push(["LSP 50,000 lines: 1 character in a value → diagnostics", ms(median(times.value)), "budget 100 ms after the debounce"]);
    out.push(["LSP 50,000 lines: a new line (all below move) → diagnostics", ms(median(times.newline)), "budget 100 ms after the debounce"]);
    out.push(["LSP 50,000 lines: hover right after an edit", ms(median(times.hover)), "budget 10 ms"]);
    out.push(["LSP 50,000 lines: completion right after an edit", ms(median(times.completion)), "budget 10 ms"]);

    const fleet = fleetTopology();
    const fleetTypist = new Typist(client, "file:///bench/fleet.vmtopo");
    await fleetTypist.open(fleet);
    const memory = locate(fleet, "memory = ", fleet.indexOf("vm guest51 "));
    memory.character += "memory = ".length;
    const fleetTimes: number[] = [];
    for (let i = 0; i < samples; i++) {
      fleetTimes.push((await fleetTypist.edit(memory, "1")) - DEBOUNCE_MS);
      fleetTimes.push((await fleetTypist.edit(memory, "")) - DEBOUNCE_MS);
    }
    const lines = fleet.split("\n").length.toLocaleString("en-US");
    out.push([`LSP fleet, ${lines} lines / 103 VMs: 1 character in a VM → diagnostics`, ms(median(fleetTimes)), "budget 60 ms after the debounce"]);
    return [...engine, ...out];
  } finally {
    await client.stop();
  }
}
