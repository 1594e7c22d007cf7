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

export function atLeast(version: Version, minimum: string): boolean {
  return compareVersions(version, parseVersion(minimum)!) >= 0;
}

export function formatVersion(version: Version): string {
  return version.join(".");
}
