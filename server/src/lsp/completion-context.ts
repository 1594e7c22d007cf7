// Where a completion is asked for, decided from the tokens before the cursor: while the user
// types, the document is usually invalid, so the AST alone cannot say "after `name =` in a
// virtio-mem block". A small recursive-descent reader of the grammar of LANGUAGE.md walks the
// tokens up to the cursor, treats the cursor as the end of the input, and reports what it
// expected there. It recovers as the real parser does (grammar/src/parse.ts): a block ends at its
// `}` or at the start of a top-level declaration, a token that fits nowhere is skipped, a
// missing part ends the item without consuming what follows.
import * as T from "../../../grammar/src/lexer";
import type { ParseResult } from "../../../grammar/src/index";
import type { Context } from "../engine/schema";

export type Token = ParseResult["tokens"][number];

/**
 * A block the cursor can be in. `hotplug` is the body of `hotplug vfio NAME { }` (vfio
 * attributes); `unknown` a `word { }` or `word NAME { }` where no such block belongs (the
 * parser reads it whole and reports it once).
 */
export type FrameKind = "top" | "host" | "iommu" | "host-vfio" | "hugepages" | "vm" | "virtio-mem" | "vfio" | "dimm" | "numa" | "numa-node" | "scenario" | "hotplug" | "unknown";

export interface Frame {
  kind: FrameKind;
  /** index of the frame's `{` token; -1 for the top level */
  open: number;
  /** the VM of a vm body, a scenario or a hot-plugged device */
  vm?: string;
  /** in a scenario: devices hot-plugged, and devices unplugged, before the cursor */
  hotplugged: string[];
  unplugged: string[];
  /** at the top level: whether a host, vm or scenario came before the cursor */
  declarations: number;
}

/** The schema context of the attributes of a frame, if it holds attributes. */
export function attributeContext(kind: FrameKind): Context | undefined {
  switch (kind) {
    case "host":
    case "iommu":
    case "host-vfio":
    case "vm":
    case "virtio-mem":
    case "vfio":
    case "dimm":
    case "numa-node":
      return kind;
    case "hotplug":
      return "vfio";
    default:
      return undefined;
  }
}

export type Expectation =
  /** the start of an item of a block (or of the file) */
  | { kind: "item"; frame: Frame }
  /** a value: after `name =` (or inside the list of one); `attribute` is `reserved` for an iommu range */
  | { kind: "value"; frame: Frame; attribute: string; inList: boolean }
  /** a reference to a host, a VM, or a device of the scenario's VM */
  | { kind: "reference"; target: "host" | "vm" | "virtio-mem" | "vfio-device"; frame: Frame }
  /** a keyword that must come next (`on`, `for`, `to`, `vfio`, `x`) */
  | { kind: "keyword"; words: string[] }
  /** one of a closed set of words (`shared`/`private`, `precopy`/`postcopy`) */
  | { kind: "choice"; words: string[] }
  /** a number in a scenario step: a size, a range bound, or a count */
  | { kind: "number"; role: "size" | "bound" | "count"; device?: string; frame: Frame }
  /** nothing can be suggested (a new name, an `=`, the inside of a string) */
  | { kind: "none" };

class AtCursor {
  constructor(readonly expectation: Expectation) {}
}

const DEVICE_KEYWORDS = new Set([T.VirtioMem, T.Vfio, T.Dimm]);
const DECLARATION_KEYWORDS = new Set([T.Host, T.Vm, T.Scenario]);
const STEP_KEYWORDS = new Set([T.Resize, T.Convert, T.Hotplug, T.Unplug, T.Migrate, T.ViommuMap]);

export function isNameToken(token: Token | undefined): boolean {
  return token !== undefined && (token.tokenType === T.Identifier || T.KEYWORDS.includes(token.tokenType));
}

function frame(kind: FrameKind, open: number, vm?: string): Frame {
  return { kind, open, vm, hotplugged: [], unplugged: [], declarations: 0 };
}

/**
 * What the grammar expects after `tokens[0..end)`: `end` is the index of the first token at
 * or after the cursor (or of the word being typed, which is left out).
 */
