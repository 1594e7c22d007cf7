// Exports of the mapping-state view: the address map as a standalone SVG, and the extension
// host's checks of what the (untrusted) webview asks it to save or copy.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import { diskReader, enginePath } from "../../server/src/cli/files";
import { checkExport, checkMarkdown, checkSvg, safeFileStem } from "../../client/src/view-export-checks";
import { addressMapSvg, chartSvg, type ExportColors } from "../../webview/src/export";
import { emptySelection } from "../../webview/src/state";
import { renderView } from "../../webview/src/view";
import { useHappyDom } from "../support/happy-dom";
import type { Report } from "../../webview/src/report-types";
import { stateAt } from "../../webview/src/state";
import { repoRoot } from "../support/fixtures";

const colors: ExportColors = {
  background: "#1e1e1e",
  foreground: "#ccc",
  muted: "#888",
  kinds: { ram: "#3794ff", dimm: "#3794ff", private: "#b180d7", rom: "#888", "virtio-mem": "#89d185", "device-memory": "#89d185", plugged: "#89d185", shared: "#cca700", "pci-hole": "#888", reserved: "#f14c4c" },
};

function example(name: string): Report {
  const path = `${repoRoot}examples/${name}`;
  return buildReport(analyzeText(readFileSync(path, "utf8"), enginePath(path), diskReader)) as unknown as Report;
}

describe("the address map as SVG", () => {
  test("every region, its label and the theme's colours, in a document the host accepts", () => {
    const report = example("tdx-shared-assignment.vmtopo");
    const vm = report.vms[0];
    // A conversion that succeeds (64 MiB shared); the default bounce pool's fails and is rolled back.
    const scenario = report.scenarios.find((s) => s.name === "td0-small-swiotlb")!;
    const { svg, width, height } = addressMapSvg(vm, stateAt(report, vm, scenario, 1), colors);
    assert.ok(width > 0 && height > 0);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const section of vm.layout.sections) assert.ok(svg.includes(`>${section.name}</text>`), section.name);
    assert.ok(svg.includes('fill="#cca700"'), "shared memory drawn in the theme's colour");
    assert.match(svg, /after step 1 of td0-small-swiotlb/);
    assert.equal(checkSvg(svg), null);
  });

  test("unplugged virtio-mem is hatched as on screen, with a legend and the IOMMU aperture's end named", () => {
    const report = example("virtio-mem-nic.vmtopo");
    const vm = report.vms[0];
    const { svg, height } = addressMapSvg(vm, stateAt(report, vm, undefined, 0), colors);
    assert.match(svg, /<pattern id="unplugged"/);
    assert.match(svg, /<rect [^>]*fill="url\(#unplugged\)" stroke="#89d185"><title>vmem0 · /, "the device's region is hatched, not filled as memory that is there");
    for (const entry of ["RAM", "ROM", "plugged", "unplugged", "MMIO", "reserved IOVA"]) assert.ok(svg.includes(`>${entry}</text>`), `legend: ${entry}`);
    assert.match(svg, />IOMMU aperture ends \(48-bit IOVA space\)<\/text>/);
    assert.match(svg, new RegExp(`^<svg [^>]*height="${height}" viewBox="0 0 720 ${height}"`));
    assert.equal(checkSvg(svg), null);
  });

  test("names from the document are escaped", () => {
    const report = buildReport(analyzeText("vm v {\n  memory = 4G\n}\n")) as unknown as Report;
    const vm = { ...report.vms[0], name: `<script>alert(1)</script>` };
    const { svg } = addressMapSvg(vm, stateAt(report, vm, undefined, 0), colors);
    assert.ok(!svg.includes("<script>"));
    assert.equal(checkSvg(svg), null);
  });
});

