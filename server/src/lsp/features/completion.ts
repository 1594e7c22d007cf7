// Completion that knows where it is, in a document that is usually broken while the user
// types: the context comes from the tokens before the cursor and the enclosing braces
// (completion-context.ts), names from the program (the entry file and its imports).
//
//   at the start of an item     attributes of that block not given yet (`name = default`),
//                               and the blocks valid there; steps in a scenario; `host`,
//                               `vm`, `scenario`, `import` at the top level
//   after `name =`              enum values, `on`/`off`, `unlimited`; sizes and bandwidths
//                               only when asked for (Ctrl+Space), never in a list that pops
//                               up by itself, where Enter after a digit would take one
//   right after a number        size units once a unit letter is typed (never after bare
//                               digits: a bare integer is bytes, Enter must not add a unit)
//   after `convert`             ranges of the VM's boot RAM (when asked for)
//   references                  hosts after `vm x on` and `migrate to`, VMs after
//                               `scenario s for`, the scenario VM's devices after `resize`,
//                               `unplug` and `viommu-map` (with those hot-plugged earlier)
import {
  CompletionItemKind,
  CompletionTriggerKind,
  InsertTextFormat,
  InsertTextMode,
  MarkupKind,
  type ClientCapabilities,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
  type Range,
} from "vscode-languageserver";
import type { Analysis } from "../../engine/analyze";
import { SCHEMA, type AttributeSpec, type Context, type ValueType } from "../../engine/schema";
import type { SymbolIndex } from "../../engine/symbols";
import { attributeContext, blockContents, expectationAt, type Expectation, type Frame, type Token } from "../completion-context";
import { tokensAround } from "../../engine/incremental-parse";
import type { Feature } from "../context";
import { sizeLiteral } from "../size-literal";
import { blockValues, contextualValue, type BlockValues } from "./completion-values";
import * as T from "../../../../grammar/src/lexer";

interface Options {
  snippets: boolean;
  markdown: boolean;
  /**
   * Multi-line items carry their indentation (the file's indent unit, the cursor line's
   * indentation after each newline), unless the client adjusts indentation itself and cannot
   * be told not to: without it a client inserts a literal TAB and a `}` at column 0.
   */
  preIndent: boolean;
  /** the client accepts `insertTextMode: asIs` on an item */
  asIs: boolean;
}

export const completion: Feature = {
  capabilities: { completionProvider: { triggerCharacters: [" ", "="] } },
  register({ connection, workspace, clientCapabilities }) {
    connection.onCompletion((params) => {
      const analysis = workspace.analysis(params.textDocument.uri);
      if (!analysis) return null;
      // The symbol index is built only if a name is to be completed.
      return completeAt(analysis, () => workspace.symbols(params.textDocument.uri) ?? { definitions: [], references: [] }, params, readOptions(clientCapabilities()));
    });
  },
};

/** Snippets and Markdown only for clients that say they support them. */
function readOptions(capabilities: ClientCapabilities): Options {
  const completion = capabilities.textDocument?.completion;
  const item = completion?.completionItem;
  const asIs = item?.insertTextModeSupport?.valueSet?.includes(InsertTextMode.asIs) === true;
  const clientAdjusts = completion?.insertTextMode === InsertTextMode.adjustIndentation;
  return {
    snippets: item?.snippetSupport === true,
    markdown: item?.documentationFormat?.includes(MarkupKind.Markdown) === true,
    preIndent: asIs || !clientAdjusts,
    asIs,
  };
}

/** Everything the item builders need about the request. */
interface Request {
  analysis: Analysis;
  symbols: () => SymbolIndex;
  options: Options;
  tokens: readonly Token[];
  /** index of the first token at or after the cursor, or of the word being typed */
  end: number;
  /** the word (or number) being typed, ending at the cursor */
  partial?: Token;
  /** where an item's text goes: the typed part of the partial word, or the cursor */
  range: Range;
  /** the text just before the cursor is `=` with no space */
  tightEquals: boolean;
  /** offsets of the cursor and of the start of its line */
  cursor: number;
  lineStart: number;
}

/**
 * The items at the cursor. The list is marked incomplete wherever the user may go on typing a
 * number: the client then asks again at each keystroke instead of filtering the list it has,
 * so `= 2` never keeps a "2G" from the list that popped up after `=`, and Enter after a digit
 * never commits a value the user did not type.
 */
