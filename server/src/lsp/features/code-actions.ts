// Quick fixes that compute the right value for a diagnostic: a virtio-mem block size that
// passes QEMU's start-up check and the backend's page size, iommufd instead of type1, a size
// rounded to whole blocks, enough phys-bits, a suggested name or value, a memlock that covers
// what is pinned, a missing `}`, a missing imported file; and "Fix all in file".
//
// Every fix is an edit of the source text that keeps its style (an inserted attribute goes
// on its own line, indented like its siblings). Every fix is checked before it is offered:
// the edited files are analysed again, and the fix is kept only if its diagnostic goes away,
// no new error appears, and no error is left on the text it touched (raising a 2M block size
// to 32M for VT201 while VT104 wants the 1G page size is no fix). Values are found by trying
// candidates (2×, 4×, … the current block size), so a formula of ours can never offer a
// wrong value. Where one fix clears several diagnostics on the same text, it comes first and
// says so ("… to 1G: clears VT104 and VT201").
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic, type TextEdit, type WorkspaceEdit } from "vscode-languageserver";
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
const MiB = 2 ** 20;

export const codeActions: Feature = {
  capabilities: { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] } },
  register(context: ServerContext) {
    context.connection.onCodeAction((params) => {
      const uri = params.textDocument.uri;
      const analysis = context.workspace.analysis(uri);
      if (!analysis) return [];
      const workspaceEdit = context.clientCapabilities().workspace?.workspaceEdit;
      const session = new FixSession(uri, analysis, context.workspace.reader, {
        versions: { qemu: context.settings.current.defaultQemuVersion, kernel: context.settings.current.defaultKernelVersion },
      }, workspaceEdit?.resourceOperations?.includes("create") === true && workspaceEdit.documentChanges === true);
      const only = params.context.only;
      const actions: CodeAction[] = [];
      if (!only || only.some((kind) => kind === "" || kind === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${kind}.`))) actions.push(...quickFixes(session, params));
      // Fix all re-checks every fix of the file: only when asked for by kind (Source Action…, on save).
      if (only?.some((kind) => kind === CodeActionKind.SourceFixAll || kind === CodeActionKind.Source || CodeActionKind.SourceFixAll.startsWith(`${kind}.`) && kind !== "")) {
        const all = fixAll(session);
        if (all) actions.push(all);
      }
      return actions;
    });
  },
};

const computed = new WeakMap<Analysis, Map<string, Fix[]>>();

/** The fixes of one of the engine's diagnostics, computed once per analysis. */
function fixesOf(session: FixSession, diagnostic: EngineDiagnostic): Fix[] {
  // Checking a fix analyses the edited text again; the cursor resting on a diagnostic asks
  // for its fixes again and again, so they are kept while the analysis is current.
  let cached = computed.get(session.analysis);
  if (!cached) computed.set(session.analysis, (cached = new Map()));
  const key = `${diagnostic.file}:${diagnostic.code}@${diagnostic.range.start.line}:${diagnostic.range.start.character}-${diagnostic.range.end.line}:${diagnostic.range.end.character} ${diagnostic.message}`;
  let fixes = cached.get(key);
  if (!fixes) cached.set(key, (fixes = (FIXERS[diagnostic.code]?.(session, diagnostic) ?? []).filter((f) => session.fixes(diagnostic, f))));
  return fixes;
}

function quickFixes(session: FixSession, params: CodeActionParams): CodeAction[] {
  const analysis = session.analysis;
  // The engine's own diagnostics the client names (fresh data, even if the client drops `data`).
  const asked: { client: LspDiagnostic; engine: EngineDiagnostic }[] = [];
  for (const client of params.context.diagnostics) {
    if (client.source !== undefined && client.source !== "vmtopo") continue;
    const here = analysis.diagnostics.filter((d) => d.file === session.path && d.code === String(client.code) && sameRange(d.range, client.range));
    const engine = here.find((d) => d.message === client.message) ?? here[0];
    if (engine) asked.push({ client, engine });
  }
  // One action per distinct edit, with every asked diagnostic it clears.
  const offers: { fix: Fix; cleared: typeof asked; order: number }[] = [];
  for (const { engine } of asked) {
    for (const fix of fixesOf(session, engine)) {
      if (offers.some((o) => sameFix(o.fix, fix))) continue;
      const cleared = asked.filter((other) => session.fixes(other.engine, fix));
      offers.push({ fix, cleared, order: offers.length });
    }
  }
  // A fix that clears more of what is on this text comes first, and is the preferred one;
  // otherwise each fixer's order stands and its preferred fix is the preferred one.
  offers.sort((x, y) => y.cleared.length - x.cleared.length || x.order - y.order);
  const preferred = offers[0]?.cleared.length > 1 ? offers[0] : (offers.find((o) => o.fix.preferred) ?? offers[0]);
  return offers.map((offer) => {
    const codes = [...new Set(offer.cleared.map((c) => c.engine.code))].sort();
    const title = offer.cleared.length > 1 ? `${offer.fix.title}: clears ${codes.length > 1 ? `${codes.slice(0, -1).join(", ")} and ${codes[codes.length - 1]}` : `${offer.cleared.length} × ${codes[0]}`}` : offer.fix.title;
    return session.toAction({ ...offer.fix, title }, offer.cleared.map((c) => c.client), CodeActionKind.QuickFix, offer === preferred);
  });
}

/**
 * "Fix all in file": the preferred fix of each diagnostic of the file whose edits touch
 * nothing another chosen fix touches, applied together, and kept only if together they
 * leave fewer errors and no new one. A fix that creates a file is left to its quick fix.
 */
function fixAll(session: FixSession): CodeAction | undefined {
  const chosen: Fix[] = [];
  const overlaps = (x: Fix, y: Fix) => x.edits.some((e) => y.edits.some((f) => e.path === f.path && e.start <= f.end && f.start <= e.end));
  for (const diagnostic of session.analysis.diagnostics) {
    if (diagnostic.file !== session.path) continue;
    const fixes = fixesOf(session, diagnostic).filter((f) => !f.create);
    const fix = fixes.find((f) => f.preferred) ?? fixes[0];
    if (!fix || chosen.some((c) => sameFix(c, fix))) continue;
    if (chosen.some((c) => overlaps(c, fix))) continue;
    chosen.push(fix);
  }
  if (chosen.length === 0) return undefined;
  let together = chosen;
  if (!session.improves(together.flatMap((f) => f.edits))) {
    // Not independent after all: keep them one at a time, each checked with those before it.
    together = [];
    for (const fix of chosen) if (session.improves([...together, fix].flatMap((f) => f.edits))) together.push(fix);
  }
  if (together.length === 0) return undefined;
  const title = together.length === 1 ? `Fix all in file: ${together[0].title}` : `Fix all in file (${together.length} fixes)`;
  return session.toAction({ title, edits: together.flatMap((f) => f.edits) }, [], CodeActionKind.SourceFixAll, false);
}

function sameFix(x: Fix, y: Fix): boolean {
  return x.create === y.create && x.edits.length === y.edits.length && x.edits.every((e, i) => e.path === y.edits[i].path && e.start === y.edits[i].start && e.end === y.edits[i].end && e.text === y.edits[i].text);
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
  /** a file to create (empty) before the edits: a missing import */
  create?: string;
}

type Fixer = (session: FixSession, diagnostic: EngineDiagnostic) => Fix[];

const FIXERS: Record<string, Fixer> = {
  VT001: fixSyntax,
  VT004: fixName,
  VT101: fixBlockSize,
  VT102: fixBlockSize,
  VT103: fixBlockSize,
  VT104: fixBlockSize,
  VT201: fixStartupCheck,
  VT105: fixMultiple,
  VT106: fixMultiple,
  VT404: fixResize,
  VT110: fixPhysBits,
  VT002: (session, d) => [...fixName(session, d), ...fixRemove(session, d)],
  VT005: (session, d) => [...fixName(session, d), ...fixMissingImport(session, d)],
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
    const fix = blockSizeFix(session, d, vmAnalysis, device, nextPowerOfTwo(device.blockSize));
    if (fix) fixes.push(fix);
  }

  const iommufd = hotplug ? session.iommufdOnDevices([hotplug.block]) : session.iommufdFor(vmAnalysis, d);
  const valid = iommufd.filter((fix) => session.fixes(d, fix));
  if (valid.length > 0) fixes.push(valid[0]);
  return fixes;
}

/**
 * VT101–VT104 (and VT204 on a block size): the smallest power-of-two block size from what
 * the rule asks (1 MiB, the backend's page, QEMU's default) up that the device's size holds
 * and that leaves no error on the block size.
 */
function fixBlockSize(session: FixSession, d: EngineDiagnostic): Fix[] {
  const vmAnalysis = session.vmContaining(d.range);
  const device = vmAnalysis?.vm.virtioMem.find((v) => containsRange(v.decl.range, d.range));
  if (!vmAnalysis || !device || device.size <= 0) return [];
  let from = Math.max(device.blockSize, MiB, numberData(d, "minimum") ?? 0);
  if (d.code === "VT103") from = Math.max(from, device.defaultBlockSize);
  const fix = blockSizeFix(session, d, vmAnalysis, device, powerOfTwoAtLeast(from));
  return fix ? [fix] : [];
}

/** Tries `from`, 2×, 4×, … while the device's size holds whole blocks; the first that fixes `d`. */
function blockSizeFix(session: FixSession, d: EngineDiagnostic, vmAnalysis: VmAnalysis, device: VmAnalysis["vm"]["virtioMem"][number], from: number): Fix | undefined {
  const block = deviceBlock(device.decl);
  const existing = attributeOf(block, "block-size");
  for (let candidate = from; candidate <= device.size && device.size % candidate === 0; candidate *= 2) {
    const literal = sizeLiteral(candidate, unitSuffix(existing?.value));
    const edit = session.setAttribute(vmAnalysis.vm.file, block, "block-size", literal, ["size"]);
    if (!edit) return undefined;
    const fix: Fix = { title: `Raise block-size of '${device.name}' to ${literal}`, edits: [edit], preferred: true };
    if (session.fixes(d, fix)) return fix;
  }
  return undefined;
}

function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * VT001: a missing `}` (inserted on its own line after the last thing of the open block,
 * indented one level out), and a mistyped unit (`4k` → `4K`: the lexer's "did you mean").
 */
function fixSyntax(session: FixSession, d: EngineDiagnostic): Fix[] {
  if (d.message.startsWith("expected '}'")) return session.closingBrace(d.range.end);
  // The grammar's diagnostics carry no data; its message is the contract here (grammar/src/literals.ts).
  const unit = /^unknown unit '([^']*)' in '([^']*)'.*\(did you mean '([^']+)'\?\)$/.exec(d.message);
  if (unit) {
    const [, wrong, literal, right] = unit;
    if (!literal.endsWith(wrong)) return [];
    const fixed = literal.slice(0, literal.length - wrong.length) + right;
    return [{ title: `Change to '${fixed}'`, edits: [session.replace(session.path, d.range, fixed)], preferred: true }];
  }
  return [];
}

/** VT002 for a host setting that does nothing with its backend: remove it. */
function fixRemove(session: FixSession, d: EngineDiagnostic): Fix[] {
  const name = d.data?.remove;
  if (typeof name !== "string") return [];
  const attribute = [...session.program.hosts.values()]
    .filter((h) => h.file === session.path)
    .flatMap((h) => h.decl.items.flatMap((i) => (i.kind === "host-vfio" ? i.attributes : [])))
    .find((a) => sameRange(a.name.range, d.range));
  const edit = attribute && session.removeItem(session.path, attribute.range);
  return edit ? [{ title: `Remove '${name}'`, edits: [edit], preferred: true }] : [];
}

/** VT005 at an import of a file that does not exist: create it (empty). */
function fixMissingImport(session: FixSession, d: EngineDiagnostic): Fix[] {
  const missing = d.data?.missingFile;
  if (typeof missing !== "string" || !session.canCreateFiles) return [];
  return [{ title: `Create '${missing.slice(missing.lastIndexOf("/") + 1)}'`, edits: [], create: missing, preferred: true }];
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

/** VT002 / VT004 / VT005 / VT405: the name or value the message suggests ("did you mean"). */
function fixName(session: FixSession, d: EngineDiagnostic): Fix[] {
  const suggestion = d.data?.suggestion;
  if (typeof suggestion !== "string" || suggestion === "") return [];
  return [{ title: `Change to '${suggestion}'`, edits: [session.replace(session.path, d.range, suggestion)], preferred: true }];
}


/** VT203: a memlock that covers what is pinned, rounded up to a whole GiB. */
function fixMemlock(session: FixSession, d: EngineDiagnostic): Fix[] {
  const pinned = numberData(d, "pinned");
  if (pinned === undefined) return [];
  // a host-level VT203 (VMs sharing the user's pins) names its host
  const hostName = typeof d.data?.host === "string" ? d.data.host : session.hostAt(d.range);
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
    /** the client applies `CreateFile` in a workspace edit */
    readonly canCreateFiles: boolean,
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

  /** Deletes an item: its whole line when it stands alone there, else the item and the spaces after it. */
  removeItem(path: string, range: Range): Edit | null {
    const text = this.text(path);
    const lines = this.lines(path);
    if (text === undefined || !lines) return null;
    let start = lines.offset(range.start);
    let end = lines.offset(range.end);
    const lineStart = lines.offset({ line: range.start.line, character: 0 });
    const lineEnd = endOfLine(text, end);
    if (text.slice(lineStart, start).trim() === "" && text.slice(end, lineEnd).trim() === "") {
      start = lineStart;
      end = lineEnd + (text.startsWith("\r\n", lineEnd) ? 2 : lineEnd < text.length ? 1 : 0);
    } else {
      while (end < lineEnd && text[end] === " ") end++;
    }
    return { path, start, end, text: "" };
  }

  /**
   * `}` for a block left open, where the diagnostic says it is missing: on a new line after
   * the last thing written before that place, one level (2 spaces) left of that line.
   */
  closingBrace(at: A.Position): Fix[] {
    const text = this.text(this.path);
    const lines = this.lines(this.path);
    if (text === undefined || !lines) return [];
    const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? "\n";
    let end = lines.offset(at);
    while (end > 0 && /\s/.test(text[end - 1])) end--;
    const lastLine = lines.position(end).line;
    const indent = indentOf(text, lines, lastLine).slice(2);
    const edit = { path: this.path, start: end, end, text: `${eol}${indent}}` };
    return [{ title: "Insert the missing '}'", edits: [edit], preferred: true }];
  }

  // -- the check

  private readonly checked = new Map<string, { analysis: Analysis; counts: Map<string, number> }>();

  /** The analysis of the files with `fix` applied, once per distinct fix. */
  private after(fix: Fix): { analysis: Analysis; counts: Map<string, number> } | undefined {
    const key = JSON.stringify([fix.create ?? null, fix.edits]);
    const known = this.checked.get(key);
    if (known) return known;
    const edited = new Map<string, string>();
    if (fix.create !== undefined) edited.set(fix.create, "");
    for (const path of new Set(fix.edits.map((e) => e.path))) {
      const original = this.text(path);
      if (original === undefined) return undefined;
      edited.set(
        path,
        applyEdits(
          original,
          fix.edits.filter((e) => e.path === path),
        ),
      );
    }
    const reader: SourceReader = { read: (path) => edited.get(path) ?? this.reader.read(path) };
    const analysis = analyzeText(edited.get(this.path) ?? this.text(this.path) ?? "", this.path, reader, this.options);
    const result = { analysis, counts: tally(analysis.diagnostics) };
    this.checked.set(key, result);
    return result;
  }

  /**
   * True when, with `fix` applied, `d` is gone (one fewer of its code), no new error appears,
   * and no error is left on the text the fix wrote.
   */
  fixes(d: EngineDiagnostic, fixOrEdits: Fix | Edit[]): boolean {
    const fix = Array.isArray(fixOrEdits) ? { title: "", edits: fixOrEdits } : fixOrEdits;
    const after = this.after(fix);
    if (!after) return false;
    const { counts } = after;
    if ((counts.get(d.code) ?? 0) >= (this.baseline.get(d.code) ?? 0)) return false;
    for (const [key, n] of counts) {
      if (key.startsWith("error:") && key !== `error:${d.code}` && n > (this.baseline.get(key) ?? 0)) return false;
    }
    return !this.leavesErrorOnEdits(fix, after.analysis);
  }

  /** Fewer errors in all, and no code with more errors than before (for fixes applied together). */
  improves(edits: Edit[]): boolean {
    const after = this.after({ title: "", edits });
    if (!after) return false;
    const errors = (counts: Map<string, number>) => [...counts].filter(([k]) => k.startsWith("error:")).reduce((sum, [, n]) => sum + n, 0);
    if (errors(after.counts) >= errors(this.baseline)) return false;
    return [...after.counts].every(([key, n]) => !key.startsWith("error:") || n <= (this.baseline.get(key) ?? 0));
  }

  /** An error of the edited analysis whose range meets the text an edit wrote. */
  private leavesErrorOnEdits(fix: Fix, after: Analysis): boolean {
    for (const path of new Set(fix.edits.map((e) => e.path))) {
      const lines = after.program.files.get(path)?.parsed.lines;
      if (!lines) continue;
      // where each edit's text lands in the edited file
      let shift = 0;
      const written = [...fix.edits.filter((e) => e.path === path)]
        .sort((x, y) => x.start - y.start)
        .map((e) => {
          const start = e.start + shift;
          shift += e.text.length - (e.end - e.start);
          return { start, end: start + e.text.length };
        });
      for (const diagnostic of after.diagnostics) {
        if (diagnostic.severity !== "error" || diagnostic.file !== path) continue;
        const start = lines.offset(diagnostic.range.start);
        const end = lines.offset(diagnostic.range.end);
        if (written.some((w) => (start < w.end && end > w.start) || (start === end && start >= w.start && start <= w.end))) return true;
      }
    }
    return false;
  }

  toAction(fix: Fix, diagnostics: LspDiagnostic[], kind: string, preferred: boolean): CodeAction {
    const changes: Record<string, TextEdit[]> = {};
    for (const edit of fix.edits) {
      const lines = this.lines(edit.path)!;
      (changes[edit.path === this.path ? this.uri : pathToUri(edit.path)] ??= []).push({ range: lines.range(edit.start, edit.end), newText: edit.text });
    }
    const edit: WorkspaceEdit =
      fix.create === undefined
        ? { changes }
        : {
            documentChanges: [
              { kind: "create", uri: pathToUri(fix.create), options: { ignoreIfExists: true } },
              ...Object.entries(changes).map(([uri, edits]) => ({ textDocument: { uri, version: null }, edits })),
            ],
          };
    const action: CodeAction = { title: fix.title, kind, edit };
    if (diagnostics.length > 0) action.diagnostics = diagnostics;
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

