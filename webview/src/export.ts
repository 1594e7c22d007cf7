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
    out.push(`<rect x="${laneX[r.lane]}" y="${n(y)}" width="${laneW[r.lane]}" height="${n(h)}" fill="${colour}" fill-opacity="${r.soft ? 0.12 : 0.45}" stroke="${colour}"${dashed}><title>${escapeXml(`${r.name} · ${r.detail}`)}</title></rect>`);
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
  }
  out.push("</svg>");
  return { svg: out.join("\n"), width, height };
}

/** The properties that make the live chart look as it does, copied inline onto a clone. */
const CHART_PROPERTIES = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "opacity", "font-family", "font-size", "font-weight"];

/** The live chart (an <svg> styled by the view's CSS) as a standalone SVG document. */
export function chartSvg(chart: SVGSVGElement, background: string): { svg: string; width: number; height: number } {
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
  return { svg: new XMLSerializer().serializeToString(clone), width, height };
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
