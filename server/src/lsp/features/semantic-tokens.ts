// Semantic tokens, on top of the TextMate grammar: what only the analysis knows. The
// TextMate grammar colours keywords, strings, comments and punctuation by their shape; this
// adds what a name is (a host, a VM, a scenario, a device; declared here or used), which
// words are attributes and which are enum values, and splits a number from its unit.
//
// Token types follow the TextMate scopes of grammar/vmtopo.tmLanguage.json, so that colours
// do not jump when semantic tokens arrive (VS Code maps each standard type to scopes):
//
//   host                 type        (entity.name.type.host)
//   vm                   class       (entity.name.type.vm)
//   scenario             function    (entity.name.function.scenario)
//   device, reserved     variable    (entity.name.variable.device / .reserved)
//   attribute name       property    (variable.other.property)
//   enum value, on/off,  enumMember  (variable.other.enummember); `shared`/`private` and
//   unlimited, modes                  `precopy`/`postcopy` too: they pick one of a set
//   number               number
//   size/bandwidth unit  unit        a custom type, declared in the legend. A unit is not a
//                                    keyword (it belongs to the number), and a `keyword`
//                                    token would recolour every `G` like `host`. Until the
//                                    extension's package.json contributes `unit` (with
//                                    superType `keyword` and the scope keyword.other.unit),
//                                    VS Code finds no style for it and keeps the TextMate
//                                    colour, which is the right fallback.
//
// Modifiers: `declaration` and `definition` where a name is declared (every declaration of
// the language is also its definition); `defaultLibrary` on the built-in host `default`.
// `deprecated` is in the legend for clients and themes, but nothing in LANGUAGE.md is
// superseded (type1 is "legacy" VFIO but fully supported), so no token carries it today.
//
// A reference that resolves to nothing (a typo, a host not declared) gets no token: it is
// shown as the TextMate grammar sees it, and the diagnostic says what is wrong. Likewise an
// identifier value that is not one of its attribute's values.
import type { SemanticTokens, SemanticTokensEdit, SemanticTokensDelta, SemanticTokensLegend } from "vscode-languageserver";
import type * as A from "../../../../grammar/src/index";
import { BANDWIDTH_UNITS } from "../../../../grammar/src/literals";
import * as T from "../../../../grammar/src/lexer";
import type { Analysis } from "../../engine/analyze";
import { attributeSpec, type Context } from "../../engine/schema";
import type { SymbolIndex, SymbolKind } from "../../engine/symbols";
import type { Feature } from "../context";

export const TOKEN_TYPES = ["type", "class", "function", "variable", "property", "enumMember", "number", "unit"] as const;
export const TOKEN_MODIFIERS = ["declaration", "definition", "defaultLibrary", "deprecated"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const TYPE_OF_SYMBOL: Readonly<Record<SymbolKind, TokenType>> = { host: "type", vm: "class", scenario: "function", device: "variable" };

export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: TokenType;
  modifiers: TokenModifier[];
}

interface Previous {
  resultId: string;
  data: number[];
}

export const semanticTokens: Feature = {
  capabilities: { semanticTokensProvider: { legend: LEGEND, full: { delta: true }, range: true } },
  register({ connection, workspace, documents }) {
    const previous = new Map<string, Previous>();
    let nextId = 0;
    const compute = (uri: string): SemanticToken[] => {
      const analysis = workspace.analysis(uri);
      return analysis ? semanticTokensOf(analysis, workspace.symbols(uri)) : [];
    };
    const remember = (uri: string, data: number[]): string => {
      const resultId = String(++nextId);
      previous.set(uri, { resultId, data });
      return resultId;
    };

    connection.languages.semanticTokens.on(({ textDocument }): SemanticTokens => {
      const data = encode(compute(textDocument.uri));
      return { resultId: remember(textDocument.uri, data), data };
    });
    connection.languages.semanticTokens.onDelta(({ textDocument, previousResultId }): SemanticTokens | SemanticTokensDelta => {
      const data = encode(compute(textDocument.uri));
      const before = previous.get(textDocument.uri);
      const resultId = remember(textDocument.uri, data);
      if (!before || before.resultId !== previousResultId) return { resultId, data };
      return { resultId, edits: diff(before.data, data) };
    });
    connection.languages.semanticTokens.onRange(({ textDocument, range }): SemanticTokens => {
      const inRange = compute(textDocument.uri).filter((t) => (t.line > range.start.line || (t.line === range.start.line && t.character + t.length > range.start.character)) && (t.line < range.end.line || (t.line === range.end.line && t.character < range.end.character)));
      return { data: encode(inRange) };
    });
    documents.onDidClose((e) => previous.delete(e.document.uri));
  },
};

/** One edit replacing what lies between the common head and the common tail (none if equal). */
export function diff(before: readonly number[], after: readonly number[]): SemanticTokensEdit[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  if (head === before.length && head === after.length) return [];
  return [{ start: head, deleteCount: before.length - head - tail, data: after.slice(head, after.length - tail) }];
}

