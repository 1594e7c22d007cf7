// Quick fixes that compute the right value for a diagnostic: a virtio-mem block size that
// passes QEMU's start-up check, iommufd instead of type1, a size rounded to whole blocks,
// enough phys-bits, a suggested name, a memlock that covers what is pinned.
//
// Every fix is an edit of the source text that keeps its style (an inserted attribute goes
// on its own line, indented like its siblings). A fix that picks a value is checked before
// it is offered: the edited files are analysed again, and the fix is kept only if its
// diagnostic goes away and no new error appears. The block size is found that way, by
// trying 2×, 4×, ... the current one, so a formula of ours can never offer a wrong value.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic, type TextEdit } from "vscode-languageserver";
import type * as A from "../../../../grammar/src/index";
import type { LineIndex, Range } from "../../../../grammar/src/index";
import { analyzeText, type Analysis, type EngineOptions } from "../../engine/analyze";
import type { Program, SourceReader } from "../../engine/program";
import type { EngineDiagnostic } from "../../engine/sink";
import type { VmAnalysis } from "../../engine/vm-analysis";
import type { Feature, ServerContext } from "../context";
import { pathToUri } from "../convert";
import { sizeLiteral } from "../size-literal";

const GiB = 2 ** 30;

export const codeActions: Feature = {
  capabilities: { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] } },
  register(context: ServerContext) {
    context.connection.onCodeAction((params) => quickFixes(context, params));
  },
};

const computed = new WeakMap<Analysis, Map<string, Fix[]>>();

function quickFixes(context: ServerContext, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((kind) => kind === "" || kind === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${kind}.`))) return [];
  const uri = params.textDocument.uri;
  const analysis = context.workspace.analysis(uri);
  if (!analysis) return [];
  const session = new FixSession(uri, analysis, context.workspace.reader, {
    versions: { qemu: context.settings.current.defaultQemuVersion, kernel: context.settings.current.defaultKernelVersion },
  });
  // Checking a fix analyses the edited text again; the cursor resting on a diagnostic asks
  // for its fixes again and again, so they are kept while the analysis is current.
  let cached = computed.get(analysis);
  if (!cached) computed.set(analysis, (cached = new Map()));
  const actions: CodeAction[] = [];
  for (const client of params.context.diagnostics) {
    if (client.source !== undefined && client.source !== "vmtopo") continue;
    // The engine's own diagnostic at that place (fresh data, even if the client drops `data`).
    const here = analysis.diagnostics.filter((d) => d.code === String(client.code) && sameRange(d.range, client.range));
    const diagnostic = here.find((d) => d.message === client.message) ?? here[0];
    if (!diagnostic) continue;
    const key = `${diagnostic.code}@${diagnostic.range.start.line}:${diagnostic.range.start.character}-${diagnostic.range.end.line}:${diagnostic.range.end.character} ${diagnostic.message}`;
    let fixes = cached.get(key);
    if (!fixes) cached.set(key, (fixes = FIXERS[diagnostic.code]?.(session, diagnostic) ?? []));
    const preferred = fixes.findIndex((f) => f.preferred);
    fixes.forEach((fix, i) => actions.push(session.toAction(fix, client, i === (preferred < 0 ? 0 : preferred))));
  }
  return actions;
}

// ---- fixes -----------------------------------------------------------------------------

interface Edit {
  path: string;
  start: number;
  end: number;
  text: string;
}

interface Fix {
  title: string;
  edits: Edit[];
  preferred?: boolean;
}

type Fixer = (session: FixSession, diagnostic: EngineDiagnostic) => Fix[];

const FIXERS: Record<string, Fixer> = {
  VT201: fixStartupCheck,
  VT105: fixMultiple,
  VT106: fixMultiple,
  VT404: fixResize,
  VT110: fixPhysBits,
  VT002: fixName,
  VT005: fixName,
  VT405: fixName,
  VT203: fixMemlock,
};

/** VT201: a larger virtio-mem block size (the smallest that passes), or iommufd. */
function fixStartupCheck(session: FixSession, d: EngineDiagnostic): Fix[] {
  const fixes: Fix[] = [];
  const boot = session.vmContaining(d.range);
  const hotplug = boot ? undefined : session.hotplugStepAt(d.range);
  const vmAnalysis = boot ?? hotplug?.vm;
  if (!vmAnalysis) return [];
  const vm = vmAnalysis.vm;

  // the device QEMU's message is about: the engine names it; for a hot-plug, the largest
  const named = typeof d.data?.device === "string" ? vm.virtioMem.find((v) => v.name === d.data!.device) : undefined;
  const device = boot ? named : [...vm.virtioMem].sort((a, b) => b.size / b.blockSize - a.size / a.blockSize)[0];
  if (device && device.size > 0) {
    const block = deviceBlock(device.decl);
    const existing = attributeOf(block, "block-size");
    for (let candidate = nextPowerOfTwo(device.blockSize); candidate <= device.size && device.size % candidate === 0; candidate *= 2) {
      const literal = sizeLiteral(candidate, unitSuffix(existing?.value));
      const edit = session.setAttribute(vm.file, block, "block-size", literal, ["size"]);
      if (!edit) break;
      if (session.fixes(d, [edit])) {
        fixes.push({ title: `Raise block-size of '${device.name}' to ${literal}`, edits: [edit], preferred: true });
        break;
      }
    }
  }

  const iommufd = hotplug ? session.iommufdOnDevices([hotplug.block]) : session.iommufdFor(vmAnalysis, d);
  const valid = iommufd.filter((fix) => session.fixes(d, fix.edits));
  if (valid.length > 0) fixes.push(valid[0]);
  return fixes;
}

/** VT105 / VT106: round `requested` or `size` to a multiple of the block size. */
function fixMultiple(session: FixSession, d: EngineDiagnostic): Fix[] {
  const multiple = numberData(d, "multiple");
  if (multiple === undefined) return [];
  const vmAnalysis = session.vmContaining(d.range);
  const device = vmAnalysis?.vm.virtioMem.find((v) => containsRange(v.decl.range, d.range));
  if (!vmAnalysis || !device) return [];
  const name = d.code === "VT105" ? "requested" : "size";
  const attribute = attributeOf(deviceBlock(device.decl), name);
  if (!attribute || !sameRange(attribute.value.range, d.range)) return [];
  return roundingFixes(session, d, vmAnalysis.vm.file, attribute.value, multiple, name, d.code === "VT106" ? "down" : device.size);
}

/** VT404: a resize to whole blocks, or to at most the device's size. */
function fixResize(session: FixSession, d: EngineDiagnostic): Fix[] {
  const step = session.resizeStepAt(d.range);
  if (!step) return [];
  const maximum = numberData(d, "maximum");
  if (maximum !== undefined) {
    const literal = sizeLiteral(maximum, unitSuffix(step.size));
    const edit = session.replace(session.path, step.size.range, literal);
    return session.fixes(d, [edit]) ? [{ title: `Resize to the device's size, ${literal}`, edits: [edit], preferred: true }] : [];
  }
  const multiple = numberData(d, "multiple");
  if (multiple === undefined) return [];
  const device = step.vm?.vm.virtioMem.find((v) => v.name === step.step.device.text);
  return roundingFixes(session, d, session.path, step.size, multiple, "resize", device?.size);
}

