// The mapping-state webview rendered in a DOM (happy-dom): text from the document is shown
// verbatim and never becomes markup; updates morph the page in place (focus survives); the
// figures shown are the report's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { useHappyDom } from "../support/happy-dom";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import { diskReader, enginePath } from "../../server/src/cli/files";
import { h, morph } from "../../webview/src/dom";
import type { Report } from "../../webview/src/report-types";
import { emptySelection, type Selection } from "../../webview/src/state";
import { renderView, type ViewData } from "../../webview/src/view";
import { repoRoot } from "../support/fixtures";

useHappyDom();

function exampleReport(name: string): Report {
  const path = `${repoRoot}examples/${name}`;
  return buildReport(analyzeText(readFileSync(path, "utf8"), enginePath(path), diskReader)) as unknown as Report;
}

const view = (report: Report | null, selection: Selection = emptySelection(), diagnostics: ViewData["diagnostics"] = []) =>
  renderView({ uri: "file:///t.vmtopo", fileName: "t.vmtopo", version: 3, report, diagnostics }, selection);

const EVIL = `<script>alert(1)</script>"' onmouseover="alert(2)" &amp; <img src=x onerror=alert(3)>`;
const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 5 } });
const ref = (line: number) => ({ file: `/t/${EVIL}.vmtopo`, range: range(line) });

function evilReport(): Report {
  const GiB = 2 ** 30;
  const container = {
    id: `c0${EVIL}`,
    backend: "type1",
    devices: [EVIL],
    behindViommu: false,
    limit: 65535,
    domains: 1,
    startupCheck: { mappings: 1, memslots: 2, sections: 1, total: 2, limit: 65535, passes: true },
    boot: { mappings: 6, pinnedBytes: GiB, pageTableBytes: 4096 },
    peak: { mappings: 7, pinnedBytes: GiB, pageTableBytes: 4096, scenario: EVIL, step: 1 },
    worstCase: { mappings: 8, pinnedBytes: GiB, pageTableBytes: 4096 },
    pageTableBytes: 4096,
  };
  return {
    file: `/t/${EVIL}.vmtopo`,
    vms: [
      {
        name: EVIL,
        host: EVIL,
        machine: "q35",
        memory: 2 * GiB,
        maxmem: 4 * GiB,
        confidential: "tdx",
        layout: {
          sections: [
            { name: EVIL, kind: "ram", start: 0, end: GiB, source: ref(1) },
            { name: `${EVIL}2`, kind: "virtio-mem", start: 4 * GiB, end: 6 * GiB, source: ref(2) },
          ],
          deviceMemory: { start: 4 * GiB, end: 6 * GiB },
          pciHole64: { start: 8 * GiB, end: 40 * GiB },
          highestGpa: 40 * GiB - 1,
          physBitsNeeded: 36,
          physBits: 46,
          relocatedAbove1T: false,
        },
        virtioMem: [{ name: `${EVIL}2`, base: 4 * GiB, size: 2 * GiB, blockSize: 2 ** 21, blocks: 1024, pluggedBlocks: 3, usableRegion: 0, guestMode: "sbm", largestPassingSize: null, source: ref(2) }],
        vfio: [{ name: EVIL, source: ref(3) }],
        containers: [container],
        source: ref(0),
        memlock: { processBytes: 0, userBytes: 0 },
    hugetlb: [],
    verdict: { kind: "refused", code: `VT${EVIL}`, message: EVIL },
        diagnostics: [],
      },
    ],
    scenarios: [
      {
        name: EVIL,
        vm: EVIL,
        source: ref(5),
        steps: [
          {
            index: 1,
            line: 6,
            range: range(6),
            text: `hotplug vfio x { host = "${EVIL}" }`,
            host: EVIL,
            containers: [{ id: container.id, mappings: 7, pinnedBytes: GiB, pageTableBytes: 4096, limit: 65535 }],
            pluggedBlocks: { [`${EVIL}2`]: 5 },
            sharedBytes: 2 ** 20,
            sharedRanges: [{ start: 0, end: 2 ** 20 }],
            migration: { to: EVIL, mode: "precopy", bytes: GiB, seconds: 1 },
            diagnostics: [{ code: `VT${EVIL}`, severity: "error", message: EVIL, range: range(6) }],
          },
        ],
      },
    ],
    hosts: [{ name: EVIL, memlock: 2 * GiB, iommuAddressWidth: 39, reservedIova: [{ name: EVIL, start: 0xfee00000, end: 0xfef00000, source: ref(9) }], source: ref(8), memlockSource: ref(10), addressWidthSource: ref(11) , hugepages: []}],
  };
}