export function completeAt(analysis: Analysis, symbols: () => SymbolIndex, params: CompletionParams, options: Options): CompletionList {
  const items = itemsAt(analysis, symbols, params, options);
  return { isIncomplete: items.incomplete, items: items.items };
}

function itemsAt(analysis: Analysis, symbols: () => SymbolIndex, params: CompletionParams, options: Options): { items: CompletionItem[]; incomplete: boolean } {
  const complete = (items: CompletionItem[]) => ({ items, incomplete: false });
  const { lines } = analysis.parse;
  const text = lines.text;
  const cursor = lines.offset(params.position);
  // Only the declaration around the cursor: a 50,000-line file is not read from its start.
  const { tokens, comments } = tokensAround(analysis.parse, cursor);
  const inside = (t: Token, closedAtEnd: boolean) => t.startOffset < cursor && (closedAtEnd ? cursor < t.endOffset! + 1 : cursor <= t.endOffset! + 1);
  // Nothing to offer inside a comment or a string.
  if (comments.some((c) => inside(c, c.tokenType !== T.LineComment && c.tokenType !== T.UnterminatedComment))) return complete([]);

  let end = tokens.findIndex((t) => t.endOffset! + 1 >= cursor);
  if (end < 0) end = tokens.length;
  let partial: Token | undefined;
  const touching = tokens[end];
  if (touching && touching.startOffset < cursor) {
    if (touching.tokenType === T.StringLiteral || touching.tokenType === T.UnterminatedString) {
      if (inside(touching, touching.tokenType === T.StringLiteral)) return complete([]);
      end++;
    } else if (touching.tokenType === T.NumberLiteral || touching.tokenType === T.Identifier || T.KEYWORDS.includes(touching.tokenType)) {
      partial = touching;
    } else {
      end++; // punctuation ending at the cursor: it is before it
    }
  }

  const request: Request = {
    analysis,
    symbols,
    options,
    tokens,
    end,
    partial,
    range: { start: partial ? lines.position(partial.startOffset) : params.position, end: params.position },
    tightEquals: !partial && text[cursor - 1] === "=",
    cursor,
    lineStart: lines.offset({ line: params.position.line, character: 0 }),
  };
  const expectation = expectationAt(tokens, end, params.position.line);

  if (partial?.tokenType === T.NumberLiteral) return { items: unitItems(request, expectation, text.slice(partial.startOffset, cursor)), incomplete: true };

  // Typing a space (or `=`) pops completion up only where a choice is due, not after every word.
  if (params.context?.triggerKind === CompletionTriggerKind.TriggerCharacter && expectation.kind === "item") {
    const previous = tokens[end - 1];
    const afterBrace = previous?.tokenType === T.LCurly && previous.startOffset >= request.lineStart;
    if (!afterBrace) return complete([]);
  }
  let items = itemsFor(request, expectation);
  // A list that pops up by itself (after a typed space or `=`) holds no number: the user is
  // about to type one, and the list would filter down to it ("2" → "2G") for Enter to take.
  // Numbers (sizes, ranges) come on explicit invocation (Ctrl+Space).
  if (params.context?.triggerKind === CompletionTriggerKind.TriggerCharacter && (expectation.kind === "value" || expectation.kind === "number")) items = items.filter((i) => !startsWithDigit(i));
  return { items, incomplete: items.some(startsWithDigit) };
}

function startsWithDigit(item: CompletionItem): boolean {
  return /^[0-9]/.test(item.label);
}

function itemsFor(request: Request, expectation: Expectation): CompletionItem[] {
  switch (expectation.kind) {
    case "item":
      return itemStart(request, expectation.frame);
    case "value":
      return valueItems(request, expectation.frame, expectation.attribute, expectation.inList);
    case "reference":
      return referenceItems(request, expectation.target, expectation.frame);
    case "keyword":
      return expectation.words.map((word) => plain(request, word, CompletionItemKind.Keyword));
    case "choice":
      return expectation.words.map((word) => plain(request, word, CompletionItemKind.EnumMember));
    case "number":
      if (expectation.role === "size") return stepSizes(request, expectation.frame, expectation.device);
      return expectation.role === "bound" && request.tokens[request.end - 1]?.tokenType === T.Convert ? convertRanges(request, expectation.frame) : [];
    case "none":
      return [];
  }
}

// ---- building items ---------------------------------------------------------------------

