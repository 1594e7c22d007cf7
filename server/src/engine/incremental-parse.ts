// Incremental parsing for the language server: an edit re-lexes and re-parses only the
// top-level declarations it touched; every other declaration keeps its syntax tree, the very
// same objects when it has not moved, so that the analysis cache (analysis-cache.ts) can
// recognise it by identity.
//
// The text is cut into segments, each starting at a top-level declaration (`host NAME`,
// `vm NAME`, `scenario NAME`) right after a `}`, where the parser's recovery stops every
// block body (grammar/src/cst-parser.ts, atDeclarationStart). Segments are parsed alone and
// the results placed at their line and character. A segment is only cut off from the next
// when that is provably what a parse of the whole text does (see `closes`); otherwise the
// two are parsed as one group. Each result must equal `parse(text)`: the property test
// (test/unit/incremental.test.ts) holds it to that over thousands of random edits.
import type { IToken } from "../../../grammar/src/lexer";
import { LineIndex, parse, type Diagnostic, type ParseResult, type Position } from "../../../grammar/src/index";
import type * as A from "../../../grammar/src/index";
import * as T from "../../../grammar/src/lexer";

const DECLARATION_KEYWORDS = new Set([T.Host, T.Vm, T.Scenario]);
const NAME_TOKENS = new Set([T.Identifier, ...T.KEYWORDS]);

/** A run of text from one declaration start to the next; `start` is its offset. */
interface Segment {
  start: number;
  text: string;
  /** its parse on its own, once needed */
  alone?: ParseResult;
  /** the group it begins, as last placed */
  group?: Placed;
}

/** A group of segments parsed together, placed in the document. */
interface Placed {
  /** the texts of its segments (the same strings while they are unchanged) */
  members: string[];
  /** whether it ends where the next segment may be parsed alone (not at the end of the text) */
  closed: boolean;
  at: Position;
  /** whether its nodes are its own copies (not the relative parse's), so they may be moved in place */
  owned: boolean;
  relative: ParseResult;
  imports: A.Import[];
  declarations: A.Declaration[];
  diagnostics: Diagnostic[];
  /** its tokens and comments placed at `placedAt`, once asked for */
  tokens?: IToken[];
  comments?: IToken[];
  placedAt?: number;
}

export class IncrementalParser {
  private segments: Segment[] = [];
  private text = "";
  /** the last parse's groups, by the offset they started at */
  private lastGroups = new Map<number, Placed>();

  parse(text: string): ParseResult {
    const segments = (this.segments = text === this.text && this.segments.length > 0 ? this.segments : this.resegment(text));
    this.text = text;
    const lines = new LineIndex(text);
    const alone = (segment: Segment) => (segment.alone ??= parse(segment.text));

    const groups: Placed[] = [];
    const starts: number[] = [];
    const parsedAgain: number[] = [];
    for (let i = 0; i < segments.length; ) {
      const first = segments[i];
      const start = first.start;
      const at = lines.position(start);
      let placed = first.group;
      if (!placed || !sameMembers(placed, segments, i)) {
        // Grow the group until the parse of the whole text would be back at the top level.
        // The group is parsed only when its last segment is clean on its own (the first
        // condition of `closes`), so a run of broken declarations is parsed once, not once
        // per declaration added.
        let j = i + 1;
        let source = first.text;
        let group: ParseResult | undefined = alone(first);
        while (j < segments.length) {
          const last = segments[j - 1];
          if (alone(last).diagnostics.length === 0 && closes((group ??= parse(source)), last.start - start, alone(last))) break;
          source += segments[j].text;
          j++;
          group = undefined;
        }
        const members = segments.slice(i, j).map((s) => s.text);
        placed = place(members, j < segments.length, at, group ?? parse(source));
        parsedAgain.push(groups.length);
      } else if (placed.at.character === at.character && placed.at.line !== at.line && placed.owned) {
        // Moved up or down by whole lines (a line added or removed above): the same nodes,
        // moved, so that what the analysis remembered about them stays valid.
        moveLines(placed, at.line - placed.at.line);
        placed.at = at;
      } else if (placed.at.line !== at.line || placed.at.character !== at.character) {
        placed = place(placed.members, placed.closed, at, placed.relative);
      }
      first.group = placed;
      groups.push(placed);
      starts.push(start);
      i += placed.members.length;
    }
    this.keepUnchangedDeclarations(groups, starts, parsedAgain);
    this.lastGroups = new Map(starts.map((start, k) => [start, groups[k]]));
    return merge(text, lines, groups, starts);
  }

