// Reads a block's attributes against the schema: unknown names (VT002, with a suggestion),
// repeats (VT003), values of the wrong kind (VT004) and missing required ones (VT007).
// Typed getters then hand out values that are known to be valid.
import type * as A from "../../../grammar/src/index";
import { attributeSpec, BLOCK_WORDS, SCHEMA, suggest, type Context, type ValueType } from "./schema";
import type { Sink } from "./sink";
import { parseVersion, type Version } from "./version";

export type Bytes = number;

export class AttributeReader {
  private readonly valid = new Map<string, A.Attribute>();

  constructor(
    readonly context: Context,
    attributes: A.Attribute[],
    private readonly sink: Sink,
    /** where a missing required attribute is reported (the block's name) */
    private readonly owner: A.Range,
    private readonly ownerLabel: string,
  ) {
    const seen = new Map<string, A.Attribute>();
    for (const attribute of attributes) {
      const name = attribute.name.text;
      if (attribute.name.missing) continue;
      const spec = attributeSpec(context, name);
      if (!spec) {
        this.unknown(attribute);
        continue;
      }
      if (seen.has(name)) {
        sink.error("VT003", attribute.name.range, `'${name}' is given twice in ${ownerLabel}; the first is on line ${seen.get(name)!.range.start.line + 1}`);
        continue;
      }
      seen.set(name, attribute);
      if (this.check(attribute, spec.type)) this.valid.set(name, attribute);
    }
    for (const spec of SCHEMA[context]) {
      if (spec.required && !seen.has(spec.name)) sink.error("VT007", owner, `${ownerLabel} needs '${spec.name}' (${spec.doc})`);
    }
  }

  private unknown(attribute: A.Attribute): void {
    const name = attribute.name.text;
    const known = SCHEMA[this.context].map((s) => s.name);
    const guess = suggest(name, known);
    const blocks = BLOCK_WORDS[this.context] ?? [];
    const hint = guess ? `; did you mean '${guess}'?` : blocks.includes(name) ? `; '${name}' is a block: write '${name} { ... }'` : "";
    this.sink.error("VT002", attribute.name.range, `unknown attribute '${name}' in ${this.ownerLabel}${hint}`, guess ? { suggestion: guess } : undefined);
  }

  private check(attribute: A.Attribute, type: ValueType): boolean {
    const value = attribute.value;
    const problem = describeMismatch(value, type);
    if (problem === null) return true;
    // The "did you mean" of an enum value, as data for its quick fix.
    const guess = type.kind === "enum" && value.kind === "identifier" ? suggest(value.name, type.values) : undefined;
    if (problem !== "") this.sink.error("VT004", value.range, `'${attribute.name.text}' ${problem}`, guess ? { suggestion: guess } : undefined);
    return false;
  }

  /** The attribute as written (for ranges), when present and valid. */
  attribute(name: string): A.Attribute | undefined {
    return this.valid.get(name);
  }

  /** Range to point at for a figure derived from `name`: the value if given, else the owner. */
  rangeOf(name: string): A.Range {
    return this.valid.get(name)?.value.range ?? this.owner;
  }

  has(name: string): boolean {
    return this.valid.has(name);
  }

  size(name: string): Bytes | undefined {
    const value = this.valid.get(name)?.value;
    if (!value) return undefined;
    if (value.kind === "size") return value.bytes ?? undefined;
    if (value.kind === "integer") return value.value ?? undefined;
    return undefined;
  }

  integer(name: string): number | undefined {
    const value = this.valid.get(name)?.value;
    return value?.kind === "integer" ? (value.value ?? undefined) : undefined;
  }

  word(name: string): string | undefined {
    const value = this.valid.get(name)?.value;
    return value?.kind === "identifier" ? value.name : undefined;
  }

  bool(name: string): boolean | undefined {
    const word = this.word(name);
    return word === undefined ? undefined : word === "on";
  }

  string(name: string): string | undefined {
    const value = this.valid.get(name)?.value;
    return value?.kind === "string" ? value.value : undefined;
  }

  version(name: string): Version | undefined {
    const text = this.string(name);
    return text === undefined ? undefined : (parseVersion(text) ?? undefined);
  }

  bandwidth(name: string): number | undefined {
    const value = this.valid.get(name)?.value;
    return value?.kind === "bandwidth" ? (value.bitsPerSecond ?? undefined) : undefined;
  }

