// parse(text): the typed AST and its VT001/VT004 diagnostics. Never throws; a broken document
// still yields every declaration that could be read.
//
// A hand-written recursive-descent parser over the lexer's tokens that builds the AST as it
// goes (no concrete syntax tree, nothing to set up at start-up). Its recovery is the one the
// grammar was designed with (and the chevrotain parser it replaces performed):
// - a missing token is assumed present when the token found can follow it (single-token
//   insertion), and an extra token is skipped when the expected one comes right after it
//   (single-token deletion); both report what was expected;
// - otherwise the construct stops where it is: the block item it belongs to ends there
//   (or, at `host`, `vm`, `scenario`, `import`, the top-level declaration; at the end of
//   the file, everything), keeping what it had read;
// - every block body is a loop that stops at `}` or at the start of a top-level declaration,
//   and swallows one stray token when nothing else fits; consecutive stray tokens on a line
//   make one diagnostic.
// A new kind of block is one `*Item` alternative and one function (see `vmItem`).
import { EOF, type IToken, type TokenType } from "./lexer";
import type * as A from "./ast";
import { syntaxError, valueError, type Diagnostic } from "./diagnostic";
import * as T from "./lexer";
import { LineIndex } from "./line-index";
import { decodeNumber, decodeString } from "./literals";
import { describeToken, describeType } from "./parse-messages";

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

  const parser = new Parser(text, lines, lexed.tokens);
  const ast = parser.file();
  diagnostics.push(...parser.syntaxDiagnostics(), ...parser.valueDiagnostics);
  parser.addStrayDiagnostics(diagnostics);
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

const STRAY_CONTEXT = {
  file: "expected 'host', 'vm', 'scenario' or 'import'",
  hostDecl: "expected a host attribute (name = value) or an 'iommu', 'vfio' or 'hugepages' block",
  iommuBlock: "expected an iommu attribute (name = value) or 'reserved NAME = range'",
  attributeBlock: "expected an attribute (name = value)",
  hugepagesBlock: "expected a huge page pool such as '2M = 512'",
  vmDecl: "expected a VM attribute (name = value), a 'virtio-mem', 'vfio' or 'dimm' device, or a 'numa' block",
  numaBlock: "expected a NUMA node such as 'node 0 { memory = 8G }'",
  scenarioDecl: "expected a scenario step (resize, convert, hotplug, unplug, migrate or viommu-map)",
} as const;
type StrayContext = keyof typeof STRAY_CONTEXT;

/** What a construct that cannot go on expected: the words of the grammar's rule. */
const EXPECTED = {
  value: "a value (a number, size, string, name, range or list)",
  string: "a string",
  convertTarget: "'shared' or 'private'",
  migrateMode: "'precopy' or 'postcopy'",
} as const;

const DEVICE_KEYWORDS = new Set<TokenType>([T.VirtioMem, T.Vfio, T.Dimm]);
const DECLARATION_KEYWORDS = new Set<TokenType>([T.Host, T.Vm, T.Scenario]);
const STEP_KEYWORDS = new Set<TokenType>([T.Resize, T.Convert, T.Hotplug, T.Unplug, T.Migrate, T.ViommuMap]);
const KEYWORD_TYPES = new Set<TokenType>(T.KEYWORDS);
/** The tokens that start a top-level declaration: where recovery goes back to the file. */
const TOP_LEVEL_KEYWORDS = new Set<TokenType>([T.Import, T.Host, T.Vm, T.Scenario]);

/** `follows` of a token that ends a block item: any token may come next (a stray at worst). */
const ANY: readonly TokenType[] = [T.AnyToken];
const VALUE_START: readonly TokenType[] = [T.NumberLiteral, T.StringLiteral, T.UnterminatedString, T.Identifier, T.LSquare];
/** what follows a value inside a list */
const IN_LIST: readonly TokenType[] = [T.Comma, T.RSquare];

/**
 * Where a construct that cannot go on hands over: EOF ends everything, a top-level keyword
 * ends the declaration, anything else ends the block item.
 */
class Stop {
  constructor(readonly at: TokenType) {}
}

interface SyntaxError {
  message: string;
  token: IToken;
  previous: IToken | undefined;
}

function isNameToken(type: TokenType): boolean {
  return type === T.Identifier || KEYWORD_TYPES.has(type);
}

