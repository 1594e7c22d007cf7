// How figures read in messages: grouped counts, binary sizes, QEMU-style hex.
import { groupDigits } from "../../../grammar/src/index";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const count = groupDigits;

/**
 * 17179869184 → "16 GiB"; 1610612736 → "1.5 GiB"; 1 GiB + 4 MiB → "1,028 MiB" (exact beats
 * rounded while the number stays short); 32,834 tables × 4 KiB → "128.26 MiB".
 */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  const largest = Math.max(0, Math.min(units.length - 1, Math.floor(Math.log2(Math.max(1, Math.abs(n))) / 10)));
  for (let unit = largest; unit >= 0; unit--) {
    const value = n / 1024 ** unit;
    if (Math.abs(value) >= 10000) break;
    if (Math.round(value * 100) === value * 100) return `${value % 1 === 0 ? groupDigits(value) : String(value)} ${units[unit]}`;
  }
  const value = n / 1024 ** largest;
  return `${Number.isInteger(value) ? groupDigits(value) : value.toFixed(2)} ${units[largest]}`;
}

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
