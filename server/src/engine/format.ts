// How figures read in messages: grouped counts, binary sizes, QEMU-style hex.
import { formatBytes, formatCount } from "./format-units";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const count = formatCount;

/** Figures (pinned memory, page tables, pools): "8 GiB", "128.26 MiB", "1 TiB" (format-units.ts). */
export const bytes = formatBytes;

/**
 * A size the user wrote, quoted in a message: as `bytes` when that is exact, else in the
 * largest unit that holds it whole, so a message never rounds away the difference it is
 * about ("1,025 MiB is not a multiple of 2 MiB", not "1 GiB is not …").
 */
export function exactBytes(n: number): string {
  const shown = formatBytes(n);
  const [number, unit] = shown.split(" ");
  const exponent = UNITS.indexOf(unit);
  if (Number(number.replace(/,/g, "")) * 1024 ** exponent === n) return shown;
  let whole = 0;
  while (whole < UNITS.length - 1 && n % 1024 ** (whole + 1) === 0) whole++;
  return `${formatCount(n / 1024 ** whole)} ${UNITS[whole]}`;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/** As QEMU's `0x%"PRIx64"` prints. */
export function hex(n: number): string {
  return "0x" + n.toString(16);
}

/** The shortest size literal of the language for n bytes: 2097152 → "2M". */
export function sizeLiteral(n: number): string {
  for (const [unit, scale] of [["E", 2 ** 60], ["P", 2 ** 50], ["T", TiB], ["G", GiB], ["M", MiB], ["K", KiB]] as const) {
    if (n >= scale && n % scale === 0) return `${n / scale}${unit}`;
  }
  return String(n);
}

/** Seconds with a sensible precision: 0.859 s, 12 ms, 4.2 min. */
export function duration(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toPrecision(3).replace(/\.?0+$/, "")} ms`;
  if (seconds < 120) return `${seconds.toFixed(2).replace(/\.?0+$/, "")} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}