export function expectationAt(tokens: readonly Token[], end: number, cursorLine: number): Expectation {
  const reader = new Reader(tokens, end, cursorLine);
  try {
    reader.file();
  } catch (error) {
    if (error instanceof AtCursor) return error.expectation;
    throw error;
  }
  return { kind: "none" };
}

class Reader {
  private i = 0;
  /** the open blocks, outermost first (the top level is not in it) */
  private readonly open: Frame[] = [];
  constructor(
    private readonly tokens: readonly Token[],
    private readonly end: number,
    /** 0-based */
    private readonly cursorLine: number,
  ) {}

  /**
   * A step is one line (LANGUAGE.md): what comes on a later line than its keyword, the cursor
   * included, starts the next step rather than filling the parts this one lacks.
   */
  private pastLine(line: number): boolean {
    return this.i < this.end ? this.tokens[this.i].startLine! > line : this.cursorLine + 1 > line;
  }

  /** The token `k` ahead, or undefined at or past the cursor (the cursor is the end of input). */
  private peek(k = 0): Token | undefined {
    return this.i + k < this.end ? this.tokens[this.i + k] : undefined;
  }

  /** The next token; at the cursor, stop and report what was expected there. */
  private need(expectation: Expectation): Token {
    if (this.i >= this.end) throw new AtCursor(expectation);
    return this.tokens[this.i];
  }

  /** Consumes the next token if it is of `type`. */
  private accept(type: Token["tokenType"], expectation: Expectation): boolean {
    if (this.need(expectation).tokenType !== type) return false;
    this.i++;
    return true;
  }

  /** Consumes a name if there is one; returns its text. */
  private name(expectation: Expectation): string | undefined {
    const previous = this.tokens[this.i - 1];
    const token = this.need(expectation);
    if (!isNameToken(token)) return undefined;
    // `vm td0 on` and nothing more, then `vm td1 {` on the next line: the name is missing.
    if (previous && token.startLine! > previous.startLine! && this.atDeclarationStart()) return undefined;
    this.i++;
    return token.image;
  }

  /** `host NAME`, `vm NAME`, `scenario NAME` or `import "…"`, as the parser's recovery sees it. */
  private atDeclarationStart(): boolean {
    const first = this.peek()?.tokenType;
    const second = this.peek(1);
    if (first === T.Import) return second?.tokenType === T.StringLiteral || second?.tokenType === T.UnterminatedString;
    return first !== undefined && DECLARATION_KEYWORDS.has(first) && isNameToken(second) && this.peek(2)?.tokenType !== T.Equals;
  }

  /**
   * The items of a block until its `}` (consumed), a top-level declaration, or the header of
   * a block that only an enclosing block may hold (not consumed).
   */
  private body(frame: Frame, item: () => void): void {
    this.open.push(frame);
    try {
      for (;;) {
        const token = this.need({ kind: "item", frame });
        if (token.tokenType === T.RCurly) {
          this.i++;
          return;
        }
        if (this.atDeclarationStart() || this.belongsAbove(frame)) return;
        const before = this.i;
        item();
        if (this.i === before) this.i++; // a stray token: skip it
      }
    } finally {
      this.open.pop();
    }
  }

  /**
   * `vfio nic1 {` inside a virtio-mem block, `hugepages {` inside an iommu block, `resize …`
   * inside a hot-plugged device: the block before it was left open (the user is typing), and
   * this belongs to the enclosing block that can hold it. The parser does not look this far;
   * completion does, so that the next item still gets the right suggestions.
   */
  private belongsAbove(frame: Frame): boolean {
    const first = this.peek()?.tokenType;
    const second = this.peek(1);
    if (first === undefined || second?.tokenType === T.Equals) return false;
    let home: FrameKind | undefined;
    if ((first === T.Iommu || first === T.Vfio || first === T.Hugepages) && second?.tokenType === T.LCurly) home = "host";
    else if (DEVICE_KEYWORDS.has(first) && isNameToken(second) && this.peek(2)?.tokenType === T.LCurly) home = "vm";
    else if (STEP_KEYWORDS.has(first) && second !== undefined) home = "scenario";
    if (home === undefined || home === frame.kind) return false;
    return this.open.some((f) => f.kind === home);
  }

