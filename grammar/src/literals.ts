// Decoding of numeric and string literals. Sizes follow QEMU: every unit is a power of 1024.
// Results that a JSON integer cannot hold exactly (2^53 and above) are refused, never rounded.

export const SIZE_UNITS: Readonly<Record<string, number>> = {
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  E: 2 ** 60,
};

export const BANDWIDTH_UNITS: Readonly<Record<string, number>> = {
  Kbit: 1e3,
  Mbit: 1e6,
  Gbit: 1e9,
  Tbit: 1e12,
};

export type NumericLiteral =
  | { kind: "integer"; value: number | null; error?: string }
  | { kind: "size"; bytes: number | null; unit: string; error?: string }
  | { kind: "bandwidth"; bitsPerSecond: number | null; unit: string; error?: string }
  | { kind: "invalid"; error: string };

const DECIMAL = /^([0-9][0-9_]*)(?:\.([0-9][0-9_]*))?([A-Za-z]*)$/;
const HEX = /^0[xX]([0-9a-fA-F_]*)$/;
const LIMIT = 2n ** 53n;

/** Underscores are allowed only between digits, as in the language's lexical table. */
function digitsWellFormed(digits: string): boolean {
  return !digits.startsWith("_") && !digits.endsWith("_") && !digits.includes("__");
}

/** Exact value of `whole.fraction × multiplier`, or null if it is not a whole number. */
function scaled(whole: string, fraction: string, multiplier: bigint): bigint | null {
  const scale = 10n ** BigInt(fraction.length);
  const numerator = BigInt(whole + fraction) * multiplier;
  return numerator % scale === 0n ? numerator / scale : null;
}

function unitSuggestion(unit: string): string {
  const upper = unit.toUpperCase();
  if (upper in SIZE_UNITS || /^[KMGTPE](IB|B)$/.test(upper)) return ` (did you mean '${upper[0]}'?)`;
  const bit = Object.keys(BANDWIDTH_UNITS).find((u) => u.toLowerCase() === unit.toLowerCase());
  if (bit) return ` (did you mean '${bit}'?)`;
  return "";
}

/** Decodes one NUMBER token's text: an integer, a size or a bandwidth. */
export function decodeNumber(text: string): NumericLiteral {
  const hex = HEX.exec(text);
  if (hex) {
    const digits = hex[1];
    if (digits === "" || !digitsWellFormed(digits)) return { kind: "invalid", error: `malformed hex integer '${text}'` };
    const value = BigInt("0x" + digits.replace(/_/g, ""));
    if (value >= LIMIT) return { kind: "integer", value: null, error: `${text} is too large: values must be below 2^53` };
    return { kind: "integer", value: Number(value) };
  }
  if (/^0[xX]/.test(text)) {
    return { kind: "invalid", error: `malformed number '${text}': a hex integer takes no unit; sizes are decimal` };
  }
  const m = DECIMAL.exec(text);
  if (!m) return { kind: "invalid", error: `malformed number '${text}'` };
  const [, wholeRaw, fractionRaw, unit] = m;
  if (!digitsWellFormed(wholeRaw) || (fractionRaw !== undefined && !digitsWellFormed(fractionRaw))) {
    return { kind: "invalid", error: `malformed number '${text}': '_' may stand only between digits` };
  }
  const whole = wholeRaw.replace(/_/g, "");
  const fraction = (fractionRaw ?? "").replace(/_/g, "");

  if (unit === "") {
    if (fraction !== "") {
      return { kind: "integer", value: null, error: `'${text}' is not a whole number; a fraction needs a size unit, as in 1.5G` };
    }
    const value = BigInt(whole);
    if (value >= LIMIT) return { kind: "integer", value: null, error: `${text} is too large: values must be below 2^53` };
    return { kind: "integer", value: Number(value) };
  }

  const sizeUnit = /^([KMGTPE])(?:iB|B)?$/.exec(unit);
  if (sizeUnit) {
    const bytes = scaled(whole, fraction, BigInt(SIZE_UNITS[sizeUnit[1]]));
    if (bytes === null) return { kind: "size", bytes: null, unit, error: `${text} is not a whole number of bytes` };
    if (bytes >= LIMIT) {
      return { kind: "size", bytes: null, unit, error: `${text} is too large: sizes must be below 2^53 bytes (8P)` };
    }
    return { kind: "size", bytes: Number(bytes), unit };
  }
  if (unit in BANDWIDTH_UNITS) {
    const bits = scaled(whole, fraction, BigInt(BANDWIDTH_UNITS[unit]));
    if (bits === null) return { kind: "bandwidth", bitsPerSecond: null, unit, error: `${text} is not a whole number of bits per second` };
    if (bits >= LIMIT) return { kind: "bandwidth", bitsPerSecond: null, unit, error: `${text} is too large: values must be below 2^53` };
    return { kind: "bandwidth", bitsPerSecond: Number(bits), unit };
  }
  return {
    kind: "invalid",
    error:
      `unknown unit '${unit}' in '${text}': sizes take K, M, G, T, P or E (optionally followed by iB or B), ` +
      `bandwidths take Kbit, Mbit, Gbit or Tbit${unitSuggestion(unit)}`,
  };
}

export type DecodedString = { value: string; error?: string; errorOffset?: number };

/** Decodes a string literal's text (with its quotes); `\"` and `\\` are the only escapes. */
export function decodeString(text: string): DecodedString {
  const closed = text.length >= 2 && text.endsWith('"') && !isEscapedQuoteAtEnd(text);
  const body = text.slice(1, closed ? -1 : undefined);
  let value = "";
  let error: string | undefined;
  let errorOffset: number | undefined;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === '"' || next === "\\") {
      value += next;
      i++;
    } else if (error === undefined) {
      error =
        next === undefined
          ? "a string cannot end with a lone '\\'"
          : `unknown escape '\\${next}' in a string: only \\" and \\\\ are escapes`;
      errorOffset = i + 1;
      value += ch;
    } else {
      value += ch;
    }
  }
  if (!closed && error === undefined) {
    error = "unterminated string: a string closes with '\"' on the same line";
    errorOffset = 0;
  }
  return { value, error, errorOffset };
}

function isEscapedQuoteAtEnd(text: string): boolean {
  // `"abc\"` is unterminated: the last quote is escaped when an odd run of '\' precedes it.
  let backslashes = 0;
  for (let i = text.length - 2; i >= 1 && text[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Groups digits by thousands: 4194304 → "4,194,304". */
export function groupDigits(n: number): string {
  return Math.trunc(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