/** A snippet, or its plain text (first choice, placeholders' defaults) for clients without snippets. */
function item(request: Request, label: string, kind: CompletionItemKind, snippet: string, extra: Partial<CompletionItem> = {}): CompletionItem {
  const lead = request.tightEquals ? " " : "";
  const text = plainText(snippet);
  const isSnippet = request.options.snippets && snippet !== escapeSnippet(text);
  let newText = lead + (isSnippet ? snippet : text);
  const multiLine = /[\n\t]/.test(newText);
  if (multiLine && request.options.preIndent) newText = newText.replace(/\t/g, indentUnit(request)).replace(/\n/g, `\n${lineIndentation(request)}`);
  const result: CompletionItem = { label, kind, textEdit: { range: request.range, newText }, ...extra };
  if (isSnippet) result.insertTextFormat = InsertTextFormat.Snippet;
  if (multiLine && request.options.asIs) result.insertTextMode = InsertTextMode.asIs;
  return result;
}

/** The file's unit of indentation: that of its first indented line (a tab, or N spaces); else the formatter's two spaces. */
function indentUnit(request: Request): string {
  // The first 64 KiB tell: a 50,000-line file is not scanned.
  const indentation = /(?:^|\n)([ \t]+)\S/.exec(request.analysis.parse.lines.text.slice(0, 64 * 1024))?.[1];
  if (!indentation) return "  ";
  return indentation.startsWith("\t") ? "\t" : indentation.slice(0, Math.min(indentation.length, 8));
}

/** The leading whitespace of the cursor's line (before the cursor). */
function lineIndentation(request: Request): string {
  const text = request.analysis.parse.lines.text;
  let end = request.lineStart;
  while (end < request.cursor && (text[end] === " " || text[end] === "\t")) end++;
  return text.slice(request.lineStart, end);
}

function plain(request: Request, word: string, kind: CompletionItemKind, extra: Partial<CompletionItem> = {}): CompletionItem {
  return item(request, word, kind, escapeSnippet(word), extra);
}

function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, (c) => "\\" + c);
}

/** `${1:x}` → x, `${1|a,b|}` → a, `$0` → nothing. */
export function plainText(snippet: string): string {
  return snippet
    .replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, "$1")
    .replace(/\$\{\d+:([^}]*)\}/g, "$1")
    .replace(/\$\{\d+\}|\$\d+/g, "")
    .replace(/\\([$}\\])/g, "$1");
}