  file(): void {
    const top = frame("top", -1);
    for (;;) {
      const token = this.need({ kind: "item", frame: top });
      switch (token.tokenType) {
        case T.Import:
          this.i++;
          if ([T.StringLiteral, T.UnterminatedString].includes(this.need({ kind: "none" }).tokenType)) this.i++;
          break;
        case T.Host:
          top.declarations++;
          this.host();
          break;
        case T.Vm:
          top.declarations++;
          this.vm();
          break;
        case T.Scenario:
          top.declarations++;
          this.scenario();
          break;
        default:
          this.i++;
      }
    }
  }

  private openBlock(): boolean {
    return this.accept(T.LCurly, { kind: "none" });
  }

  private host(): void {
    this.i++;
    this.name({ kind: "none" });
    if (!this.openBlock()) return;
    const host = frame("host", this.i - 1);
    this.body(host, () => {
      const type = this.peek()!.tokenType;
      const blockKind = type === T.Iommu ? "iommu" : type === T.Vfio ? "host-vfio" : type === T.Hugepages ? "hugepages" : undefined;
      if (blockKind && this.peek(1)?.tokenType !== T.Equals) {
        this.i++;
        if (!this.openBlock()) return;
        const block = frame(blockKind, this.i - 1);
        if (blockKind === "iommu") this.body(block, () => this.iommuItem(block));
        else if (blockKind === "hugepages") this.body(block, () => this.hugepagePool(block));
        else this.body(block, () => this.attribute(block));
        return;
      }
      if (!this.unknownBlock()) this.attribute(host);
    });
  }

  private iommuItem(iommu: Frame): void {
    if (this.peek()!.tokenType === T.Reserved && this.peek(1)?.tokenType !== T.Equals) {
      this.i++;
      if (this.name({ kind: "none" }) === undefined) return;
      if (!this.accept(T.Equals, { kind: "none" })) return;
      this.value(iommu, "reserved", false);
      return;
    }
    if (!this.unknownBlock()) this.attribute(iommu);
  }

  private hugepagePool(pools: Frame): void {
    const size = this.peek()!;
    if (size.tokenType !== T.NumberLiteral) return;
    this.i++;
    if (!this.accept(T.Equals, { kind: "none" })) return;
    this.value(pools, size.image, false);
  }

  /** `word {` or `word NAME {` where a host, iommu or vm item may stand: a block, known or not. */
  private unknownBlock(vm?: string): boolean {
    if (!isNameToken(this.peek())) return false;
    const second = this.peek(1);
    const nameFirst = isNameToken(second) && this.peek(2)?.tokenType === T.LCurly;
    if (second?.tokenType !== T.LCurly && !nameFirst) return false;
    this.i += nameFirst ? 3 : 2;
    const block = frame("unknown", this.i - 1, vm);
    this.body(block, () => this.attribute(block));
    return true;
  }

  private attribute(block: Frame): void {
    const name = this.peek()!;
    if (!isNameToken(name)) return;
    this.i++;
    if (!this.accept(T.Equals, { kind: "none" })) return;
    this.value(block, name.image, false);
  }

  /** A value; a missing one (the next token starts another item) consumes nothing. */
  private value(block: Frame, attribute: string, inList: boolean): void {
    const previous = this.tokens[this.i - 1];
    const token = this.need({ kind: "value", frame: block, attribute, inList });
    // `vendor =` and nothing more, then `vm td0 on spr` on the next line: the value is missing.
    if (token.startLine! > previous.startLine! && (this.atDeclarationStart() || this.belongsAbove(block))) return;
    if (token.tokenType === T.NumberLiteral) {
      this.i++;
      if (this.peek()?.tokenType === T.DotDot) {
        this.i++;
        if (this.need({ kind: "value", frame: block, attribute, inList }).tokenType === T.NumberLiteral) this.i++;
      }
    } else if (token.tokenType === T.StringLiteral || token.tokenType === T.UnterminatedString) {
      this.i++;
    } else if (isNameToken(token) && this.peek(1)?.tokenType !== T.Equals) {
      this.i++;
    } else if (token.tokenType === T.LSquare) {
      this.i++;
      for (;;) {
        const next = this.need({ kind: "value", frame: block, attribute, inList: true });
        if (next.tokenType === T.RSquare) {
          this.i++;
          return;
        }
        if (next.tokenType === T.Comma) {
          this.i++;
          continue;
        }
        const before = this.i;
        this.value(block, attribute, true);
        if (this.i === before) return; // not a value: the list is broken, let the block go on
        this.need({ kind: "none" }); // after a list item: ',' or ']'
      }
    }
  }