/**
 * The nearest multiples below and above. Preferred: the one that stays within the device's
 * size, the nearer if both do (`"down"`: always the one below, for the size itself).
 */
function roundingFixes(session: FixSession, d: EngineDiagnostic, path: string, value: A.Value, multiple: number, what: string, within: number | "down" | undefined): Fix[] {
  const current = value.kind === "size" ? value.bytes : value.kind === "integer" ? value.value : null;
  if (current === null || multiple <= 0) return [];
  const below = Math.floor(current / multiple) * multiple;
  const above = Math.ceil(current / multiple) * multiple;
  const candidates = [
    { direction: "down", bytes: below },
    { direction: "up", bytes: above },
  ].filter((c, i, all) => c.bytes !== current && all.findIndex((o) => o.bytes === c.bytes) === i && Number.isSafeInteger(c.bytes));
  const fixes = candidates.flatMap(({ direction, bytes }) => {
    const literal = sizeLiteral(bytes, unitSuffix(value));
    const edit = session.replace(path, value.range, literal);
    return session.fixes(d, [edit]) ? [{ title: `Round ${what} ${direction} to ${literal}`, edits: [edit], bytes }] : [];
  });
  const fits = (bytes: number) => within === undefined || within === "down" || bytes <= within;
  const ranked = [...fixes].sort((a, b) => {
    if (fits(a.bytes) !== fits(b.bytes)) return fits(a.bytes) ? -1 : 1;
    if (within === "down") return a.bytes - b.bytes;
    return Math.abs(a.bytes - current) - Math.abs(b.bytes - current) || a.bytes - b.bytes;
  });
  return fixes.map((f) => ({ title: f.title, edits: f.edits, preferred: f === ranked[0] }));
}

