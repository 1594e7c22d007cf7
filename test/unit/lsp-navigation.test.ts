// Navigation over the real protocol: definition, references, rename, outline, workspace
// symbols, folding, selection ranges and import links, across imported files.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DocumentLink, DocumentSymbol, FoldingRange, Location, SelectionRange, SymbolInformation, WorkspaceEdit } from "vscode-languageserver-protocol";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

// hosts.vmtopo is imported by main.vmtopo; both are opened in the editor.
const hosts = marked(`host ⟦spr⟧ {
  qemu = "10.2"
}
`);
const main = marked(`import "hosts.vmtopo"

vm td0 on ⟦sp‸r⟧ {
  memory = 16G
  vfio ⟦nic0⟧ {
    host = "0000:3b:00.0"
  }
}

scenario bounce for t‸d0 {
  viommu-map ⟦n‸ic0⟧ 1 x 4K
  unplug ⟦nic0⟧
  migrate to ⟦spr⟧ precopy
}
`);
const HOSTS = "file:///ws/hosts.vmtopo";
const MAIN = "file:///ws/main.vmtopo";
const at = (uri: string, position: { line: number; character: number }) => ({ textDocument: { uri }, position });

describe("navigation", () => {
  before(async () => {
    await client.openAndWait(HOSTS, hosts.text);
    await client.openAndWait(MAIN, main.text);
  });

  test("go to definition jumps from a host reference to its declaration in the imported file", async () => {
    const result = await client.request<Location[]>("textDocument/definition", at(MAIN, main.cursors[0]));
    assert.deepEqual(result, [{ uri: HOSTS, range: hosts.ranges[0] }]);
  });

  test("go to definition of a VM reference lands on the vm's name", async () => {
    const [location] = await client.request<Location[]>("textDocument/definition", at(MAIN, main.cursors[1]));
    assert.equal(location.uri, MAIN);
    assert.deepEqual(location.range.start, { line: 2, character: 3 });
  });

  test("find references of a device lists its declaration and every use", async () => {
    const result = await client.request<Location[]>("textDocument/references", { ...at(MAIN, main.cursors[2]), context: { includeDeclaration: true } });
    assert.deepEqual(
      result.map((l) => l.range),
      [main.ranges[1], main.ranges[2], main.ranges[3]],
    );
  });

  test("rename of a host edits its declaration and every reference, in both files", async () => {
    const prepared = await client.request<{ range: unknown; placeholder: string }>("textDocument/prepareRename", at(MAIN, main.cursors[0]));
    assert.equal(prepared.placeholder, "spr");
    const edit = await client.request<WorkspaceEdit>("textDocument/rename", { ...at(MAIN, main.cursors[0]), newName: "sapphire" });
    assert.deepEqual(edit.changes?.[HOSTS]?.map((e) => [e.range, e.newText]), [[hosts.ranges[0], "sapphire"]]);
    assert.deepEqual(edit.changes?.[MAIN]?.map((e) => e.range), [main.ranges[0], main.ranges[4]]);
  });

  test("rename refuses a name that is not an identifier, or that clashes with another of its kind", async () => {
    await assert.rejects(client.request("textDocument/rename", { ...at(MAIN, main.cursors[0]), newName: "2bad" }), /not a name/);
    await client.openAndWait("file:///ws/other.vmtopo", "vm a { memory = 1G }\nvm b { memory = 1G }\n");
    await assert.rejects(client.request("textDocument/rename", { ...at("file:///ws/other.vmtopo", { line: 0, character: 3 }), newName: "b" }), /a vm named 'b' already exists/);
  });

  test("prepare rename outside a name gives nothing", async () => {
    assert.equal(await client.request("textDocument/prepareRename", at(MAIN, { line: 3, character: 4 })), null);
  });

  test("the outline shows the vm with its devices and the scenario with its steps", async () => {
    const symbols = await client.request<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri: MAIN } });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.children?.map((c) => c.name)]),
      [
        ["td0", "on spr", ["memory", "nic0"]],
        ["bounce", "for td0", ["1. viommu-map nic0", "2. unplug nic0", "3. migrate to spr"]],
      ],
    );
  });

  test("workspace symbols find declarations of every open file by a fuzzy query", async () => {
    const found = await client.request<SymbolInformation[]>("workspace/symbol", { query: "sr" });
    assert.deepEqual(found.map((s) => [s.name, s.location.uri]), [["spr", HOSTS]]);
    const devices = await client.request<SymbolInformation[]>("workspace/symbol", { query: "nic" });
    assert.deepEqual(devices.map((s) => s.name), ["nic0"]);
  });

  test("folding covers blocks and declarations", async () => {
    const ranges = await client.request<FoldingRange[]>("textDocument/foldingRange", { textDocument: { uri: MAIN } });
    assert.deepEqual(
      ranges.map((r) => [r.startLine, r.endLine]),
      [
        [2, 6],
        [4, 5],
        [9, 12],
      ],
    );
  });

  test("selection ranges grow from a name to its step, its scenario and the file", async () => {
    const [selection] = await client.request<SelectionRange[]>("textDocument/selectionRange", { textDocument: { uri: MAIN }, positions: [main.cursors[2]] });
    const chain: string[] = [];
    for (let s: SelectionRange | undefined = selection; s; s = s.parent) chain.push(`${s.range.start.line}:${s.range.start.character}-${s.range.end.line}:${s.range.end.character}`);
    assert.deepEqual(chain, ["10:13-10:17", "10:2-10:24", "9:0-13:1", "0:0-14:0"]);
  });

  test("an import's path links to the imported file", async () => {
    const links = await client.request<DocumentLink[]>("textDocument/documentLink", { textDocument: { uri: MAIN } });
    assert.deepEqual(links.map((l) => [l.range.start, l.target]), [[{ line: 0, character: 7 }, HOSTS]]);
  });
});

describe("workspace", () => {
  test("changing an imported file re-analyses the file that imports it", async () => {
    const LIB = "file:///ws2/lib.vmtopo";
    const APP = "file:///ws2/app.vmtopo";
    await client.openAndWait(LIB, "host h {}\n");
    await client.openAndWait(APP, 'import "lib.vmtopo"\nvm v on h { memory = 1G }\n');
    const version = await client.change(LIB, "host renamed {}\n");
    assert.ok(version > 1);
    const published = await client.diagnostics(APP, (p) => p.diagnostics.some((d) => d.code === "VT005"));
    assert.match(String(published.diagnostics[0].message), /unknown host 'h'/);
  });
});
