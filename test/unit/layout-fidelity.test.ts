// The flat view as QEMU 7.2 builds it, in the cases the differential test (qemu-oracle)
// found the engine wrong: -m rounded up to 8 KiB, NUMA nodes' backends splitting boot RAM,
// DIMMs aligned by their backend, virt's RAM and device memory. Figures are QEMU 7.2's
// `info mtree -f` for the same configuration.
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";

const hex = (n: number) => "0x" + n.toString(16);
function sections(text: string): string[] {
  const analysis = analyzeText(text);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), []);
  return analysis.vms[0].layout.sections.map((s) => `${s.kind} ${s.name} [${hex(s.start)}, ${hex(s.end)})`);
}

test("-m is rounded up to 8 KiB: 784412K of RAM ends at 0x2fe08000 (machine_set_mem)", () => {
  assert.deepEqual(sections('host h { qemu = "7.2" }\nvm v on h {\n  machine = q35\n  memory = 784412K\n}\n'), [
    "ram ram-below-1m [0x0, 0xc0000)",
    "rom pc.rom [0xc0000, 0xe0000)",
    "rom isa-bios [0xe0000, 0x100000)",
    "ram ram-below-4g [0x100000, 0x2fe08000)",
    "rom pc.bios [0xfffc0000, 0x100000000)",
  ]);
});

test("each NUMA node's backend is a section of its own: 4 GiB in two nodes on q35", () => {
  const text = 'host h { qemu = "7.2" }\nvm v on h {\n  machine = q35\n  memory = 4G\n  numa {\n    node 0 { memory = 1G }\n    node 1 { memory = 3G }\n  }\n}\n';
  assert.deepEqual(sections(text), [
    "ram ram-below-1m/node0 [0x0, 0xc0000)",
    "rom pc.rom [0xc0000, 0xe0000)",
    "rom isa-bios [0xe0000, 0x100000)",
    "ram ram-below-4g/node0 [0x100000, 0x40000000)",
    "ram ram-below-4g/node1 [0x40000000, 0x80000000)",
    "rom pc.bios [0xfffc0000, 0x100000000)",
    "ram ram-above-4g/node1 [0x100000000, 0x180000000)",
  ]);
});

test("virt: RAM at 1 GiB split by NUMA node, a DIMM and a memfd DIMM of 3 MiB in device memory", () => {
  const text = [
    'host a { arch = aarch64 qemu = "7.2" }',
    "vm v on a {",
    "  memory = 2G",
    "  maxmem = 4G",
    "  slots = 2",
    "  numa {",
    "    node 0 { memory = 1G }",
    "    node 1 { memory = 1G }",
    "  }",
    "  dimm d0 { size = 1G }",
    "  dimm d1 { size = 3M backend = memfd }",
    "}",
  ].join("\n");
  assert.deepEqual(sections(text), [
    "ram mach-virt.ram/node0 [0x40000000, 0x80000000)",
    "ram mach-virt.ram/node1 [0x80000000, 0xc0000000)",
    "dimm d0 [0xc0000000, 0x100000000)",
    "dimm d1 [0x100000000, 0x100300000)",
  ]);
});
