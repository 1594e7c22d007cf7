// Tokens of the .vmtopo language and the hand-written scanner that produces them (nothing to
// set up at start-up). Keywords are contextual (LANGUAGE.md): a keyword token also counts as
// an Identifier wherever a name is expected (`isNameType`).
//
// The scanner tries, at each offset, in this order: whitespace (skipped), `//` and `/* */`
// comments (an unterminated one runs to the end), strings (an unterminated one ends at the
// line's end), numbers, `..`, the punctuation, then words: a word that is exactly a
// keyword is that keyword, any other word an Identifier. Characters where no token starts
// are reported as one lexer error per run. Lines end in \n, \r\n or \r; lines and columns
// are 1-based, offsets 0-based, `endOffset` and `endColumn` inclusive.

export interface TokenType {
  readonly name: string;
  /** how a syntax error names it */
  readonly LABEL?: string;
  readonly tokenTypeIdx: number;
}

export interface IToken {
  image: string;
  startOffset: number;
  endOffset?: number;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
  tokenTypeIdx: number;
  tokenType: TokenType;
}

export interface LexingError {
  offset: number;
  length: number;
  line: number;
  column: number;
}

export interface LexingResult {
  /** every significant token, in order */
  tokens: IToken[];
  groups: { comments: IToken[] };
  errors: LexingError[];
}

let nextIndex = 0;
function tokenType(name: string, label?: string): TokenType {
  return { name, LABEL: label, tokenTypeIdx: nextIndex++ };
}

/** The end of the input, as the parser sees it past the last token. */
export const EOF = tokenType("EOF");
/** Every token but EOF: where anything may come (a stray token at worst). */
export const AnyToken = tokenType("AnyToken");
export const Identifier = tokenType("Identifier", "a name");

function keyword(word: string): TokenType {
  return tokenType(`Kw_${word.replace(/-/g, "_")}`, `'${word}'`);
}

export const Import = keyword("import");
export const Host = keyword("host");
export const Vm = keyword("vm");
export const On = keyword("on");
export const Scenario = keyword("scenario");
export const For = keyword("for");
export const Iommu = keyword("iommu");
export const Vfio = keyword("vfio");
export const Hugepages = keyword("hugepages");
export const Reserved = keyword("reserved");
export const VirtioMem = keyword("virtio-mem");
export const Dimm = keyword("dimm");
export const Numa = keyword("numa");
export const Node = keyword("node");
export const Resize = keyword("resize");
export const To = keyword("to");
export const Convert = keyword("convert");
export const Hotplug = keyword("hotplug");
export const Unplug = keyword("unplug");
export const Migrate = keyword("migrate");
export const ViommuMap = keyword("viommu-map");
export const Shared = keyword("shared");
export const Private = keyword("private");
export const Precopy = keyword("precopy");
export const Postcopy = keyword("postcopy");
export const X = keyword("x");

/** Every keyword. */
export const KEYWORDS: TokenType[] = [
  ViommuMap, VirtioMem, Hugepages, Postcopy, Scenario, Reserved, Hotplug, Convert, Migrate,
  Precopy, Private, Import, Resize, Unplug, Shared, Iommu, Host, Vfio, Dimm, Numa, Node, For, Vm, On, To, X,
];
const KEYWORD_BY_WORD = new Map(KEYWORDS.map((type) => [type.LABEL!.slice(1, -1), type]));

/**
 * One token for every number-like word: `65_535`, `0xfee00000`, `1.5G`, `4KiB`, `25Gbit`,
 * and mistakes such as `4k`. Decoding (literals.ts) decides what it is and reports what is
 * wrong, which reads far better than a lexer error on a stray letter.
 */