function documentation(request: Request, markdown: string): CompletionItem["documentation"] {
  return request.options.markdown ? { kind: MarkupKind.Markdown, value: markdown } : markdown.replace(/`/g, "");
}

// ---- the start of an item -----------------------------------------------------------------

const BLOCKS: Partial<Record<Frame["kind"], { label: string; snippet: (fresh: (base: string) => string, sizes: BlockValues) => string; detail: string; doc: string; repeatable?: boolean }[]>> = {
  host: [
    { label: "iommu", snippet: () => "iommu {\n\t$0\n}", detail: "iommu { … }", doc: "The host IOMMU: vendor, page sizes, address width, interrupt remapping, reserved ranges." },
    { label: "vfio", snippet: () => "vfio {\n\t$0\n}", detail: "vfio { … }", doc: "The host's VFIO settings: backend, DMA entry limit, accounting." },
    { label: "hugepages", snippet: () => "hugepages {\n\t${1:2M} = ${2:0}\n\t${3:1G} = ${4:0}\n}", detail: "hugepages { SIZE = COUNT }", doc: "The host's free huge page pools, in pages." },
  ],
  vm: [
    { label: "virtio-mem", snippet: (f, v) => `virtio-mem \${1:${f("vmem")}} {\n\tsize = \${2:${v.virtioMemSize}}\n\t$0\n}`, detail: "virtio-mem NAME { … }", doc: "A virtio-mem-pci device with its own memory backend.", repeatable: true },
    { label: "vfio", snippet: (f) => `vfio \${1:${f("dev")}} {\n\t$0\n}`, detail: "vfio NAME { … }", doc: "A vfio-pci device (an assigned host PCI device).", repeatable: true },
    { label: "dimm", snippet: (f, v) => `dimm \${1:${f("dimm")}} {\n\tsize = \${2:${v.dimmSize}}\n}`, detail: "dimm NAME { size = SIZE }", doc: "A pc-dimm with its own RAM backend, plugged at boot.", repeatable: true },
    { label: "numa", snippet: (_, v) => `numa {\n\tnode 0 {\n\t\tmemory = \${1:${v.numaHalves[0]}}\n\t}\n\tnode 1 {\n\t\tmemory = \${2:${v.numaHalves[1]}}\n\t}\n}`, detail: "numa { node N { memory = SIZE } }", doc: "The guest's NUMA nodes (`-numa node,nodeid=N,memdev=…`); their memory adds up to the VM's `memory`." },
  ],
  numa: [
    { label: "node", snippet: (_, v) => `node \${1:${v.nodeId}} {\n\tmemory = \${2:${v.nodeMemory}}\n}`, detail: "node N { memory = SIZE }", doc: "A NUMA node (`-numa node,nodeid=N`) with its share of boot RAM.", repeatable: true },
  ],
  iommu: [
    { label: "reserved", snippet: () => "reserved ${1:name} = ${2:0xfee00000} .. ${3:0xfef00000}", detail: "reserved NAME = RANGE", doc: "A reserved IOVA range; declared ranges replace the vendor's defaults (the MSI window).", repeatable: true },
  ],
};

const STEPS: { label: string; snippet: string; detail: string; doc: string }[] = [
  { label: "resize", snippet: "resize ${1:device} to ${2:size}", detail: "resize VMEM to SIZE", doc: "Set a virtio-mem device's `requested-size`; the guest plugs or unplugs blocks." },
  { label: "convert", snippet: "convert ${1:0} .. ${2:256M} to ${3|shared,private|}", detail: "convert RANGE to shared|private", doc: "The confidential guest converts that guest-physical range." },
  { label: "hotplug", snippet: "hotplug vfio ${1:name} {\n\t$0\n}", detail: "hotplug vfio NAME { … }", doc: "Add a vfio-pci device." },
  { label: "unplug", snippet: "unplug ${1:device}", detail: "unplug NAME", doc: "Remove a hot-plugged or boot-time vfio device." },
  { label: "migrate", snippet: "migrate to ${1:host} ${2|precopy,postcopy|}", detail: "migrate to HOST precopy|postcopy", doc: "Migrate the VM to that host; the VM then runs there." },
  { label: "viommu-map", snippet: "viommu-map ${1:device} ${2:count} x ${3:4K}", detail: "viommu-map DEVICE COUNT x SIZE", doc: "The guest keeps COUNT live vIOMMU mappings of SIZE for that device." },
];

function itemStart(request: Request, frame: Frame): CompletionItem[] {
  if (frame.kind === "top") return topLevel(request, frame.declarations > 0);
  if (frame.kind === "scenario") {
    return STEPS.map((s, i) => item(request, s.label, CompletionItemKind.Snippet, s.snippet, { detail: s.detail, documentation: documentation(request, s.doc), sortText: `0${i}` }));
  }
  const contents = blockContents(request.tokens, frame.open, request.partial ? request.end : -1);
  const items: CompletionItem[] = [];
  const context = attributeContext(frame.kind);
  if (context) {
    const cursor = request.analysis.parse.lines.position(request.cursor);
    SCHEMA[context].forEach((spec, i) => {
      if (contents.attributes.has(spec.name)) return;
      // The value right for this VM where the schema's default is not (completion-values.ts).
      const contextual = contextualValue(request.analysis, frame.vm, context, spec.name, cursor);
      if (contextual !== null) items.push(attributeItem(request, context, spec, i, contextual));
    });
  }
  if (frame.kind === "hugepages") {
    for (const size of ["2M", "1G"]) {
      if (!contents.blocks.has(size)) items.push(item(request, size, CompletionItemKind.Property, `${size} = \${1:0}`, { detail: `${size} = COUNT`, documentation: documentation(request, `Free ${size} huge pages in the host's pool.`) }));
    }
  }
  const fresh = (base: string) => {
    for (let n = 0; ; n++) if (!contents.names.has(`${base}${n}`)) return `${base}${n}`;
  };
  // Sizes that fit this VM (completion-values.ts), so that a new block brings no error of its own.
  const sizes = blockValues(request.analysis, frame.vm);
  (BLOCKS[frame.kind] ?? []).forEach((block, i) => {
    if (!block.repeatable && contents.blocks.has(block.label)) return;
    items.push(item(request, block.label, CompletionItemKind.Module, block.snippet(fresh, sizes), { detail: block.detail, documentation: documentation(request, block.doc), sortText: `2${i}` }));
  });
  // A block left open at the end of what is written, and a word typed at the start of a
  // line: the user may well be starting a new declaration.
  const column = (request.partial?.startOffset ?? request.cursor) - request.lineStart;
  if (!contents.closed && column === 0) items.push(...topLevel(request, true));
  return items;
}