describe("the per-step chart as SVG", () => {
  useHappyDom();

  test("a copy of the live chart, standalone, with a backdrop and no view-only attributes", () => {
    const report = example("virtio-mem-nic.vmtopo");
    const root = renderView({ uri: "file:///v.vmtopo", fileName: "v.vmtopo", version: 1, report, diagnostics: [] }, emptySelection());
    document.body.replaceChildren(root);
    const chart = root.querySelector<SVGSVGElement>("svg.chart")!;
    const { svg, width, height } = chartSvg(chart, "#ffffff");
    assert.deepEqual([width, height], [520, 200]);
    assert.match(svg, /^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<rect width="100%" height="100%" fill="#ffffff"/);
    assert.match(svg, /limit 65,535/);
    assert.ok(!svg.includes("data-action"), "no click actions of the view");
    assert.equal(checkSvg(svg), null);
    assert.ok(chart.isConnected && chart.getAttribute("class") === "chart", "the live chart is untouched");
  });

  test("with a caption: the title above the plot and the view's legend below, in one document", () => {
    const report = example("virtio-mem-nic.vmtopo");
    const root = renderView({ uri: "file:///v.vmtopo", fileName: "v.vmtopo", version: 1, report, diagnostics: [] }, emptySelection());
    document.body.replaceChildren(root);
    const chart = root.querySelector<SVGSVGElement>("svg.chart")!;
    const { svg, width, height } = chartSvg(chart, "#ffffff", { title: "DMA mappings per step of scenario batch-window (vm app0)", foreground: "#000000", muted: "#666666" });
    assert.deepEqual([width, height], [520, 26 + 200 + 22]);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="520" height="248"/);
    assert.match(svg, />DMA mappings per step of scenario batch-window \(vm app0\)<\/text>/);
    assert.match(svg, /<svg x="0" y="26" /, "the plot below the title");
    assert.match(svg, />c0 mappings<\/text>/);
    assert.match(svg, /stroke-dasharray="4 3"\/>\n<text[^>]*>limit<\/text>/, "the limit dashed, as in the view");
    assert.equal(checkSvg(svg), null);
  });
});

describe("the host's checks of an export", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="url(#g)"/></svg>';
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString("base64");

  test("an SVG and a PNG from the view are accepted, with a safe file name", () => {
    const s = checkExport({ type: "export", what: "address-map", format: "svg", name: "fleet-vm0-address-map", data: svg });
    assert.ok(!("error" in s));
    assert.equal(s.fileName, "fleet-vm0-address-map.svg");
    const p = checkExport({ type: "export", what: "chart", format: "png", name: "../../etc/passwd", data: png });
    assert.ok(!("error" in p));
    assert.equal(p.fileName, "etc-passwd.png");
    assert.deepEqual([...p.bytes.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  test("anything active, foreign or malformed is refused", () => {
    const refused = (data: string, format = "svg") => "error" in checkExport({ type: "export", what: "chart", format, name: "x", data });
    assert.ok(refused('<svg><script>alert(1)</script></svg>'));
    assert.ok(refused('<svg onload="alert(1)"></svg>'));
    assert.ok(refused('<svg><foreignObject><div/></foreignObject></svg>'));
    assert.ok(refused('<svg><image href="https://example.com/x.png"/></svg>'));
    assert.ok(refused('<svg><rect style="fill:url(https://x)"/></svg>'));
    assert.ok(refused("<html></html>"));
    assert.ok(refused("bm90IGEgcG5n", "png"), "base64 that is not a PNG");
    assert.ok(refused("<svg>", "png"), "not base64");
    assert.ok("error" in checkExport({ type: "export", what: "secrets", format: "svg", name: "x", data: svg }));
    assert.ok("error" in checkExport({ type: "export", what: "chart", format: "exe", name: "x", data: svg }));
    assert.ok("error" in checkExport(null));
  });

  test("file names: only safe characters, never hidden, never empty", () => {
    assert.equal(safeFileStem(".bashrc"), "bashrc");
    assert.equal(safeFileStem("a b/c\\d"), "a-b-c-d");
    assert.equal(safeFileStem(""), "vmtopo-figure");
    assert.equal(safeFileStem(42), "vmtopo-figure");
  });

  test("Markdown for the clipboard: a non-empty string of bounded size", () => {
    assert.equal(checkMarkdown({ type: "copy-markdown", text: "# x" }), "# x");
    assert.equal(checkMarkdown({ type: "copy-markdown", text: 3 }), null);
    assert.equal(checkMarkdown({ type: "copy-markdown", text: "" }), null);
    assert.equal(checkMarkdown({ type: "copy-markdown", text: "x".repeat(9 * 1024 * 1024) }), null);
  });
});