export const NumberLiteral = tokenType("NumberLiteral", "a number or size");
export const StringLiteral = tokenType("StringLiteral", "a string");
/** A string missing its closing quote on its line: parsed as a string, reported as VT001. */
export const UnterminatedString = tokenType("UnterminatedString", "a string");
export const LineComment = tokenType("LineComment");
export const BlockComment = tokenType("BlockComment");
export const UnterminatedComment = tokenType("UnterminatedComment");
export const LCurly = tokenType("LCurly", "'{'");
export const RCurly = tokenType("RCurly", "'}'");
export const LSquare = tokenType("LSquare", "'['");
export const RSquare = tokenType("RSquare", "']'");
export const Comma = tokenType("Comma", "','");
export const DotDot = tokenType("DotDot", "'..'");
export const Equals = tokenType("Equals", "'='");

const PUNCTUATION = new Map<number, TokenType>([
  [0x7b, LCurly],
  [0x7d, RCurly],
  [0x5b, LSquare],
  [0x5d, RSquare],
  [0x2c, Comma],
  [0x3d, Equals],
]);

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** [g-zG-Z]: the letters after a hex number (a unit, or a mistake decoding reports) */
const isNonHexLetter = (c: number) => (c >= 0x47 && c <= 0x5a) || (c >= 0x67 && c <= 0x7a);
const isWordStart = (c: number) => isLetter(c) || c === 0x5f;
const isWordPart = (c: number) => isWordStart(c) || isDigit(c) || c === 0x2d;
const isLineEnd = (c: number) => c === 0x0a || c === 0x0d;
/** what `.` does not match in a regular expression: a backslash before one ends a string */
const isAnyLineTerminator = (c: number) => isLineEnd(c) || c === 0x2028 || c === 0x2029;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b || c === 0xa0 || c === 0xfeff;

class Scanner {
  private offset = 0;
  private line = 1;
  /** offset at which the current line starts */
  private lineStart = 0;
  readonly tokens: IToken[] = [];
  readonly comments: IToken[] = [];
  readonly errors: LexingError[] = [];

  constructor(private readonly text: string) {}

  run(): void {
    const text = this.text;
    const length = text.length;
    while (this.offset < length) {
      const start = this.offset;
      const end = this.match(start);
      if (end < 0) {
        this.error(start);
        continue;
      }
    }
  }

  /** Reads the token at `start`, if one starts there: returns its end, else -1. */
  private match(start: number): number {
    const text = this.text;
    const c = text.charCodeAt(start);
    if (isSpace(c)) {
      let end = start + 1;
      while (end < text.length && isSpace(text.charCodeAt(end))) end++;
      this.skipLines(start, end);
      this.offset = end;
      return end;
    }
    if (c === 0x2f /* / */) {
      const next = text.charCodeAt(start + 1);
      if (next === 0x2f) {
        let end = start + 2;
        while (end < text.length && !isLineEnd(text.charCodeAt(end))) end++;
        return this.emit(LineComment, start, end, this.comments);
      }
      if (next === 0x2a /* * */) {
        const close = text.indexOf("*/", start + 2);
        return close < 0 ? this.emit(UnterminatedComment, start, text.length, this.comments) : this.emit(BlockComment, start, close + 2, this.comments);
      }
      return -1;
    }
    if (c === 0x22 /* " */) return this.string(start);
    if (isDigit(c)) return this.emit(NumberLiteral, start, this.numberEnd(start), this.tokens);
    if (c === 0x2e /* . */) return text.charCodeAt(start + 1) === 0x2e ? this.emit(DotDot, start, start + 2, this.tokens) : -1;
    const punctuation = PUNCTUATION.get(c);
    if (punctuation) return this.emit(punctuation, start, start + 1, this.tokens);
    if (isWordStart(c)) {
      let end = start + 1;
      while (end < text.length && isWordPart(text.charCodeAt(end))) end++;
      return this.emit(KEYWORD_BY_WORD.get(text.slice(start, end)) ?? Identifier, start, end, this.tokens);
    }
    return -1;
  }