function topLevel(request: Request, afterDeclarations: boolean): CompletionItem[] {
  const hosts = names(request, "host");
  const vms = names(request, "vm");
  const choice = (values: string[], fallback: string) => (values.length > 0 ? `|${values.map(escapeChoice).join(",")}|` : `:${fallback}`);
  const items = [
    item(request, "host", CompletionItemKind.Snippet, "host ${1:name} {\n\t$0\n}", { detail: "host NAME { … }", documentation: documentation(request, "A host: QEMU and kernel versions, IOMMU, VFIO, memory limits, huge pages."), sortText: "10" }),
    item(request, "vm", CompletionItemKind.Snippet, `vm \${1:name} on \${2${choice(hosts.length > 0 ? hosts : ["default"], "default")}} {\n\tmemory = \${3:16G}\n\t$0\n}`, { detail: "vm NAME on HOST { … }", documentation: documentation(request, "A VM placed on a host: machine, memory, devices."), sortText: "11" }),
    item(request, "scenario", CompletionItemKind.Snippet, `scenario \${1:name} for \${2${choice(vms, "vm")}} {\n\t$0\n}`, { detail: "scenario NAME for VM { … }", documentation: documentation(request, "A timeline of steps replayed on a fresh copy of the VM."), sortText: "12" }),
  ];
  // Imports come before every declaration (LANGUAGE.md).
  if (!afterDeclarations) items.unshift(item(request, "import", CompletionItemKind.Snippet, 'import "${1:file.vmtopo}"', { detail: 'import "PATH"', documentation: documentation(request, "Makes the hosts, VMs and scenarios of another file visible."), sortText: "09" }));
  return items;
}

function escapeChoice(value: string): string {
  return value.replace(/[$}\\,|]/g, (c) => "\\" + c);
}

// ---- attributes and values -------------------------------------------------------------------

function typeSummary(type: ValueType): string {
  switch (type.kind) {
    case "enum":
    case "page-size":
      return type.values.join(" | ");
    case "bool":
      return "on | off";
    case "size-or-unlimited":
      return "size | unlimited";
    case "size-list":
      return "list of sizes";
    case "version":
      return "version string";
    default:
      return type.kind;
  }
}

/** The default as a value that can be written, when the schema's default is one (`46 (x86_64), …` → 46). */
function literalDefault(spec: AttributeSpec): string | undefined {
  const match = spec.default === undefined ? null : /^(\S+?)(?: \(x86_64\).*)?$/.exec(spec.default);
  const word = match?.[1];
  return word !== undefined && fits(spec.type, word) ? word : undefined;
}

function fits(type: ValueType, word: string): boolean {
  switch (type.kind) {
    case "enum":
    case "page-size":
      return type.values.includes(word);
    case "bool":
      return word === "on" || word === "off";
    case "size":
      return /^[0-9]+[KMGTPE]?$/.test(word);
    case "size-or-unlimited":
      return word === "unlimited" || /^[0-9]+[KMGTPE]?$/.test(word);
    case "integer":
      return /^[0-9]+$/.test(word);
    case "version":
    case "string":
      return /^".*"$/.test(word);
    case "bandwidth":
      return /^[0-9]+[KMGT]bit$/.test(word);
    case "size-list":
      return false;
  }
}

/** Values to start from where the default is not a value (`the VM's`, `memory`) or there is none. */
const VALUE_SNIPPETS: Readonly<Record<string, string>> = {
  "block-size": "${1:2M}",
  maxmem: "${1:64G}",
  "max-ram-below-4g": "${1:2G}",
  "page-sizes": "[${1:4K}, ${2:2M}, ${3:1G}]",
  host: '"${1:0000:00:00.0}"',
};

function valueSnippet(context: Context, spec: AttributeSpec, contextual?: string): string | undefined {
  const fallback = contextual ?? literalDefault(spec);
  const type = spec.type;
  if (type.kind === "enum" || type.kind === "bool" || (type.kind === "page-size" && fallback)) {
    // A choice of every value, the default first.
    const values = type.kind === "bool" ? ["on", "off"] : [...type.values];
    if (fallback) values.sort((a, b) => Number(b === fallback) - Number(a === fallback));
    return `\${1|${values.map(escapeChoice).join(",")}|}`;
  }
  if (fallback) return `\${1:${escapeSnippet(fallback)}}`;
  if (spec.name === "memory" || spec.name === "size") return `\${1:${context === "dimm" ? "1G" : context === "host" ? "256G" : "16G"}}`;
  return VALUE_SNIPPETS[spec.name];
}

