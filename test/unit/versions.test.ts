// The engine's version table (server/src/engine/versions.ts): every gate reads a row, each
// row says where it comes from, and a gate flips exactly at the row's version.
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { parseVersion } from "../../server/src/engine/version";
import { hasFact, VERSION_FACTS, versionFact } from "../../server/src/engine/versions";

test("every row has a unique id, a parseable version, a source and the rules it concerns", () => {
  const ids = VERSION_FACTS.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const f of VERSION_FACTS) {
    assert.ok(parseVersion(f.since), `${f.id}: since ${f.since}`);
    if (f.until) assert.ok(parseVersion(f.until), `${f.id}: until ${f.until}`);
    assert.match(f.source, /(QEMU|Linux) \d/, `${f.id} names the release it comes from`);
    assert.ok(f.rules.length > 0 && f.rules.every((r) => /^VT\d{3}$/.test(r)), `${f.id}: rules`);
  }
});

test("an unknown fact is a programming error", () => {
  assert.throws(() => versionFact("qemu.no-such-thing"), /no version fact 'qemu.no-such-thing'/);
});

test("a fact holds from its release on, for the component it is about", () => {
  const host = (qemu: string, kernel: string) => ({ qemu: parseVersion(qemu)!, kernel: parseVersion(kernel)! });
  assert.equal(hasFact(host("8.1.5", "6.8"), "qemu.virtio-mem.dynamic-memslots"), false);
  assert.equal(hasFact(host("8.2", "4.0"), "qemu.virtio-mem.dynamic-memslots"), true);
  assert.equal(hasFact(host("10.2", "5.9"), "linux.vfio.dma-avail"), false);
  assert.equal(hasFact(host("7.2", "5.10"), "linux.vfio.dma-avail"), true);
});

const vm = (qemu: string, body: string) => analyzeText(`host h { qemu = "${qemu}" }\nvm v on h {\n  memory = 4G\n  maxmem = 8G\n${body}\n}\n`);
const codes = (qemu: string, body: string) => vm(qemu, body).diagnostics.map((d) => `${d.severity} ${d.code}`);

test("the engine's gates follow the table: prealloc on a virtio-mem backend is a warning before 8.0, an error from 8.0", () => {
  const body = "  virtio-mem m { size = 1G prealloc = on }";
  assert.deepEqual(codes("7.2", body), ["warning VT117"]);
  assert.deepEqual(codes(versionFact("qemu.virtio-mem.prealloc-refused").since, body), ["error VT117"]);
});

test("the engine's gates follow the table: dynamic-memslots exists from 8.2", () => {
  const body = "  virtio-mem m { size = 1G dynamic-memslots = on }";
  assert.deepEqual(codes("8.1", body), ["error VT119"]);
  assert.deepEqual(codes(versionFact("qemu.virtio-mem.dynamic-memslots").since, body), []);
});

test("the engine's gates follow the table: x86 phys-bits are checked, and AMD RAM moves to 1 TiB, from 7.1", () => {
  const text = (qemu: string) => `host h { qemu = "${qemu}" }\nvm v on h {\n  cpu-vendor = amd\n  phys-bits = 40\n  memory = 1000G\n}\n`;
  const old = analyzeText(text("7.0"));
  assert.deepEqual(old.diagnostics.map((d) => d.code), []);
  assert.equal(old.vms[0].layout.relocatedAbove1T, false);
  const since = analyzeText(text(versionFact("qemu.pc.phys-bits-checked").since));
  assert.equal(since.vms[0].layout.relocatedAbove1T, true);
  assert.deepEqual(since.diagnostics.map((d) => d.code), ["VT110"]);
});

test("the engine's gates follow the table: the text without device memory changed in 8.1", () => {
  const text = (qemu: string) => analyzeText(`host h { qemu = "${qemu}" }\nvm v on h {\n  memory = 4G\n  virtio-mem m { size = 1G }\n}\n`).diagnostics.map((d) => d.message).join("\n");
  assert.match(text("8.0"), /not enabled, please specify the maxmem option/);
  assert.match(text("8.1"), /the configuration is not prepared for memory devices/);
});
