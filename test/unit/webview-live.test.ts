// The mapping-state view attached to a running QEMU ("vmtopo: Attach to QEMU…"), rendered in
// a DOM (happy-dom): the "Running VM" panel puts QEMU's figures in a "Live (QEMU)" column
// beside the design's for the step the live state was matched to, draws each difference in
// its diagnostic's severity with the VT501 message, and is absent when not attached. The
// live message is untrusted: parseLiveMessage refuses whatever does not fit its schema.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { compareLive, liveDesign, type LiveVm } from "../../server/src/engine/interop/live-compare";
import { buildReport } from "../../server/src/engine/report";
import { parseViewMessage } from "../../client/src/view-messages";
import { parseLiveMessage } from "../../webview/src/live-message";
import type { LiveView, Report } from "../../webview/src/report-types";
import { emptySelection, type Selection } from "../../webview/src/state";
import { renderView, type ViewData } from "../../webview/src/view";
import { useHappyDom } from "../support/happy-dom";
import { Random, rng } from "../support/random";

useHappyDom();

const GiB = 2 ** 30;
const FILE = "/t/guest.vmtopo";
const DESIGN = `vm guest {
  machine = q35
  memory = 2G
  maxmem = 18G
  virtio-mem vm0 {
    size = 16G
    block-size = 2M
  }
  vfio nic0 {
    host = "0000:3b:00.0"
  }
}

scenario plug for guest {
  resize vm0 to 1G
  resize vm0 to 2G
}
`;

const analysis = analyzeText(DESIGN, FILE);
const report = buildReport(analysis) as unknown as Report;

/** QEMU as the design predicts it, with requested-size `requested` on vm0. */
function running(requested: number): LiveVm {
  return {
    qemuVersion: "7.2.22",
    bootBackend: null,
    vfio: ["nic0"],
    memoryDevices: [{ type: "virtio-mem", id: "vm0", memaddr: 4 * GiB, size: requested, requestedSize: requested, blockSize: 2 * 2 ** 20, maxSize: 16 * GiB, memdev: "/objects/m0" }],
    flatView: [
      { name: "pc.ram", kind: "ram", start: 0, end: 0xc0000 },
      { name: "pc.ram", kind: "ram", start: 0x100000, end: 2 * GiB },
      { name: "vga.vram", kind: "ram", start: 0xfd000000, end: 0xfe000000 },
      { name: "m0", kind: "ram", start: 4 * GiB, end: 20 * GiB },
    ],
  };
}

/** The view's live state as the server answers `vmtopo/live` (docs/lsp.md), through JSON. */
function liveView(requested: number, scenario?: string, step?: number, version: number | null = 3): LiveView {
  const comparison = compareLive(liveDesign(analysis, buildReport(analysis, scenario), "guest", scenario, step), running(requested));
  const { vm, qemuVersion, rows, differences, notes } = comparison;
  return JSON.parse(JSON.stringify({ vm, scenario: comparison.scenario, step: comparison.step, qemuVersion, socket: "/run/guest.qmp", readAt: "2026-11-30T10:02:03.000Z", version, rows, differences, notes }));
}

const view = (live: LiveView | null | undefined, selection: Selection = emptySelection(), version = 3) => {
  const data: ViewData = { uri: "file:///t/guest.vmtopo", fileName: "guest.vmtopo", version, report, diagnostics: [], ...(live !== undefined ? { live } : {}) };
  const root = renderView(data, selection);
  document.body.replaceChildren(root);
  return root;
};

const cells = (root: HTMLElement, key: string) => {
  const row = root.querySelector(`tr[data-row="${key}"]`);
  assert.ok(row, `a row ${key}`);
  return { row, design: row.querySelector('[data-side="design"]')!.textContent, live: row.querySelector('[data-side="live"]')!.textContent };
};

