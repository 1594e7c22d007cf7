// Over the real protocol: inlay hints write the figures after the line that leads to them,
// at each ‸ of the fixture, and only inside the requested range; the setting turns them off.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { InlayHint, Range } from "vscode-languageserver-protocol";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

const WHOLE: Range = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };

const fixture = marked(`
host spr { qemu = "10.1" }
vm td0 on spr {
  confidential = tdx
  memory = 16G‸
  vfio nic0 { host = "0000:3b:00.0" }‸
}
vm v {
  memory = 4G‸
  maxmem = 68G
  virtio-mem vmem0 { size = 64G‸ block-size = 2M }
  vfio nic0 {}‸
  vfio nic1 { backend = iommufd }‸
}
scenario bounce for td0 {
  ⟦convert 0x100000 .. 0x100ff000 to shared‸
  hotplug vfio nic1 { backend = iommufd }‸⟧
}
`);

const expected = [
  "2 GiB below 4G + 14 GiB above",
  "0 mappings",
  "2 GiB below 4G + 2 GiB above",
  "32,768 × 2 MiB blocks",
  "6 mappings",
  "6 mappings",
  "c0: 65,535",
  "c0: 65,535, c1: 65,535",
];

async function hints(uri: string, range: Range, on = client): Promise<{ position: InlayHint["position"]; label: InlayHint["label"] }[]> {
  const result = await on.request<InlayHint[] | null>("textDocument/inlayHint", { textDocument: { uri }, range });
  return (result ?? []).map((h) => ({ position: h.position, label: h.label }));
}

test("hints: RAM split after memory, mappings after each vfio device and step, blocks after a virtio-mem size", async () => {
  const uri = "file:///ws/hints.vmtopo";
  await client.openAndWait(uri, fixture.text);
  assert.deepEqual(
    await hints(uri, WHOLE),
    fixture.cursors.map((position, i) => ({ position, label: expected[i] })),
  );
});

test("only hints inside the requested range are returned", async () => {
  const uri = "file:///ws/hints-range.vmtopo";
  await client.openAndWait(uri, fixture.text);
  assert.deepEqual(await hints(uri, fixture.ranges[0]), [
    { position: fixture.cursors[6], label: "c0: 65,535" },
    { position: fixture.cursors[7], label: "c0: 65,535, c1: 65,535" },
  ]);
});

test("vmtopo.inlayHints.enabled = false turns them off, and the client is asked to refresh", async () => {
  // A client that answers workspace/configuration and supports inlay hint refreshes.
  const configured = await TestLspClient.start({ workspace: { configuration: true, inlayHint: { refreshSupport: true } } });
  let enabled = true;
  configured.connection.onRequest("workspace/configuration", (params: { items: unknown[] }) => params.items.map(() => ({ inlayHints: { enabled } })));
  let refreshes = 0;
  let wake = () => {};
  configured.connection.onRequest("workspace/inlayHint/refresh", () => {
    refreshes++;
    wake();
    return null;
  });
  const refreshed = async (count: number) => {
    while (refreshes < count) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    const uri = "file:///ws/hints-setting.vmtopo";
    await configured.openAndWait(uri, fixture.text);
    await refreshed(1); // the settings read after `initialized`
    assert.equal((await hints(uri, WHOLE, configured)).length, expected.length);

    enabled = false;
    await configured.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    await refreshed(2);
    assert.deepEqual(await hints(uri, WHOLE, configured), []);
  } finally {
    await configured.stop();
  }
});

// Quiet while typing: a declaration whose text is broken keeps the figures it last had.
const CLEAN = `vm v {
  memory = 4G
  maxmem = 68G
  virtio-mem vmem0 { size = 64G }
  vfio nic0 {}
}
`;

test("while a line is incomplete: the declaration keeps its last valid figures, marked, and nothing is drawn on the broken line", async () => {
  const uri = "file:///ws/hints-typing.vmtopo";
  await client.openAndWait(uri, CLEAN);
  assert.deepEqual(
    (await hints(uri, WHOLE)).map((h) => h.label),
    ["2 GiB below 4G + 2 GiB above", "32,768 × 2 MiB blocks", "6 mappings"],
  );
  // typing a second device: `vfio nic1 { backend =` and nothing more yet
  const broken = CLEAN.replace("  vfio nic0 {}\n", "  vfio nic0 {}\n  vfio nic1 { backend =\n");
  await client.change(uri, broken);
  const typing = await hints(uri, WHOLE);
  assert.deepEqual(
    typing.map((h) => h.label),
    ["2 GiB below 4G + 2 GiB above (last valid)", "32,768 × 2 MiB blocks (last valid)", "6 mappings (last valid)"],
  );
  assert.ok(typing.every((h) => h.position.line !== 5), "no hint on the line being typed");
  // once the line is whole again, fresh figures
  await client.change(uri, CLEAN.replace("  vfio nic0 {}\n", "  vfio nic0 {}\n  vfio nic1 { backend = iommufd }\n"));
  assert.deepEqual(
    (await hints(uri, WHOLE)).map((h) => h.label),
    ["2 GiB below 4G + 2 GiB above", "32,768 × 2 MiB blocks", "6 mappings", "6 mappings"],
  );
});

test("an invalid block size gets no block count (3M is not a power of two: VT101)", async () => {
  const uri = "file:///ws/hints-invalid-block.vmtopo";
  await client.openAndWait(uri, CLEAN.replace("size = 64G }", "size = 64G block-size = 3M }"));
  const labels = (await hints(uri, WHOLE)).map((h) => h.label);
  assert.ok(!labels.some((l) => String(l).includes("blocks")), JSON.stringify(labels));
  assert.ok(labels.includes("6 mappings"));
});
