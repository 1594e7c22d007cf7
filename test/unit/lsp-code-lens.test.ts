// Over the real protocol: each `vm` carries a lens with its DMA mappings at boot and in the
// worst case (summed over its VFIO containers), and one that opens its mapping state.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { CodeLens } from "vscode-languageserver-protocol";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  // VS Code's client announces the client-side commands it runs.
  client = await TestLspClient.start({}, { clientCommands: ["vmtopo.showMappingState", "vmtopo.copyQemuCommandLine", "vmtopo.copyLibvirtXml"] });
});
after(async () => {
  await client.stop();
});

test("a lens with the engine's verdict, one with the mappings and one that shows the mapping state, on each vm's name", async () => {
  const uri = "file:///ws/lenses.vmtopo";
  const { text, ranges } = marked(`
host spr { qemu = "10.1" }
// DOMAIN.md §7.1: a 16 GiB TDX guest; a type1 and an iommufd container (nothing mapped at boot: RAM and TDVF are private)
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
    { range: ranges[0], command: { title: "⚠ starts with warnings (VT201)", command: "" } },
    { range: ranges[0], command: { title: "0 DMA mappings (worst case 8,390,528)", command: "" } },
    { range: ranges[0], command: { title: "Show mapping state", command: "vmtopo.showMappingState", arguments: [uri, "td0"] } },
    { range: ranges[0], command: { title: "Copy QEMU command line", command: "vmtopo.copyQemuCommandLine", arguments: [uri, "td0"] } },
    { range: ranges[0], command: { title: "Copy libvirt XML", command: "vmtopo.copyLibvirtXml", arguments: [uri, "td0"] } },
    { range: ranges[1], command: { title: "✓ starts", command: "" } },
    { range: ranges[1], command: { title: "no VFIO devices", command: "" } },
    { range: ranges[1], command: { title: "Show mapping state", command: "vmtopo.showMappingState", arguments: [uri, "plain"] } },
    { range: ranges[1], command: { title: "Copy QEMU command line", command: "vmtopo.copyQemuCommandLine", arguments: [uri, "plain"] } },
    { range: ranges[1], command: { title: "Copy libvirt XML", command: "vmtopo.copyLibvirtXml", arguments: [uri, "plain"] } },
  ]);
});

test("the lenses follow edits", async () => {
  const uri = "file:///ws/lenses-edit.vmtopo";
  await client.openAndWait(uri, "vm v {\n  memory = 4G\n}\n");
  const version = await client.change(uri, "vm v {\n  memory = 4G\n  vfio nic0 {}\n}\n");
  await client.diagnostics(uri, (p) => p.version === version);
  const [verdict, figures] = await client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
  assert.equal(figures.command?.title, "6 DMA mappings (worst case 6)");
  assert.equal(verdict.command?.title, "✓ starts");
});

test("a client that announces no client commands gets only the figures, no dead buttons", async () => {
  const plain = await TestLspClient.start();
  try {
    const uri = "file:///ws/lenses-plain.vmtopo";
    await plain.openAndWait(uri, "vm v {\n  memory = 4G\n  vfio nic0 {}\n}\n");
    const lenses = await plain.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
    assert.deepEqual(lenses.map((lens) => lens.command?.command), ["", ""]);
  } finally {
    await plain.stop();
  }
});

test("while the vm's text is broken, the lens keeps its last valid figures and says so", async () => {
  const uri = "file:///ws/lenses-typing.vmtopo";
  const clean = "vm v {\n  memory = 4G\n  vfio nic0 {}\n}\n";
  await client.openAndWait(uri, clean);
  const [, before] = await client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
  assert.equal(before.command?.title, "6 DMA mappings (worst case 6)");
  await client.change(uri, "vm v {\n  memory = 4G\n  vfio nic0 {}\n  virtio-mem m { size =\n}\n");
  const [typing] = await client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
  assert.equal(typing.command?.title, "6 DMA mappings (worst case 6), as last valid: fix the syntax error to update", "no verdict while the text is broken");
});

test("the verdict follows the engine's: refused by QEMU with the first error's code", async () => {
  const uri = "file:///ws/lenses-verdict.vmtopo";
  await client.openAndWait(uri, "vm v {\n  memory = 4G\n  maxmem = 68G\n  page-size = 1G\n  virtio-mem m { size = 64G block-size = 2M }\n}\n");
  const [verdict] = await client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
  assert.match(verdict.command!.title, /^✗ refused by QEMU \(VT1\d\d\)$/);
});