/** VT110: give the VM the phys-bits its layout needs. */
function fixPhysBits(session: FixSession, d: EngineDiagnostic): Fix[] {
  const needed = numberData(d, "needed");
  const vmAnalysis = session.vmContaining(d.range);
  if (needed === undefined || !vmAnalysis) return [];
  const edit = session.setAttribute(vmAnalysis.vm.file, vmBlock(vmAnalysis.vm.decl), "phys-bits", String(needed), ["maxmem", "memory", "cpu"]);
  return edit && session.fixes(d, [edit]) ? [{ title: `Set phys-bits = ${needed}`, edits: [edit], preferred: true }] : [];
}

/** VT002 / VT005 / VT405: the name the message suggests. */
function fixName(session: FixSession, d: EngineDiagnostic): Fix[] {
  const suggestion = d.data?.suggestion;
  if (typeof suggestion !== "string" || suggestion === "") return [];
  return [{ title: `Change to '${suggestion}'`, edits: [session.replace(session.path, d.range, suggestion)], preferred: true }];
}

/** VT203: a memlock that covers what is pinned, rounded up to a whole GiB. */
function fixMemlock(session: FixSession, d: EngineDiagnostic): Fix[] {
  const pinned = numberData(d, "pinned");
  if (pinned === undefined) return [];
  const hostName = session.hostAt(d.range);
  const declared = hostName === undefined ? undefined : session.program.hosts.get(hostName);
  if (!declared) return [];
  const block = hostBlock(declared.decl);
  const existing = attributeOf(block, "memlock");
  const literal = sizeLiteral(Math.ceil(pinned / GiB) * GiB, unitSuffix(existing?.value));
  const edit = session.setAttribute(declared.file, block, "memlock", literal, ["memory", "phys-bits", "qemu", "kernel"]);
  if (!edit || !session.fixes(d, [edit])) return [];
  return [{ title: `Raise memlock of host '${hostName}' to ${literal}`, edits: [edit], preferred: true }];
}

function numberData(d: EngineDiagnostic, key: string): number | undefined {
  const value = d.data?.[key];
  return typeof value === "number" && Number.isSafeInteger(value) ? value : undefined;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p <= n) p *= 2;
  return p;
}

/** "iB" for `2MiB`, "B" for `2MB`, "" otherwise. */
function unitSuffix(value: A.Value | undefined): string {
  if (value?.kind !== "size") return "";
  return value.unit.endsWith("iB") ? "iB" : value.unit.endsWith("B") ? "B" : "";
}

// ---- the session: text, AST lookups, edits and their check --------------------------

/** A block as insertion sees it: where it starts, what opens its body, what it holds. */
interface Block {
  range: Range;
  /** the last thing before `{`: a name or a keyword */
  opener: Range;
  attributes: A.Attribute[];
  items: { range: Range }[];
}

const deviceBlock = (d: A.Device): Block => ({ range: d.range, opener: d.name.missing ? d.keyword : d.name.range, attributes: d.attributes, items: d.attributes });
const vmBlock = (vm: A.Vm): Block => ({
  range: vm.range,
  opener: vm.host?.range ?? vm.name.range,
  attributes: vm.items.filter((i): i is A.Attribute => i.kind === "attribute"),
  items: vm.items,
});
const hostBlock = (host: A.Host): Block => ({ range: host.range, opener: host.name.range, attributes: host.items.filter((i): i is A.Attribute => i.kind === "attribute"), items: host.items });
const hostVfioBlock = (b: A.HostVfioBlock): Block => ({ range: b.range, opener: b.keyword, attributes: b.attributes, items: b.attributes });
const hotplugBlock = (s: A.HotplugStep): Block => ({ range: s.range, opener: s.device.range, attributes: s.attributes, items: s.attributes });

function attributeOf(block: Block, name: string): A.Attribute | undefined {
  return block.attributes.find((a) => !a.name.missing && a.name.text === name);
}

class FixSession {
  readonly path: string;
  readonly program: Program;
  private readonly baseline: Map<string, number>;

  constructor(
    private readonly uri: string,
    readonly analysis: Analysis,
    private readonly reader: SourceReader,
    private readonly options: EngineOptions,
  ) {
    this.path = analysis.path;
    this.program = analysis.program;
    this.baseline = tally(analysis.diagnostics);
  }

  private text(path: string): string | undefined {
    return this.program.files.get(path)?.text;
  }

  private lines(path: string): LineIndex | undefined {
    return this.program.files.get(path)?.parsed.lines;
  }

  // -- lookups

  vmContaining(range: Range): VmAnalysis | undefined {
    return this.analysis.vms.find((a) => containsRange(a.vm.decl.range, range));
  }