  /**
   * A group parsed again because its text changed, where only a comment or spacing changed,
   * gives the same declarations as before: the previous objects are kept, so that what the
   * analysis remembered about them stays valid (a comment edited in a host's block would
   * otherwise re-analyse every VM on the host). A previous group kept elsewhere in this parse
   * is left alone (its nodes must belong to one group), and so is one that owns its nodes
   * while the new one does not, or the other way round (owned nodes are moved in place).
   */
  private keepUnchangedDeclarations(groups: Placed[], starts: number[], parsedAgain: number[]): void {
    if (parsedAgain.length === 0) return;
    const kept = new Set(groups);
    for (const k of parsedAgain) {
      const fresh = groups[k];
      const previous = this.lastGroups.get(starts[k]);
      if (!previous || kept.has(previous) || previous.owned !== fresh.owned || previous.declarations.length !== fresh.declarations.length) continue;
      fresh.declarations = fresh.declarations.map((node, d) => (sameTree(node, previous.declarations[d]) ? previous.declarations[d] : node));
    }
  }

  /** Segments of the new text, re-lexing only around what changed since the last version. */
  private resegment(text: string): Segment[] {
    const old = this.text;
    const segments = this.segments;
    if (segments.length === 0) return split(text, 0, text.length, text.length) ?? [{ start: 0, text }];
    let prefix = 0;
    const shortest = Math.min(old.length, text.length);
    while (prefix < shortest && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix < shortest - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
    const delta = text.length - old.length;
    // The segments touching the change, and one more on each side: a deleted keyword joins
    // a segment to the one before, a deleted `}` to the one after.
    let first = Math.max(0, segmentAt(segments, prefix) - 1);
    let last = Math.min(segments.length - 1, segmentAt(segments, old.length - suffix) + 1);
    for (;;) {
      const from = segments[first].start;
      const to = last + 1 < segments.length ? segments[last + 1].start + delta : text.length;
      const middle = split(text, from, to, text.length);
      if (middle) {
        // Segments re-lexed but unchanged keep their objects, and with them their parse.
        const old = new Map(segments.slice(first, last + 1).map((s) => [s.text, s]));
        for (let k = 0; k < middle.length; k++) {
          const same = old.get(middle[k].text);
          if (!same) continue;
          old.delete(same.text);
          same.start = middle[k].start;
          middle[k] = same;
        }
        // The segments after the change keep their objects (and what is cached on them), moved.
        const after = segments.slice(last + 1);
        if (delta !== 0) for (const segment of after) segment.start += delta;
        return [...segments.slice(0, first), ...middle, ...after];
      }
      // The re-lexed run does not end or begin where a declaration may be cut: widen it.
      const width = last - first + 1;
      first = Math.max(0, first - width);
      last = Math.min(segments.length - 1, last + width);
    }
  }
}

/** Index of the segment containing `offset` (the last one if it is the end). */
function segmentAt(segments: Segment[], offset: number): number {
  let low = 0;
  let high = segments.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (segments[mid].start <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Cuts text[from, to) into segments, or returns undefined when the run cannot be lexed alone
 * as the whole text would lex it (a comment or token runs into what follows), or when its
 * start is no longer a declaration start.
 */
function split(text: string, from: number, to: number, length: number): Segment[] | undefined {
  const run = text.slice(from, to);
  const lexed = T.vmtopoLexer.tokenize(run);
  const tokens = lexed.tokens;
  const comments = (lexed.groups.comments ?? []) as IToken[];
  if (to < length) {
    // What follows starts a declaration after a `}`: the run must end in a `}`, and nothing
    // may reach its end (an open comment or string would continue past it).
    const lastToken = tokens[tokens.length - 1];
    if (!lastToken || lastToken.tokenType !== T.RCurly) return undefined;
    const lastComment = comments[comments.length - 1];
    if (lastComment && (lastComment.tokenType === T.UnterminatedComment || lastComment.endOffset! + 1 >= run.length)) return undefined;
    const lastError = lexed.errors[lexed.errors.length - 1];
    if (lastError && lastError.offset + lastError.length >= run.length) return undefined;
    if (tokens.some((t) => t.tokenType === T.UnterminatedString && t.endOffset! + 1 >= run.length)) return undefined;
  }
  if (from > 0 && !(tokens.length >= 2 && startsDeclaration(tokens, 0))) return undefined;
  const starts = [0];
  for (let k = 1; k + 2 < tokens.length; k++) {
    if (tokens[k - 1].tokenType === T.RCurly && startsDeclaration(tokens, k)) starts.push(tokens[k].startOffset);
  }
  return starts.map((start, i) => ({ start: from + start, text: run.slice(start, starts[i + 1] ?? run.length) }));
}

/** `host NAME`, `vm NAME` or `scenario NAME` not followed by `=`: the parser's declaration start. */
function startsDeclaration(tokens: IToken[], k: number): boolean {
  return DECLARATION_KEYWORDS.has(tokens[k].tokenType) && NAME_TOKENS.has(tokens[k + 1]?.tokenType) && tokens[k + 2]?.tokenType !== T.Equals;
}

/**
 * Whether a parse of the whole text, having parsed this group, is back at the top level
 * with nothing pending, so that the next segment may be parsed alone: the group's last
 * segment (at `lastStart` in it) is clean on its own, the group parsed it as a top-level
 * declaration of its own, and every diagnostic of the group lies before it.
 */
function closes(group: ParseResult, lastStart: number, last: ParseResult): boolean {
  if (last.diagnostics.length > 0) return false;
  if (lastStart === 0) return true;
  const at = group.lines.position(lastStart);
  const starts = (range: A.Range) => range.start.line === at.line && range.start.character === at.character;
  if (!group.ast.declarations.some((d) => starts(d.range))) return false;
  return group.diagnostics.every((d) => d.range.start.line < at.line || (d.range.start.line === at.line && d.range.start.character < at.character));
}

/** Structural equality of two syntax trees (positions included). */
function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameTree(item, b[i]));
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => key in right && sameTree(left[key], right[key]));
}