/** The LSP encoding: five integers per token, line and start relative to the previous token. */
export function encode(tokens: readonly SemanticToken[]): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const t of tokens) {
    data.push(t.line - line, t.line === line ? t.character - character : t.character, t.length, TOKEN_TYPES.indexOf(t.type), t.modifiers.reduce((bits, m) => bits | (1 << TOKEN_MODIFIERS.indexOf(m)), 0));
    line = t.line;
    character = t.character;
  }
  return data;
}

/** Every semantic token of the analysed document, in order, none overlapping. */
export function semanticTokensOf(analysis: Analysis, symbols: SymbolIndex | undefined): SemanticToken[] {
  const { ast, tokens, lines } = analysis.parse;
  const found = new Map<string, SemanticToken | null>();
  const keyOf = (p: A.Position) => `${p.line}:${p.character}`;
  /** Records a token for a single-line range; `null` claims the range for no token. */
  const mark = (range: A.Range, type: TokenType | null, modifiers: TokenModifier[] = []) => {
    if (range.start.line !== range.end.line || range.end.character <= range.start.character) return;
    const key = keyOf(range.start);
    if (found.has(key)) return;
    found.set(key, type && { line: range.start.line, character: range.start.character, length: range.end.character - range.start.character, type, modifiers });
  };

  // Names: declarations, and references that resolve.
  if (symbols) {
    const declared = new Set(symbols.definitions.map((d) => d.key));
    for (const d of symbols.definitions) if (d.file === analysis.path) mark(d.range, TYPE_OF_SYMBOL[d.kind], ["declaration", "definition"]);
    for (const r of symbols.references) {
      if (r.file !== analysis.path) continue;
      if (declared.has(r.key)) mark(r.range, TYPE_OF_SYMBOL[r.kind]);
      else if (r.key === "host:default") mark(r.range, "type", ["defaultLibrary"]);
      else mark(r.range, null);
    }
  }

  // Attributes and their values, by the schema of the block they are in.
  const attributes = (context: Context | null, list: readonly A.Attribute[]) => {
    for (const attribute of list) {
      if (attribute.name.missing) continue;
      mark(attribute.name.range, "property");
      const spec = context ? attributeSpec(context, attribute.name.text) : undefined;
      const values = spec?.type.kind === "enum" ? spec.type.values : spec?.type.kind === "bool" ? ["on", "off"] : spec?.type.kind === "size-or-unlimited" ? ["unlimited"] : [];
      if (attribute.value.kind === "identifier") mark(attribute.value.range, values.includes(attribute.value.name) ? "enumMember" : null);
    }
  };
  for (const decl of ast.declarations) {
    if (decl.kind === "host") {
      for (const item of decl.items) {
        if (item.kind === "attribute") attributes("host", [item]);
        else if (item.kind === "host-vfio") attributes("host-vfio", item.attributes);
        else if (item.kind === "unknown-block") attributes(null, item.attributes);
        else if (item.kind === "iommu") {
          for (const entry of item.items) {
            if (entry.kind === "attribute") attributes("iommu", [entry]);
            else if (entry.kind === "unknown-block") attributes(null, entry.attributes);
            else if (!entry.name.missing) mark(entry.name.range, "variable", ["declaration", "definition"]);
          }
        }
      }
    } else if (decl.kind === "vm") {
      for (const item of decl.items) {
        if (item.kind === "attribute") attributes("vm", [item]);
        else if (item.kind === "device") attributes(item.deviceKind, item.attributes);
        else if (item.kind === "numa") {
          for (const entry of item.items) {
            if (entry.kind === "numa-node") attributes("numa-node", entry.attributes);
            else if (entry.kind === "attribute") attributes(null, [entry]);
            else attributes(null, entry.attributes);
          }
        } else attributes(null, item.attributes);
      }
    } else {
      for (const step of decl.steps) {
        if (step.kind === "hotplug") attributes("vfio", step.attributes);
        else if (step.kind === "convert" && step.to) mark(step.toRange, "enumMember");
        else if (step.kind === "migrate" && step.mode) mark(step.modeRange, "enumMember");
      }
    }
  }

  // Numbers, with their unit apart.
  for (const token of tokens) {
    if (token.tokenType !== T.NumberLiteral) continue;
    const start = lines.position(token.startOffset);
    const at = (from: number, to: number): A.Range => ({ start: { line: start.line, character: start.character + from }, end: { line: start.line, character: start.character + to } });
    const text = token.image;
    if (/^0[xX][0-9a-fA-F_]+$/.test(text)) {
      mark(at(0, text.length), "number");
      continue;
    }
    const m = /^([0-9][0-9_]*(?:\.[0-9][0-9_]*)?)([A-Za-z]*)$/.exec(text);
    if (!m) continue;
    const [, digits, unit] = m;
    mark(at(0, digits.length), "number");
    if (/^[KMGTPE](?:iB|B)?$/.test(unit) || unit in BANDWIDTH_UNITS) mark(at(digits.length, text.length), "unit");
  }

  return [...found.values()].filter((t): t is SemanticToken => t !== null).sort((a, b) => a.line - b.line || a.character - b.character);
}
