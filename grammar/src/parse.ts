// parse(text): the typed AST and its VT001/VT004 diagnostics. Never throws; a broken document
// still yields every declaration that could be read.
import { EOF, type CstNode, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import type * as A from "./ast";
import { cstParser } from "./cst-parser";
import { syntaxError, valueError, type Diagnostic } from "./diagnostic";
import * as T from "./lexer";
import { LineIndex } from "./line-index";
import { decodeNumber, decodeString } from "./literals";
import { describeToken } from "./parse-messages";

export interface ParseResult {
  ast: A.VmtopoFile;
  diagnostics: Diagnostic[];
  /** every significant token, in order */
  tokens: IToken[];
  /** line and block comments, in order */
  comments: IToken[];
  lines: LineIndex;
}

export function parse(text: string): ParseResult {
  const lines = new LineIndex(text);
  try {
    return parseUnguarded(text, lines);
  } catch (error) {
    // A bug of ours must not cost the user the document: report it where it can be seen.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ast: { kind: "file", imports: [], declarations: [], range: lines.range(0, text.length) },
      diagnostics: [syntaxError(`internal error in the vmtopo parser: ${message}`, lines.range(0, 0))],
      tokens: [],
      comments: [],
      lines,
    };
  }
}

function parseUnguarded(text: string, lines: LineIndex): ParseResult {
  const lexed = T.vmtopoLexer.tokenize(text);
  const comments = (lexed.groups.comments ?? []) as IToken[];
  const diagnostics: Diagnostic[] = [];

  for (const error of lexed.errors) {
    const bad = text.slice(error.offset, error.offset + error.length);
    const shown = bad.length > 20 ? bad.slice(0, 17) + "..." : bad;
    diagnostics.push(syntaxError(`unexpected character${bad.length > 1 ? "s" : ""} '${shown}'`, lines.range(error.offset, error.offset + error.length)));
  }
  for (const comment of comments) {
    if (comment.tokenType === T.UnterminatedComment) {
      diagnostics.push(syntaxError("unterminated comment: '/*' has no closing '*/'", lines.range(comment.startOffset, comment.startOffset + 2)));
    }
  }

  const parser = cstParser();
  parser.input = lexed.tokens;
  const cst = parser.file();
  const builder = new AstBuilder(text, lines, lexed.tokens, diagnostics);
  for (const error of parser.errors) builder.reportParseError(error);
  const ast = builder.file(cst);
  builder.addStrayDiagnostics();
  return { ast, diagnostics: dedupe(diagnostics), tokens: lexed.tokens, comments, lines };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const kept = diagnostics.filter((d) => {
    const key = `${d.range.start.line}:${d.range.start.character}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return kept.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

type Children = Record<string, (CstNode | IToken)[] | undefined>;

const STRAY_CONTEXT: Readonly<Record<string, string>> = {
  file: "expected 'host', 'vm', 'scenario' or 'import'",
  hostDecl: "expected a host attribute (name = value) or an 'iommu', 'vfio' or 'hugepages' block",
  iommuBlock: "expected an iommu attribute (name = value) or 'reserved NAME = range'",
  attributeBlock: "expected an attribute (name = value)",
  hugepagesBlock: "expected a huge page pool such as '2M = 512'",
  vmDecl: "expected a VM attribute (name = value), a 'virtio-mem', 'vfio' or 'dimm' device, or a 'numa' block",
  numaBlock: "expected a NUMA node such as 'node 0 { memory = 8G }'",
  scenarioDecl: "expected a scenario step (resize, convert, hotplug, unplug, migrate or viommu-map)",
};

class AstBuilder {
  /** Kept apart: a stray token the parser already reported needs no second diagnostic. */
  private readonly strayDiagnostics: Diagnostic[] = [];

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly tokens: IToken[],
    private readonly diagnostics: Diagnostic[],
  ) {}

  // ---- ranges -------------------------------------------------------------------------

  private isReal(token: IToken | undefined): token is IToken {
    return token !== undefined && !token.isInsertedInRecovery && Number.isFinite(token.startOffset);
  }

  private tokenRange(token: IToken): A.Range {
    return this.lines.range(token.startOffset, token.endOffset! + 1);
  }

  /** Range of a CST node from its first to its last real token (empty at `fallback` if none). */
  private nodeRange(node: CstNode, fallback: number): A.Range {
    const span = this.span(node);
    return span ? this.lines.range(span[0], span[1]) : this.lines.range(fallback, fallback);
  }

  private readonly spans = new WeakMap<CstNode, [number, number] | null>();

  /** [start, end) offsets of a node's real tokens; null when it has none. */
  private span(node: CstNode): [number, number] | null {
    const cached = this.spans.get(node);
    if (cached !== undefined) return cached;
    let result: [number, number] | null = null;
    const location = node.location;
    if (location && Number.isFinite(location.startOffset) && Number.isFinite(location.endOffset)) {
      // chevrotain tracks it as it parses; only recovered nodes need the walk below.
      result = [location.startOffset, location.endOffset! + 1];
    } else {
      for (const list of Object.values(node.children)) {
        for (const child of list ?? []) {
          const childSpan = "children" in child ? this.span(child) : this.isReal(child) ? ([child.startOffset, child.endOffset! + 1] as [number, number]) : null;
          if (!childSpan) continue;
          result = result ? [Math.min(result[0], childSpan[0]), Math.max(result[1], childSpan[1])] : childSpan;
        }
      }
    }
    this.spans.set(node, result);
    return result;
  }

  private endOffset(node: CstNode, fallback: number): number {
    return this.span(node)?.[1] ?? fallback;
  }

  // ---- errors -------------------------------------------------------------------------

  reportParseError(error: IRecognitionException): void {
    const token = error.token;
    const previous = (error as { previousToken?: IToken }).previousToken;
    if (this.isReal(token) && token.tokenType !== EOF && this.isReal(previous) && previous.endLine! < token.startLine!) {
      // What is missing belongs to the previous line (`memory =` with no value, a block
      // without its `}`): point there, not at the next line, which is probably fine.
      const expected = error.message.replace(/ but found .*$/s, "");
      const message = `${expected} at the end of this line (the next line starts with ${describeToken(token)})`;
      this.diagnostics.push(syntaxError(message, this.tokenRange(previous)));
      return;
    }
    if (this.isReal(token) && token.tokenType !== EOF) {
      this.diagnostics.push(syntaxError(error.message, this.tokenRange(token)));
      return;
    }
    // At the end of the file, or at a token the parser made up: point just after the last real token.
    const last = this.isReal(previous) ? previous : this.tokens[this.tokens.length - 1];
    const at = last ? last.endOffset! + 1 : this.text.length;
    this.diagnostics.push(syntaxError(error.message, this.lines.range(at, at)));
  }

  /** Consecutive stray tokens of one block make one diagnostic. */
  private reportStrays(strays: CstNode[], context: string): void {
    let run: IToken[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const first = run[0];
      const last = run[run.length - 1];
      const found = run.length === 1 ? describeToken(first) : `'${this.text.slice(first.startOffset, last.endOffset! + 1)}'`;
      const shown = found.length > 44 ? found.slice(0, 40) + "...'" : found;
      this.strayDiagnostics.push(syntaxError(`${STRAY_CONTEXT[context]} but found ${shown}`, this.lines.range(first.startOffset, last.endOffset! + 1)));
      run = [];
    };
    for (const stray of strays) {
      const token = (stray.children.token as IToken[] | undefined)?.[0];
      if (!this.isReal(token)) continue;
      const previous = run[run.length - 1];
      // A run stays on one line: each line of junk gets its own diagnostic.
      if (previous && (!this.onlyTriviaBetween(previous, token) || previous.startLine !== token.startLine)) flush();
      run.push(token);
    }
    flush();
  }

  private onlyTriviaBetween(a: IToken, b: IToken): boolean {
    const aIndex = this.tokenIndex(a);
    return aIndex >= 0 && this.tokens[aIndex + 1] === b;
  }

  private tokenIndex(token: IToken): number {
    let low = 0;
    let high = this.tokens.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = this.tokens[mid].startOffset;
      if (at === token.startOffset) return mid;
      if (at < token.startOffset) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  addStrayDiagnostics(): void {
    const reported = new Set(this.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}`));
    for (const stray of this.strayDiagnostics) {
      if (!reported.has(`${stray.range.start.line}:${stray.range.start.character}`)) this.diagnostics.push(stray);
    }
  }

  // ---- helpers on CST children --------------------------------------------------------

  private token(children: Children, label: string): IToken | undefined {
    const found = children[label]?.[0];
    return found && !("children" in found) ? found : undefined;
  }

  private node(children: Children, label: string): CstNode | undefined {
    const found = children[label]?.[0];
    return found && "children" in found ? found : undefined;
  }

  private nodes(children: Children, label: string): CstNode[] {
    return (children[label] ?? []).filter((c): c is CstNode => "children" in c);
  }

  private name(token: IToken | undefined, fallback: number): A.Name {
    if (this.isReal(token)) return { text: token.image, range: this.tokenRange(token) };
    return { text: "", missing: true, range: this.lines.range(fallback, fallback) };
  }

  private keywordRange(children: Children, start: number): A.Range {
    const keyword = this.token(children, "keyword");
    return this.isReal(keyword) ? this.tokenRange(keyword) : this.lines.range(start, start);
  }

  private startOf(node: CstNode): number {
    return this.span(node)?.[0] ?? this.text.length;
  }

  /** The offset just after the last real token among the given labels (for placing missing parts). */
  private after(children: Children, labels: string[], fallback: number): number {
    let at = fallback;
    for (const label of labels) {
      for (const child of children[label] ?? []) {
        const end = "children" in child ? this.endOffset(child, -1) : this.isReal(child) ? child.endOffset! + 1 : -1;
        if (end > at) at = end;
      }
    }
    return at;
  }

  // ---- declarations -------------------------------------------------------------------

  file(cst: CstNode): A.VmtopoFile {
    const imports: A.Import[] = [];
    const declarations: A.Declaration[] = [];
    const strays: CstNode[] = [];
    const order: { offset: number; node: CstNode }[] = [];
    for (const [label, list] of Object.entries(cst.children)) {
      for (const child of list ?? []) if ("children" in child) order.push({ offset: this.startOf(child), node: child });
      void label;
    }
    order.sort((a, b) => a.offset - b.offset);
    for (const { node } of order) {
      switch (node.name) {
        case "importDecl": {
          const decl = this.importDecl(node);
          if (declarations.length > 0) {
            this.diagnostics.push(syntaxError("imports must come before every host, vm and scenario", decl.range));
          }
          imports.push(decl);
          break;
        }
        case "hostDecl":
          declarations.push(this.host(node));
          break;
        case "vmDecl":
          declarations.push(this.vm(node));
          break;
        case "scenarioDecl":
          declarations.push(this.scenario(node));
          break;
        case "stray":
          strays.push(node);
          break;
      }
    }
    this.reportStrays(strays, "file");
    return { kind: "file", imports, declarations, range: this.lines.range(0, this.text.length) };
  }

  private importDecl(node: CstNode): A.Import {
    const start = this.startOf(node);
    const pathNode = this.node(node.children, "path");
    const path = pathNode ? this.stringValue(pathNode, this.after(node.children, ["keyword"], start)) : undefined;
    return {
      kind: "import",
      path: path ?? this.missingValue(this.after(node.children, ["keyword"], start)),
      range: this.nodeRange(node, start),
    };
  }

  private host(node: CstNode): A.Host {
    const c = node.children;
    const start = this.startOf(node);
    const items: A.HostItem[] = [];
    for (const child of this.ordered(c, ["attribute", "iommuBlock", "hostVfioBlock", "hugepagesBlock", "unknownBlock"])) {
      if (child.name === "attribute") items.push(this.attribute(child));
      else if (child.name === "unknownBlock") items.push(this.unknownBlock(child));
      else if (child.name === "iommuBlock") items.push(this.iommuBlock(child));
      else if (child.name === "hostVfioBlock") items.push(this.hostVfioBlock(child));
      else items.push(this.hugepagesBlock(child));
    }
    this.reportStrays(this.nodes(c, "stray"), "hostDecl");
    return {
      kind: "host",
      name: this.name(this.token(c, "name"), this.after(c, ["keyword"], start)),
      items,
      range: this.nodeRange(node, start),
    };
  }

  /** Child nodes of the given labels in source order. */
  private ordered(children: Children, labels: string[]): CstNode[] {
    const all = labels.flatMap((label) => this.nodes(children, label));
    return all.sort((a, b) => this.startOf(a) - this.startOf(b));
  }

  private iommuBlock(node: CstNode): A.IommuBlock {
    const c = node.children;
    const start = this.startOf(node);
    const items = this.ordered(c, ["attribute", "reservedRange", "unknownBlock"]).map((child) =>
      child.name === "attribute" ? this.attribute(child) : child.name === "unknownBlock" ? this.unknownBlock(child) : this.reservedRange(child),
    );
    this.reportStrays(this.nodes(c, "stray"), "iommuBlock");
    return { kind: "iommu", keyword: this.keywordRange(c, start), items, range: this.nodeRange(node, start) };
  }

  private unknownBlock(node: CstNode): A.UnknownBlock {
    const c = node.children;
    const start = this.startOf(node);
    const block = this.node(c, "attributeBlock");
    const unknown: A.UnknownBlock = {
      kind: "unknown-block",
      keyword: this.name(this.token(c, "keyword"), start),
      attributes: block ? this.attributeBlock(block) : [],
      range: this.nodeRange(node, start),
    };
    if (c.name) unknown.name = this.name(this.token(c, "name"), start);
    return unknown;
  }

  private reservedRange(node: CstNode): A.ReservedRange {
    const c = node.children;
    const start = this.startOf(node);
    const nameAt = this.after(c, ["keyword"], start);
    return {
      kind: "reserved",
      name: this.name(this.token(c, "name"), nameAt),
      value: this.valueOrMissing(this.node(c, "value"), this.after(c, ["keyword", "name", "Equals"], start)),
      range: this.nodeRange(node, start),
    };
  }

  private hostVfioBlock(node: CstNode): A.HostVfioBlock {
    const c = node.children;
    const start = this.startOf(node);
    const block = this.node(c, "attributeBlock");
    return {
      kind: "host-vfio",
      keyword: this.keywordRange(c, start),
      attributes: block ? this.attributeBlock(block) : [],
      range: this.nodeRange(node, start),
    };
  }

  private attributeBlock(node: CstNode): A.Attribute[] {
    this.reportStrays(this.nodes(node.children, "stray"), "attributeBlock");
    return this.nodes(node.children, "attribute").map((a) => this.attribute(a));
  }

  private hugepagesBlock(node: CstNode): A.HugepagesBlock {
    const c = node.children;
    const start = this.startOf(node);
    const pools = this.nodes(c, "hugepagePool").map((pool): A.HugepagePool => {
      const pc = pool.children;
      const poolStart = this.startOf(pool);
      const pageToken = this.token(pc, "pageSize");
      return {
        kind: "hugepage-pool",
        pageSize: this.isReal(pageToken) ? this.numberValue(pageToken) : this.missingValue(poolStart),
        count: this.valueOrMissing(this.node(pc, "value"), this.after(pc, ["pageSize", "Equals"], poolStart)),
        range: this.nodeRange(pool, poolStart),
      };
    });
    this.reportStrays(this.nodes(c, "stray"), "hugepagesBlock");
    return { kind: "hugepages", keyword: this.keywordRange(c, start), pools, range: this.nodeRange(node, start) };
  }

  private vm(node: CstNode): A.Vm {
    const c = node.children;
    const start = this.startOf(node);
    const items = this.ordered(c, ["attribute", "device", "numaBlock", "unknownBlock"]).map((child): A.VmItem =>
      child.name === "attribute"
        ? this.attribute(child)
        : child.name === "unknownBlock"
          ? this.unknownBlock(child)
          : child.name === "numaBlock"
            ? this.numaBlock(child)
            : this.device(child),
    );
    this.reportStrays(this.nodes(c, "stray"), "vmDecl");
    const vm: A.Vm = {
      kind: "vm",
      name: this.name(this.token(c, "name"), this.after(c, ["keyword"], start)),
      items,
      range: this.nodeRange(node, start),
    };
    if (c.onKeyword) vm.host = this.name(this.token(c, "host"), this.after(c, ["onKeyword"], start));
    return vm;
  }

  private numaBlock(node: CstNode): A.NumaBlock {
    const c = node.children;
    const start = this.startOf(node);
    const items = this.ordered(c, ["numaNode", "attribute", "unknownBlock"]).map((child): A.NumaBlock["items"][number] =>
      child.name === "attribute" ? this.attribute(child) : child.name === "unknownBlock" ? this.unknownBlock(child) : this.numaNode(child),
    );
    this.reportStrays(this.nodes(c, "stray"), "numaBlock");
    return { kind: "numa", keyword: this.keywordRange(c, start), items, range: this.nodeRange(node, start) };
  }

  private numaNode(node: CstNode): A.NumaNode {
    const c = node.children;
    const start = this.startOf(node);
    const block = this.node(c, "attributeBlock");
    return {
      kind: "numa-node",
      keyword: this.keywordRange(c, start),
      id: this.numberOrMissing(this.token(c, "id"), this.after(c, ["keyword"], start)),
      attributes: block ? this.attributeBlock(block) : [],
      range: this.nodeRange(node, start),
    };
  }

  private device(node: CstNode): A.Device {
    const c = node.children;
    const start = this.startOf(node);
    const keyword = this.token(c, "keyword");
    const block = this.node(c, "attributeBlock");
    return {
      kind: "device",
      deviceKind: (keyword?.tokenType === T.VirtioMem ? "virtio-mem" : keyword?.tokenType === T.Dimm ? "dimm" : "vfio") as A.DeviceKind,
      keyword: this.keywordRange(c, start),
      name: this.name(this.token(c, "name"), this.after(c, ["keyword"], start)),
      attributes: block ? this.attributeBlock(block) : [],
      range: this.nodeRange(node, start),
    };
  }

  private scenario(node: CstNode): A.Scenario {
    const c = node.children;
    const start = this.startOf(node);
    const steps = this.nodes(c, "step").flatMap((step) => {
      const inner = Object.values(step.children)[0]?.[0];
      return inner && "children" in inner ? [this.step(inner)] : [];
    });
    this.reportStrays(this.nodes(c, "stray"), "scenarioDecl");
    return {
      kind: "scenario",
      name: this.name(this.token(c, "name"), this.after(c, ["keyword"], start)),
      vm: this.name(this.token(c, "vm"), this.after(c, ["keyword", "name", "For"], start)),
      steps,
      range: this.nodeRange(node, start),
    };
  }

  private step(node: CstNode): A.Step {
    const c = node.children;
    const start = this.startOf(node);
    const range = this.nodeRange(node, start);
    const afterKeyword = this.after(c, ["keyword"], start);
    switch (node.name) {
      case "resizeStep":
        return {
          kind: "resize",
          device: this.name(this.token(c, "device"), afterKeyword),
          size: this.numberOrMissing(this.token(c, "size"), this.after(c, ["keyword", "device", "To"], start)),
          range,
        };
      case "convertStep": {
        const to = this.token(c, "to");
        const toAt = this.after(c, ["keyword", "start", "DotDot", "end", "To"], start);
        return {
          kind: "convert",
          target: this.rangeFromTokens(c, "start", "end", afterKeyword),
          to: this.isReal(to) ? (to.tokenType === T.Shared ? "shared" : "private") : null,
          toRange: this.isReal(to) ? this.tokenRange(to) : this.lines.range(toAt, toAt),
          range,
        };
      }
      case "hotplugStep": {
        const block = this.node(c, "attributeBlock");
        return {
          kind: "hotplug",
          device: this.name(this.token(c, "device"), this.after(c, ["keyword", "Vfio"], start)),
          attributes: block ? this.attributeBlock(block) : [],
          range,
        };
      }
      case "unplugStep":
        return { kind: "unplug", device: this.name(this.token(c, "device"), afterKeyword), range };
      case "migrateStep": {
        const mode = this.token(c, "mode");
        const modeAt = this.after(c, ["keyword", "To", "host"], start);
        return {
          kind: "migrate",
          host: this.name(this.token(c, "host"), this.after(c, ["keyword", "To"], start)),
          mode: this.isReal(mode) ? (mode.tokenType === T.Precopy ? "precopy" : "postcopy") : null,
          modeRange: this.isReal(mode) ? this.tokenRange(mode) : this.lines.range(modeAt, modeAt),
          range,
        };
      }
      default: {
        const count = this.token(c, "count");
        const size = this.token(c, "size");
        const countAt = this.after(c, ["keyword", "device"], start);
        const sizeAt = this.after(c, ["keyword", "device", "count", "X"], start);
        return {
          kind: "viommu-map",
          device: this.name(this.token(c, "device"), afterKeyword),
          count: this.numberOrMissing(count, countAt),
          size: this.numberOrMissing(size, sizeAt),
          range,
        };
      }
    }
  }

  private attribute(node: CstNode): A.Attribute {
    const c = node.children;
    const start = this.startOf(node);
    return {
      kind: "attribute",
      name: this.name(this.token(c, "name"), start),
      value: this.valueOrMissing(this.node(c, "value"), this.after(c, ["name", "Equals"], start)),
      range: this.nodeRange(node, start),
    };
  }

  // ---- values -------------------------------------------------------------------------

  private missingValue(at: number): A.MissingValue {
    return { kind: "missing", range: this.lines.range(at, at) };
  }

  private valueOrMissing(node: CstNode | undefined, at: number): A.Value {
    return (node && this.value(node)) ?? this.missingValue(at);
  }

  private numberOrMissing(token: IToken | undefined, at: number): A.Value {
    return this.isReal(token) ? this.numberValue(token) : this.missingValue(at);
  }

  /** `A .. B` from the tokens under the given labels; missing when there is no start. */
  private rangeFromTokens(c: Children, startLabel: string, endLabel: string, at: number): A.RangeValue | A.MissingValue {
    const startToken = this.token(c, startLabel);
    if (!this.isReal(startToken)) return this.missingValue(at);
    const start = this.numberValue(startToken);
    const endToken = this.token(c, endLabel);
    const afterStart = startToken.endOffset! + 1;
    const end = this.isReal(endToken) ? this.numberValue(endToken) : this.missingValue(this.after(c, ["DotDot"], afterStart));
    return {
      kind: "range",
      start: this.rangeBound(start),
      end: end.kind === "missing" ? end : this.rangeBound(end),
      range: this.lines.range(startToken.startOffset, this.after(c, [startLabel, "DotDot", endLabel], afterStart)),
    };
  }

  private value(node: CstNode): A.Value | undefined {
    const c = node.children;
    const number = this.token(c, "number");
    if (this.isReal(number)) return c.DotDot ? this.rangeFromTokens(c, "number", "rangeEnd", number.startOffset) : this.numberValue(number);
    const string = this.node(c, "string");
    if (string) return this.stringValue(string, this.startOf(node));
    const identifier = this.token(c, "identifier");
    if (this.isReal(identifier)) return { kind: "identifier", name: identifier.image, range: this.tokenRange(identifier) };
    const list = this.node(c, "list");
    if (list) {
      const start = this.startOf(list);
      return {
        kind: "list",
        items: this.nodes(list.children, "value").flatMap((v) => this.value(v) ?? []),
        range: this.nodeRange(list, start),
      };
    }
    return undefined;
  }

  private rangeBound(value: A.IntegerValue | A.SizeValue | A.BandwidthValue): A.Scalar {
    if (value.kind !== "bandwidth") return value;
    this.diagnostics.push(valueError(`a range's bounds are addresses (integers or sizes), not a bandwidth like '${value.text}'`, value.range));
    return { kind: "integer", text: value.text, value: null, range: value.range };
  }

  private numberValue(token: IToken): A.IntegerValue | A.SizeValue | A.BandwidthValue {
    const range = this.tokenRange(token);
    const text = token.image;
    const decoded = decodeNumber(text);
    switch (decoded.kind) {
      case "integer":
        if (decoded.error) this.diagnostics.push(valueError(decoded.error, range));
        return { kind: "integer", text, value: decoded.value, range };
      case "size":
        if (decoded.error) this.diagnostics.push(valueError(decoded.error, range));
        return { kind: "size", text, bytes: decoded.bytes, unit: decoded.unit, range };
      case "bandwidth":
        if (decoded.error) this.diagnostics.push(valueError(decoded.error, range));
        return { kind: "bandwidth", text, bitsPerSecond: decoded.bitsPerSecond, unit: decoded.unit, range };
      case "invalid":
        this.diagnostics.push(syntaxError(decoded.error, range));
        return { kind: "integer", text, value: null, range };
    }
  }

  private stringValue(node: CstNode, fallback: number): A.StringValue | undefined {
    const token = this.token(node.children, "token");
    if (!this.isReal(token)) return undefined;
    void fallback;
    const decoded = decodeString(token.image);
    const range = this.tokenRange(token);
    if (decoded.error) {
      const at = token.startOffset + (decoded.errorOffset ?? 0);
      const errorRange = token.tokenType === T.UnterminatedString ? range : this.lines.range(at, Math.min(at + 2, token.endOffset! + 1));
      this.diagnostics.push(syntaxError(decoded.error, errorRange));
    }
    return { kind: "string", text: token.image, value: decoded.value, range };
  }
}

export type { TokenType };
