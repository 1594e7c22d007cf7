// Byte counts written back into a document: the shortest size literal of the language.

const UNITS = [
  ["K", 10n],
  ["M", 20n],
  ["G", 30n],
  ["T", 40n],
  ["P", 50n],
  ["E", 60n],
] as const;

/**
 * The shortest literal of the language that is exactly `bytes`: 2097152 → "2M",
 * 1.5 GiB → "1.5G", 1 GiB + 4 MiB → "1028M", 1023 → "1023". `suffix` ("iB" or "B") keeps the
 * style of the value it replaces. Ties go to a literal without a fraction, then to the larger unit.
 */
export function sizeLiteral(bytes: number, suffix = ""): string {
  const n = BigInt(bytes);
  const candidates = [String(bytes)];
  for (const [unit, shift] of UNITS) {
    const scale = 1n << shift;
    const whole = n / scale;
    const rest = n % scale;
    if (whole === 0n && rest === 0n) continue;
    // rest / 2^k = rest·5^k / 10^k: an exact decimal of k digits
    const fraction = rest === 0n ? "" : (rest * 5n ** shift).toString().padStart(Number(shift), "0").replace(/0+$/, "");
    candidates.push(`${whole}${fraction ? `.${fraction}` : ""}${unit}${suffix}`);
  }
  return candidates.reduce((best, c) => {
    const rank = (s: string) => [s.length, s.includes(".") ? 1 : 0] as const;
    const [bl, bf] = rank(best);
    const [cl, cf] = rank(c);
    return cl < bl || (cl === bl && (cf < bf || (cf === bf && /[KMGTPE]/.test(c)))) ? c : best;
  });
}