  private stepAt(range: Range): { step: A.Step; vm: VmAnalysis | undefined; host: string } | undefined {
    for (const scenario of this.analysis.scenarios) {
      for (const result of scenario.steps) {
        if (containsRange(result.step.range, range)) return { step: result.step, vm: this.analysis.vms.find((a) => a.vm.name === scenario.vm), host: result.host };
      }
    }
    return undefined;
  }

  hotplugStepAt(range: Range): { block: Block; vm: VmAnalysis } | undefined {
    const found = this.stepAt(range);
    if (found?.step.kind !== "hotplug" || !found.vm || !sameRange(found.step.device.range, range)) return undefined;
    return { block: hotplugBlock(found.step), vm: found.vm };
  }

  resizeStepAt(range: Range): { step: A.ResizeStep; size: A.Value; vm: VmAnalysis | undefined } | undefined {
    const found = this.stepAt(range);
    if (found?.step.kind !== "resize" || !sameRange(found.step.size.range, range)) return undefined;
    return { step: found.step, size: found.step.size, vm: found.vm };
  }

  /** The host whose memlock a VT203 is about: the VM's, or the one a scenario step runs on. */
  hostAt(range: Range): string | undefined {
    const vm = this.analysis.vms.find((a) => sameRange(a.vm.decl.name.range, range));
    if (vm) return vm.vm.host.builtin ? undefined : vm.vm.host.name;
    return this.stepAt(range)?.host;
  }

  /** iommufd for a boot container: on the host's vfio block if it is in this file, else on its devices. */
  iommufdFor(vmAnalysis: VmAnalysis, d: EngineDiagnostic): Fix[] {
    const vm = vmAnalysis.vm;
    const container = vmAnalysis.containers.find((c) => c.id === d.data?.container) ?? vmAnalysis.containers.find((c) => c.key.backend === "type1");
    if (!container) return [];
    const fixes: Fix[] = [];
    const host = this.program.hosts.get(vm.host.name);
    if (!vm.host.builtin && host && host.file === this.path) {
      const vfio = host.decl.items.find((i): i is A.HostVfioBlock => i.kind === "host-vfio");
      const edit = vfio
        ? this.setAttribute(host.file, hostVfioBlock(vfio), "backend", "iommufd", [])
        : this.insertItem(host.file, hostBlock(host.decl), ["vfio {", "  backend = iommufd", "}"], host.decl.items[host.decl.items.length - 1]);
      if (edit) fixes.push({ title: `Switch host '${vm.host.name}' to backend = iommufd`, edits: [edit], preferred: true });
    }
    const blocks = container.devices.flatMap((device) => {
      const decl = vm.decl.items.find((i): i is A.Device => i.kind === "device" && sameRange(i.name.range, device.nameRange));
      return decl ? [deviceBlock(decl)] : [];
    });
    if (blocks.length === container.devices.length) fixes.push(...this.iommufdOnDevices(blocks));
    return fixes;
  }

  iommufdOnDevices(blocks: Block[]): Fix[] {
    const edits = blocks.map((block) => this.setAttribute(this.path, block, "backend", "iommufd", ["host"]));
    if (blocks.length === 0 || edits.some((e) => e === null)) return [];
    const names = blocks.map((b) => `'${this.slice(this.path, b.opener)}'`).join(", ");
    return [{ title: `Switch ${names} to backend = iommufd`, edits: edits as Edit[], preferred: true }];
  }

  private slice(path: string, range: Range): string {
    const lines = this.lines(path)!;
    return this.text(path)!.slice(lines.offset(range.start), lines.offset(range.end));
  }

  // -- edits

  replace(path: string, range: Range, text: string): Edit {
    const lines = this.lines(path)!;
    return { path, start: lines.offset(range.start), end: lines.offset(range.end), text };
  }

  /** `name = value`: the value replaced if the attribute is there, else a new line in the block. */
  setAttribute(path: string, block: Block, name: string, value: string, after: string[]): Edit | null {
    const existing = attributeOf(block, name);
    if (existing) {
      return existing.value.kind === "missing" ? this.replace(path, existing.range, `${name} = ${value}`) : this.replace(path, existing.value.range, value);
    }
    const anchor = after.map((n) => attributeOf(block, n)).find((a) => a !== undefined) ?? block.attributes[block.attributes.length - 1];
    return this.insertItem(path, block, [`${name} = ${value}`], anchor);
  }

