// The client keeps its own copy of vmtopo's LSP additions (it may not import the server):
// the copy must stay equal to the server's.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as client from "../../client/src/protocol";
import { SHOW_MAPPING_STATE } from "../../server/src/lsp/features/code-lens";
import * as server from "../../server/src/lsp/protocol";

test("client/src/protocol.ts mirrors server/src/lsp/protocol.ts and the code lens's command", () => {
  assert.equal(client.MAPPING_STATE_REQUEST, server.MAPPING_STATE_REQUEST);
  assert.equal(client.MAPPING_STATE_CHANGED, server.MAPPING_STATE_CHANGED);
  assert.equal(client.SHOW_MAPPING_STATE, SHOW_MAPPING_STATE);
  assert.equal(client.LIVE_REQUEST, server.LIVE_REQUEST);
});