  /** /0[xX][0-9a-fA-F_]*[g-zG-Z]*|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?[A-Za-z]*\/ */
  private numberEnd(start: number): number {
    const text = this.text;
    let end = start + 1;
    const at = (i: number) => text.charCodeAt(i);
    if (at(start) === 0x30 && (at(end) === 0x78 || at(end) === 0x58)) {
      end++;
      while (isHex(at(end)) || at(end) === 0x5f) end++;
      while (isNonHexLetter(at(end))) end++;
      return end;
    }
    while (isDigit(at(end)) || at(end) === 0x5f) end++;
    if (at(end) === 0x2e && isDigit(at(end + 1))) {
      end += 2;
      while (isDigit(at(end)) || at(end) === 0x5f) end++;
    }
    while (isLetter(at(end))) end++;
    return end;
  }

  /** A string to its closing quote on the same line; without one, an UnterminatedString to the line's end. */
  private string(start: number): number {
    const text = this.text;
    let end = start + 1;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 0x22) return this.emit(StringLiteral, start, end + 1, this.tokens);
      if (c === 0x5c /* \ */) {
        if (end + 1 < text.length && !isAnyLineTerminator(text.charCodeAt(end + 1))) {
          end += 2;
          continue;
        }
        end++; // a trailing backslash belongs to the unterminated string
        break;
      }
      if (isLineEnd(c)) break;
      end++;
    }
    return this.emit(UnterminatedString, start, end, this.tokens);
  }

  private emit(type: TokenType, start: number, end: number, into: IToken[]): number {
    const startColumn = start - this.lineStart + 1;
    const token: IToken = {
      image: this.text.slice(start, end),
      startOffset: start,
      endOffset: end - 1,
      startLine: this.line,
      endLine: this.line,
      startColumn,
      endColumn: startColumn + (end - start) - 1,
      tokenTypeIdx: type.tokenTypeIdx,
      tokenType: type,
    };
    if (type === BlockComment || type === UnterminatedComment) this.multiLine(token, start, end);
    into.push(token);
    this.offset = end;
    return end;
  }

  /** A comment over several lines: its end position, and the lines after it. */
  private multiLine(token: IToken, start: number, end: number): void {
    const before = this.line;
    this.skipLines(start, end);
    if (this.line === before) return;
    const endsWithLineEnd = isLineEnd(this.text.charCodeAt(end - 1));
    // A token whose only line end is its last character keeps its end on its first line.
    if (this.line - before === 1 && endsWithLineEnd) return;
    // Otherwise it ends on the line of its last line end, at column 1, as chevrotain's lexer had it.
    token.endLine = this.line - (endsWithLineEnd ? 1 : 0);
    token.endColumn = endsWithLineEnd ? 1 : end - this.lineStart;
  }

  /** Counts the line ends in [start, end): \n, \r\n and \r. */
  private skipLines(start: number, end: number): void {
    const text = this.text;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0d) {
        if (i + 1 < end && text.charCodeAt(i + 1) === 0x0a) i++;
      } else if (c !== 0x0a) continue;
      this.line++;
      this.lineStart = i + 1;
    }
  }

  /** Characters where no token starts: one error for the run, up to where one does. */
  private error(start: number): void {
    const column = start - this.lineStart + 1;
    let end = start + 1;
    while (end < this.text.length && !this.canStartAt(end)) end++;
    this.errors.push({ offset: start, length: end - start, line: this.line, column });
    this.offset = end;
  }

  private canStartAt(offset: number): boolean {
    const text = this.text;
    const c = text.charCodeAt(offset);
    if (c === 0x2f) return text.charCodeAt(offset + 1) === 0x2f || text.charCodeAt(offset + 1) === 0x2a;
    if (c === 0x2e) return text.charCodeAt(offset + 1) === 0x2e;
    return isSpace(c) || c === 0x22 || isDigit(c) || PUNCTUATION.has(c) || isWordStart(c);
  }
}

export const vmtopoLexer = {
  tokenize(text: string): LexingResult {
    const scanner = new Scanner(text);
    scanner.run();
    return { tokens: scanner.tokens, groups: { comments: scanner.comments }, errors: scanner.errors };
  },
};