describe("the running VM beside the design", () => {
  test("attached at step 1 of plug, QEMU as designed: Design and Live (QEMU) columns agree, row by row", () => {
    const root = view(liveView(GiB, "plug", 1), { vm: null, scenario: {}, step: { plug: 1 } });
    const panel = root.querySelector(".live-panel")!;
    assert.ok(panel, "the Running VM panel");
    assert.deepEqual(
      Array.from(panel.querySelectorAll("thead th")).map((th) => th.textContent),
      ["", "Design (after step 1 of plug)", "Live (QEMU)"],
    );
    assert.match(panel.querySelector(".live-status")!.textContent!, /^Matched to the design after step 1 of plug resize vm0 to 1G · read .+ from \/run\/guest\.qmp$/);
    assert.match(panel.querySelector("h2")!.textContent!, /vm guest in QEMU 7\.2\.22/);
    assert.equal(panel.querySelector(".live-summary")!.textContent, "✓ No difference from the design.");
    // Boot RAM around the legacy hole, the device memory region, each virtio-mem property, the NIC.
    assert.deepEqual(cells(root, "ram:boot RAM:1"), { row: root.querySelector('tr[data-row="ram:boot RAM:1"]'), design: "0x10_0000 – 0x8000_0000 (2,047 MiB)", live: "0x10_0000 – 0x8000_0000 (2,047 MiB)" });
    assert.equal(cells(root, "ram:vm0:0").live, "0x1_0000_0000 – 0x5_0000_0000 (16 GiB)");
    assert.equal(cells(root, "virtio-mem:vm0:address").live, "0x1_0000_0000");
    assert.equal(cells(root, "virtio-mem:vm0:size").design, "16 GiB");
    assert.equal(cells(root, "virtio-mem:vm0:requested-size").design, "1 GiB");
    assert.equal(cells(root, "virtio-mem:vm0:requested-size").live, "1 GiB");
    assert.deepEqual([cells(root, "vfio:nic0").design, cells(root, "vfio:nic0").live], ["present", "present"]);
    // vga.vram is RAM in a PCI BAR, not modelled: no row.
    assert.equal(panel.querySelector('[data-row*="vga"]'), null);
    assert.equal(panel.querySelectorAll(".live-differs").length, 0);
    assert.deepEqual(Array.from(panel.querySelectorAll(".live-group th")).map((th) => th.textContent), ["RAM sections (flat view of the system address space)", "virtio-mem vm0", "VFIO devices (vfio-pci)"]);
  });

  test("after qom-set requested-size = 2 GiB: the requested-size row is drawn as a warning, with the VT501 message that reveals the step's line", () => {
    const root = view(liveView(2 * GiB, "plug", 1), { vm: null, scenario: {}, step: { plug: 1 } });
    const { row, design, live } = cells(root, "virtio-mem:vm0:requested-size");
    assert.deepEqual([design, live], ["1 GiB", "2 GiB"]);
    assert.ok(row.classList.contains("live-differs") && row.classList.contains("severity-warning"), row.className);
    assert.equal(row.getAttribute("data-status"), "differs");
    assert.equal(root.querySelectorAll("tr.live-differs").length, 1, "only that row");
    const message = root.querySelector(".live-message")!;
    assert.ok(message.classList.contains("severity-warning"));
    assert.equal(message.querySelector(".diagnostic-code")!.textContent, "VT501");
    assert.equal(message.querySelector(".diagnostic-message")!.textContent, "the running VM differs from the design: virtio-mem 'vm0' has requested-size 2 GiB, the design requests 1 GiB after step 1 of scenario 'plug'");
    // The difference is on step 1's line (line 15), as in the Problems panel.
    assert.equal(message.getAttribute("data-action"), "reveal");
    assert.equal(message.getAttribute("data-file"), FILE);
    assert.equal(message.getAttribute("data-range")!.split(":")[0], "14");
    assert.equal(root.querySelector(".live-summary")!.textContent, "⚠ 1 difference from the design (VT501, also in the Problems panel).");
    assert.ok(root.querySelector(".live-summary")!.classList.contains("severity-warning"));
  });

  test("a guest still plugging is a note on the plugged row, not a difference", () => {
    const live = liveView(GiB, "plug", 1);
    const plugging = JSON.parse(JSON.stringify(live)) as LiveView;
    const comparison = compareLive(liveDesign(analysis, buildReport(analysis, "plug"), "guest", "plug", 1), { ...running(GiB), memoryDevices: [{ ...running(GiB).memoryDevices[0], size: 0 }] });
    plugging.rows = JSON.parse(JSON.stringify(comparison.rows));
    const root = view(plugging, { vm: null, scenario: {}, step: { plug: 1 } });
    const plugged = cells(root, "virtio-mem:vm0:plugged");
    assert.deepEqual([plugged.design, plugged.live], ["1 GiB", "0 B"]);
    assert.equal(plugged.row.getAttribute("data-status"), "same");
    assert.match(root.querySelector(".live-note-row")!.textContent!, /the guest has plugged 0 B of the 1 GiB requested/);
    assert.equal(root.querySelectorAll(".live-differs").length, 0);
  });

  test("a section QEMU placed elsewhere: one row with both places, and the design's message", () => {
    const moved = running(0);
    moved.memoryDevices[0].memaddr = 8 * GiB;
    moved.flatView[3] = { name: "m0", kind: "ram", start: 8 * GiB, end: 24 * GiB };
    const comparison = compareLive(liveDesign(analysis, buildReport(analysis), "guest"), moved);
    const live = JSON.parse(JSON.stringify({ ...comparison, socket: "/s", readAt: "2026-11-30T10:00:00Z", version: 3 }));
    const root = view(live);
    const { row, design, live: shown } = cells(root, "ram:vm0:0");
    assert.deepEqual([design, shown], ["0x1_0000_0000 – 0x5_0000_0000 (16 GiB)", "0x2_0000_0000 – 0x6_0000_0000 (16 GiB)"]);
    assert.ok(row.classList.contains("severity-warning"));
    assert.ok(cells(root, "virtio-mem:vm0:address").row.classList.contains("live-differs"));
    assert.equal(root.querySelector(".live-summary")!.textContent, "⚠ 2 differences from the design (VT501, also in the Problems panel).");
  });

  test("VFIO devices: the design's NIC missing in QEMU, and one QEMU has that the design does not", () => {
    const comparison = compareLive(liveDesign(analysis, buildReport(analysis), "guest"), { ...running(0), vfio: ["gpu9"] });
    const root = view(JSON.parse(JSON.stringify({ ...comparison, socket: "/s", readAt: "2026-11-30T10:00:00Z", version: 3 })));
    const nic = cells(root, "vfio:nic0");
    assert.deepEqual([nic.design, nic.live, nic.row.getAttribute("data-status")], ["present", "—", "differs"]);
    const gpu = cells(root, "vfio:gpu9:0");
    assert.deepEqual([gpu.design, gpu.live, gpu.row.getAttribute("data-status")], ["—", "present", "differs"]);
    assert.deepEqual(
      Array.from(root.querySelectorAll(".live-message .diagnostic-message")).map((m) => m.textContent!.replace("the running VM differs from the design: ", "")),
      ["vfio 'nic0' is not in the running VM (no vfio-pci device with id 'nic0') at boot", "the running VM has a vfio-pci device 'gpu9' that the design does not have at boot"],
    );
  });

  test("not attached, detached, or attached to another VM: no live panel", () => {
    assert.equal(view(undefined).querySelector(".live-panel"), null);
    assert.equal(view(null).querySelector(".live-panel"), null);
    assert.equal(view(null).querySelector(".grid.with-live"), null);
    assert.equal(view({ ...liveView(0), vm: "other" }).querySelector(".live-panel"), null);
    assert.ok(view(liveView(0)).querySelector(".grid.with-live .live-panel"));
  });

  test("viewing another step than the one matched says so and offers the way back; an edited design asks for a refresh", () => {
    const root = view(liveView(GiB, "plug", 1), { vm: null, scenario: {}, step: { plug: 2 } });
    assert.match(root.querySelector(".live-elsewhere")!.textContent!, /^The view shows the design after step 2 of plug; the running VM was compared after step 1 of plug\. Show step 1$/);
    assert.equal(root.querySelector('[data-action="show-live-step"]')!.textContent, "Show step 1");
    assert.equal(view(liveView(GiB, "plug", 1), { vm: null, scenario: {}, step: { plug: 1 } }).querySelector(".live-elsewhere"), null);
    assert.match(view(liveView(0), { vm: null, scenario: {}, step: { plug: 2 } }).querySelector(".live-elsewhere")!.textContent!, /compared at boot\. Show boot$/);
    assert.equal(view(liveView(GiB, "plug", 1), { vm: null, scenario: {}, step: { plug: 1 } }, 3).querySelector(".live-stale"), null);
    assert.match(view(liveView(GiB, "plug", 1), { vm: null, scenario: {}, step: { plug: 1 } }, 4).querySelector(".live-stale")!.textContent!, /The design has changed since QEMU was compared with it: Refresh to compare again/);
    // Refresh and Detach post to the host.
    assert.deepEqual(Array.from(root.querySelectorAll(".live-panel .tool-button")).map((b) => b.getAttribute("data-action")), ["live-refresh", "live-detach"]);
  });

  test("names from the files or QEMU are text, never markup", () => {
    const EVIL = `<img src=x onerror=alert(1)>`;
    const live = liveView(2 * GiB, "plug", 1);
    live.socket = EVIL;
    live.qemuVersion = EVIL;
    live.rows[0].label = EVIL;
    live.differences[0].message = EVIL;
    const root = view(live, { vm: null, scenario: {}, step: { plug: 1 } });
    assert.equal(root.querySelectorAll("img").length, 0);
    assert.ok(root.querySelector(".live-panel")!.textContent!.includes(EVIL));
  });
});