/** Does the token fit where `type` is expected (keywords are names, every token is AnyToken)? */
function fits(token: IToken, type: TokenType): boolean {
  const actual = token.tokenType;
  if (actual === type) return true;
  if (type === T.AnyToken) return actual !== EOF;
  return type === T.Identifier && KEYWORD_TYPES.has(actual);
}

// Positions straight from the lexer's line and column (1-based; tokens the parser reads
// never span lines), which count line ends as LineIndex does: \n, \r\n, \r.
function startPosition(token: IToken): A.Position {
  return { line: token.startLine! - 1, character: token.startColumn! - 1 };
}

function endPosition(token: IToken): A.Position {
  return { line: token.endLine! - 1, character: token.endColumn! };
}

const END: IToken = {
  image: "",
  startOffset: NaN,
  endOffset: NaN,
  startLine: NaN,
  endLine: NaN,
  startColumn: NaN,
  endColumn: NaN,
  tokenTypeIdx: EOF.tokenTypeIdx,
  tokenType: EOF,
};

class Parser {
  private pos = 0;
  private readonly errors: SyntaxError[] = [];
  readonly valueDiagnostics: Diagnostic[] = [];
  /** Kept apart: a stray token the parser already reported needs no second diagnostic. */
  private readonly strayDiagnostics: Diagnostic[] = [];
  /** indices of tokens skipped by single-token deletion (they belong to no node) */
  private readonly deleted = new Set<number>();

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly tokens: IToken[],
  ) {}

  // ---- tokens -------------------------------------------------------------------------

  /** The k-th token ahead (1 = next), END past the last; 0 is the one before. */
  private la(k: number): IToken {
    const index = this.pos + k - 1;
    return index >= 0 && index < this.tokens.length ? this.tokens[index] : END;
  }

  private next(): TokenType {
    return this.pos < this.tokens.length ? this.tokens[this.pos].tokenType : EOF;
  }

  private take(): IToken {
    return this.tokens[this.pos++];
  }

  /**
   * The expected token, or recovery: insertion when the next token is in `follows` (what
   * may come after the expected one), deletion when the expected one comes right after.
   * Returns the token, or undefined for an assumed (missing) one.
   */
  private expect(type: TokenType, follows: readonly TokenType[]): IToken | undefined {
    const found = this.la(1);
    if (fits(found, type)) return this.take();
    this.errors.push({ message: `expected ${describeType(type)} but found ${describeToken(found)}`, token: found, previous: this.previous() });
    if (follows.some((f) => fits(found, f))) return undefined;
    if (fits(this.la(2), type)) {
      this.deleted.add(this.pos);
      this.pos++;
      return this.take();
    }
    throw this.stop();
  }

  /** A construct that cannot go on: reports what it expected and stops. */
  private fail(expected: string): never {
    const found = this.la(1);
    this.errors.push({ message: `expected ${expected} but found ${describeToken(found)}`, token: found, previous: this.previous() });
    throw this.stop();
  }

  private previous(): IToken | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  private stop(): Stop {
    const type = this.next();
    return new Stop(type === EOF ? EOF : TOP_LEVEL_KEYWORDS.has(type) ? type : T.AnyToken);
  }

  // ---- spans and ranges ---------------------------------------------------------------

  /** Index of the first token read since token index `from`; -1 if none. */
  private firstRead(from: number): number {
    for (let i = from; i < this.pos; i++) if (this.deleted.size === 0 || !this.deleted.has(i)) return i;
    return -1;
  }

  /** Index of the last token read since token index `from` (which read one). */
  private lastRead(from: number): number {
    for (let i = this.pos - 1; i >= from; i--) if (this.deleted.size === 0 || !this.deleted.has(i)) return i;
    return -1;
  }

  /** A node's start: its first token, or the end of the text if it has none. */
  private startOf(from: number): number {
    const first = this.firstRead(from);
    return first < 0 ? this.text.length : this.tokens[first].startOffset;
  }

  private nodeRange(from: number, fallback: number): A.Range {
    const first = this.firstRead(from);
    if (first < 0) return this.lines.range(fallback, fallback);
    return { start: startPosition(this.tokens[first]), end: endPosition(this.tokens[this.lastRead(from)]) };
  }

  private tokenRange(token: IToken): A.Range {
    return { start: startPosition(token), end: endPosition(token) };
  }

  /** The offset just after the last of these tokens that was read (for placing missing parts). */
  private after(fallback: number, ...tokens: (IToken | undefined)[]): number {
    let at = fallback;
    for (const token of tokens) if (token && token.endOffset! + 1 > at) at = token.endOffset! + 1;
    return at;
  }

  private name(token: IToken | undefined, fallback: number): A.Name {
    if (token) return { text: token.image, range: this.tokenRange(token) };
    return { text: "", missing: true, range: this.lines.range(fallback, fallback) };
  }

  private keywordRange(keyword: IToken | undefined, start: number): A.Range {
    return keyword ? this.tokenRange(keyword) : this.lines.range(start, start);
  }

  private missingValue(at: number): A.MissingValue {
    return { kind: "missing", range: this.lines.range(at, at) };
  }

  // ---- lookahead predicates (the grammar's gates) --------------------------------------

  /** `host NAME`, `vm NAME`, `scenario NAME` or `import "..."`: a new top-level declaration. */
  private atDeclarationStart(): boolean {
    const first = this.next();
    const second = this.la(2).tokenType;
    if (first === T.Import) return second === T.StringLiteral || second === T.UnterminatedString;
    return DECLARATION_KEYWORDS.has(first) && isNameToken(second) && this.la(3).tokenType !== T.Equals;
  }

  /** `word {` or `word NAME {`: a block, known or not. */
  private atBlockStart(): boolean {
    if (!isNameToken(this.next())) return false;
    const second = this.la(2).tokenType;
    return second === T.LCurly || (isNameToken(second) && this.la(3).tokenType === T.LCurly);
  }

  private atBlockEnd(): boolean {
    const next = this.next();
    return next === T.RCurly || next === EOF || this.atDeclarationStart();
  }

  private atKeywordBlock(keyword: TokenType): boolean {
    return this.next() === keyword && this.la(2).tokenType === T.LCurly;
  }

  // ---- blocks -------------------------------------------------------------------------

  /**
   * The items of a block until its `}` (or a top-level declaration, or the end). `item`
   * reads one item if the next tokens start one and returns false otherwise; then the token
   * is a stray. An item that cannot go on ends there, unless recovery must go further out.
   */
  private blockItems(context: StrayContext, item: () => boolean): void {
    const strays: IToken[] = [];
    while (!this.atBlockEnd()) {
      try {
        if (!item()) strays.push(this.take());
      } catch (error) {
        if (!(error instanceof Stop) || error.at !== T.AnyToken) {
          this.reportStrays(strays, context);
          throw error;
        }
      }
    }
    this.reportStrays(strays, context);
  }

  /** `{ items }`: the braces recover as a block's do (anything may follow each). */
  private block(context: StrayContext, item: () => boolean): void {
    this.expect(T.LCurly, ANY);
    this.blockItems(context, item);
    this.expect(T.RCurly, ANY);
  }

  // ---- declarations -------------------------------------------------------------------

  file(): A.VmtopoFile {
    const imports: A.Import[] = [];
    const declarations: A.Declaration[] = [];
    const strays: IToken[] = [];
    while (this.pos < this.tokens.length) {
      const next = this.next();
      try {
        if (next === T.Import) this.importDecl(imports, declarations.length > 0);
        else if (next === T.Host) this.hostDecl(declarations);
        else if (next === T.Vm) this.vmDecl(declarations);
        else if (next === T.Scenario) this.scenarioDecl(declarations);
        else strays.push(this.take());
      } catch (error) {
        if (!(error instanceof Stop)) throw error;
        // at the end of the file every construct stops; otherwise the next declaration goes on
      }
    }
    this.reportStrays(strays, "file");
    return { kind: "file", imports, declarations, range: this.lines.range(0, this.text.length) };
  }

  private importDecl(imports: A.Import[], late: boolean): void {
    const from = this.pos;
    const keyword = this.take();
    let path: A.StringValue | undefined;
    try {
      path = this.stringLiteral();
    } finally {
      const start = this.startOf(from);
      const decl: A.Import = { kind: "import", path: path ?? this.missingValue(this.after(start, keyword)), range: this.nodeRange(from, start) };
      if (late) this.valueDiagnostics.push(syntaxError("imports must come before every host, vm and scenario", decl.range));
      imports.push(decl);
    }
  }

  /** A string, or a stop: "expected a string". */
  private stringLiteral(): A.StringValue {
    const next = this.next();
    if (next !== T.StringLiteral && next !== T.UnterminatedString) this.fail(EXPECTED.string);
    return this.stringValue(this.take());
  }

  private hostDecl(declarations: A.Declaration[]): void {
    const from = this.pos;
    const keyword = this.take();
    let name: IToken | undefined;
    const items: A.HostItem[] = [];
    try {
      name = this.expect(T.Identifier, [T.LCurly]);
      this.block("hostDecl", () => this.hostItem(items));
    } finally {
      const start = this.startOf(from);
      declarations.push({ kind: "host", name: this.name(name, this.after(start, keyword)), items, range: this.nodeRange(from, start) });
    }
  }

  private hostItem(items: A.HostItem[]): boolean {
    if (this.atKeywordBlock(T.Iommu)) this.iommuBlock(items);
    else if (this.atKeywordBlock(T.Vfio)) this.keywordAttributeBlock(items);
    else if (this.atKeywordBlock(T.Hugepages)) this.hugepagesBlock(items);
    else if (this.atBlockStart()) this.unknownBlock(items);
    else if (isNameToken(this.next())) this.attribute(items);
    else return false;
    return true;
  }

  private iommuBlock(items: A.HostItem[]): void {
    const inner: A.IommuBlock["items"] = [];
    this.sectionBlock("iommuBlock", inner, T.Reserved, () => this.reservedRange(inner), (keyword, range) => items.push({ kind: "iommu", keyword, items: inner, range }));
  }

  /**
   * A keyword block of entries that begin with their own keyword (`reserved NAME = …` in
   * `iommu`, `node N { … }` in `numa`), read into `inner` beside attributes and unknown
   * blocks where the user misplaced them; `build` gets the keyword's range and the block's.
   */
  private sectionBlock(context: StrayContext, inner: A.IommuBlock["items"] | A.NumaBlock["items"], entry: TokenType, readEntry: () => void, build: (keyword: A.Range, range: A.Range) => void): void {
    const from = this.pos;
    const keyword = this.take();
    try {
      this.block(context, () => {
        if (this.next() === entry && this.la(2).tokenType !== T.Equals) readEntry();
        else if (this.atBlockStart()) this.unknownBlock(inner);
        else if (isNameToken(this.next())) this.attribute(inner);
        else return false;
        return true;
      });
    } finally {
      const start = this.startOf(from);
      build(this.keywordRange(keyword, start), this.nodeRange(from, start));
    }
  }


  private unknownBlock(items: (A.HostItem | A.VmItem | A.IommuBlock["items"][number] | A.NumaBlock["items"][number])[]): void {
    const from = this.pos;
    const keyword = this.take();
    let name: IToken | undefined;
    const attributes: A.Attribute[] = [];
    try {
      if (isNameToken(this.next())) name = this.take();
      this.attributeBlock(attributes);
    } finally {
      const start = this.startOf(from);
      const unknown: A.UnknownBlock = { kind: "unknown-block", keyword: this.name(keyword, start), attributes, range: this.nodeRange(from, start) };
      if (name) unknown.name = this.name(name, start);
      items.push(unknown);
    }
  }

  private reservedRange(items: A.IommuBlock["items"]): void {
    const from = this.pos;
    const keyword = this.take();
    let name: IToken | undefined;
    let equals: IToken | undefined;
    let value: A.Value | undefined;
    this.partialValue = undefined;
    try {
      name = this.expect(T.Identifier, [T.Equals]);
      equals = this.expect(T.Equals, VALUE_START);
      value = this.value(false);
    } finally {
      value ??= this.partialValue;
      const start = this.startOf(from);
      items.push({
        kind: "reserved",
        name: this.name(name, this.after(start, keyword)),
        value: value ?? this.missingValue(this.after(start, keyword, name, equals)),
        range: this.nodeRange(from, start),
      });
    }
  }

  /** The host's `vfio { attributes }`. */
  private keywordAttributeBlock(items: A.HostItem[]): void {
    const from = this.pos;
    const keyword = this.take();
    const attributes: A.Attribute[] = [];
    try {
      this.attributeBlock(attributes);
    } finally {
      const start = this.startOf(from);
      items.push({ kind: "host-vfio", keyword: this.keywordRange(keyword, start), attributes, range: this.nodeRange(from, start) });
    }
  }

  /** `{ attribute* }`, shared by the host's vfio block, devices and hot-plugged devices. */
  private attributeBlock(attributes: A.Attribute[]): void {
    this.block("attributeBlock", () => {
      if (!isNameToken(this.next())) return false;
      this.attribute(attributes);
      return true;
    });
  }

  private hugepagesBlock(items: A.HostItem[]): void {
    const from = this.pos;
    const keyword = this.take();
    const pools: A.HugepagePool[] = [];
    try {
      this.block("hugepagesBlock", () => {
        if (this.next() !== T.NumberLiteral) return false;
        this.hugepagePool(pools);
        return true;
      });
    } finally {
      const start = this.startOf(from);
      items.push({ kind: "hugepages", keyword: this.keywordRange(keyword, start), pools, range: this.nodeRange(from, start) });
    }
  }

  private hugepagePool(pools: A.HugepagePool[]): void {
    const from = this.pos;
    const pageToken = this.take();
    const pageSize = this.numberValue(pageToken);
    let equals: IToken | undefined;
    let count: A.Value | undefined;
    this.partialValue = undefined;
    try {
      equals = this.expect(T.Equals, VALUE_START);
      count = this.value(false);
    } finally {
      count ??= this.partialValue;
      const start = this.startOf(from);
      pools.push({ kind: "hugepage-pool", pageSize, count: count ?? this.missingValue(this.after(start, pageToken, equals)), range: this.nodeRange(from, start) });
    }
  }

  private vmDecl(declarations: A.Declaration[]): void {
    const from = this.pos;
    const keyword = this.take();
    let name: IToken | undefined;
    let onKeyword: IToken | undefined;
    let host: IToken | undefined;
    const items: A.VmItem[] = [];
    try {
      name = this.expect(T.Identifier, [T.On, T.LCurly]);
      if (this.next() === T.On && this.la(2).tokenType !== T.LCurly) {
        onKeyword = this.take();
        host = this.expect(T.Identifier, [T.LCurly]);
      }
      this.block("vmDecl", () => this.vmItem(items));
    } finally {
      const start = this.startOf(from);
      const vm: A.Vm = { kind: "vm", name: this.name(name, this.after(start, keyword)), items, range: this.nodeRange(from, start) };
      if (onKeyword) vm.host = this.name(host, this.after(start, onKeyword));
      declarations.push(vm);
    }
  }

  private vmItem(items: A.VmItem[]): boolean {
    if (DEVICE_KEYWORDS.has(this.next()) && this.la(2).tokenType !== T.Equals) this.device(items);
    else if (this.atKeywordBlock(T.Numa)) this.numaBlock(items);
    else if (this.atBlockStart()) this.unknownBlock(items);
    else if (isNameToken(this.next())) this.attribute(items);
    else return false;
    return true;
  }

  private device(items: A.VmItem[]): void {
    const from = this.pos;
    const keyword = this.take();
    let name: IToken | undefined;
    const attributes: A.Attribute[] = [];
    try {
      name = this.expect(T.Identifier, [T.LCurly]);
      this.attributeBlock(attributes);
    } finally {
      const start = this.startOf(from);
      items.push({
        kind: "device",
        deviceKind: keyword.tokenType === T.VirtioMem ? "virtio-mem" : keyword.tokenType === T.Dimm ? "dimm" : "vfio",
        keyword: this.keywordRange(keyword, start),
        name: this.name(name, this.after(start, keyword)),
        attributes,
        range: this.nodeRange(from, start),
      });
    }
  }

  /** `numa { node N { ... } ... }` inside a VM. */
  private numaBlock(items: A.VmItem[]): void {
    const inner: A.NumaBlock["items"] = [];
    this.sectionBlock("numaBlock", inner, T.Node, () => this.numaNode(inner), (keyword, range) => items.push({ kind: "numa", keyword, items: inner, range }));
  }


  private numaNode(items: A.NumaBlock["items"]): void {
    const from = this.pos;
    const keyword = this.take();
    let id: A.Value | undefined;
    const attributes: A.Attribute[] = [];
    try {
      const idToken = this.expect(T.NumberLiteral, [T.LCurly]);
      if (idToken) id = this.numberValue(idToken);
      this.attributeBlock(attributes);
    } finally {
      const start = this.startOf(from);
      items.push({
        kind: "numa-node",
        keyword: this.keywordRange(keyword, start),
        id: id ?? this.missingValue(this.after(start, keyword)),
        attributes,
        range: this.nodeRange(from, start),
      });
    }
  }

  private scenarioDecl(declarations: A.Declaration[]): void {
    const from = this.pos;
    const keyword = this.take();
    let name: IToken | undefined;
    let vm: IToken | undefined;
    const steps: A.Step[] = [];
    try {
      name = this.expect(T.Identifier, [T.For]);
      this.expect(T.For, [T.Identifier]);
      vm = this.expect(T.Identifier, [T.LCurly]);
      this.block("scenarioDecl", () => {
        if (!STEP_KEYWORDS.has(this.next())) return false;
        this.step(steps);
        return true;
      });
    } finally {
      const start = this.startOf(from);
      declarations.push({
        kind: "scenario",
        name: this.name(name, this.after(start, keyword)),
        vm: this.name(vm, this.after(start, keyword, name)),
        steps,
        range: this.nodeRange(from, start),
      });
    }
  }

  // ---- steps --------------------------------------------------------------------------

  private step(steps: A.Step[]): void {
    const from = this.pos;
    const keyword = this.take();
    const type = keyword.tokenType;
    // The step's tokens by role; what a step lacks is placed after what it has.
    const t: Record<string, IToken | undefined> = {};
    let attributes: A.Attribute[] = [];
    try {
      switch (type) {
        case T.Resize:
          t.device = this.expect(T.Identifier, [T.To]);
          this.expect(T.To, [T.NumberLiteral]);
          // Steps take numbers only, so a missing one never swallows the next step's keyword.
          t.size = this.expect(T.NumberLiteral, ANY);
          break;
        case T.Convert:
          t.start = this.expect(T.NumberLiteral, [T.DotDot]);
          t.dotDot = this.expect(T.DotDot, [T.NumberLiteral]);
          t.end = this.expect(T.NumberLiteral, [T.To]);
          this.expect(T.To, [T.Shared, T.Private]);
          if (this.next() !== T.Shared && this.next() !== T.Private) this.fail(EXPECTED.convertTarget);
          t.target = this.take();
          break;
        case T.Hotplug:
          this.expect(T.Vfio, [T.Identifier]);
          t.device = this.expect(T.Identifier, [T.LCurly]);
          attributes = [];
          this.attributeBlock(attributes);
          break;
        case T.Unplug:
          t.device = this.expect(T.Identifier, ANY);
          break;
        case T.Migrate:
          this.expect(T.To, [T.Identifier]);
          t.host = this.expect(T.Identifier, [T.Precopy, T.Postcopy]);
          if (this.next() !== T.Precopy && this.next() !== T.Postcopy) this.fail(EXPECTED.migrateMode);
          t.mode = this.take();
          break;
        default:
          t.device = this.expect(T.Identifier, [T.NumberLiteral]);
          t.count = this.expect(T.NumberLiteral, [T.X]);
          this.expect(T.X, [T.NumberLiteral]);
          t.size = this.expect(T.NumberLiteral, ANY);
      }
    } finally {
      steps.push(this.stepNode(type, keyword, t, attributes, from));
    }
  }

  // A missing part is placed after the names and numbers before it; the keywords `to`,
  // `for`, `vfio` and `x` between them do not count (as the AST has always placed it).
  private stepNode(type: TokenType, keyword: IToken, t: Record<string, IToken | undefined>, attributes: A.Attribute[], from: number): A.Step {
    const start = this.startOf(from);
    const range = this.nodeRange(from, start);
    const afterKeyword = this.after(start, keyword);
    const numberOrMissing = (token: IToken | undefined, at: number): A.Value => (token ? this.numberValue(token) : this.missingValue(at));
    switch (type) {
      case T.Resize:
        return { kind: "resize", device: this.name(t.device, afterKeyword), size: numberOrMissing(t.size, this.after(start, keyword, t.device)), range };
      case T.Convert: {
        const toAt = this.after(start, keyword, t.start, t.dotDot, t.end);
        return {
          kind: "convert",
          target: this.rangeFromTokens(t.start, t.dotDot, t.end, afterKeyword),
          to: t.target ? (t.target.tokenType === T.Shared ? "shared" : "private") : null,
          toRange: t.target ? this.tokenRange(t.target) : this.lines.range(toAt, toAt),
          range,
        };
      }
      case T.Hotplug:
        return { kind: "hotplug", device: this.name(t.device, afterKeyword), attributes, range };
      case T.Unplug:
        return { kind: "unplug", device: this.name(t.device, afterKeyword), range };
      case T.Migrate: {
        const modeAt = this.after(start, keyword, t.host);
        return {
          kind: "migrate",
          host: this.name(t.host, afterKeyword),
          mode: t.mode ? (t.mode.tokenType === T.Precopy ? "precopy" : "postcopy") : null,
          modeRange: t.mode ? this.tokenRange(t.mode) : this.lines.range(modeAt, modeAt),
          range,
        };
      }
      default:
        return {
          kind: "viommu-map",
          device: this.name(t.device, afterKeyword),
          count: numberOrMissing(t.count, this.after(start, keyword, t.device)),
          size: numberOrMissing(t.size, this.after(start, keyword, t.device, t.count)),
          range,
        };
    }
  }

  private attribute(items: A.Attribute[] | A.HostItem[] | A.VmItem[] | A.IommuBlock["items"] | A.NumaBlock["items"]): void {
    const from = this.pos;
    const name = this.take();
    let equals: IToken | undefined;
    let value: A.Value | undefined;
    this.partialValue = undefined;
    try {
      equals = this.expect(T.Equals, VALUE_START);
      value = this.value(false);
    } finally {
      value ??= this.partialValue;
      const start = this.startOf(from);
      (items as A.Attribute[]).push({ kind: "attribute", name: this.name(name, start), value: value ?? this.missingValue(this.after(start, name, equals)), range: this.nodeRange(from, start) });
    }
  }

  // ---- values -------------------------------------------------------------------------

  /**
   * A value, or a stop: "expected a value". `inList`: a list's item, followed by `,` or `]`
   * (which decides whether a missing `]` or range end can be assumed).
   */
  private value(inList: boolean): A.Value {
    const next = this.next();
    if (next === T.NumberLiteral) {
      const number = this.take();
      if (this.next() !== T.DotDot) return this.numberValue(number);
      const dotDot = this.take();
      let end: IToken | undefined;
      try {
        end = this.expect(T.NumberLiteral, inList ? IN_LIST : ANY);
      } finally {
        // a range cut short by the end of the file still keeps its start
        this.partialValue = this.rangeFromTokens(number, dotDot, end, number.startOffset);
      }
      return this.partialValue;
    }
    if (next === T.StringLiteral || next === T.UnterminatedString) return this.stringValue(this.take());
    // `memory =` at the end of a line followed by `kernel = ...`: the value is missing,
    // `kernel` starts the next attribute rather than being the value.
    if (isNameToken(next) && this.la(2).tokenType !== T.Equals) {
      const identifier = this.take();
      return { kind: "identifier", name: identifier.image, range: this.tokenRange(identifier) };
    }
    if (next === T.LSquare) return this.list(inList);
    this.fail(EXPECTED.value);
  }

  /** The value a stopped `value()` had read (a range without its end, a list cut short); read by the caller's `finally`. */
  private partialValue: A.Value | undefined;

  private list(inList: boolean): A.ListValue {
    const from = this.pos;
    this.take();
    const items: A.Value[] = [];
    let list: A.ListValue | undefined;
    try {
      if (VALUE_START.some((type) => fits(this.la(1), type))) {
        this.listItem(items);
        while (this.next() === T.Comma) {
          this.take();
          this.listItem(items);
        }
      }
      this.expect(T.RSquare, inList ? IN_LIST : ANY);
    } finally {
      const start = this.startOf(from);
      list = { kind: "list", items, range: this.nodeRange(from, start) };
      this.partialValue = list;
    }
    return list;
  }

  private listItem(items: A.Value[]): void {
    this.partialValue = undefined;
    try {
      items.push(this.value(true));
    } catch (error) {
      if (this.partialValue) items.push(this.partialValue);
      throw error;
    }
  }

  /** `A .. B` from its tokens; missing when there is no start. */
  private rangeFromTokens(startToken: IToken | undefined, dotDot: IToken | undefined, endToken: IToken | undefined, at: number): A.RangeValue | A.MissingValue {
    if (!startToken) return this.missingValue(at);
    const start = this.numberValue(startToken);
    const afterStart = startToken.endOffset! + 1;
    const end = endToken ? this.numberValue(endToken) : this.missingValue(this.after(afterStart, dotDot));
    return {
      kind: "range",
      start: this.rangeBound(start),
      end: end.kind === "missing" ? end : this.rangeBound(end),
      range: this.lines.range(startToken.startOffset, this.after(afterStart, startToken, dotDot, endToken)),
    };
  }

  private rangeBound(value: A.IntegerValue | A.SizeValue | A.BandwidthValue): A.Scalar {
    if (value.kind !== "bandwidth") return value;
    this.valueDiagnostics.push(valueError(`a range's bounds are addresses (integers or sizes), not a bandwidth like '${value.text}'`, value.range));
    return { kind: "integer", text: value.text, value: null, range: value.range };
  }

  private numberValue(token: IToken): A.IntegerValue | A.SizeValue | A.BandwidthValue {
    const range = this.tokenRange(token);
    const text = token.image;
    const decoded = decodeNumber(text);
    switch (decoded.kind) {
      case "integer":
        if (decoded.error) this.valueDiagnostics.push(valueError(decoded.error, range));
        return { kind: "integer", text, value: decoded.value, range };
      case "size":
        if (decoded.error) this.valueDiagnostics.push(valueError(decoded.error, range));
        return { kind: "size", text, bytes: decoded.bytes, unit: decoded.unit, range };
      case "bandwidth":
        if (decoded.error) this.valueDiagnostics.push(valueError(decoded.error, range));
        return { kind: "bandwidth", text, bitsPerSecond: decoded.bitsPerSecond, unit: decoded.unit, range };
      case "invalid":
        this.valueDiagnostics.push(syntaxError(decoded.error, range));
        return { kind: "integer", text, value: null, range };
    }
  }

  private stringValue(token: IToken): A.StringValue {
    const decoded = decodeString(token.image);
    const range = this.tokenRange(token);
    if (decoded.error) {
      const at = token.startOffset + (decoded.errorOffset ?? 0);
      const errorRange = token.tokenType === T.UnterminatedString ? range : this.lines.range(at, Math.min(at + 2, token.endOffset! + 1));
      this.valueDiagnostics.push(syntaxError(decoded.error, errorRange));
    }
    return { kind: "string", text: token.image, value: decoded.value, range };
  }

  // ---- diagnostics --------------------------------------------------------------------

  /** The syntax errors, each placed where the user can act on it. */
  syntaxDiagnostics(): Diagnostic[] {
    return this.errors.map(({ message, token, previous }) => {
      const real = (t: IToken | undefined): t is IToken => t !== undefined && t !== END;
      if (real(token) && real(previous) && previous.endLine! < token.startLine!) {
        // What is missing belongs to the previous line (`memory =` with no value, a block
        // without its `}`): point there, not at the next line, which is probably fine.
        const expected = message.replace(/ but found .*$/s, "");
        return syntaxError(`${expected} at the end of this line (the next line starts with ${describeToken(token)})`, this.tokenRange(previous));
      }
      if (real(token)) return syntaxError(message, this.tokenRange(token));
      // At the end of the file: point just after the last real token.
      const last = real(previous) ? previous : this.tokens[this.tokens.length - 1];
      const at = last ? last.endOffset! + 1 : this.text.length;
      return syntaxError(message, this.lines.range(at, at));
    });
  }

  /** Consecutive stray tokens of one block make one diagnostic. */
  private reportStrays(strays: IToken[], context: StrayContext): void {
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
    for (const token of strays) {
      const previous = run[run.length - 1];
      // A run stays on one line: each line of junk gets its own diagnostic.
      if (previous && (!this.adjacent(previous, token) || previous.startLine !== token.startLine)) flush();
      run.push(token);
    }
    flush();
  }

  /** True if `b` is the token right after `a` (only trivia between them). */
  private adjacent(a: IToken, b: IToken): boolean {
    let low = 0;
    let high = this.tokens.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = this.tokens[mid].startOffset;
      if (at === a.startOffset) return this.tokens[mid + 1] === b;
      if (at < a.startOffset) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }

  addStrayDiagnostics(diagnostics: Diagnostic[]): void {
    const reported = new Set(diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}`));
    for (const stray of this.strayDiagnostics) {
      if (!reported.has(`${stray.range.start.line}:${stray.range.start.character}`)) diagnostics.push(stray);
    }
  }
}

export type { TokenType };
