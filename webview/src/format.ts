// How figures read in the view: as the CLI prints them (grouped counts, binary sizes, hex).

// Bytes and counts: the one formatter every face of vmtopo shares (pure, import-free; the
// only engine module the view bundles).
export { exactBytes, formatBytes as bytes, formatCount as count } from "../../server/src/engine/format-units";
import { formatCount as count } from "../../server/src/engine/format-units";

/** 0x480000000 → "0x4_8000_0000": hex in groups of four digits, as addresses read best. */
export function hex(n: number): string {
  const digits = n.toString(16);
  return "0x" + digits.replace(/\B(?=([0-9a-f]{4})+(?![0-9a-f]))/g, "_");
}

/** 4194304 → "4.19M", 65535 → "65.5k": for chart axes. */
export function compact(n: number): string {
  const abs = Math.abs(n);
  for (const [scale, suffix] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (abs >= scale) return `${Number((n / scale).toPrecision(3))}${suffix}`;
  }
  return String(Math.round(n));
}

/** A percentage for people: "0.01%", "6.3%", "100%", "6,412%". */
export function percent(ratio: number): string {
  const p = ratio * 100;
  if (p === 0) return "0%";
  if (p < 0.01) return "<0.01%";
  if (p < 1) return `${p.toFixed(2)}%`;
  if (p < 10) return `${p.toFixed(1)}%`;
  return `${count(Math.round(p))}%`;
}

export function seconds(s: number): string {
  if (s < 1) return `${Number((s * 1000).toPrecision(3))} ms`;
  if (s < 120) return `${Number(s.toFixed(2))} s`;
  return `${(s / 60).toFixed(1)} min`;
}
