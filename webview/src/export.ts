// Export of the address map and the per-step chart as standalone SVG (and PNG, rasterised
// from that SVG in the view). The map is drawn with the same layout as on screen
// (regionsOf, groupRegions, layoutAxis, placeLabels); colours are the theme's, resolved, so
// the file looks as the view did. `addressMapSvg` is pure given the colours (unit-tested).
import { AXIS_DEFAULTS, groupRegions, layoutAxis, MAP_DETAIL_LIMIT, placeLabels, regionsOf, type RegionKind } from "./address-map";
import { hex } from "./format";
import type { VmReport } from "./report-types";
import type { VmState } from "./state";

export interface ExportColors {
  background: string;
  foreground: string;
  muted: string;
  kinds: Record<RegionKind | "plugged" | "shared", string>;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
const n = (v: number) => String(Math.round(v * 10) / 10);

/** The address map as an SVG document. */
export function addressMapSvg(vm: VmReport, state: VmState, colors: ExportColors): { svg: string; width: number; height: number } {
  const regions = groupRegions(regionsOf(vm, state), MAP_DETAIL_LIMIT);
  const host = state.host;
  const apertureEnd = host ? 2 ** host.iommuAddressWidth : null;
  const axis = layoutAxis(regions, apertureEnd !== null ? [apertureEnd] : [], AXIS_DEFAULTS);
  const top = 40;
  const gap = 30;
  const labelled = regions.filter((r) => r.lane !== "side").sort((a, b) => a.start - b.start);
  const desired = labelled.map((r) => (axis.y(r.start) + axis.y(r.end)) / 2 - gap / 2);
  const order = desired.map((_, i) => i).sort((a, b) => desired[a] - desired[b]);
  const tops = placeLabels(order.map((i) => desired[i]), gap);
  const height = Math.ceil(top + Math.max(axis.height, (tops[tops.length - 1] ?? 0) + gap) + 16);
  const width = 720;
  const laneX: Record<string, number> = { main: 130, iova: 198, side: 214 };
  const laneW: Record<string, number> = { main: 64, iova: 12, side: 8 };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  // virtio-mem's unplugged blocks hatched, as on screen: a flat fill read as memory that is there.
  out.push(`<defs><pattern id="unplugged" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="4" fill="${escapeXml(colors.kinds["virtio-mem"])}" fill-opacity="0.45"/></pattern></defs>`);
  out.push(`<rect width="100%" height="100%" fill="${escapeXml(colors.background)}"/>`);
  out.push(`<text x="12" y="22" font-size="14" font-weight="600" fill="${escapeXml(colors.foreground)}">${escapeXml(`Guest-physical address map of vm ${vm.name} ${state.label}`)}</text>`);
  for (const s of axis.segments.filter((seg) => seg.collapsed && seg.empty)) {
    out.push(`<rect x="130" y="${n(top + s.y + s.height / 2 - 1)}" width="92" height="2" fill="${escapeXml(colors.muted)}" opacity="0.5"/>`);
  }
  for (const r of regions) {
    const y = top + axis.y(r.start);
    const h = Math.max(2, axis.y(r.end) - axis.y(r.start));
    const colour = escapeXml(colors.kinds[r.kind]);
    const dashed = r.kind === "pci-hole" ? ` stroke-dasharray="4 3"` : "";
    const fill = r.kind === "virtio-mem" ? `fill="url(#unplugged)"` : `fill="${colour}" fill-opacity="${r.soft ? 0.12 : 0.45}"`;
    out.push(`<rect x="${laneX[r.lane]}" y="${n(y)}" width="${laneW[r.lane]}" height="${n(h)}" ${fill} stroke="${colour}"${dashed}><title>${escapeXml(`${r.name} · ${r.detail}`)}</title></rect>`);
    for (const f of r.fills) {
      const fy = top + axis.y(f.start);
      out.push(`<rect x="${laneX[r.lane]}" y="${n(fy)}" width="${laneW[r.lane]}" height="${n(Math.max(2, top + axis.y(f.end) - fy))}" fill="${escapeXml(colors.kinds[f.kind])}"/>`);
    }
  }
  let lastAddressY = -Infinity;
  for (const address of [...new Set(labelled.flatMap((r) => [r.start, r.end]))].sort((a, b) => a - b)) {
    const y = top + axis.y(address);
    if (y - lastAddressY < 13) continue;
    lastAddressY = y;
    out.push(`<text x="122" y="${n(y + 4)}" text-anchor="end" font-family="monospace" font-size="10" fill="${escapeXml(colors.muted)}">${hex(address)}</text>`);
  }
  order.forEach((index, k) => {
    const r = labelled[index];
    const y = top + tops[k];
    const from = top + desired[index] + gap / 2;
    out.push(`<path d="M226 ${n(from)} C 238 ${n(from)}, 238 ${n(y + gap / 2)}, 250 ${n(y + gap / 2)}" fill="none" stroke="${escapeXml(colors.muted)}" opacity="0.6"/>`);
    out.push(`<text x="254" y="${n(y + 12)}" font-family="monospace" font-weight="600" fill="${escapeXml(colors.foreground)}">${escapeXml(r.name)}</text>`);
    out.push(`<text x="254" y="${n(y + 26)}" font-size="11" fill="${escapeXml(colors.muted)}">${escapeXml(r.detail)}</text>`);
  });
  if (apertureEnd !== null && host) {
    const y = top + axis.y(apertureEnd);
    out.push(`<line x1="124" x2="226" y1="${n(y)}" y2="${n(y)}" stroke="${escapeXml(colors.kinds.reserved)}" stroke-width="2" stroke-dasharray="6 4"/>`);
    out.push(`<text x="254" y="${n(y + 4)}" font-size="11" fill="${escapeXml(colors.muted)}">${escapeXml(`IOMMU aperture ends (${host.iommuAddressWidth}-bit IOVA space)`)}</text>`);
  }
  // The legend under the map, as on screen: the kinds drawn.
  const kinds = new Set(regions.map((r) => r.kind));
  const legend: [string, string][] = [];
  if (kinds.has("ram")) legend.push([`fill="${escapeXml(colors.kinds.ram)}" fill-opacity="0.45"`, "RAM"]);
  if (kinds.has("private")) legend.push([`fill="${escapeXml(colors.kinds.private)}" fill-opacity="0.45"`, "private RAM"], [`fill="${escapeXml(colors.kinds.shared)}"`, "shared"]);
  if (kinds.has("rom")) legend.push([`fill="${escapeXml(colors.kinds.rom)}" fill-opacity="0.45"`, "ROM"]);
  if (kinds.has("virtio-mem")) legend.push([`fill="${escapeXml(colors.kinds.plugged)}"`, "plugged"], [`fill="url(#unplugged)"`, "unplugged"]);
  if (kinds.has("dimm")) legend.push([`fill="${escapeXml(colors.kinds.dimm)}" fill-opacity="0.45"`, "DIMM"]);
  if (kinds.has("pci-hole")) legend.push([`fill="${escapeXml(colors.kinds["pci-hole"])}" fill-opacity="0.12"`, "MMIO"]);
  if (kinds.has("reserved")) legend.push([`fill="${escapeXml(colors.kinds.reserved)}" fill-opacity="0.45"`, "reserved IOVA"]);
  let x = 12;
  for (const [fill, text] of legend) {
    out.push(`<rect x="${x}" y="${height + 6}" width="12" height="12" ${fill} stroke="${escapeXml(colors.muted)}" stroke-width="0.5"/>`);
    out.push(`<text x="${x + 17}" y="${height + 16}" font-size="11" fill="${escapeXml(colors.muted)}">${escapeXml(text)}</text>`);
    x += 17 + text.length * 6.5 + 14;
  }
  const total = height + (legend.length ? 26 : 0);
  out[0] = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="sans-serif" font-size="12">`;
  out.push("</svg>");
  return { svg: out.join("\n"), width, height: total };
}

/** The properties that make the live chart look as it does, copied inline onto a clone. */
const CHART_PROPERTIES = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "opacity", "font-family", "font-size", "font-weight"];

/**
 * The live chart (an <svg> styled by the view's CSS) as a standalone SVG document, with a
 * title above it and its legend (the view's `.chart-legend`, HTML beside the chart) below, so
 * that the file says what it shows.
 */
export function chartSvg(chart: SVGSVGElement, background: string, caption?: { title: string; foreground: string; muted: string }): { svg: string; width: number; height: number } {
  const clone = chart.cloneNode(true) as SVGSVGElement;
  const live = [chart, ...Array.from(chart.querySelectorAll("*"))];
  const copies = [clone, ...Array.from(clone.querySelectorAll("*"))];
  live.forEach((element, i) => {
    const style = getComputedStyle(element);
    const target = copies[i] as SVGElement;
    target.removeAttribute("class");
    target.removeAttribute("data-action");
    for (const p of CHART_PROPERTIES) {
      const value = style.getPropertyValue(p);
      if (value) target.style.setProperty(p, value);
    }
  });
  const [, , width, height] = (chart.getAttribute("viewBox") ?? "0 0 520 200").split(/\s+/).map(Number);
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("width", String(width));
  clone.setAttribute("height", String(height));
  const backdrop = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  backdrop.setAttribute("width", "100%");
  backdrop.setAttribute("height", "100%");
  backdrop.setAttribute("fill", background);
  clone.insertBefore(backdrop, clone.firstChild);
  const plot = new XMLSerializer().serializeToString(clone);
  if (!caption) return { svg: plot, width, height };
  const legend = Array.from(chart.closest("figure")?.querySelectorAll(".chart-legend li") ?? []).map((item) => {
    const swatch = item.querySelector(".swatch");
    const style = swatch ? getComputedStyle(swatch) : null;
    const colour = [style?.backgroundColor, style?.borderTopColor].find((c) => c && c !== "transparent" && c !== "rgba(0, 0, 0, 0)") ?? caption.muted;
    return { text: item.textContent?.trim() ?? "", colour, dashed: swatch?.classList.contains("limit") ?? false };
  });
  const titleHeight = 26;
  const legendHeight = legend.length ? 22 : 0;
  const total = titleHeight + height + legendHeight;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="${escapeXml(background)}"/>`,
    `<text x="8" y="18" font-size="13" font-weight="600" fill="${escapeXml(caption.foreground)}">${escapeXml(caption.title)}</text>`,
    plot.replace(/^<svg /, `<svg x="0" y="${titleHeight}" `),
  ];
  let x = 8;
  for (const entry of legend) {
    const y = titleHeight + height + 11;
    out.push(`<line x1="${x}" x2="${x + 16}" y1="${y}" y2="${y}" stroke="${escapeXml(entry.colour)}" stroke-width="2"${entry.dashed ? ` stroke-dasharray="4 3"` : ""}/>`);
    out.push(`<text x="${x + 21}" y="${y + 4}" font-size="11" fill="${escapeXml(caption.muted)}">${escapeXml(entry.text)}</text>`);
    x += 21 + entry.text.length * 6.5 + 14;
  }
  out.push("</svg>");
  return { svg: out.join("\n"), width, height: total };
}

/** An SVG document rasterised at `scale` × its size, as base64 PNG (without the data: prefix). */
export async function svgToPngBase64(svg: string, width: number, height: number, scale = 2): Promise<string> {
  const image = new Image();
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error("the SVG could not be rasterised"));
  });
  image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
  await loaded;
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2D canvas");
  context.scale(scale, scale);
  context.drawImage(image, 0, 0, width, height);
  return canvas.toDataURL("image/png").replace(/^data:image\/png;base64,/, "");
}
