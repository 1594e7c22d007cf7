// QEMU's flat view of the system address space, as `info mtree -f` prints it (HMP, or QMP's
// human-monitor-command). Shared by `vmtopo live` and the tests that run QEMU as an oracle.
// The format is QEMU's system/memory.c, mtree_print_flatview(): one line per section,
// "START-END (prio P, KIND): NAME [@OFFSET]" with inclusive hexadecimal ends.

export interface FlatSection {
  /** inclusive start */
  start: number;
  /** exclusive end */
  end: number;
  kind: "ram" | "rom";
  /** the memory region's name, e.g. "pc.ram", "pc.bios", "m0" */
  name: string;
  /** offset into the region (`@...`), when QEMU prints one */
  offset?: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * The RAM and ROM lines of the flat view shared by `AS "memory"` (the system address space)
 * in the output of `info mtree -f`. Ends in QEMU's output are inclusive; here they are exclusive.
 */
export function parseFlatView(output: string): FlatSection[] {
  const text = output.replace(ANSI, "").replace(/\r/g, "");
  const views = text.split(/^FlatView #\d+\n/m).slice(1);
  const system = views.find((v) => /^ AS "memory", root: system$/m.test(v));
  if (!system) throw new Error(`no flat view of AS "memory" in QEMU's output:\n${text}`);
  const sections: FlatSection[] = [];
  for (const line of system.split("\n")) {
    const m = /^\s+([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, (ram|rom)\): (\S+)(?: @([0-9a-f]+))?/.exec(line);
    if (!m) continue;
    const section: FlatSection = { start: Number.parseInt(m[1], 16), end: Number.parseInt(m[2], 16) + 1, kind: m[3] as "ram" | "rom", name: m[4] };
    if (m[5] !== undefined) section.offset = Number.parseInt(m[5], 16);
    sections.push(section);
  }
  return sections;
}
