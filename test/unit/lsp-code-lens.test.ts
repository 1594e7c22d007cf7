// Over the real protocol: each `vm` carries a lens with its DMA mappings at boot and in the
// worst case (summed over its VFIO containers), and one that opens its mapping state.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { CodeLens } from "vscode-languageserver-protocol";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

test("a lens with the mappings and one that shows the mapping state, on each vm's name", async () => {
  const uri = "file:///ws/lenses.vmtopo";
  const { text, ranges } = marked(`
host spr { qemu = "10.1" }
// DOMAIN.md §7.1: a 16 GiB TDX guest; a type1 and an iommufd container (3 ROM mappings each at boot)
vm ⟦td0⟧ on spr {
  confidential = tdx
  memory = 16G
  vfio nic0 {}
  vfio nic1 { backend = iommufd }
}
vm ⟦plain⟧ {
  memory = 4G
}
`);
  await client.openAndWait(uri, text);
  const lenses = await client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
  assert.deepEqual(lenses, [
    { range: ranges[0], command: { title: "6 DMA mappings (worst case 8,388,486)", command: "" } },
    { range: ranges[0], command: { title: "Show mapping state", command: "vmtopo.showMappingState", arguments: [uri, "td0"] } },
    { range: ranges[0], command: { title: "Copy QEMU command line", command: "vmtopo.copyQemuCommandLine", arguments: [uri, "td0"] } },
    { range: ranges[1], command: { title: "no VFIO devices", command: "" } },
    { range: ranges[1], command: { title: "Show mapping state", command: "vmtopo.showMappingState", arguments: [uri, "plain"] } },
    { range: ranges[1], command: { title: "Copy QEMU command line", command: "vmtopo.copyQemuCommandLine", arguments: [uri, "plain"] } },
  ]);
});

test("the lenses follow edits", async () => {
  const uri = "file:///ws/lenses-edit.vmtopo";
  await client.openAndWait(uri, "vm v {\n  memory = 4G\n}\n");
  const version = await client.change(uri, "vm v {\n  memory = 4G\n  vfio nic0 {}\n}\n");
  await client.diagnostics(uri, (p) => p.version === version);
  const [figures] = await client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
  assert.equal(figures.command?.title, "6 DMA mappings (worst case 6)");
});
