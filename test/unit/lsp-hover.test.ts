// Over the real protocol: hovering shows the figures that matter where the cursor (‸) is.
// Fixtures are the worked figures of DOMAIN.md §7 where there is one.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Hover, MarkupContent } from "vscode-languageserver-protocol";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

let documents = 0;
/** The hover at each ‸ of `source`, as Markdown (null where there is none), and the marked ⟦ranges⟧. */
async function hovers(source: string): Promise<{ texts: (string | null)[]; ranges: (Hover["range"] | null)[]; marked: ReturnType<typeof marked> }> {
  const m = marked(source);
  const uri = `file:///ws/hover-${++documents}.vmtopo`;
  await client.openAndWait(uri, m.text);
  const results = await Promise.all(m.cursors.map((position) => client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position })));
  for (const h of results) if (h) assert.equal((h.contents as MarkupContent).kind, "markdown");
  return { texts: results.map((h) => (h ? (h.contents as MarkupContent).value : null)), ranges: results.map((h) => h?.range ?? null), marked: m };
}

function includesAll(text: string | null, expected: string[]): void {
  assert.ok(text !== null, "expected a hover");
  for (const e of expected) assert.ok(text.includes(e), `hover lacks ${JSON.stringify(e)}:\n${text}`);
}

/** DOMAIN.md §7.1: a 16 GiB TDX guest with a NIC. */
const tdx = (hostVfio: string, qemu = "10.2", scenario = "") => `
host spr {
  qemu = "${qemu}"
  vfio { ${hostVfio} }
}
vm td0 on spr {
  confidential = tdx
  memory = 16G
  ‸vfio ⟦‸nic0⟧ { host = "0000:3b:00.0" }
}
${scenario}`;

describe("hover on a vfio device: its container", () => {
  test("a 16 GiB TDX guest on type1: nothing mapped at boot; QEMU's start-up check, 4,228,024 > 65,535, fails", async () => {
    const { texts, ranges, marked: m } = await hovers(tdx("backend = type1"));
    for (const text of texts) {
      includesAll(text, [
        "**vfio nic0** · container c0 (type1)",
        // RAM and the TDVF are guest_memfd, private at boot: no mapping, nothing pinned.
        "- at boot: **0 DMA mappings** · 0 B pinned · 4 KiB of IOMMU page tables",
        "- worst case: **4,195,264 DMA mappings** · 16 GiB pinned",
        "Limit 65,535 (`dma-entry-limit`): boot fits · peak fits · worst case **over** by 4,129,729.",
        "4,195,264 possible mappings + 32,764 memslots − 4 sections = **4,228,024** > 65,535: **fails** (VT201, an error: realize fails)",
      ]);
    }
    assert.deepEqual(ranges[1], m.ranges[0]);
  });

  test("the peak names its scenario and step", async () => {
    const [text] = (
      await hovers(
        tdx(
          "backend = type1",
          "10.1",
          `scenario bounce for td0 {
  convert 0x100000 .. 0x100ff000 to shared
  convert 0x100000 .. 0x8100000 to private
}`,
        ),
      )
    ).texts;
    // 65,535 shared pages: the most the limit allows (one more and the conversion fails, rolled back).
    includesAll(text, ["- peak: bounce, step 1: **65,535 DMA mappings**", "peak fits", "(VT201, a warning before QEMU 10.2)"]);
  });

  test("iommufd: no entry limit and no start-up check", async () => {
    const [text] = (await hovers(tdx("backend = iommufd"))).texts;
    includesAll(text, ["container c0 (iommufd)", "No entry limit (iommufd).", "QEMU's start-up check: none (iommufd)."]);
  });

  test("a device named in a step stands for its container; a hot-plugged one for the container it creates", async () => {
    const { texts } = await hovers(`
vm v {
  memory = 4G
  vfio nic0 {}
}
scenario s for v {
  hotplug vfio ‸nic1 { backend = iommufd }
  unplug ‸nic0
}`);
    includesAll(texts[0], ["**vfio nic1** · container c1 (iommufd)", "- peak: s, step 1: **6 DMA mappings**"]);
    assert.ok(!texts[0]!.includes("at boot"), texts[0]!);
    includesAll(texts[1], ["**vfio nic0** · container c0 (type1)", "- at boot: **6 DMA mappings**"]);
  });
});

describe("hover on a virtio-mem device", () => {
  const oneVirtioMem = (size: string, blockSize: string) => `
vm v {
  memory = 4G
  maxmem = 260G
  virtio-mem ‸vmem0 { size = ${size} block-size = ${blockSize} requested = 1G }
  vfio nic0 {}
}`;

  test("DOMAIN.md §7.4: at 2 MiB blocks the check passes up to 32,772 blocks, 64 GiB + 8 MiB", async () => {
    const [text] = (await hovers(oneVirtioMem("64G", "2M"))).texts;
    includesAll(text, [
      "**virtio-mem vmem0** · 64 GiB at 0x180000000",
      "- blocks: 32,768 × 2 MiB",
      "- plugged at boot: 512 blocks (1 GiB)",
      "- usable region: 1.25 GiB",
      "- guest: SBM (Sub Block Mode",
      "- largest size passing QEMU's start-up check at 2 MiB blocks: **≈ 64.01 GiB (65,544 MiB)** (32,772 blocks)",
    ]);
  });

  test("a 128 GiB device fails at 2 MiB blocks", async () => {
    const [text] = (await hovers(oneVirtioMem("128G", "2M"))).texts;
    includesAll(text, ["(32,772 blocks), below this 128 GiB: **fails**"]);
  });

  test("without a type1 VFIO device there is no check", async () => {
    const [text] = (await hovers(`vm v {\n  memory = 4G\n  maxmem = 8G\n  virtio-mem ‸vmem0 { size = 4G }\n}`)).texts;
    includesAll(text, ["- blocks: 2,048 × 2 MiB", "no start-up check (no type1 VFIO container maps it)"]);
  });
});

