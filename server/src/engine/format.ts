// How figures read in messages: grouped counts, binary sizes, QEMU-style hex.
import { exactBytes, formatBytes, formatCount } from "./format-units";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const count = formatCount;

/** Figures (pinned memory, page tables, pools): "8 GiB", "128.26 MiB", "1 TiB" (format-units.ts). */
export const bytes = formatBytes;

/** A size the user wrote, quoted in a message, never rounded (format-units.ts). */
export { exactBytes };

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