  private vm(): void {
    this.i++;
    const name = this.name({ kind: "none" });
    const next = this.need({ kind: "keyword", words: ["on"] });
    if (next.tokenType === T.On && this.peek(1)?.tokenType !== T.LCurly) {
      this.i++;
      this.name({ kind: "reference", target: "host", frame: frame("top", -1) });
    }
    if (!this.openBlock()) return;
    const vm = frame("vm", this.i - 1, name);
    this.body(vm, () => {
      const keyword = this.peek()!.tokenType;
      if (DEVICE_KEYWORDS.has(keyword) && this.peek(1)?.tokenType !== T.Equals) {
        this.i++;
        this.name({ kind: "none" });
        if (!this.openBlock()) return;
        const device = frame(keyword === T.VirtioMem ? "virtio-mem" : keyword === T.Dimm ? "dimm" : "vfio", this.i - 1, name);
        this.body(device, () => this.attribute(device));
        return;
      }
      if (keyword === T.Numa && this.peek(1)?.tokenType === T.LCurly) {
        this.i += 2;
        const numa = frame("numa", this.i - 1, name);
        this.body(numa, () => this.numaNode(numa, name));
        return;
      }
      if (!this.unknownBlock(name)) this.attribute(vm);
    });
  }

  /** `node N { attribute* }` inside `numa { }`. */
  private numaNode(numa: Frame, vm: string | undefined): void {
    if (this.peek()!.tokenType !== T.Node || this.peek(1)?.tokenType === T.Equals) {
      if (!this.unknownBlock(vm)) this.attribute(numa);
      return;
    }
    this.i++;
    this.accept(T.NumberLiteral, { kind: "none" });
    if (!this.openBlock()) return;
    const node = frame("numa-node", this.i - 1, vm);
    this.body(node, () => this.attribute(node));
  }

  private scenario(): void {
    this.i++;
    this.name({ kind: "none" });
    this.accept(T.For, { kind: "keyword", words: ["for"] });
    const vm = this.name({ kind: "reference", target: "vm", frame: frame("top", -1) });
    if (!this.openBlock()) return;
    const scenario = frame("scenario", this.i - 1, vm);
    this.body(scenario, () => this.step(scenario));
  }

  private stepName(line: number, expectation: Expectation): string | undefined {
    return this.pastLine(line) ? undefined : this.name(expectation);
  }

  private stepAccept(line: number, type: Token["tokenType"], expectation: Expectation): boolean {
    return !this.pastLine(line) && this.accept(type, expectation);
  }

