// How figures read in the view: as the CLI prints them (grouped counts, binary sizes, hex).

/** 65535 → "65,535" */
export function count(n: number): string {
  const sign = n < 0 ? "-" : "";
  const [whole, fraction] = String(Math.abs(n)).split(".");
  return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (fraction ? `.${fraction}` : "");
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/** 17179869184 → "16 GiB"; 1610612736 → "1.5 GiB"; 32,834 × 4 KiB → "128.26 MiB". */
export function bytes(n: number): string {
  const largest = Math.max(0, Math.min(UNITS.length - 1, Math.floor(Math.log2(Math.max(1, Math.abs(n))) / 10)));
  for (let unit = largest; unit >= 0; unit--) {
    const value = n / 1024 ** unit;
    if (Math.abs(value) >= 10000) break;
    if (Math.round(value * 100) === value * 100) return `${value % 1 === 0 ? count(value) : String(value)} ${UNITS[unit]}`;
  }
  const value = n / 1024 ** largest;
  return `${Number.isInteger(value) ? count(value) : value.toFixed(2)} ${UNITS[largest]}`;
}

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
