// Over the real protocol: an attribute completion never leaves a new error behind, nor does a
// new block where the VM has room for it. In each context below, every attribute (and block)
// offered at the cursor (‸) is applied as a client without
// snippets applies it (the placeholders' defaults, a choice's first value); where the item
// inserts no value and asks for suggestions, the first value suggested is applied too, as a
// user accepting both would. The document's error diagnostics afterwards must be those it had
// before (by code and message), and no more.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { CompletionItem, CompletionList, Diagnostic, Position, TextEdit } from "vscode-languageserver-protocol";
import { LineIndex } from "../../grammar/src/index";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

const ONE_GIG_HOST = `host h {
  hugepages {
    1G = 64
  }
}
`;

/** `blocks`: the new blocks offered there (a device, NUMA nodes) are applied and checked too. */
const CONTEXTS: { where: string; fixture: string; blocks?: true }[] = [
  { where: "a host", fixture: "host h {\n  ‸\n}\n\nvm v on h {\n  memory = 4G\n}\n" },
  { where: "a host's iommu", fixture: "host h {\n  iommu {\n    ‸\n  }\n}\n" },
  { where: "a host's vfio", fixture: "host h {\n  vfio {\n    ‸\n  }\n}\n" },
  { where: "a vm on the default host", fixture: "vm v {\n  memory = 4G\n  ‸\n}\n" },
  { where: "a vm with 128 GiB", fixture: "vm v {\n  memory = 128G\n  ‸\n}\n" },
  { where: "a vm whose memory is on 1 GiB pages", fixture: `${ONE_GIG_HOST}\nvm v on h {\n  memory = 4G\n  backend = file\n  file-system = hugetlbfs\n  page-size = 1G\n  ‸\n}\n` },
  { where: "a virtio-mem device of a vm on 1 GiB pages", fixture: `${ONE_GIG_HOST}\nvm v on h {\n  memory = 4G\n  maxmem = 8G\n  backend = file\n  file-system = hugetlbfs\n  page-size = 1G\n  virtio-mem vmem0 {\n    size = 4G\n    ‸\n  }\n}\n` },
  { where: "a virtio-mem device on 1 GiB pages of its own", fixture: `${ONE_GIG_HOST}\nvm v on h {\n  memory = 4G\n  maxmem = 8G\n  virtio-mem vmem0 {\n    size = 4G\n    backend = memfd\n    page-size = 1G\n    ‸\n  }\n}\n` },
  { where: "a virtio-mem device of an ordinary vm", fixture: "vm v {\n  memory = 4G\n  maxmem = 20G\n  virtio-mem vmem0 {\n    size = 16G\n    ‸\n  }\n}\n" },
  { where: "a dimm of a vm on 1 GiB pages", fixture: `${ONE_GIG_HOST}\nvm v on h {\n  memory = 4G\n  maxmem = 8G\n  slots = 2\n  backend = file\n  file-system = hugetlbfs\n  page-size = 1G\n  dimm d0 {\n    size = 2G\n    ‸\n  }\n}\n` },
  { where: "a vfio device", fixture: "vm v {\n  memory = 4G\n  vfio nic0 {\n    host = \"0000:3b:00.0\"\n    ‸\n  }\n}\n" },
  { where: "a vm with room for memory devices", fixture: "vm v {\n  memory = 4G\n  maxmem = 12G\n  slots = 2\n  ‸\n}\n", blocks: true },
  { where: "a vm on 1 GiB pages with room for memory devices", fixture: `${ONE_GIG_HOST}\nvm v on h {\n  memory = 4G\n  maxmem = 12G\n  slots = 2\n  backend = file\n  file-system = hugetlbfs\n  page-size = 1G\n  ‸\n}\n`, blocks: true },
  { where: "a numa block with one node", fixture: "vm v {\n  memory = 8G\n  numa {\n    node 0 {\n      memory = 3G\n    }\n    ‸\n  }\n}\n", blocks: true },
  { where: "a numa node", fixture: "vm v {\n  memory = 8G\n  numa {\n    node 0 {\n      memory = 4G\n    }\n    node 1 {\n      ‸\n    }\n  }\n}\n" },
];

let documents = 0;

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => lines.offset(b.range.start) - lines.offset(a.range.start));
  for (const edit of sorted) text = text.slice(0, lines.offset(edit.range.start)) + edit.newText + text.slice(lines.offset(edit.range.end));
  return text;
}

function editsOf(item: CompletionItem): TextEdit[] {
  const edit = item.textEdit;
  assert.ok(edit && "range" in edit, `${item.label}: a text edit with a range`);
  return [edit as TextEdit, ...(item.additionalTextEdits ?? [])];
}

async function completions(uri: string, position: Position): Promise<CompletionItem[]> {
  const result = await client.request<CompletionItem[] | CompletionList | null>("textDocument/completion", { textDocument: { uri }, position, context: { triggerKind: 1 } });
  return Array.isArray(result) ? result : (result?.items ?? []);
}

async function errors(text: string): Promise<{ uri: string; errors: string[] }> {
  const uri = `file:///ws/completion-errors-${++documents}/main.vmtopo`;
  const published = await client.openAndWait(uri, text);
  return { uri, errors: published.diagnostics.filter((d: Diagnostic) => d.severity === 1).map((d) => `${d.code}: ${d.message}`) };
}

for (const context of CONTEXTS) {
  test(`every attribute${context.blocks ? " and block" : ""} completion in ${context.where} leaves no new error`, async () => {
    const m = marked(context.fixture);
    const before = await errors(m.text);
    const attributes = (await completions(before.uri, m.cursors[0])).filter((i) => i.kind === 10 /* Property */ || (context.blocks && i.kind === 9) /* Module: a block */);
    assert.ok(attributes.length > 0, "attributes are offered");
    if (context.blocks) assert.ok(attributes.some((i) => i.kind === 9), "blocks are offered");
    const problems: string[] = [];
    for (const attribute of attributes) {
      let text = applyEdits(m.text, editsOf(attribute));
      let applied = (editsOf(attribute)[0].newText ?? "").trim();
      if (attribute.command?.command === "editor.action.triggerSuggest") {
        // No value inserted: the values are suggested next; take the first, as Enter does.
        const line = new LineIndex(text);
        const end = line.position(line.offset(m.cursors[0]) + editsOf(attribute)[0].newText.length);
        const opened = await errors(text);
        const [value] = await completions(opened.uri, end);
        if (!value) {
          problems.push(`${attribute.label}: inserts '${applied}' and suggests no value`);
          continue;
        }
        text = applyEdits(text, editsOf(value));
        applied += ` ${editsOf(value)[0].newText.trim()}`;
      }
      const after = await errors(text);
      const added = after.errors.filter((e) => !before.errors.includes(e));
      if (added.length > 0) problems.push(`'${applied}' adds ${added.join("; ")}`);
    }
    assert.deepEqual(problems, [], `in ${context.where}`);
  });
}
