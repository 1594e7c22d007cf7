// The chevrotain grammar of LANGUAGE.md. It builds a concrete syntax tree; ast-builder.ts
// turns that into the typed AST.
//
// Recovery strategy: every block body is a loop that stops at `}` or at something that
// looks like the start of a top-level declaration (so a missing `}` costs one diagnostic,
// not the rest of the file), and every loop has a last-resort "stray" alternative that
// swallows one unexpected token. Consecutive stray tokens become one diagnostic.
import { CstParser, EOF, type IOrAlt, type IToken, type TokenType } from "chevrotain";
import * as T from "./lexer";
import { errorMessages } from "./parse-messages";

const DEVICE_KEYWORDS = new Set<TokenType>([T.VirtioMem, T.Vfio, T.Dimm]);
const DECLARATION_KEYWORDS = new Set<TokenType>([T.Host, T.Vm, T.Scenario]);
const STEP_KEYWORDS = new Set<TokenType>([T.Resize, T.Convert, T.Hotplug, T.Unplug, T.Migrate, T.ViommuMap]);

class VmtopoCstParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, {
      recoveryEnabled: true,
      maxLookahead: 3,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: errorMessages,
    });
    this.performSelfAnalysis();
  }

  /** `host NAME`, `vm NAME`, `scenario NAME` or `import "..."`: a new top-level declaration. */
  private atDeclarationStart(): boolean {
    const first = this.LA(1).tokenType;
    const second = this.LA(2).tokenType;
    if (first === T.Import) return second === T.StringLiteral || second === T.UnterminatedString;
    return DECLARATION_KEYWORDS.has(first) && isNameToken(second) && this.LA(3).tokenType !== T.Equals;
  }

  /** `word {` or `word NAME {`: a block, known or not. */
  private atBlockStart(): boolean {
    if (!isNameToken(this.LA(1).tokenType)) return false;
    const second = this.LA(2).tokenType;
    return second === T.LCurly || (isNameToken(second) && this.LA(3).tokenType === T.LCurly);
  }

  private atBlockEnd(): boolean {
    const next = this.LA(1).tokenType;
    return next === T.RCurly || next === EOF || this.atDeclarationStart();
  }

  /**
   * The items of a block until its `}`. Alternatives are chosen on the first token and their
   * gates, in order; the last one always swallows a stray token, so a loop never stops early.
   */
  private blockItems(alternatives: IOrAlt<unknown>[]): void {
    this.MANY({
      GATE: () => !this.atBlockEnd(),
      DEF: () => {
        this.OR({ MAX_LOOKAHEAD: 1, IGNORE_AMBIGUITIES: true, DEF: [...alternatives, { ALT: () => this.SUBRULE(this.stray) }] });
      },
    });
  }

  public file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR({ MAX_LOOKAHEAD: 1, IGNORE_AMBIGUITIES: true, DEF: [
        { GATE: () => this.LA(1).tokenType === T.Import, ALT: () => this.SUBRULE(this.importDecl) },
        { GATE: () => this.LA(1).tokenType === T.Host, ALT: () => this.SUBRULE(this.hostDecl) },
        { GATE: () => this.LA(1).tokenType === T.Vm, ALT: () => this.SUBRULE(this.vmDecl) },
        { GATE: () => this.LA(1).tokenType === T.Scenario, ALT: () => this.SUBRULE(this.scenarioDecl) },
        { ALT: () => this.SUBRULE(this.stray) },
      ] });
    });
  });

  /** One token that fits nowhere; reported, then skipped. */
  private stray = this.RULE("stray", () => {
    this.CONSUME(T.AnyToken, { LABEL: "token" });
  });

  private importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import, { LABEL: "keyword" });
    this.SUBRULE(this.stringLiteral, { LABEL: "path" });
  });

  private stringLiteral = this.RULE("stringLiteral", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: "token" }) },
      { ALT: () => this.CONSUME(T.UnterminatedString, { LABEL: "token" }) },
    ]);
  });

  private hostDecl = this.RULE("hostDecl", () => {
    this.CONSUME(T.Host, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.LCurly);
    this.blockItems([
      { GATE: () => this.LA(1).tokenType === T.Iommu && this.LA(2).tokenType === T.LCurly, ALT: () => this.SUBRULE(this.iommuBlock) },
      { GATE: () => this.LA(1).tokenType === T.Vfio && this.LA(2).tokenType === T.LCurly, ALT: () => this.SUBRULE(this.hostVfioBlock) },
      { GATE: () => this.LA(1).tokenType === T.Hugepages && this.LA(2).tokenType === T.LCurly, ALT: () => this.SUBRULE(this.hugepagesBlock) },
      { GATE: () => this.atBlockStart(), ALT: () => this.SUBRULE(this.unknownBlock) },
      { ALT: () => this.SUBRULE(this.attribute) },
    ]);
    this.CONSUME(T.RCurly);
  });

  private iommuBlock = this.RULE("iommuBlock", () => {
    this.CONSUME(T.Iommu, { LABEL: "keyword" });
    this.CONSUME(T.LCurly);
    this.blockItems([
      { GATE: () => this.LA(1).tokenType === T.Reserved && this.LA(2).tokenType !== T.Equals, ALT: () => this.SUBRULE(this.reservedRange) },
      { GATE: () => this.atBlockStart(), ALT: () => this.SUBRULE(this.unknownBlock) },
      { ALT: () => this.SUBRULE(this.attribute) },
    ]);
    this.CONSUME(T.RCurly);
  });

  private unknownBlock = this.RULE("unknownBlock", () => {
    this.CONSUME(T.Identifier, { LABEL: "keyword" });
    this.OPTION(() => this.CONSUME2(T.Identifier, { LABEL: "name" }));
    this.SUBRULE(this.attributeBlock);
  });

  private reservedRange = this.RULE("reservedRange", () => {
    this.CONSUME(T.Reserved, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  });

  private hostVfioBlock = this.RULE("hostVfioBlock", () => {
    this.CONSUME(T.Vfio, { LABEL: "keyword" });
    this.SUBRULE(this.attributeBlock);
  });

  /** `{ attribute* }`, shared by the host's vfio block, devices and hot-plugged devices. */
  private attributeBlock = this.RULE("attributeBlock", () => {
    this.CONSUME(T.LCurly);
    this.blockItems([{ ALT: () => this.SUBRULE(this.attribute) }]);
    this.CONSUME(T.RCurly);
  });

  private hugepagesBlock = this.RULE("hugepagesBlock", () => {
    this.CONSUME(T.Hugepages, { LABEL: "keyword" });
    this.CONSUME(T.LCurly);
    this.blockItems([{ ALT: () => this.SUBRULE(this.hugepagePool) }]);
    this.CONSUME(T.RCurly);
  });

  private hugepagePool = this.RULE("hugepagePool", () => {
    this.CONSUME(T.NumberLiteral, { LABEL: "pageSize" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  });

  private vmDecl = this.RULE("vmDecl", () => {
    this.CONSUME(T.Vm, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION({
      GATE: () => this.LA(1).tokenType === T.On && this.LA(2).tokenType !== T.LCurly,
      DEF: () => {
        this.CONSUME(T.On, { LABEL: "onKeyword" });
        this.CONSUME2(T.Identifier, { LABEL: "host" });
      },
    });
    this.CONSUME(T.LCurly);
    this.blockItems([
      { GATE: () => DEVICE_KEYWORDS.has(this.LA(1).tokenType) && this.LA(2).tokenType !== T.Equals, ALT: () => this.SUBRULE(this.device) },
      { GATE: () => this.LA(1).tokenType === T.Numa && this.LA(2).tokenType === T.LCurly, ALT: () => this.SUBRULE(this.numaBlock) },
      { GATE: () => this.atBlockStart(), ALT: () => this.SUBRULE(this.unknownBlock) },
      { ALT: () => this.SUBRULE(this.attribute) },
    ]);
    this.CONSUME(T.RCurly);
  });

  private device = this.RULE("device", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.VirtioMem, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(T.Vfio, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(T.Dimm, { LABEL: "keyword" }) },
    ]);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.SUBRULE(this.attributeBlock);
  });

  /** `numa { node N { ... } ... }` inside a VM. */
  private numaBlock = this.RULE("numaBlock", () => {
    this.CONSUME(T.Numa, { LABEL: "keyword" });
    this.CONSUME(T.LCurly);
    this.blockItems([
      { GATE: () => this.LA(1).tokenType === T.Node && this.LA(2).tokenType !== T.Equals, ALT: () => this.SUBRULE(this.numaNode) },
      { GATE: () => this.atBlockStart(), ALT: () => this.SUBRULE(this.unknownBlock) },
      { ALT: () => this.SUBRULE(this.attribute) },
    ]);
    this.CONSUME(T.RCurly);
  });

  private numaNode = this.RULE("numaNode", () => {
    this.CONSUME(T.Node, { LABEL: "keyword" });
    this.CONSUME(T.NumberLiteral, { LABEL: "id" });
    this.SUBRULE(this.attributeBlock);
  });

  private scenarioDecl = this.RULE("scenarioDecl", () => {
    this.CONSUME(T.Scenario, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.For);
    this.CONSUME2(T.Identifier, { LABEL: "vm" });
    this.CONSUME(T.LCurly);
    this.blockItems([{ GATE: () => STEP_KEYWORDS.has(this.LA(1).tokenType), ALT: () => this.SUBRULE(this.step) }]);
    this.CONSUME(T.RCurly);
  });

  private step = this.RULE("step", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.resizeStep) },
      { ALT: () => this.SUBRULE(this.convertStep) },
      { ALT: () => this.SUBRULE(this.hotplugStep) },
      { ALT: () => this.SUBRULE(this.unplugStep) },
      { ALT: () => this.SUBRULE(this.migrateStep) },
      { ALT: () => this.SUBRULE(this.viommuMapStep) },
    ]);
  });

  private resizeStep = this.RULE("resizeStep", () => {
    this.CONSUME(T.Resize, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "device" });
    this.CONSUME(T.To);
    // Steps take numbers only, so a missing one never swallows the next step's keyword.
    this.CONSUME(T.NumberLiteral, { LABEL: "size" });
  });

  private convertStep = this.RULE("convertStep", () => {
    this.CONSUME(T.Convert, { LABEL: "keyword" });
    this.CONSUME(T.NumberLiteral, { LABEL: "start" });
    this.CONSUME(T.DotDot);
    this.CONSUME2(T.NumberLiteral, { LABEL: "end" });
    this.CONSUME(T.To);
    this.OR([
      { ALT: () => this.CONSUME(T.Shared, { LABEL: "to" }) },
      { ALT: () => this.CONSUME(T.Private, { LABEL: "to" }) },
    ]);
  });

  private hotplugStep = this.RULE("hotplugStep", () => {
    this.CONSUME(T.Hotplug, { LABEL: "keyword" });
    this.CONSUME(T.Vfio);
    this.CONSUME(T.Identifier, { LABEL: "device" });
    this.SUBRULE(this.attributeBlock);
  });

  private unplugStep = this.RULE("unplugStep", () => {
    this.CONSUME(T.Unplug, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "device" });
  });

  private migrateStep = this.RULE("migrateStep", () => {
    this.CONSUME(T.Migrate, { LABEL: "keyword" });
    this.CONSUME(T.To);
    this.CONSUME(T.Identifier, { LABEL: "host" });
    this.OR([
      { ALT: () => this.CONSUME(T.Precopy, { LABEL: "mode" }) },
      { ALT: () => this.CONSUME(T.Postcopy, { LABEL: "mode" }) },
    ]);
  });

  private viommuMapStep = this.RULE("viommuMapStep", () => {
    this.CONSUME(T.ViommuMap, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "device" });
    this.CONSUME(T.NumberLiteral, { LABEL: "count" });
    this.CONSUME(T.X);
    this.CONSUME2(T.NumberLiteral, { LABEL: "size" });
  });

  private attribute = this.RULE("attribute", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  });

  private value = this.RULE("value", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.NumberLiteral, { LABEL: "number" });
          this.OPTION(() => {
            this.CONSUME(T.DotDot);
            this.CONSUME2(T.NumberLiteral, { LABEL: "rangeEnd" });
          });
        },
      },
      { ALT: () => this.SUBRULE(this.stringLiteral, { LABEL: "string" }) },
      {
        // `memory =` at the end of a line followed by `kernel = ...`: the value is missing,
        // `kernel` starts the next attribute rather than being the value.
        GATE: () => this.LA(2).tokenType !== T.Equals,
        ALT: () => this.CONSUME(T.Identifier, { LABEL: "identifier" }),
      },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  private list = this.RULE("list", () => {
    this.CONSUME(T.LSquare);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => this.SUBRULE(this.value),
    });
    this.CONSUME(T.RSquare);
  });
}

function isNameToken(type: TokenType): boolean {
  return type === T.Identifier || T.KEYWORDS.includes(type);
}

export type { IToken };

let instance: VmtopoCstParser | undefined;

/** The parser is built once: chevrotain's self-analysis is the expensive part. */
export function cstParser(): VmtopoCstParser {
  instance ??= new VmtopoCstParser();
  return instance;
}
