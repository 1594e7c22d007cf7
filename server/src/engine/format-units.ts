// The one formatter of bytes and counts for every face of vmtopo: messages, hovers, inlay
// hints, the CLI report and the webview. Pure and import-free, so that the webview may bundle
// it (the only engine module it imports at run time; test/unit/architecture.test.ts).

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/**
 * Bytes in the binary unit chosen by magnitude, with at most two decimals and trailing
 * zeros trimmed: 0 → "0 B", 524288 → "512 KiB", 8.25 × 2^30 → "8.25 GiB", 2^40 → "1 TiB".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const sign = bytes < 0 ? "-" : "";
  let magnitude = Math.abs(bytes);
  let unit = 0;
  while (magnitude >= 1024 && unit < BYTE_UNITS.length - 1) {
    magnitude /= 1024;
    unit++;
  }
  let rounded = Math.round(magnitude * 100) / 100;
  // 1023.999 MiB rounds to 1024 MiB: say 1 GiB instead.
  if (rounded >= 1024 && unit < BYTE_UNITS.length - 1) {
    rounded = Math.round((rounded / 1024) * 100) / 100;
    unit++;
  }
  return `${sign}${trimmed(rounded)} ${BYTE_UNITS[unit]}`;
}

/** A count with its digits in groups of three: 1204224 → "1,204,224". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? "-" : "";
  const [whole, fraction] = String(Math.abs(n)).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + grouped + (fraction !== undefined ? `.${fraction}` : "");
}

/** At most two decimals, trailing zeros trimmed, digits grouped: 8.5 → "8.5", 1000 → "1,000". */
function trimmed(value: number): string {
  return formatCount(Number(value.toFixed(2)));
}

/**
 * A size the user wrote, quoted in a message: as `bytes` when that is exact, else in the
 * largest unit that holds it whole, so a message never rounds away the difference it is
 * about ("1,025 MiB is not a multiple of 2 MiB", not "1 GiB is not …").
 */
export function exactBytes(n: number): string {
  const shown = formatBytes(n);
  const [number, unit] = shown.split(" ");
  const exponent = BYTE_UNITS.indexOf(unit);
  if (Number(number.replace(/,/g, "")) * 1024 ** exponent === n) return shown;
  let whole = 0;
  while (whole < BYTE_UNITS.length - 1 && n % 1024 ** (whole + 1) === 0) whole++;
  return `${formatCount(n / 1024 ** whole)} ${BYTE_UNITS[whole]}`;
}