test("the panel's buttons reach the host as bare messages (anything else in them is dropped)", () => {
  assert.deepEqual(parseViewMessage({ type: "live-refresh", socket: "/etc/passwd" }), { type: "live-refresh" });
  assert.deepEqual(parseViewMessage({ type: "live-detach", uri: "x" }), { type: "live-detach" });
  assert.ok("refused" in parseViewMessage({ type: "live-attach", socket: "/tmp/x" }));
});

describe("the live message's schema (the view treats it as untrusted)", () => {
  const valid = () => ({ type: "live", uri: "file:///t/guest.vmtopo", live: liveView(2 * GiB, "plug", 1) as unknown as Record<string, unknown> });

  test("a well-formed message is rebuilt from its checked fields; null detaches", () => {
    const message = valid();
    (message.live as Record<string, unknown>).extra = "dropped";
    const parsed = parseLiveMessage(message);
    assert.ok(!("refused" in parsed), JSON.stringify(parsed));
    assert.equal((parsed.live as unknown as Record<string, unknown>).extra, undefined);
    assert.deepEqual(parsed.live, liveView(2 * GiB, "plug", 1));
    assert.deepEqual(parseLiveMessage({ type: "live", uri: "file:///t/guest.vmtopo", live: null }), { type: "live", uri: "file:///t/guest.vmtopo", live: null });
  });

  const malformed: [string, (live: Record<string, any>) => void, RegExp][] = [
    ["rows not a list", (l) => (l.rows = "x"), /live\.rows must be a list/],
    ["a figure of unknown kind", (l) => (l.rows[0].live = { kind: "html", value: "<b>" }), /rows\[0\]\.live\.kind/],
    ["a size past 2^53", (l) => (l.rows[3].design = { kind: "bytes", value: 2 ** 53 }), /rows\[3\]\.design\.value must be a non-negative safe integer/],
    ["a negative address", (l) => (l.rows[3].live = { kind: "address", value: -1 }), /non-negative safe integer/],
    ["a range that ends before it starts", (l) => (l.rows[0].live = { kind: "range", start: 10, end: 5 }), /ends before it starts/],
    ["an unknown group", (l) => (l.rows[0].group = "script"), /group must be/],
    ["a row key twice", (l) => (l.rows[1].key = l.rows[0].key), /each key once/],
    ["a difference of no row", (l) => (l.differences[0].subject = "nowhere"), /subject "nowhere" is no row/],
    ["an unknown severity", (l) => (l.differences[0].severity = "fatal"), /severity must be/],
    ["a range with a fractional line", (l) => (l.differences[0].range.start.line = 1.5), /range\.start\.line/],
    ["a step without its scenario", (l) => (l.scenario = null), /come together/],
    ["a read time that is no date", (l) => (l.readAt = "soon"), /readAt must be a date/],
    ["a huge string", (l) => (l.vm = "x".repeat(5000)), /live\.vm must be a string/],
    ["a note not a string", (l) => (l.notes = [{}]), /notes\[0\]/],
    ["a source without a file", (l) => (l.rows[0].source = { range: l.rows[0].source.range }), /source\.file/],
    ["too many rows", (l) => (l.rows = Array.from({ length: 10_001 }, (_, i) => ({ ...l.rows[0], key: `k${i}` }))), /at most 10000/],
  ];
  for (const [what, spoil, reason] of malformed) {
    test(`refused: ${what}`, () => {
      const message = valid();
      spoil(message.live);
      const parsed = parseLiveMessage(message);
      assert.ok("refused" in parsed, `accepted: ${what}`);
      assert.match(parsed.refused, reason);
    });
  }

  test("refused: not a live message, no uri, a live that is not an object, a getter that throws", () => {
    assert.deepEqual(parseLiveMessage(null), { refused: "not a live message" });
    assert.deepEqual(parseLiveMessage({ type: "update" }), { refused: "not a live message" });
    assert.match((parseLiveMessage({ type: "live", live: null }) as { refused: string }).refused, /uri must be a string/);
    assert.match((parseLiveMessage({ type: "live", uri: "u", live: [] }) as { refused: string }).refused, /live must be an object or null/);
    const hostile = { type: "live", uri: "u", get live(): unknown { throw new Error("boom"); } };
    assert.deepEqual(parseLiveMessage(hostile), { refused: "unreadable message" });
  });

  const SEED = Number(process.env.VMTOPO_SEED ?? Math.floor(Math.random() * 2 ** 31));
  test(`random corruptions of a real message (seed ${SEED}): never thrown; accepted only whole and in bounds`, () => {
    const random = new Random(rng(SEED));
    const odd = [null, -1, 1.5, 2 ** 53, "", "x".repeat(5000), [], {}, true, "<b>", { kind: "range", start: 5, end: 1 }];
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const message = valid() as any;
      // Replace one value somewhere in the message by an odd one.
      let node = message;
      for (let depth = 0; depth < 6; depth++) {
        const keys = Object.keys(node);
        const key = random.pick(keys);
        if (typeof node[key] !== "object" || node[key] === null || random.chance(0.3)) {
          node[key] = random.pick(odd);
          break;
        }
        node = node[key];
      }
      const parsed = parseLiveMessage(message);
      if ("refused" in parsed) continue;
      accepted++;
      if (parsed.live === null) continue;
      for (const row of parsed.live.rows) {
        for (const f of [row.design, row.live]) {
          if (f === null || f.kind === "present") continue;
          const numbers = f.kind === "range" ? [f.start, f.end] : [f.value];
          assert.ok(numbers.every((n) => Number.isSafeInteger(n) && n >= 0), `seed ${SEED}: ${JSON.stringify(f)}`);
        }
      }
      assert.ok(parsed.live.differences.every((d) => parsed.live!.rows.some((r) => r.key === d.subject)), `seed ${SEED}`);
    }
    assert.ok(accepted > 0 && accepted < 2000, `${accepted} of 2000 accepted (seed ${SEED})`);
  });
});
