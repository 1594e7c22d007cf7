// Over the real protocol: the server publishes the syntax diagnostics of an open document,
// for the version it analysed, and withdraws them when the text is fixed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

test("a syntax error is published with its code, source, range and version", async () => {
  const { text, ranges } = marked(`host spr {
  qemu ⟦"10.1"⟧
  kernel = "6.16"
}
vm td0 on spr {
  memory = ⟦16Q⟧
}
`);
  await client.open("file:///ws/broken.vmtopo", text);
  const published = await client.diagnostics("file:///ws/broken.vmtopo");
  assert.equal(published.version, 1);
  assert.deepEqual(
    published.diagnostics.map((d) => ({ code: d.code, source: d.source, severity: d.severity, range: d.range })),
    ranges.map((range) => ({ code: "VT001", source: "vmtopo", severity: 1, range })),
  );
  assert.match(String(published.diagnostics[0].message), /expected '=' but found '"10.1"'/);
});

test("fixing the text clears the diagnostics for the new version", async () => {
  const uri = "file:///ws/fixed.vmtopo";
  await client.open(uri, "vm v {\n  memory 4G\n}\n");
  await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
  const version = await client.change(uri, "vm v {\n  memory = 4G\n}\n");
  const published = await client.diagnostics(uri, (p) => p.version === version);
  assert.deepEqual(published.diagnostics, []);
});

test("only the latest of a burst of edits is reported", async () => {
  const uri = "file:///ws/burst.vmtopo";
  await client.open(uri, "vm v { memory = 1G }\n");
  await client.diagnostics(uri);
  let last = 0;
  for (let i = 0; i < 20; i++) last = await client.change(uri, `vm v { memory = ${i}Q }\n`);
  const published = await client.diagnostics(uri, (p) => p.version === last);
  assert.equal(published.diagnostics.length, 1);
  assert.match(String(published.diagnostics[0].message), /'19Q'/);
});

test("a limit diagnostic links its rule page and points at the limit's declaration", async () => {
  const uri = "file:///ws/limit.vmtopo";
  const text = `host h {
  vfio {
    dma-entry-limit = 100
  }
}
vm v on h {
  memory = 4G
  maxmem = 8G
  virtio-mem m { size = 4G }
  vfio nic0 {}
}
scenario s for v { resize m to 1G }
`;
  await client.open(uri, text);
  const published = await client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === "VT202"));
  const vt202 = published.diagnostics.find((d) => d.code === "VT202")!;
  assert.match(vt202.codeDescription?.href ?? "", /docs\/rules\/VT202\.md$/);
  assert.deepEqual(vt202.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.message]), [[uri, 2, "the limit: dma-entry-limit = 100"]]);
});
