// Confidential guests per type, as QEMU builds them (hw/i386/pc.c pc_memory_init,
// hw/i386/x86-common.c x86_bios_rom_init, target/i386/sev.c, system/ram-block-attributes.c):
// which regions exist, which are guest_memfd, what VFIO maps and pins at boot, which sections
// QEMU's start-up check counts, and the version each type needs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { GiB, KiB, MiB } from "../../server/src/engine/format";
import { buildReport } from "../../server/src/engine/report";
import { VERSION_FACTS, versionFact } from "../../server/src/engine/versions";

const FOUR_G = 4 * GiB;
const guest = (confidential: string, qemu = "10.2") => `
host h { qemu = "${qemu}" }
vm g on h {
  confidential = ${confidential}
  memory = 16G
  vfio nic0 { host = "0000:41:00.0" }
}
`;
const vmReport = (text: string) => buildReport(analyzeText(text)).vms[0];
/** name [start, end) and whether guest_memfd, for the sections below 4 GiB that are not RAM */
const roms = (text: string) =>
  vmReport(text)
    .layout.sections.filter((s) => s.kind === "rom")
    .map((s) => ({ name: s.name, start: s.start, end: s.end, private: Boolean(s.guestMemfd) }));
const ramPrivate = (text: string) => vmReport(text).layout.sections.filter((s) => s.kind === "ram").map((s) => Boolean(s.guestMemfd));

describe("regions per confidential type", () => {
  test("plain q35 with SeaBIOS: pc.rom, isa-bios and a 256 KiB pc.bios, all ordinary", () => {
    assert.deepEqual(roms(guest("none")), [
      { name: "pc.rom", start: 0xc0000, end: 0xe0000, private: false },
      { name: "isa-bios", start: 0xe0000, end: 0x100000, private: false },
      { name: "pc.bios", start: FOUR_G - 256 * KiB, end: FOUR_G, private: false },
    ]);
  });

  test("SEV and SEV-ES: the same regions with OVMF's 4 MiB, ordinary RAM throughout", () => {
    for (const type of ["sev", "sev-es"]) {
      assert.deepEqual(roms(guest(type)), [
        { name: "pc.rom", start: 0xc0000, end: 0xe0000, private: false },
        { name: "isa-bios", start: 0xe0000, end: 0x100000, private: false },
        { name: "pc.bios", start: FOUR_G - 4 * MiB, end: FOUR_G, private: false },
      ]);
      assert.deepEqual(ramPrivate(guest(type)), [false, false, false]);
    }
  });

  test("TDX: no pc.rom, no isa-bios; the TDVF (pc.bios) and RAM are guest_memfd", () => {
    assert.deepEqual(roms(guest("tdx")), [{ name: "pc.bios", start: FOUR_G - 4 * MiB, end: FOUR_G, private: true }]);
    assert.deepEqual(ramPrivate(guest("tdx")), [true, true, true]);
  });

  test("SEV-SNP: pc.rom and pc.bios in guest_memfd, no isa-bios alias", () => {
    assert.deepEqual(roms(guest("sev-snp")), [
      { name: "pc.rom", start: 0xc0000, end: 0xe0000, private: true },
      { name: "pc.bios", start: FOUR_G - 4 * MiB, end: FOUR_G, private: true },
    ]);
    assert.deepEqual(ramPrivate(guest("sev-snp")), [true, true, true]);
  });
});

describe("boot mappings, pins and the start-up check per type (16 GiB, one type1 device)", () => {
  const RAM = 16 * GiB - 256 * KiB; // [0, 0xc0000) + [1M, 2G) + [4G, 18G)
  test("SEV: six ordinary sections mapped whole, all RAM pinned, no start-up check", () => {
    const [c] = vmReport(guest("sev")).containers;
    assert.equal(c.boot!.mappings, 6);
    assert.equal(c.boot!.pinnedBytes, RAM + 128 * KiB + 128 * KiB + 4 * MiB);
    assert.equal(c.startupCheck, null);
    assert.deepEqual(analyzeText(guest("sev")).diagnostics.map((d) => d.code), []);
  });

  test("TDX: nothing mapped or pinned at boot; the check counts 3 RAM sections and the TDVF", () => {
    const [c] = vmReport(guest("tdx")).containers;
    assert.equal(c.boot!.mappings, 0);
    assert.equal(c.boot!.pinnedBytes, 0);
    assert.deepEqual(c.startupCheck, { mappings: RAM / 4096 + 1024, memslots: 32_764, sections: 4, total: RAM / 4096 + 1024 + 32_764 - 4, limit: 65_535, passes: false });
  });

  test("SEV-SNP: nothing mapped at boot; the check counts 3 RAM sections, pc.rom and pc.bios", () => {
    const [c] = vmReport(guest("sev-snp")).containers;
    assert.equal(c.boot!.mappings, 0);
    assert.equal(c.startupCheck!.sections, 5);
    assert.equal(c.startupCheck!.mappings, RAM / 4096 + 32 + 1024);
  });
});

describe("version gates", () => {
  const codes = (text: string) => analyzeText(text).diagnostics.map((d) => d.code).sort();
  test("each type on the first QEMU that has it, and on the one before", () => {
    assert.deepEqual(codes(guest("tdx", "10.1")), ["VT201"]);
    assert.deepEqual(codes(guest("tdx", "10.0")), ["VT004", "VT118"]);
    assert.deepEqual(codes(guest("sev-snp", "9.1")), ["VT118"]); // 9.1 has SNP, but no VFIO with guest_memfd
    assert.deepEqual(codes(guest("sev-snp", "9.0")), ["VT004", "VT118"]);
    assert.deepEqual(codes(guest("sev", "6.0")), []);
    assert.deepEqual(codes(guest("sev-es", "5.2")), ["VT004"]);
  });

  test("the version table answers by id, and refuses an unknown one", () => {
    assert.equal(versionFact("tdx-guest").since, "10.1");
    assert.equal(versionFact("sev-snp-guest").since, "9.1");
    assert.equal(versionFact("virtio-mem-vfio").since, "6.1");
    assert.equal(versionFact("kvm-user-memslots-32k").component, "linux");
    assert.throws(() => versionFact("no-such-fact"), /unknown version fact/);
    assert.equal(new Set(VERSION_FACTS.map((f) => f.id)).size, VERSION_FACTS.length, "ids are unique");
    for (const fact of VERSION_FACTS) assert.ok(fact.source.length > 0 && fact.rules.length > 0, `${fact.id} cites its source and rules`);
  });
});