function attributeDoc(spec: AttributeSpec): string {
  const lines = [spec.doc.endsWith(".") ? spec.doc : `${spec.doc}.`, "", `Value: ${typeSummary(spec.type).split(" | ").map((v) => `\`${v}\``).join(" | ")}`];
  if (spec.required) lines.push("", "Required.");
  else if (spec.default !== undefined) lines.push("", `Default: ${fits(spec.type, spec.default) ? `\`${spec.default}\`` : spec.default}`);
  return lines.join("\n");
}

/** `name = ` and a snippet of the value to start from; with none, the values are suggested next. */
function attributeItem(request: Request, context: Context, spec: AttributeSpec, index: number, contextual?: string): CompletionItem {
  const value = valueSnippet(context, spec, contextual);
  const suggestAfter = value === undefined;
  return item(request, spec.name, CompletionItemKind.Property, `${spec.name} = ${value ?? ""}`, {
    detail: `${spec.name} = ${typeSummary(spec.type)}`,
    documentation: documentation(request, attributeDoc(spec)),
    sortText: `${spec.required ? 0 : 1}${String(index).padStart(2, "0")}`,
    ...(suggestAfter ? { command: { title: "Suggest values", command: "editor.action.triggerSuggest" } } : {}),
  });
}

const MEMORY_SIZES = ["1G", "2G", "4G", "8G", "16G", "32G", "64G", "128G", "256G"];
const SIZE_SUGGESTIONS: Readonly<Record<string, readonly string[]>> = {
  "block-size": ["2M", "4M", "8M", "16M", "32M", "64M", "128M", "256M", "512M", "1G"],
  "viommu-page-size": ["4K", "64K", "2M", "1G"],
  requested: ["0", ...MEMORY_SIZES],
  "max-ram-below-4g": ["512M", "1G", "2G", "2816M", "3G"],
  memlock: ["64M", "1G", ...MEMORY_SIZES.slice(2)],
};
const BANDWIDTHS = ["1Gbit", "10Gbit", "25Gbit", "40Gbit", "100Gbit", "200Gbit", "400Gbit"];

function specFor(frame: Frame, attribute: string): AttributeSpec | undefined {
  const context = attributeContext(frame.kind);
  return context ? SCHEMA[context].find((s) => s.name === attribute) : undefined;
}

function valueItems(request: Request, frame: Frame, attribute: string, inList: boolean): CompletionItem[] {
  if (frame.kind === "iommu" && attribute === "reserved") {
    return [item(request, "0xfee00000 .. 0xfef00000", CompletionItemKind.Value, "${1:0xfee00000} .. ${2:0xfef00000}", { detail: "the x86 MSI window" })];
  }
  const spec = specFor(frame, attribute);
  if (!spec) return [];
  const fallback = literalDefault(spec);
  const value = (v: string, kind: CompletionItemKind, i: number) =>
    plain(request, v, kind, { sortText: String(i).padStart(3, "0"), ...(v === fallback ? { detail: "default", ...(/^[0-9]/.test(v) ? {} : { preselect: true }) } : {}) });
  const type = spec.type;
  switch (type.kind) {
    case "enum":
      return type.values.map((v, i) => value(v, CompletionItemKind.EnumMember, i));
    case "bool":
      return ["on", "off"].map((v, i) => value(v, CompletionItemKind.EnumMember, i));
    case "page-size":
      return type.values.map((v, i) => value(v, CompletionItemKind.Value, i));
    case "size-or-unlimited":
      return [value("unlimited", CompletionItemKind.EnumMember, 0), ...(SIZE_SUGGESTIONS[spec.name] ?? MEMORY_SIZES).map((v, i) => value(v, CompletionItemKind.Value, i + 1))];
    case "size":
      return (SIZE_SUGGESTIONS[spec.name] ?? MEMORY_SIZES).map((v, i) => value(v, CompletionItemKind.Value, i));
    case "size-list":
      if (inList) return ["4K", "16K", "64K", "2M", "32M", "512M", "1G"].map((v, i) => value(v, CompletionItemKind.Value, i));
      return [item(request, "[4K, 2M, 1G]", CompletionItemKind.Value, "[${1:4K}, ${2:2M}, ${3:1G}]", { detail: "x86 page sizes" }), item(request, "[4K, 2M]", CompletionItemKind.Value, "[${1:4K}, ${2:2M}]"), item(request, "[4K, 64K, 2M, 512M]", CompletionItemKind.Value, "[4K, 64K, 2M, 512M]", { detail: "SMMUv3 with 64K granule" })];
    case "bandwidth":
      return BANDWIDTHS.map((v, i) => value(v, CompletionItemKind.Value, i));
    case "integer":
    case "version":
      return fallback ? [value(fallback, CompletionItemKind.Value, 0)] : [];
    case "string":
      return spec.name === "host" ? [item(request, '"0000:00:00.0"', CompletionItemKind.Value, '"${1:0000:00:00.0}"', { detail: "host PCI address" })] : [];
  }
}

// ---- numbers: units, and sizes in steps -------------------------------------------------------

const SIZE_UNITS = ["K", "M", "G", "T", "P", "E"];
const BANDWIDTH_UNITS = ["Kbit", "Mbit", "Gbit", "Tbit"];

/**
 * Units for a number being typed, only where they cannot change it: once the user has typed
 * the unit's first letter (`16G` → `16G`, `16GiB`), never after bare digits, where a bare
 * integer already means bytes (or a count) and Enter must end the line, not add a unit.
 */
function unitItems(request: Request, expectation: Expectation, typed: string): CompletionItem[] {
  const match = /^([0-9][0-9_]*(?:\.[0-9][0-9_]*)?)([A-Za-z]*)$/.exec(typed);
  if (!match || /^0[xX]/.test(typed) || match[2] === "") return [];
  const [, digits, begun] = match;
  let units: { unit: string; detail: string }[];
  const sizes = [
    ...SIZE_UNITS.map((u, i) => ({ unit: u, detail: `× 1024^${i + 1} bytes` })),
    ...SIZE_UNITS.map((u, i) => ({ unit: `${u}iB`, detail: `× 1024^${i + 1} bytes` })),
  ];
  switch (expectation.kind) {
    case "value": {
      const spec = specFor(expectation.frame, expectation.attribute);
      if (expectation.frame.kind === "hugepages" && expectation.attribute !== "reserved") return []; // a pool's page count
      const kind = spec?.type.kind;
      if (kind === "integer" || kind === "string" || kind === "version" || kind === "enum" || kind === "bool") return [];
      units = kind === "bandwidth" ? BANDWIDTH_UNITS.map((u, i) => ({ unit: u, detail: `× 1000^${i + 1} bits per second` })) : sizes;
      break;
    }
    case "number":
      if (expectation.role === "count") return [];
      units = sizes;
      break;
    case "item":
      if (expectation.frame.kind !== "hugepages") return [];
      units = sizes;
      break;
    default:
      return [];
  }
  // `16G` may become `16GiB`, never `16GB` → … : the same value, only spelt out.
  return units
    .filter(({ unit }) => unit.startsWith(begun) && (unit.length === begun.length || unit.slice(0, 1) === begun.slice(0, 1)))
    .map(({ unit, detail }, i) => ({
      label: unit,
      kind: CompletionItemKind.Unit,
      detail,
      filterText: digits + unit,
      sortText: String(i).padStart(2, "0"),
      textEdit: { range: request.range, newText: digits + unit },
    }));
}

/** `resize vmem0 to ‸`: nothing plugged, or the whole device; `viommu-map d 16 x ‸`: page sizes. */
function stepSizes(request: Request, frame: Frame, device: string | undefined): CompletionItem[] {
  const vm = frame.vm === undefined ? undefined : request.analysis.program.vms.get(frame.vm)?.decl;
  const decl = vm?.items.find((i) => i.kind === "device" && i.name.text === device);
  if (decl?.kind === "device" && decl.deviceKind === "virtio-mem") {
    const size = decl.attributes.find((a) => a.name.text === "size")?.value;
    const values = ["0", ...(size?.kind === "size" || size?.kind === "integer" ? [size.text] : [])];
    return values.map((v, i) => plain(request, v, CompletionItemKind.Value, { sortText: String(i), detail: i === 0 ? "unplug everything" : "the device's size" }));
  }
  return ["4K", "2M", "1G"].map((v, i) => plain(request, v, CompletionItemKind.Value, { sortText: String(i) }));
}

/**
 * `convert ‸`: ranges of the VM's boot RAM, the only memory a conversion may touch (VT402):
 * a first 256 MiB (bounce buffers), all RAM below 4 GiB, all RAM above it.
 */
function convertRanges(request: Request, frame: Frame): CompletionItem[] {
  const vm = frame.vm === undefined ? undefined : request.analysis.vms.find((a) => a.vm.name === frame.vm);
  if (!vm || vm.vm.memory <= 0) return [];
  const { belowMemory, aboveStart, aboveMemory } = vm.layout;
  const ranges: { start: number; end: number; detail: string }[] = [];
  const lowStart = vm.vm.machine === "virt" ? aboveStart : 0;
  const lowEnd = vm.vm.machine === "virt" ? aboveStart + aboveMemory : belowMemory;
  if (lowEnd - lowStart > 256 * 2 ** 20) ranges.push({ start: lowStart, end: lowStart + 256 * 2 ** 20, detail: "the first 256 MiB of RAM" });
  if (lowEnd > lowStart) ranges.push({ start: lowStart, end: lowEnd, detail: vm.vm.machine === "virt" ? "all boot RAM" : "all RAM below 4 GiB" });
  if (vm.vm.machine !== "virt" && aboveMemory > 0) ranges.push({ start: aboveStart, end: aboveStart + aboveMemory, detail: "all RAM above 4 GiB" });
  return ranges.map((r, i) => {
    const text = `${sizeLiteral(r.start)} .. ${sizeLiteral(r.end)}`;
    return item(request, text, CompletionItemKind.Value, `${escapeSnippet(text)} to \${1|shared,private|}`, { detail: r.detail, sortText: String(i), filterText: text });
  });
}

// ---- references ------------------------------------------------------------------------------

/**
 * Hosts or VMs declared in the document and the files it imports, for a snippet's choice:
 * straight from the program (no symbol index to build), and at most CHOICES of them, since
 * a fleet's thousands of names make no usable choice.
 */
function names(request: Request, kind: "host" | "vm"): string[] {
  const declared = kind === "host" ? request.analysis.program.hosts : request.analysis.program.vms;
  const out: string[] = [];
  for (const name of declared.keys()) {
    if (out.length === CHOICES) break;
    out.push(name);
  }
  return out;
}
const CHOICES = 50;

function shortFile(request: Request, file: string): string {
  return file === request.analysis.path ? "" : ` (${file.slice(file.lastIndexOf("/") + 1)})`;
}

function referenceItems(request: Request, target: "host" | "vm" | "virtio-mem" | "vfio-device", frame: Frame): CompletionItem[] {
  if (target === "host" || target === "vm") {
    const seen = new Set<string>();
    const items: CompletionItem[] = [];
    for (const d of request.symbols().definitions) {
      if (d.kind !== target || seen.has(d.name)) continue;
      seen.add(d.name);
      items.push(plain(request, d.name, target === "host" ? CompletionItemKind.Module : CompletionItemKind.Class, { detail: d.detail + shortFile(request, d.file) }));
    }
    if (target === "host" && !seen.has("default")) {
      items.push(plain(request, "default", CompletionItemKind.Module, { detail: "built-in host", documentation: documentation(request, "The built-in host: x86_64, Intel VT-d, type1, 65,535 entries, unlimited memlock."), sortText: "~" }));
    }
    return items;
  }
  const vm = frame.vm === undefined ? undefined : request.analysis.program.vms.get(frame.vm)?.decl;
  const items: CompletionItem[] = [];
  const wanted = target === "virtio-mem" ? "virtio-mem" : "vfio";
  for (const device of vm?.items ?? []) {
    if (device.kind !== "device" || device.name.missing || device.deviceKind !== wanted) continue;
    if (target === "vfio-device" && frame.unplugged.includes(device.name.text)) continue;
    items.push(plain(request, device.name.text, CompletionItemKind.Field, { detail: `${device.deviceKind} of ${vm!.name.text}` }));
  }
  if (target === "vfio-device") {
    for (const name of new Set(frame.hotplugged)) {
      if (frame.unplugged.includes(name) || items.some((i) => i.label === name)) continue;
      items.push(plain(request, name, CompletionItemKind.Field, { detail: "vfio, hot-plugged earlier in this scenario" }));
    }
  }
  return items;
}