describe("escaping", () => {
  test("names, step text and messages with markup are shown verbatim, never parsed", () => {
    const selection: Selection = { vm: EVIL, scenario: {}, step: { [EVIL]: 1 } };
    const root = view(evilReport(), selection, [{ code: EVIL, severity: "warning", message: EVIL, range: range(4) }]);
    document.body.replaceChildren(root);

    assert.equal(root.querySelectorAll("script").length, 0, "no script element");
    assert.equal(root.querySelectorAll("img").length, 0, "no img element from a name");
    const all = [root, ...Array.from(root.querySelectorAll("*"))];
    const handlers = all.flatMap((el) => Array.from(el.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}[${a.name}]`));
    assert.deepEqual(handlers, [], "no event-handler attribute");
    const tags = new Set(all.map((el) => el.tagName.toLowerCase()));
    for (const tag of tags) assert.ok(["main", "header", "h1", "h2", "h4", "span", "div", "p", "button", "section", "code", "ul", "li", "svg", "g", "line", "text", "polyline", "circle", "rect", "path", "figure", "strong"].includes(tag), `unexpected element <${tag}>`);

    // The text is there, as text, in every place a name can appear.
    const texts = all.flatMap((el) => Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.nodeValue ?? ""));
    const verbatim = texts.filter((t) => t.includes(EVIL));
    assert.ok(verbatim.length >= 8, `the name is shown verbatim in many text nodes (${verbatim.length})`);
    for (const shown of [EVIL, `${EVIL}2`, `c0${EVIL}`, `hotplug vfio x { host = "${EVIL}" }`]) {
      assert.ok(texts.includes(shown), `a text node reads exactly ${JSON.stringify(shown)}`);
    }
    // Attribute values keep the string whole (inert data, e.g. for reveal and selection).
    assert.equal(root.querySelector('[data-action="select-vm"], .vm-name')?.getAttribute("aria-label"), `vm ${EVIL}: go to its declaration`);
    assert.ok(Array.from(root.querySelectorAll("[data-file]")).every((el) => el.getAttribute("data-file") === `/t/${EVIL}.vmtopo`));
    // Serialized, text is escaped, and parsing the page again yields the same elements.
    const html = root.outerHTML;
    assert.ok(html.includes(">&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped in text");
    const reparsed = document.createElement("div");
    reparsed.innerHTML = html; // the test's own round trip, not the view's code
    assert.equal(reparsed.querySelectorAll("script, img").length, 0);
    assert.equal(reparsed.querySelectorAll("*").length, all.length);
  });

  test("the element helpers refuse event-handler attributes", () => {
    assert.throws(() => h("div", { onclick: "alert(1)" }), /event handler/);
  });
});

describe("updates in place", () => {
  test("a morph keeps the nodes (and the focus) and changes only what differs", () => {
    const report = exampleReport("virtio-mem-nic.vmtopo");
    const selection: Selection = { vm: null, scenario: {}, step: { "batch-window": 2 } };
    const live = view(report, selection);
    document.body.replaceChildren(live);
    const step2 = live.querySelector<HTMLElement>('[data-key="step:2"]')!;
    step2.focus();
    assert.equal(document.activeElement, step2);
    const map = live.querySelector('[data-key="address-map"]');
    const mappingsBefore = live.querySelector('[data-figure="mappings"]')!.textContent;

    // The user edits: step 2 now plugs fewer blocks.
    const edited = structuredClone(report);
    edited.scenarios[0].steps[1].containers[0].mappings = 12_345;
    edited.scenarios[0].steps[1].pluggedBlocks = { vmem0: 12_339 };
    morph(live, view(edited, selection));

    assert.equal(live.querySelector('[data-key="step:2"]'), step2, "the selected step is the same node");
    assert.equal(document.activeElement, step2, "focus kept");
    assert.equal(live.querySelector('[data-key="address-map"]'), map, "the map is the same node");
    const mappingsAfter = live.querySelector('[data-figure="mappings"]')!.textContent;
    assert.notEqual(mappingsAfter, mappingsBefore);
    assert.equal(mappingsAfter, "12,345 of 65,535 (19%)");
    assert.equal(live.getAttribute("data-version"), "3");
  });

  test("keyed children are moved, not rebuilt", () => {
    const list = (keys: string[]) => h("ul", {}, keys.map((k) => h("li", { "data-key": k }, k)));
    const live = list(["a", "b", "c"]);
    const [a, b, c] = Array.from(live.children);
    morph(live, list(["c", "a", "d"]));
    assert.deepEqual(Array.from(live.children).map((li) => li.textContent), ["c", "a", "d"]);
    assert.equal(live.children[0], c);
    assert.equal(live.children[1], a);
    assert.ok(!live.contains(b));
  });
});

describe("the figures shown are the report's", () => {
  test("virtio-mem next to VFIO: gauges at boot and after a step", () => {
    const report = exampleReport("virtio-mem-nic.vmtopo");
    const c0 = report.vms[0].containers[0];
    const boot = view(report);
    const figure = (root: HTMLElement, key: string) => root.querySelector(`[data-figure="${key}"]`)!.textContent;
    assert.equal(figure(boot, "mappings"), `${c0.boot!.mappings} of 65,535 (<0.01%)`);
    const meter = boot.querySelector('[role="meter"]')!;
    assert.equal(meter.getAttribute("aria-valuenow"), String(c0.boot!.mappings));
    assert.equal(meter.getAttribute("aria-valuemax"), "65535");
    assert.match(boot.querySelector(".verdict")!.textContent!, /within the limit of QEMU's DMA-mapping start-up check: 65,531 ≤ 65,535/);

    const step3 = view(report, { vm: null, scenario: {}, step: { "batch-window": 3 } });
    assert.equal(figure(step3, "mappings"), "32,774 of 65,535 (50%)");
    assert.match(step3.querySelector('[data-key="section:vmem0:10737418240"]')!.getAttribute("aria-label")!, /32,768 of 32,768 blocks of 4 MiB plugged/);
    assert.equal(step3.querySelectorAll(".timeline [role=tab]").length, report.scenarios[0].steps.length + 1);
    assert.equal(step3.querySelector('.timeline [aria-selected="true"]')!.getAttribute("data-key"), "step:3");
  });

  test("a TDX guest whose conversion fails: the state before it, the verdict, the chart's limit line", () => {
    const report = exampleReport("tdx-shared-assignment.vmtopo");
    const root = view(report, { vm: "td0", scenario: { td0: "td0-default-swiotlb" }, step: { "td0-default-swiotlb": 1 } });
    // The conversion needs 251,904 mappings: it fails and is rolled back, nothing is shared.
    assert.equal(root.querySelector('[data-figure="mappings"]')!.textContent, "0 of 65,535 (0%)");
    assert.equal(root.querySelector(".gauge.level-over"), null, "a state over the limit cannot exist");
    // td0 runs QEMU 10.1, where VT201 is a warning: drawn as one, not as a red failure.
    assert.match(root.querySelector(".verdict.warns")!.textContent!, /⚠ over \(QEMU warns\) the limit of QEMU's DMA-mapping start-up check: 4,228,024 > 65,535/);
    assert.equal(root.querySelector(".verdict.fails"), null);
    // The banner: td0 boots (with a warning) but its scenario's first step fails.
    const banner = root.querySelector(".verdict-banner")!;
    assert.equal(banner.getAttribute("data-verdict"), "fails-in-scenario");
    assert.match(banner.textContent!, /vm td0 fails at step 1 of scenario td0-default-swiotlb \(VT202\)/);
    assert.ok(banner.classList.contains("verdict-error"));
    assert.equal(root.querySelector(".fill-shared"), null, "nothing shared is drawn");
    assert.ok(root.querySelector('.chart-limit[data-key="limit:65535"]'), "the limit is a line");
    assert.match(root.querySelector(".step-detail")!.textContent!, /VT202/);
  });

  test("no report, no VM", () => {
    assert.match(renderView(null, emptySelection()).textContent!, /Open a \.vmtopo file/);
    assert.match(view(null).textContent!, /no analysis/);
    assert.match(view({ file: "/t", vms: [], scenarios: [], hosts: [] }).textContent!, /declares no VM/);
  });
});
