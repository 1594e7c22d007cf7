// `node --import tsx scripts/bench/compare-yaml.ts`: vmtopo's language server against Red Hat's
// yaml-language-server on the same content, for the README's performance table. It writes the
// bench's generated topologies (500, 3,000 and 50,000 lines of .vmtopo) also as YAML with a
// JSON schema of the same structure (types, enums, size patterns, required fields), then
// drives both servers over stdio as an editor would: open → first diagnostics, a
// one-character edit → the next diagnostics, hover and completion; medians of interleaved runs.
// VMTOPO_COMPARE_LINES=500,3000 picks the sizes.
// yaml-language-server is installed on demand into .cache/yaml-ls (not a dependency of
// vmtopo); `npm run build` first for dist/server.cjs. Prints a Markdown table.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from "vscode-languageserver-protocol/node";
import { generatedFile } from "./inputs";

// the newest release that runs on Node 20 (2.x needs Node 22.13)
const YAML_LS_VERSION = "1.25.0";
const root = new URL("../../", import.meta.url).pathname;
const cache = join(root, ".cache", "yaml-ls");
const yamlServer = join(cache, "node_modules", "yaml-language-server", "bin", "yaml-language-server");

/** The same topology as generatedFile(lines), as YAML: one host, then a VM and its scenario per block. */
function generatedYaml(lines: number): string {
  const vms = Math.max(1, Math.round((lines - 6) / 14));
  const out = ["hosts:", "  spr:", '    qemu: "10.2"', "    iommu:", "      page-sizes: [4K, 2M, 1G]", "vms:"];
  for (let i = 0; i < vms; i++) {
    out.push(`  # guest ${i}`, `  g${i}:`, "    host: spr", "    memory: 16G", "    maxmem: 80G", "    virtio-mem:", `      vmem${i}:`, "        size: 64G", "        block-size: 2M", "    vfio:", `      nic${i}: { host: "0000:3b:00.0" }`);
  }
  out.push("scenarios:");
  for (let i = 0; i < vms; i++) out.push(`  s${i}:`, `    vm: g${i}`, "    steps:", "      - convert: { from: 0, to: 256M, as: shared }", `      - resize: { device: vmem${i}, size: 4G }`);
  return out.join("\n") + "\n";
}

const SIZE = { type: "string", pattern: "^[0-9][0-9_]*(\\.[0-9]+)?(K|M|G|T|P|E)(iB|B)?$", description: "A size: a number and a unit (K M G T P E, powers of 1024)" };
const ADDRESS = { anyOf: [{ type: "integer", minimum: 0 }, SIZE] };
const SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  additionalProperties: false,
  properties: {
    hosts: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          qemu: { type: "string", pattern: "^\\d+(\\.\\d+){0,3}$", description: "QEMU version" },
          kernel: { type: "string", pattern: "^\\d+(\\.\\d+){0,3}$" },
          iommu: {
            type: "object",
            additionalProperties: false,
            properties: { vendor: { enum: ["intel-vtd", "amd-vi", "smmuv3"] }, "page-sizes": { type: "array", items: SIZE }, "address-width": { type: "integer" } },
          },
          vfio: { type: "object", additionalProperties: false, properties: { backend: { enum: ["type1", "iommufd"] }, "dma-entry-limit": { type: "integer", minimum: 1 } } },
        },
      },
    },
    vms: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["memory"],
        properties: {
          host: { type: "string" },
          memory: SIZE,
          maxmem: SIZE,
          confidential: { enum: ["none", "sev", "sev-es", "sev-snp", "tdx", "cca"] },
          "virtio-mem": { type: "object", additionalProperties: { type: "object", additionalProperties: false, required: ["size"], properties: { size: SIZE, "block-size": SIZE, requested: SIZE } } },
          vfio: { type: "object", additionalProperties: { type: "object", additionalProperties: false, properties: { host: { type: "string", pattern: "^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$" }, backend: { enum: ["type1", "iommufd"] } } } },
        },
      },
    },
    scenarios: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["vm", "steps"],
        properties: {
          vm: { type: "string" },
          steps: {
            type: "array",
            items: {
              type: "object",
              minProperties: 1,
              maxProperties: 1,
              properties: {
                convert: { type: "object", additionalProperties: false, required: ["from", "to", "as"], properties: { from: ADDRESS, to: ADDRESS, as: { enum: ["shared", "private"] } } },
                resize: { type: "object", additionalProperties: false, required: ["device", "size"], properties: { device: { type: "string" }, size: SIZE } },
              },
            },
          },
        },
      },
    },
  },
};