  /**
   * Inserts an item (one or more lines) into a block: on its own line after `anchor`, indented
   * like it; or, in a block without items, on a new line after `{`, one level (2 spaces)
   * deeper than the block. A block written on one line stays on one line.
   */
  insertItem(path: string, block: Block, itemLines: string[], anchor: { range: Range } | undefined): Edit | null {
    const text = this.text(path);
    const lines = this.lines(path);
    if (text === undefined || !lines) return null;
    const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? "\n";
    const blockIndent = indentOf(text, lines, block.range.start.line);
    const inline = itemLines.join(" ");
    const indented = (indent: string) => itemLines.map((l) => indent + l).join(eol);

    if (anchor) {
      const end = lines.offset(anchor.range.end);
      const lineEnd = endOfLine(text, end);
      const rest = text.slice(end, lineEnd);
      if (!/^\s*(\/\/.*)?$/.test(rest)) return { path, start: end, end, text: ` ${inline}` };
      const startLine = anchor.range.start.line;
      const firstOnLine = text.slice(lines.offset({ line: startLine, character: 0 }), lines.offset(anchor.range.start)).trim() === "";
      const indent = firstOnLine ? indentOf(text, lines, startLine) : `${blockIndent}  `;
      return { path, start: lineEnd, end: lineEnd, text: eol + indented(indent) };
    }

    const brace = openingBrace(text, lines.offset(block.opener.end));
    if (brace < 0) return null;
    const afterBrace = brace + 1;
    const lineEnd = endOfLine(text, afterBrace);
    const rest = text.slice(afterBrace, lineEnd);
    const indent = `${blockIndent}  `;
    if (/^\s*(\/\/.*)?$/.test(rest)) return { path, start: lineEnd, end: lineEnd, text: eol + indented(indent) };
    const close = /^\s*\}/.exec(rest);
    if (close) {
      // `{}` or `{ }`: open it up
      const closeAt = afterBrace + close[0].length - 1;
      return { path, start: afterBrace, end: closeAt, text: eol + indented(indent) + eol + blockIndent };
    }
    return { path, start: afterBrace, end: afterBrace, text: ` ${inline}` };
  }

  // -- the check

  /** True when, with `edits` applied, `d` is gone (one fewer of its code) and no new error appears. */
  fixes(d: EngineDiagnostic, edits: Edit[]): boolean {
    const edited = new Map<string, string>();
    for (const path of new Set(edits.map((e) => e.path))) {
      const original = this.text(path);
      if (original === undefined) return false;
      edited.set(
        path,
        applyEdits(
          original,
          edits.filter((e) => e.path === path),
        ),
      );
    }
    const reader: SourceReader = { read: (path) => edited.get(path) ?? this.reader.read(path) };
    const after = analyzeText(edited.get(this.path) ?? this.text(this.path) ?? "", this.path, reader, this.options);
    const counts = tally(after.diagnostics);
    if ((counts.get(d.code) ?? 0) >= (this.baseline.get(d.code) ?? 0)) return false;
    for (const [key, n] of counts) {
      if (key.startsWith("error:") && key !== `error:${d.code}` && n > (this.baseline.get(key) ?? 0)) return false;
    }
    return true;
  }

  toAction(fix: Fix, diagnostic: LspDiagnostic, preferred: boolean): CodeAction {
    const changes: Record<string, TextEdit[]> = {};
    for (const edit of fix.edits) {
      const lines = this.lines(edit.path)!;
      (changes[edit.path === this.path ? this.uri : pathToUri(edit.path)] ??= []).push({ range: lines.range(edit.start, edit.end), newText: edit.text });
    }
    const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes } };
    if (preferred) action.isPreferred = true;
    return action;
  }
}

/** Per code (all severities) and per `error:code`. */
function tally(diagnostics: EngineDiagnostic[]): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const d of diagnostics) {
    bump(d.code);
    if (d.severity === "error") bump(`error:${d.code}`);
  }
  return counts;
}

function applyEdits(text: string, edits: Edit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}

function indentOf(text: string, lines: LineIndex, line: number): string {
  const start = lines.offset({ line, character: 0 });
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function endOfLine(text: string, offset: number): number {
  const match = /\r|\n/.exec(text.slice(offset));
  return match ? offset + match.index : text.length;
}

/** The offset of the `{` after `from`, skipping whitespace and comments; -1 if something else comes first. */
function openingBrace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (/\s/.test(text[i])) i++;
    else if (text.startsWith("//", i)) i = endOfLine(text, i);
    else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) return -1;
      i = close + 2;
    } else return text[i] === "{" ? i : -1;
  }
  return -1;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function before(a: A.Position, b: A.Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function containsRange(outer: Range, inner: Range): boolean {
  return !before(inner.start, outer.start) && !before(outer.end, inner.end);
}

