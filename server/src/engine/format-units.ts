// The one formatter of bytes and counts for messages, hovers, inlay hints, the report and
// the webview: binary units chosen by magnitude, at most two decimals (trailing zeros
// trimmed), digits grouped by three. Pure and import-free, so every layer can bundle it.

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/** 524288 → "512 KiB"; 8.25 GiB → "8.25 GiB"; 2^40 → "1 TiB"; 0 → "0 B". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const sign = bytes < 0 ? "-" : "";
  const magnitude = Math.abs(bytes);
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && magnitude >= 1024 ** (unit + 1)) unit++;
  let value = Math.round((magnitude / 1024 ** unit) * 100) / 100;
  // 1023.999 KiB rounds to 1024 KiB: say 1 MiB instead.
  if (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    unit++;
    value = Math.round((magnitude / 1024 ** unit) * 100) / 100;
  }
  const [whole, fraction] = value.toFixed(2).split(".");
  const decimals = fraction.replace(/0+$/, "");
  return `${sign}${formatCount(Number(whole))}${decimals ? `.${decimals}` : ""} ${BYTE_UNITS[unit]}`;
}

/** 1204224 → "1,204,224". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? "-" : "";
  return sign + Math.trunc(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