function installYamlServer(): void {
  if (existsSync(yamlServer)) return;
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, "package.json"), JSON.stringify({ private: true, description: "yaml-language-server for scripts/bench/compare-yaml.ts" }));
  console.error(`installing yaml-language-server@${YAML_LS_VERSION} into ${cache} …`);
  const run = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", `yaml-language-server@${YAML_LS_VERSION}`], { cwd: cache, stdio: "inherit" });
  if (run.status !== 0) throw new Error("npm install yaml-language-server failed");
}

interface Publication {
  uri: string;
  at: number;
}

/** A minimal editor: one server process, its publications, requests. */
class Editor {
  private readonly published: Publication[] = [];
  private waiters: (() => void)[] = [];
  private version = 0;

  private constructor(
    private readonly child: ReturnType<typeof spawn>,
    private readonly connection: ProtocolConnection,
    private readonly languageId: string,
  ) {}

  static async start(command: string[], languageId: string, settings: Record<string, unknown>, rootUri: string): Promise<Editor> {
    const child = spawn(process.execPath, command, { stdio: ["pipe", "pipe", "ignore"] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const editor = new Editor(child, connection, languageId);
    connection.onNotification("textDocument/publishDiagnostics", (params: { uri: string }) => {
      editor.published.push({ uri: params.uri, at: performance.now() });
      editor.waiters.splice(0).forEach((wake) => wake());
    });
    connection.onRequest("workspace/configuration", (params: { items: { section?: string }[] }) => params.items.map((item) => (item.section ? settings[item.section] ?? null : settings)));
    connection.onRequest("client/registerCapability", () => null);
    connection.onRequest("window/workDoneProgress/create", () => null);
    connection.onNotification(() => undefined);
    connection.listen();
    await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: "bench" }],
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {}, hover: { contentFormat: ["markdown", "plaintext"] }, completion: { completionItem: { snippetSupport: true } } } },
    });
    await connection.sendNotification("initialized", {});
    await connection.sendNotification("workspace/didChangeConfiguration", { settings });
    return editor;
  }

  /** Waits for the first publication for `uri` after `since`. */
  async publication(uri: string, since: number, timeoutMs = 60_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.published.find((p) => p.uri === uri && p.at > since);
      if (found) return found.at;
      if (performance.now() > deadline) throw new Error(`no diagnostics for ${uri}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async open(uri: string, text: string): Promise<number> {
    const started = performance.now();
    this.version = 1;
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: this.languageId, version: this.version, text } });
    return (await this.publication(uri, started)) - started;
  }

  /** A one-character insertion at `position` (incremental sync), to the next publication. */
  async edit(uri: string, position: { line: number; character: number }, character: string): Promise<number> {
    const started = performance.now();
    this.version++;
    const range = { start: position, end: position };
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version: this.version }, contentChanges: [{ range, rangeLength: 0, text: character }] });
    return (await this.publication(uri, started)) - started;
  }

  async timed(method: string, params: unknown): Promise<number> {
    const started = performance.now();
    await this.connection.sendRequest(method, params);
    return performance.now() - started;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest("shutdown"), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await this.connection.sendNotification("exit");
    } finally {
      this.connection.dispose();
      this.child.kill();
    }
  }
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Figures {
  open: number;
  edit: number;
  hover: number;
  completion: number;
}

/** Opens the file, then alternates edits (a letter appended to the first comment, then removed) with hover and completion. */
async function measure(editor: Editor, uri: string, text: string, hoverAt: { line: number; character: number }, completeAt: { line: number; character: number }, runs: number): Promise<Figures> {
  const open = await editor.open(uri, text);
  const commentLine = text.split("\n").findIndex((l) => l.includes("# guest 0") || l.includes("// guest 0"));
  const commentEnd = text.split("\n")[commentLine].length;
  const edits: number[] = [];
  const hovers: number[] = [];
  const completions: number[] = [];
  for (let i = 0; i < runs; i++) {
    try {
      edits.push(await editor.edit(uri, { line: commentLine, character: commentEnd + i }, "x"));
    } catch {
      edits.push(Infinity); // no diagnostics within the minute: no point in waiting again
      break;
    }
    hovers.push(await editor.timed("textDocument/hover", { textDocument: { uri }, position: hoverAt }));
    completions.push(await editor.timed("textDocument/completion", { textDocument: { uri }, position: completeAt }));
  }
  await editor.close(uri);
  return { open, edit: median(edits), hover: median(hovers), completion: median(completions) };
}

async function main(): Promise<void> {
  installYamlServer();
  const serverBundle = join(root, "dist", "server.cjs");
  if (!existsSync(serverBundle)) throw new Error("run npm run build first");
  const dir = mkdtempSync(join(tmpdir(), "vmtopo-vs-yaml-"));
  const rootUri = pathToFileURL(dir).href;
  const schemaPath = join(dir, "vmtopo.schema.json");
  writeFileSync(schemaPath, JSON.stringify(SCHEMA, null, 2));
  const yamlSettings = { yaml: { validate: true, hover: true, completion: true, schemas: { [pathToFileURL(schemaPath).href]: "*.yaml" }, schemaStore: { enable: false } } };
  const vmtopo = await Editor.start([serverBundle, "lsp", "--stdio"], "vmtopo", { vmtopo: {} }, rootUri);
  const yaml = await Editor.start([yamlServer, "--stdio"], "yaml", yamlSettings, rootUri);
  const table: string[] = ["| file | server | open → diagnostics | edit → diagnostics | hover | completion |", "|---|---|---|---|---|---|"];
  try {
    for (const lines of (process.env.VMTOPO_COMPARE_LINES ?? "500,3000,50000").split(",").map(Number)) {
      const runs = lines > 3_000 ? 5 : 9;
      const source = generatedFile(lines);
      const yamlText = generatedYaml(lines);
      writeFileSync(join(dir, `topology-${lines}.vmtopo`), source);
      writeFileSync(join(dir, `topology-${lines}.yaml`), yamlText);
      const vmLines = source.split("\n");
      const yamlLines = yamlText.split("\n");
      const memory = vmLines.findIndex((l) => l.includes("memory = 16G"));
      const yamlMemory = yamlLines.findIndex((l) => l.includes("memory: 16G"));
      const ours = await measure(vmtopo, pathToFileURL(join(dir, `topology-${lines}.vmtopo`)).href, source, { line: memory, character: vmLines[memory].indexOf("16G") + 1 }, { line: memory, character: 2 }, runs);
      const theirs = await measure(yaml, pathToFileURL(join(dir, `topology-${lines}.yaml`)).href, yamlText, { line: yamlMemory, character: yamlLines[yamlMemory].indexOf("16G") + 1 }, { line: yamlMemory, character: 4 }, runs);
      const ms = (value: number) => (value === Infinity ? "none within 60 s" : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value).toLocaleString("en-US")} ms`);
      const n = lines.toLocaleString("en-US");
      table.push(`| ${n} lines | vmtopo | ${ms(ours.open)} | ${ms(ours.edit)} | ${ms(ours.hover)} | ${ms(ours.completion)} |`);
      table.push(`| ${n} lines | yaml-language-server ${YAML_LS_VERSION} | ${ms(theirs.open)} | ${ms(theirs.edit)} | ${ms(theirs.hover)} | ${ms(theirs.completion)} |`);
      console.error(table.slice(-2).join("\n"));
    }
  } finally {
    await vmtopo.stop();
    await yaml.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(table.join("\n"));
}

await main();
