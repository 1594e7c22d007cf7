// The formatter: re-prints the file's own tokens and comments with canonical whitespace.
// Because it only changes whitespace between tokens (and never joins two tokens that would
// lex differently), it cannot change meaning; because every comment is a token of the
// stream, none can be dropped. It refuses a file with syntax errors rather than guess.
//
// Layout rules: 2-space indentation per brace level; every item (import, declaration,
// attribute, block, device, pool, reserved range, step) starts a line; `{` ends a line and
// `}` stands on its own; one space around `=` and `..`; lists stay on one line; a comment
// stays at the end of its line if it was there; at most one blank line in a row, none just
// inside a brace.
import type { IToken } from "./lexer";
import type * as A from "./ast";
import type { Diagnostic } from "./diagnostic";
import * as T from "./lexer";
import { parse } from "./parse";

export interface FormatResult {
  /** the formatted text, or null when the file has syntax errors */
  text: string | null;
  diagnostics: Diagnostic[];
}

export interface FormatOptions {
  indent?: string;
}

export function format(source: string, options: FormatOptions = {}): FormatResult {
  const parsed = parse(source);
  const syntaxErrors = parsed.diagnostics.filter((d) => d.code === "VT001");
  if (syntaxErrors.length > 0) return { text: null, diagnostics: syntaxErrors };

  const itemStarts = new Set<number>();
  collectItemStarts(parsed.ast, (range) => itemStarts.add(parsed.lines.offset(range.start)));

  const elements = [...parsed.tokens, ...parsed.comments].sort((a, b) => a.startOffset - b.startOffset);
  const printer = new Printer(source, elements, itemStarts, options.indent ?? "  ");
  return { text: printer.print(), diagnostics: [] };
}

function collectItemStarts(file: A.VmtopoFile, add: (range: A.Range) => void): void {
  const attributes = (list: A.Attribute[]) => list.forEach((a) => add(a.range));
  file.imports.forEach((i) => add(i.range));
  for (const decl of file.declarations) {
    add(decl.range);
    if (decl.kind === "host") {
      for (const item of decl.items) {
        add(item.range);
        if (item.kind === "iommu") {
          for (const i of item.items) {
            add(i.range);
            if (i.kind === "unknown-block") attributes(i.attributes);
          }
        } else if (item.kind === "host-vfio" || item.kind === "unknown-block") attributes(item.attributes);
        else if (item.kind === "hugepages") item.pools.forEach((p) => add(p.range));
      }
    } else if (decl.kind === "vm") {
      for (const item of decl.items) {
        add(item.range);
        if (item.kind === "device" || item.kind === "unknown-block") attributes(item.attributes);
        else if (item.kind === "numa") {
          for (const entry of item.items) {
            add(entry.range);
            if (entry.kind !== "attribute") attributes(entry.attributes);
          }
        }
      }
    } else {
      for (const step of decl.steps) {
        add(step.range);
        if (step.kind === "hotplug") attributes(step.attributes);
      }
    }
  }
}

const isComment = (e: IToken) => e.tokenType === T.LineComment || e.tokenType === T.BlockComment || e.tokenType === T.UnterminatedComment;

class Printer {
  private readonly out: string[] = [];
  private readonly eol: string;

  constructor(
    private readonly source: string,
    private readonly elements: IToken[],
    private readonly itemStarts: Set<number>,
    private readonly indentUnit: string,
  ) {
    this.eol = this.detectEol();
  }

  /** The file's line ending, read from the first line break between tokens (not inside a comment). */
  private detectEol(): string {
    let end = 0;
    for (const element of [...this.elements, undefined]) {
      const gap = this.source.slice(end, element ? element.startOffset : this.source.length);
      const lineBreak = /\r\n|\r|\n/.exec(gap);
      if (lineBreak) return lineBreak[0] === "\r\n" ? "\r\n" : "\n";
      if (element) end = element.endOffset! + 1;
    }
    return "\n";
  }

  print(): string {
    let depth = 0;
    let previous: IToken | undefined;
    for (let i = 0; i < this.elements.length; i++) {
      const element = this.elements[i];
      const type = element.tokenType;
      if (type === T.RCurly) depth = Math.max(0, depth - 1);

      if (previous) {
        if (this.needsNewline(previous, element)) {
          const blank = this.blankLineBetween(previous, element) && previous.tokenType !== T.LCurly && type !== T.RCurly;
          this.out.push(this.eol);
          if (blank) this.out.push(this.eol);
          const continuation = this.midItem(i) ? 1 : 0;
          this.out.push(this.indentUnit.repeat(depth + continuation));
        } else if (this.spaceBetween(previous, element)) {
          this.out.push(" ");
        }
      }
      this.out.push(type === T.LineComment ? element.image.trimEnd() : element.image);
      if (type === T.LCurly) depth++;
      previous = element;
    }
    if (this.out.length > 0) this.out.push(this.eol);
    return this.out.join("");
  }

  private originalNewlineBetween(a: IToken, b: IToken): boolean {
    return /[\r\n]/.test(this.source.slice(a.endOffset! + 1, b.startOffset));
  }

  private blankLineBetween(a: IToken, b: IToken): boolean {
    const gap = this.source.slice(a.endOffset! + 1, b.startOffset);
    return (gap.match(/\r\n|\r|\n/g)?.length ?? 0) >= 2;
  }

  private needsNewline(previous: IToken, element: IToken): boolean {
    if (previous.tokenType === T.LineComment) return true;
    if (isComment(element)) {
      // A comment stays where it was: at the end of a line, or on a line of its own.
      return this.originalNewlineBetween(previous, element);
    }
    if (element.tokenType === T.RCurly) return previous.tokenType !== T.LCurly || this.hasCommentBetween(previous, element);
    if (previous.tokenType === T.LCurly) return true;
    return this.itemStarts.has(element.startOffset);
  }

  private hasCommentBetween(a: IToken, b: IToken): boolean {
    return this.source.slice(a.endOffset! + 1, b.startOffset).trim() !== "";
  }

  private spaceBetween(previous: IToken, element: IToken): boolean {
    if (element.tokenType === T.Comma || element.tokenType === T.RSquare) return false;
    if (previous.tokenType === T.LSquare) return false;
    if (previous.tokenType === T.LCurly && element.tokenType === T.RCurly) return false;
    return true;
  }

  /** True when the element at `index` continues an item begun on an earlier line. */
  private midItem(index: number): boolean {
    for (let i = index; i < this.elements.length; i++) {
      const element = this.elements[i];
      if (isComment(element)) continue;
      if (element.tokenType === T.RCurly) return false;
      return !this.itemStarts.has(element.startOffset);
    }
    return false;
  }
}
