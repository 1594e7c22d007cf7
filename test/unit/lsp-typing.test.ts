// Over the real protocol: typing never starves feedback. Under a continuous stream of edits,
// closer together than the debounce, the server still publishes diagnostics at a steady pace
// (at least every 250 ms, the debounce's max-wait; debounce.test.ts checks the schedule
// exactly on a fake clock), each for a version at least as new as the one before, and the
// last one for the final text.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as wait } from "node:timers/promises";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

test("a stream of edits every 2 ms for 2 s still gets diagnostics published, always for newer versions", async () => {
  const uri = "file:///ws/typing.vmtopo";
  await client.openAndWait(uri, "vm v {\n  memory = 1G\n}\n");
  const streamMs = 2_000;
  const started = performance.now();
  let version = 1;
  let i = 0;
  // The pause between edits only paces the stream (2 ms < the 20 ms debounce); nothing waits on the server.
  while (performance.now() - started < streamMs) {
    version = await client.change(uri, `vm v {\n  memory = ${++i}Q\n}\n`);
    await wait(2);
  }
  const ended = performance.now();
  const last = await client.diagnostics(uri, (p) => p.version === version);
  assert.match(String(last.diagnostics[0].message), new RegExp(`'${i}Q'`), "the final publication is for the final text");

  const during = client.publications(uri).filter((p) => p.at > started && p.at <= ended);
  // 2 s / 250 ms = 8 publications on an idle machine; a loaded one may lose a few.
  assert.ok(during.length >= 4, `${during.length} publications during ${version - 1} edits in ${streamMs} ms`);
  const versions = client.publications(uri).map((p) => p.params.version!);
  assert.deepEqual(versions, [...versions].sort((a, b) => a - b), "versions never go back");
});