  private step(scenario: Frame): void {
    const keyword = this.peek()!.tokenType;
    const line = this.peek()!.startLine!;
    const numberAt = (role: "size" | "bound" | "count", device?: string) => {
      if (this.pastLine(line) || this.need({ kind: "number", role, device, frame: scenario }).tokenType !== T.NumberLiteral) return false;
      this.i++;
      return true;
    };
    switch (keyword) {
      case T.Resize: {
        this.i++;
        const device = this.stepName(line, { kind: "reference", target: "virtio-mem", frame: scenario });
        if (device === undefined || !this.stepAccept(line, T.To, { kind: "keyword", words: ["to"] })) return;
        numberAt("size", device);
        return;
      }
      case T.Convert:
        this.i++;
        if (!numberAt("bound") || !this.stepAccept(line, T.DotDot, { kind: "none" }) || !numberAt("bound")) return;
        if (!this.stepAccept(line, T.To, { kind: "keyword", words: ["to"] })) return;
        if (!this.pastLine(line) && [T.Shared, T.Private].includes(this.need({ kind: "choice", words: ["shared", "private"] }).tokenType)) this.i++;
        return;
      case T.Hotplug: {
        this.i++;
        if (!this.stepAccept(line, T.Vfio, { kind: "keyword", words: ["vfio"] })) return;
        const device = this.stepName(line, { kind: "none" });
        if (device !== undefined) scenario.hotplugged.push(device);
        if (!this.openBlock()) return;
        const body = frame("hotplug", this.i - 1, scenario.vm);
        this.body(body, () => this.attribute(body));
        return;
      }
      case T.Unplug: {
        this.i++;
        const device = this.stepName(line, { kind: "reference", target: "vfio-device", frame: scenario });
        if (device !== undefined) scenario.unplugged.push(device);
        return;
      }
      case T.Migrate:
        this.i++;
        if (!this.stepAccept(line, T.To, { kind: "keyword", words: ["to"] })) return;
        if (this.stepName(line, { kind: "reference", target: "host", frame: scenario }) === undefined) return;
        if (!this.pastLine(line) && [T.Precopy, T.Postcopy].includes(this.need({ kind: "choice", words: ["precopy", "postcopy"] }).tokenType)) this.i++;
        return;
      case T.ViommuMap: {
        this.i++;
        const device = this.stepName(line, { kind: "reference", target: "vfio-device", frame: scenario });
        if (device === undefined || !numberAt("count", device)) return;
        if (!this.stepAccept(line, T.X, { kind: "keyword", words: ["x"] })) return;
        numberAt("size", device);
        return;
      }
      default:
        return; // a stray token: body() skips it
    }
  }
}

/** What a block already holds, before and after the cursor, and whether its `}` is there. */
export interface BlockContents {
  /** attribute names given (`name =` at the block's own depth) */
  attributes: Set<string>;
  /** sub-blocks given (`iommu {`, `vfio {`, `hugepages {`) and pools (`2M =`) */
  blocks: Set<string>;
  /** device names declared in the block (for fresh names in snippets) */
  names: Set<string>;
  closed: boolean;
}

/**
 * Scans the block opened at `tokens[open]`, leaving out the word being typed (`skip`). Like
 * the parser, a top-level declaration ends every open block.
 */
export function blockContents(tokens: readonly Token[], open: number, skip: number): BlockContents {
  const contents: BlockContents = { attributes: new Set(), blocks: new Set(), names: new Set(), closed: false };
  let depth = 0;
  const at = (k: number) => (k === skip ? undefined : tokens[k]);
  for (let k = open + 1; k < tokens.length; k++) {
    const token = at(k);
    if (!token) continue;
    const next = at(k + 1);
    if (token.tokenType === T.LCurly) depth++;
    else if (token.tokenType === T.RCurly) {
      if (depth === 0) {
        contents.closed = true;
        return contents;
      }
      depth--;
    } else if (DECLARATION_KEYWORDS.has(token.tokenType) && isNameToken(next) && at(k + 2)?.tokenType !== T.Equals) {
      return contents;
    } else if (token.tokenType === T.Import && (next?.tokenType === T.StringLiteral || next?.tokenType === T.UnterminatedString)) {
      return contents;
    } else if (depth === 0) {
      const previous = k > 0 ? at(k - 1) : undefined;
      if (isNameToken(token) && next?.tokenType === T.Equals && previous?.tokenType !== T.Reserved) contents.attributes.add(token.image);
      if (token.tokenType === T.NumberLiteral && next?.tokenType === T.Equals) contents.blocks.add(token.image);
      if ([T.Iommu, T.Vfio, T.Hugepages, T.Numa].includes(token.tokenType) && next?.tokenType === T.LCurly) contents.blocks.add(token.image);
      if (DEVICE_KEYWORDS.has(token.tokenType) && isNameToken(next) && at(k + 2)?.tokenType === T.LCurly) contents.names.add(next!.image);
    }
  }
  return contents;
}
