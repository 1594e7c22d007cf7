// Over the real protocol: vmtopo/export gives the QEMU command line or the libvirt domain of a
// VM of an open document, vmtopo/import turns a command line or a domain into a design; the
// client's copy of these names equals the server's.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as clientProtocol from "../../client/src/real-vms-protocol";
import * as serverProtocol from "../../server/src/lsp/real-vms-protocol";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

test("client/src/real-vms-protocol.ts mirrors server/src/lsp/real-vms-protocol.ts", () => {
  assert.deepEqual({ ...clientProtocol }, { ...serverProtocol });
});

test("vmtopo/export: the QEMU command line and the libvirt domain of a vm; a clear error otherwise", async () => {
  const uri = "file:///ws/export.vmtopo";
  await client.openAndWait(uri, "vm web {\n  memory = 4G\n  maxmem = 8G\n  virtio-mem vmem0 { size = 4G }\n}\nvm db { memory = 2G }\n");
  const qemu = await client.request<{ text?: string }>("vmtopo/export", { uri, vm: "web", target: "qemu" });
  assert.match(qemu.text ?? "", /^qemu-system-x86_64 \\\n {2}-name guest=web \\\n/);
  assert.match(qemu.text ?? "", /-device virtio-mem-pci,id=vmem0,memdev=mem-vmem0,requested-size=0 \\\n/);
  const libvirt = await client.request<{ text?: string }>("vmtopo/export", { uri, vm: "db", target: "libvirt" });
  assert.match(libvirt.text ?? "", /^<domain type='kvm'>\n {2}<name>db<\/name>/);
  assert.deepEqual(await client.request("vmtopo/export", { uri, target: "qemu" }), { error: "choose a vm: web, db", vms: ["web", "db"] });
  // From the palette: the vm around the cursor (line 3 is inside web's virtio-mem block).
  const around = await client.request<{ text?: string; vm?: string }>("vmtopo/export", { uri, target: "qemu", position: { line: 3, character: 20 } });
  assert.equal(around.vm, "web");
  assert.equal(around.text, qemu.text);
  assert.deepEqual(await client.request("vmtopo/export", { uri, target: "libvirt", position: { line: 99, character: 0 } }), { error: "choose a vm: web, db", vms: ["web", "db"] });
  assert.deepEqual(await client.request("vmtopo/export", { uri: "file:///ws/closed.vmtopo", target: "qemu" }), { error: "the document is not open in the vmtopo server" });
});

test("vmtopo/export: a design with errors is exported anyway, with their count (QEMU will refuse it)", async () => {
  const uri = "file:///ws/export-errors.vmtopo";
  await client.openAndWait(uri, "vm bad {\n  memory = 4G\n  maxmem = 2G\n}\n");
  const result = await client.request<{ text?: string; errors?: number; vm?: string }>("vmtopo/export", { uri, target: "qemu" });
  assert.match(result.text ?? "", /-m size=4G,maxmem=2G/);
  assert.equal(result.vm, "bad");
  assert.ok((result.errors ?? 0) >= 1, `errors: ${result.errors}`);
});

test("vmtopo/import: a command line or a domain as a design; malformed XML with its line and column", async () => {
  const fromQemu = await client.request<{ text?: string }>("vmtopo/import", { source: "qemu", text: "qemu-system-x86_64 -name guest=a -m 2G -nodefaults", name: "the clipboard" });
  assert.match(fromQemu.text ?? "", /^\/\/ Imported by vmtopo from the clipboard \(qemu-system-x86_64\)\./);
  assert.match(fromQemu.text ?? "", /^vm a \{$/m);
  assert.equal((fromQemu as { vm?: string }).vm, "a", "the VM's name, for the new document's name");
  const broken = await client.request("vmtopo/import", { source: "libvirt", text: "<domain>\n<name>x</domain>", name: "db.xml" });
  const huge = await client.request<{ error?: string }>("vmtopo/import", { source: "qemu", text: "x".repeat(17 * 2 ** 20), name: "the clipboard" });
  assert.deepEqual(huge, { error: "the clipboard is 17 MiB: too large for a libvirt domain or a QEMU command line" });
  assert.deepEqual(broken, { error: "db.xml:2:10: malformed XML: </domain> closes <name> opened on line 2", at: { line: 2, column: 10 } });
});