  sizeList(name: string): Bytes[] | undefined {
    const value = this.valid.get(name)?.value;
    if (value?.kind !== "list") return undefined;
    return value.items.map((item) => (item.kind === "size" ? item.bytes! : item.kind === "integer" ? item.value! : 0));
  }
}

/**
 * Why `value` does not fit `type`, as the end of a sentence; null when it fits; "" when the
 * value is already reported (a syntax or literal error).
 */
export function describeMismatch(value: A.Value, type: ValueType): string | null {
  if (value.kind === "missing") return "";
  if ((value.kind === "integer" && value.value === null) || (value.kind === "size" && value.bytes === null) || (value.kind === "bandwidth" && value.bitsPerSecond === null)) {
    return "";
  }
  const shown = describeValue(value);
  switch (type.kind) {
    case "size": {
      if (value.kind !== "size" && value.kind !== "integer") return `takes a size such as 4G, not ${shown}`;
      const amount = value.kind === "size" ? value.bytes! : value.value!;
      return type.min !== undefined && amount < type.min ? `must be above 0, not ${value.text}` : null;
    }
    case "size-or-unlimited":
      if (value.kind === "size" || value.kind === "integer") return null;
      return value.kind === "identifier" && value.name === "unlimited" ? null : `takes a size such as 64G or 'unlimited', not ${shown}`;
    case "integer":
      if (value.kind !== "integer") return `takes a whole number, not ${shown}`;
      if (type.min !== undefined && value.value! < type.min) return `must be at least ${type.min}, not ${value.text}`;
      if (type.max !== undefined && value.value! > type.max) return `must be at most ${type.max}, not ${value.text}`;
      return null;
    case "string":
      return value.kind === "string" ? null : `takes a string in quotes, not ${shown}`;
    case "version":
      if (value.kind !== "string") return `takes a version string such as "10.2", not ${shown}`;
      return parseVersion(value.value) ? null : `takes a version such as "10.2", not "${value.value}"`;
    case "bool":
      return value.kind === "identifier" && (value.name === "on" || value.name === "off") ? null : `takes 'on' or 'off', not ${shown}`;
    case "enum":
      if (value.kind === "identifier" && type.values.includes(value.name)) return null;
      return `takes ${oneOf(type.values)}, not ${shown}${value.kind === "identifier" ? didYouMean(value.name, type.values) : ""}`;
    case "bandwidth":
      return value.kind === "bandwidth" ? null : `takes a bandwidth such as 25Gbit, not ${shown}`;
    case "size-list": {
      if (value.kind !== "list") return `takes a list of sizes such as [4K, 2M, 1G], not ${shown}`;
      const bad = value.items.find((item) => item.kind !== "size" && item.kind !== "integer");
      if (bad) return `takes a list of sizes; ${describeValue(bad)} is not a size`;
      if (value.items.length === 0) return "needs at least one page size";
      const broken = value.items.find((item) => (item.kind === "size" ? item.bytes : (item as A.IntegerValue).value) === null);
      if (broken) return "";
      const notPow2 = value.items.find((item) => !isPowerOfTwo(item.kind === "size" ? item.bytes! : (item as A.IntegerValue).value!));
      return notPow2 ? `lists page sizes, which are powers of two; ${describeValue(notPow2)} is not` : null;
    }
    case "page-size": {
      if (value.kind !== "size" && value.kind !== "integer") return `takes a page size (${type.values.join(", ")}), not ${shown}`;
      const bytes = value.kind === "size" ? value.bytes! : value.value!;
      return isPowerOfTwo(bytes) && bytes >= 4096 ? null : `takes a page size (${type.values.join(", ")}), not ${value.text}`;
    }
  }
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isSafeInteger(n) && 2 ** Math.round(Math.log2(n)) === n;
}

function oneOf(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

function didYouMean(word: string, values: readonly string[]): string {
  const guess = suggest(word, values);
  return guess ? ` (did you mean '${guess}'?)` : "";
}

export function describeValue(value: A.Value): string {
  switch (value.kind) {
    case "identifier":
      return `'${value.name}'`;
    case "string":
      return `the string ${value.text}`;
    case "list":
      return "a list";
    case "range":
      return "a range";
    case "missing":
      return "nothing";
    default:
      return `'${value.text}'`;
  }
}
