// Deterministic generators of .vmtopo-like input for the generated-input tests. The seed is
// printed by the tests and can be fixed with VMTOPO_SEED to replay a failure.

/** mulberry32: small, fast, good enough to spread inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const WORDS = [
  "import", "host", "vm", "on", "scenario", "for", "iommu", "vfio", "hugepages", "reserved", "virtio-mem", "dimm",
  "resize", "to", "convert", "hotplug", "unplug", "migrate", "viommu-map", "shared", "private", "precopy", "postcopy", "x",
  "memory", "maxmem", "block-size", "size", "requested", "page-sizes", "vendor", "intel-vtd", "amd-vi", "smmuv3",
  "backend", "type1", "iommufd", "dma-entry-limit", "confidential", "tdx", "sev-snp", "machine", "q35", "pc", "virt",
  "vmem0", "nic0", "gpu0", "spr", "td0", "off", "unlimited", "none", "_x", "a-b-c",
];
const LITERALS = [
  "0", "1", "65535", "65_535", "0xfee00000", "0x", "4K", "2MiB", "16GB", "1.5G", "0.3K", "8P", "9P", "16E", "25Gbit",
  "1.5Kbit", "4k", "10_", "1__0", "9007199254740992", '"str"', '"esc \\" \\\\"', '"bad \\n"', '"open', "..", "[", "]", ",",
  "{", "}", "=", "// comment", "/* block */", "/* open", "%", ";", "é", "\u{1F600}", "\t", "\r\n", "\r", "\n", "\n\n",
];

/** A random sequence of the language's tokens and some that are not. */
export function randomTokens(random: Random, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(random.chance(0.55) ? random.pick(WORDS) : random.pick(LITERALS));
    parts.push(random.pick([" ", " ", " ", "\n", "  ", ""]));
  }
  return parts.join("");
}

/** Changes only layout: one run of whitespace becomes other whitespace or gains a comment. */
export function relayout(random: Random, text: string): string {
  const gaps = [...text.matchAll(/[ \t\r\n]+/g)];
  if (gaps.length === 0) return text;
  const gap = random.pick(gaps);
  const replacement = random.pick([" ", "\n", "\n\n\n", "\t ", "", " /* note */ ", " // note\n", "\n// own line\n\n", "\r\n"]);
  // An empty gap would glue two tokens into one; keep at least a space between words.
  const glued = replacement === "" && /\w$/.test(text.slice(0, gap.index)) && /^\w/.test(text.slice(gap.index! + gap[0].length));
  const inComment = /\/\/[^\n]*$/.test(text.slice(0, gap.index));
  const safe = glued ? " " : inComment && replacement.includes("//") ? "\n" : replacement;
  return text.slice(0, gap.index) + (inComment && !safe.includes("\n") ? safe + "\n" : safe) + text.slice(gap.index! + gap[0].length);
}

const EDGE_VALUES = ["0", "1", "3", "4K", "64K", "1M", "2M", "3M", "1G", "1.5G", "64G", "8191T", "0xfee00000", "65535", "32", "64"];

/** Replaces one number of a valid file with an edge value: valid syntax, odd meaning. */
export function revalue(random: Random, text: string): string {
  const numbers = [...text.matchAll(/(?<![\w.])\d[\w.]*/g)];
  if (numbers.length === 0) return text;
  const target = random.pick(numbers);
  return text.slice(0, target.index) + random.pick(EDGE_VALUES) + text.slice(target.index! + target[0].length);
}

/** One small edit of a valid file, like a user's typing or a bad paste. */
export function mutate(random: Random, text: string): string {
  const at = random.int(text.length + 1);
  const span = 1 + random.int(12);
  switch (random.int(8)) {
    case 0:
      return text.slice(0, at) + text.slice(at + span); // delete
    case 1:
      return text.slice(0, at) + random.pick([...WORDS, ...LITERALS]) + text.slice(at); // insert a token
    case 2:
      return text.slice(0, at) + text.slice(at, at + span * 4) + text.slice(at); // duplicate
    case 3:
      return text.slice(0, at); // truncate
    case 4: {
      const lines = text.split("\n");
      const i = random.int(lines.length);
      const j = random.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join("\n"); // swap two lines
    }
    case 5:
      return text.slice(0, at) + String.fromCharCode(random.int(0x7f)) + text.slice(at + 1); // replace a character
    case 6:
      return text.replace(/[{}]/, ""); // lose a brace
    default:
      return text.slice(0, at) + randomTokens(random, 1 + random.int(6)) + text.slice(at + span); // replace with junk
  }
}
