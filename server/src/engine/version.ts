// Versions such as "10.1" or "6.16", compared numerically part by part.
export type Version = readonly number[];

export function parseVersion(text: string): Version | null {
  if (!/^\d+(\.\d+){0,3}$/.test(text.trim())) return null;
  return text.trim().split(".").map(Number);
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Minimums are a handful of literals; parsed once each (the engine asks per scenario step). */
const minimums = new Map<string, Version>();

export function atLeast(version: Version, minimum: string): boolean {
  let parsed = minimums.get(minimum);
  if (!parsed) minimums.set(minimum, (parsed = parseVersion(minimum)!));
  return compareVersions(version, parsed) >= 0;
}

export function formatVersion(version: Version): string {
  return version.join(".");
}