/** Whether `placed` was made of the segments from `i` on, as they are now, and may still stand. */
function sameMembers(placed: Placed, segments: Segment[], i: number): boolean {
  const n = placed.members.length;
  // A group that ran to the end of the text must grow again if segments follow it now.
  if (i + n > segments.length || (!placed.closed && i + n < segments.length) || (placed.closed && i + n === segments.length)) return false;
  for (let k = 0; k < n; k++) if (placed.members[k] !== segments[i + k].text) return false;
  return true;
}

function place(members: string[], closed: boolean, at: Position, relative: ParseResult): Placed {
  const shift = shifter(at);
  return {
    members,
    closed,
    owned: at.line !== 0 || at.character !== 0,
    at,
    relative,
    imports: relative.ast.imports.map(shift),
    declarations: relative.ast.declarations.map(shift),
    diagnostics: relative.diagnostics.map(shift),
  };
}

/** A deep copy of a syntax tree (or diagnostic) moved to `at`; identity when `at` is the origin. */
function shifter(at: Position): <T>(node: T) => T {
  if (at.line === 0 && at.character === 0) return (node) => node;
  const copy = (value: unknown): unknown => {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map(copy);
    const object = value as Record<string, unknown>;
    if (typeof object.line === "number" && typeof object.character === "number" && Object.keys(object).length === 2) {
      return object.line === 0 ? { line: at.line, character: object.character + at.character } : { line: object.line + at.line, character: object.character };
    }
    const result: Record<string, unknown> = {};
    for (const key in object) result[key] = copy(object[key]);
    return result;
  };
  return copy as <T>(node: T) => T;
}

