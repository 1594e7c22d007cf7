// QEMU's command-line syntax, read exactly: the words of a shell line, of /proc/PID/cmdline
// or of a libvirt `.args` file; `-option value` pairs; QemuOpts `key=value` lists with `,,`
// for a comma in a value and an implicit first key (util/qemu-option.c opts_do_parse());
// JSON `-object`/`-device` arguments (qobject_from_json(), used when the argument starts with
// `{`); sizes as qemu_strtosz() reads them (`-m` in MiB when no suffix). Pure functions.

export class QemuSyntaxError extends Error {}

/**
 * The words of a POSIX shell line: single quotes, double quotes (with `\` before `"`, `\`,
 * `$`, backquote and newline), backslash escapes, backslash-newline continuations, `#`
 * comments at a word start. NUL-separated text (/proc/PID/cmdline) is split on NULs.
 */
export function shellWords(text: string): string[] {
  if (text.includes("\0")) return text.split("\0").filter((w, i, all) => w !== "" || i < all.length - 1);
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const flush = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") {
      if (text[i + 1] === "\n") {
        i += 2;
        continue;
      }
      if (i + 1 < text.length) {
        word += text[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new QemuSyntaxError(`unterminated single quote at offset ${i}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== "\n") word += text[i + 1];
          i += 2;
        } else word += text[i++];
      }
      if (i >= text.length) throw new QemuSyntaxError("unterminated double quote");
      i++;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      flush();
      i++;
    } else if (c === "#" && !inWord) {
      while (i < text.length && text[i] !== "\n") i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  flush();
  return words;
}

export type OptionValue = string | number | boolean;

export interface ParsedOption {
  /** the option without its dashes: "m", "object", "device" */
  name: string;
  /** the argument as written, or undefined for a flag */
  raw?: string;
  /** the argument's properties; the implicit key is filled in where QEMU has one */
  props: Map<string, OptionValue>;
  /** true when the argument was JSON */
  json: boolean;
}

/** Options whose argument is a QemuOpts list, with the implicit key of its first element. */
const IMPLICIT_KEY: Readonly<Record<string, string>> = {
  machine: "type",
  M: "type",
  m: "size",
  object: "qom-type",
  device: "driver",
  numa: "type",
  accel: "accel",
  netdev: "type",
  name: "guest",
  cpu: "model",
  smp: "cpus",
  chardev: "backend",
  drive: "file",
  mon: "chardev",
};

/** Options that take no argument (QEMU's qemu-options.hx); others take exactly one. */
const FLAGS = new Set([
  "S", "nodefaults", "nographic", "no-user-config", "no-shutdown", "no-reboot", "enable-kvm", "no-hpet", "no-acpi",
  "daemonize", "snapshot", "full-screen", "no-fd-bootchk", "old-param", "enable-fips", "version", "help", "h",
  "semihosting", "preconfig", "only-migratable", "no-kvm", "S", "s", "no-quit", "alt-grab", "ctrl-grab", "win2k-hack", "usb",
  // and the rest of QEMU 7.2's `-help` options without an argument
  "mem-prealloc", "audio-help", "enable-sync-profile", "portrait", "singlestep", "xen-attach", "xen-domid-restrict",
]);

/**
 * QemuOpts `key=value,key=value`: `,,` is a comma inside a value; the first element without
 * `=` is the implicit key's value; a later bare `key` means key=on.
 */
export function parseKeyval(text: string, implicitKey?: string): Map<string, string> {
  const props = new Map<string, string>();
  let i = 0;
  let first = true;
  while (i <= text.length) {
    // Read up to the next single comma; ",," is a literal comma.
    let part = "";
    while (i < text.length) {
      if (text[i] === ",") {
        if (text[i + 1] === ",") {
          part += ",";
          i += 2;
          continue;
        }
        break;
      }
      part += text[i++];
    }
    i++;
    const eq = part.indexOf("=");
    if (eq < 0) {
      if (first && implicitKey !== undefined) props.set(implicitKey, part);
      else if (part !== "") props.set(part, "on");
    } else props.set(part.slice(0, eq), part.slice(eq + 1));
    first = false;
    if (i > text.length) break;
  }
  return props;
}

/** The `-option value` pairs of an argv (binary and leading `NAME=value` environment words skipped). */
export function parseQemuArgv(words: string[]): { binary?: string; options: ParsedOption[] } {
  let start = 0;
  while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start])) start++;
  let binary: string | undefined;
  if (start < words.length && !words[start].startsWith("-")) binary = words[start++];
  const options: ParsedOption[] = [];
  for (let i = start; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("-")) throw new QemuSyntaxError(`'${word}' is not an option (QEMU's options start with '-'; a disk image given alone is not supported)`);
    const name = word.replace(/^--?/, "");
    if (FLAGS.has(name)) {
      options.push({ name, props: new Map(), json: false });
      continue;
    }
    const raw = words[i + 1];
    if (raw === undefined) throw new QemuSyntaxError(`option '${word}' needs an argument`);
    i++;
    options.push(parseArgument(name, raw));
  }
  return { binary, options };
}

function parseArgument(name: string, raw: string): ParsedOption {
  if (raw.trimStart().startsWith("{") && (name === "object" || name === "device" || name === "netdev" || name === "blockdev")) {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new QemuSyntaxError(`-${name}: malformed JSON: ${(error as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new QemuSyntaxError(`-${name}: JSON argument must be an object`);
    const props = new Map<string, OptionValue>();
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      props.set(key, typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : JSON.stringify(v));
    }
    return { name, raw, props, json: true };
  }
  return { name, raw, props: parseKeyval(raw, IMPLICIT_KEY[name]), json: false };
}

const SUFFIX: Readonly<Record<string, number>> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };

/**
 * qemu_strtosz(): a number (decimal, a fraction, or 0x hex) and an optional suffix
 * B/K/M/G/T/P/E in either case; `defaultUnit` applies without one (MiB for `-m`).
 * Returns null for anything else, or for a value that is not whole bytes or not safe.
 */
export function qemuSizeValue(value: OptionValue, defaultUnit = 1): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const m = /^\s*(0x[0-9a-fA-F]+|\d+(?:\.\d*)?)([bkmgtpeBKMGTPE]?)\s*$/.exec(value);
  if (!m) return null;
  const hexNumber = m[1].startsWith("0x");
  const number = hexNumber ? Number.parseInt(m[1], 16) : Number(m[1]);
  const scale = m[2] === "" ? defaultUnit : SUFFIX[m[2].toLowerCase()];
  const bytes = number * scale;
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : null;
}

/** QEMU's booleans: on/off, yes/no, true/false (qapi_bool_parse()); JSON booleans. */
export function qemuBool(value: OptionValue | undefined): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === "on" || value === "yes" || value === "true") return true;
  if (value === "off" || value === "no" || value === "false") return false;
  return null;
}

export function qemuInteger(value: OptionValue | undefined): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== "string" || !/^(0x[0-9a-fA-F]+|\d+)$/.test(value)) return null;
  const n = value.startsWith("0x") ? Number.parseInt(value, 16) : Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