test("hover on a VM name: layout and phys-bits (DOMAIN.md §6: -m 4G,maxmem=68G needs 37 bits)", async () => {
  const { texts, ranges, marked: m } = await hovers(`
vm ⟦‸small⟧ {
  memory = 4G
  maxmem = 68G
  phys-bits = 36
}
scenario s for ‸small { }`);
  for (const text of texts) {
    includesAll(text, [
      "**vm small** on default · q35 · 4 GiB",
      "- RAM: 2 GiB below 4 GiB + 2 GiB above at [0x100000000, 0x180000000)",
      "- device memory: 64 GiB at [0x180000000, 0x1180000000)",
      "- 64-bit PCI hole: 32 GiB at [0x1180000000, 0x1980000000)",
      "- highest GPA 0x197fffffff: needs 37 phys-bits, has 36 ✗ (VT110)",
    ]);
  }
  assert.deepEqual(ranges[0], m.ranges[0]);
});

test("hover on a scenario step: the state after it", async () => {
  const { texts } = await hovers(`
host h {
  migration-bandwidth = 10Gbit
  hugepages { 1G = 68 }
}
vm v on h {
  memory = 4G
  maxmem = 68G
  page-size = 1G
  virtio-mem vmem0 { size = 64G block-size = 1G page-size = 1G }
  vfio nic0 { migration = stop-copy }
}
scenario s for v {
  ‸resize vmem0 to 8G
  migrate to h ‸postcopy
}`);
  includesAll(texts[0], ["**step 1** of s: `resize vmem0 to 8G`", "After it, on h:", "- c0 (nic0, type1): **14** DMA mappings of 65,535 ✓, pinned 12 GiB", "- vmem0: 8 blocks plugged (8 GiB)", "Raises nothing."]);
  includesAll(texts[1], ["**step 2** of s: `migrate to h postcopy`", "- migration (postcopy to h): 12 GiB in ≈ 10.31 s; each fault fetches 1 GiB in 859 ms", "Raises VT302 (error), VT303 (warning)."]);
});

test("hover on a literal: exact bytes, hex and 4 KiB pages; a count is a count", async () => {
  const { texts } = await hovers(`
host h { vfio { dma-entry-limit = ‸65535 } }
vm v on h {
  memory = ‸16G
  confidential = tdx
}
scenario s for v {
  convert ‸0x100000 .. 0x100800 to shared
}`);
  assert.equal(texts[0], "**65,535** · 0xffff");
  assert.equal(texts[1], "**16 GiB** · 17,179,869,184 bytes · 0x400000000 · 4,194,304 × 4 KiB pages");
  assert.equal(texts[2], "**1 MiB** · 1,048,576 bytes · 0x100000 · 256 × 4 KiB pages");
});

test("hover on an attribute name: meaning, the value it has here, and the language reference; the block decides which table", async () => {
  const { texts } = await hovers(`
host h {
  vfio { ‸backend = type1 }
}
vm v on h {
  memory = 4G
  ‸backend = memfd
  virtio-mem m { size = 1G ‸block-size = 2M }
  virtio-mem big { size = 4G ‸page-size = 1G }
}`);
  includesAll(texts[0], ["**backend** · attribute of a host's `vfio { }` block", "`type1` | `iommufd`", "here: **type1** (default: type1)", "docs/language.md#host-vfio)"]);
  includesAll(texts[1], ["**backend** · `vm` attribute", "`ram` | `memfd` | `file`", "here: **memfd** (default: ram)", "docs/language.md#vm)"]);
  includesAll(texts[2], ["**block-size** · attribute of a `virtio-mem` device", "hot(un)plug granularity", "here: **2 MiB**"]);
  for (const text of texts) assert.ok(!/LANGUAGE\.md|DOMAIN\.md|source:/.test(text!), text!);
});

test("hover on an attribute: the default as it applies to this VM, not a formula (block-size under 1G pages: 1 GiB)", async () => {
  const { texts } = await hovers(`
vm v {
  memory = 4G
  maxmem = 12G
  page-size = 1G
  virtio-mem m {
    size = 8G
    ‸block-size = 1G
    ‸backend = memfd
  }
}`);
  includesAll(texts[0], ["here: **1 GiB** (default: 1 GiB (QEMU's for a 1 GiB-page memfd backend))"]);
  includesAll(texts[1], ["here: **memfd** (default: ram (the VM's))"]);
  for (const text of texts) assert.ok(!text!.includes("QEMU's default for the backend"), text!);
});

test("no hover on punctuation, comments or an unknown attribute", async () => {
  const { texts } = await hovers(`// a comment‸
vm v {‸
  memory = 4G
  colour‸ = blue
}`);
  assert.deepEqual(texts, [null, null, null]);
});

test("hover on a VM name leads with the engine's verdict and its first reason, as the code lens and the webview say it", async () => {
  const { texts } = await hovers(`
vm ‸v {
  memory = 4G
  maxmem = 68G
  page-size = 1G
  virtio-mem m { size = 64G block-size = 2M }
}`);
  assert.match(texts[0]!, /^\*\*✗ refused by QEMU \(VT1\d\d\)\*\*: /);
  includesAll(texts[0], ["**vm v** on default"]);
});