/** Adds `delta` to the line of every position in a placed group's nodes and diagnostics, once each. */
function moveLines(placed: Placed, delta: number): void {
  // A position may be shared (a diagnostic's range is often its node's): each moves once.
  // Only positions have `line` and `character` (grammar/src/ast.ts), and only they are
  // remembered: a node visited twice is harmless, a position moved twice is not.
  const moved = new Set<object>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const object = value as Record<string, unknown>;
    if (typeof object.line === "number" && typeof object.character === "number") {
      if (!moved.has(object)) {
        moved.add(object);
        object.line += delta;
      }
      return;
    }
    for (const key in object) visit(object[key]);
  };
  visit(placed.imports);
  visit(placed.declarations);
  visit(placed.diagnostics);
  placed.tokens = undefined;
  placed.comments = undefined;
  placed.placedAt = undefined;
}

function shiftTokens(tokens: IToken[], start: number, at: Position): IToken[] {
  if (start === 0) return tokens;
  return tokens.map((t) => ({
    ...t,
    startOffset: t.startOffset + start,
    endOffset: t.endOffset! + start,
    startLine: t.startLine! + at.line,
    endLine: t.endLine! + at.line,
    startColumn: t.startLine === 1 ? t.startColumn! + at.character : t.startColumn,
    endColumn: t.endLine === 1 ? t.endColumn! + at.character : t.endColumn,
  }));
}

/** Where each merged result's groups start, for `tokensAround`. */
const layouts = new WeakMap<ParseResult, { groups: Placed[]; starts: number[] }>();

/**
 * The tokens and comments of the top-level declaration around `offset` (the last one that
 * starts before it) and of the one before it, from where the parse of the whole text is at
 * the top level: all a feature that reads tokens up to a cursor needs (with the declaration
 * before, it knows it is past the imports), without placing the whole document's tokens.
 * For a parse that is not incremental, all of them.
 */
export function tokensAround(parsed: ParseResult, offset: number): { tokens: IToken[]; comments: IToken[] } {
  const layout = layouts.get(parsed);
  if (!layout) return { tokens: parsed.tokens, comments: parsed.comments };
  const { groups, starts } = layout;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] < offset) low = mid;
    else high = mid - 1;
  }
  const around = low > 0 ? [low - 1, low] : [low];
  for (const i of around) placeTokens(groups[i], starts[i]);
  return { tokens: around.flatMap((i) => groups[i].tokens!), comments: around.flatMap((i) => groups[i].comments!) };
}

function placeTokens(group: Placed, start: number): void {
  if (group.placedAt === start && group.tokens && group.comments) return;
  group.tokens = shiftTokens(group.relative.tokens, start, group.at);
  group.comments = shiftTokens(group.relative.comments, start, group.at);
  group.placedAt = start;
}

/** One parse result of the whole text from its placed groups (at `starts`); tokens are placed when asked for. */
function merge(text: string, lines: LineIndex, groups: Placed[], starts: number[]): ParseResult {
  const imports: A.Import[] = [];
  const declarations: A.Declaration[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const group of groups) {
    for (const node of group.imports) imports.push(node);
    for (const node of group.declarations) declarations.push(node);
    for (const diagnostic of group.diagnostics) diagnostics.push(diagnostic);
  }
  const placeAll = () => groups.forEach((group, i) => placeTokens(group, starts[i]));
  let tokens: IToken[] | undefined;
  let comments: IToken[] | undefined;
  const merged: ParseResult = {
    ast: { kind: "file", imports, declarations, range: lines.range(0, text.length) },
    diagnostics,
    get tokens() {
      if (!tokens) {
        placeAll();
        tokens = groups.flatMap((g) => g.tokens!);
      }
      return tokens;
    },
    get comments() {
      if (!comments) {
        placeAll();
        comments = groups.flatMap((g) => g.comments!);
      }
      return comments;
    },
    lines,
  };
  layouts.set(merged, { groups, starts });
  return merged;
}
