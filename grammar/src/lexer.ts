// Tokens of the .vmtopo language. Keywords are contextual (LANGUAGE.md): each keyword token
// is also in the Identifier category, so wherever a name is expected a keyword is accepted.
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Category of every token: lets the parser swallow one unexpected token of any kind. */
export const AnyToken = createToken({ name: "AnyToken", pattern: Lexer.NA });

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_-]*/,
  label: "a name",
  categories: [AnyToken],
});

function keyword(word: string): TokenType {
  return createToken({
    name: `Kw_${word.replace(/-/g, "_")}`,
    pattern: new RegExp(word.replace(/-/g, "\\-")),
    longer_alt: Identifier,
    categories: [Identifier, AnyToken],
    label: `'${word}'`,
  });
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

/** Every keyword, longest first so that a keyword which prefixes another never wins. */
export const KEYWORDS: TokenType[] = [
  ViommuMap, VirtioMem, Hugepages, Postcopy, Scenario, Reserved, Hotplug, Convert, Migrate,
  Precopy, Private, Import, Resize, Unplug, Shared, Iommu, Host, Vfio, Dimm, For, Vm, On, To, X,
];

/**
 * One token for every number-like word: `65_535`, `0xfee00000`, `1.5G`, `4KiB`, `25Gbit`,
 * and mistakes such as `4k`. Decoding (literals.ts) decides what it is and reports what is
 * wrong, which reads far better than a lexer error on a stray letter.
 */
export const NumberLiteral = createToken({
  name: "NumberLiteral", categories: [AnyToken],
  pattern: /0[xX][0-9a-fA-F_]*[g-zG-Z]*|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?[A-Za-z]*/,
  label: "a number or size",
});
export const StringLiteral = createToken({
  name: "StringLiteral", categories: [AnyToken],
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  label: "a string",
});
/** A string missing its closing quote on its line: parsed as a string, reported as VT001. */
export const UnterminatedString = createToken({
  name: "UnterminatedString", categories: [AnyToken],
  pattern: /"(?:[^"\\\r\n]|\\.)*\\?/,
  label: "a string",
});
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\r\n]*/, group: "comments" });
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  line_breaks: true,
  group: "comments",
});
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
  group: "comments",
});
export const LCurly = createToken({ name: "LCurly", categories: [AnyToken], pattern: /{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", categories: [AnyToken], pattern: /}/, label: "'}'" });
export const LSquare = createToken({ name: "LSquare", categories: [AnyToken], pattern: /\[/, label: "'['" });
export const RSquare = createToken({ name: "RSquare", categories: [AnyToken], pattern: /]/, label: "']'" });
export const Comma = createToken({ name: "Comma", categories: [AnyToken], pattern: /,/, label: "','" });
export const DotDot = createToken({ name: "DotDot", categories: [AnyToken], pattern: /\.\./, label: "'..'" });
export const Equals = createToken({ name: "Equals", categories: [AnyToken], pattern: /=/, label: "'='" });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });

export const ALL_TOKENS: TokenType[] = [
  AnyToken,
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  DotDot,
  LCurly,
  RCurly,
  LSquare,
  RSquare,
  Comma,
  Equals,
  ...KEYWORDS,
  Identifier,
];

export const vmtopoLexer = new Lexer(ALL_TOKENS, {
  positionTracking: "full",
  ensureOptimizations: true,
  skipValidations: true,
  // Lines may end in \n, \r\n or \r; \r alone is rare but must not shift every later line.
  lineTerminatorsPattern: /\n|\r\n?/g,
  lineTerminatorCharacters: ["\n", "\r"],
});
