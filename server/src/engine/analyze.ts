// The engine's entry point: a document (and the files it imports) in; its diagnostics, the
// figures of its VMs and the results of its scenarios out. The engine never imports LSP or
// vscode (ARCHITECTURE.md); the CLI and the language server both call this.
import { parse, type LineIndex, type ParseResult, type Range } from "../../../grammar/src/index";
import type { Bytes } from "./attributes";
import { builtinHost, DEFAULT_VERSIONS, resolveHost, resolveVm, type HostModel, type VersionDefaults, type VmModel } from "./model";
import { loadProgram, summariseImportedErrors, unresolved, type Program, type SourceReader } from "./program";
import { simulateScenario, type HostLookup, type ScenarioResult } from "./scenario";
import { Sink, type EngineDiagnostic } from "./sink";
import { analyzeVm, checkMemlock, hugetlbNeeds, userPins, type VmAnalysis } from "./vm-analysis";
import { bytes } from "./format";

export interface Analysis {
  path: string;
  parse: ParseResult;
  /** diagnostics located in the analysed file, in document order */
  diagnostics: EngineDiagnostic[];
  program: Program;
  /** VMs declared in the analysed file */
  vms: VmAnalysis[];
  /** scenarios declared in the analysed file */
  scenarios: ScenarioResult[];
  /** every host resolved for the analysis (declared here or imported, and `default` if used) */
  hosts: HostModel[];
}

export const NO_FILES: SourceReader = { read: () => undefined };

export interface EngineOptions {
  versions?: VersionDefaults;
}

export function analyzeText(text: string, path = "/untitled.vmtopo", reader: SourceReader = NO_FILES, options: EngineOptions = {}): Analysis {
  try {
    return analyzeUnguarded(text, path, reader, options.versions ?? DEFAULT_VERSIONS);
  } catch (error) {
    // A bug of ours must not cost the user the document or the editor its server.
    const parsed = parse(text);
    const message = `internal error in the vmtopo engine: ${error instanceof Error ? error.message : String(error)}`;
    const diagnostics: EngineDiagnostic[] = [...parsed.diagnostics.map((d) => ({ ...d, file: path })), { code: "VT000", severity: "error", message, range: parsed.lines.range(0, 0), file: path }];
    return { path, parse: parsed, diagnostics, program: { entry: path, files: new Map(), hosts: new Map(), vms: new Map(), scenarios: new Map() }, vms: [], scenarios: [], hosts: [] };
  }
}

function analyzeUnguarded(text: string, path: string, reader: SourceReader, versions: VersionDefaults): Analysis {
  const program = loadProgram(path, reader, text);
  const entry = program.files.get(path)!;
  const hosts = new Map<string, HostModel>();
  const hostOf = (name: string): HostModel | undefined => {
    if (!hosts.has(name)) {
      const declared = program.hosts.get(name);
      if (declared) hosts.set(name, resolveHost(declared.decl, name, declared.file, declared.decl.name.range, program.files.get(declared.file)!.sink, versions));
      else if (name === "default") hosts.set(name, builtinHost(new Sink("<built-in>"), versions));
    }
    return hosts.get(name);
  };
  for (const name of program.hosts.keys()) hostOf(name);

  const analyses = new Map<string, VmAnalysis>();
  for (const [name, { decl, file }] of program.vms) {
    const sink = program.files.get(file)!.sink;
    let host = hostOf(decl.host?.text ?? "default");
    if (!host) {
      const { message, suggestion } = unresolved("host", decl.host!.text, program.hosts.keys());
      sink.error("VT005", decl.host!.range, message, suggestion ? { suggestion } : undefined);
      host = hostOf("default")!;
    }
    analyses.set(name, analyzeVm(resolveVm(decl, file, host, sink), sink));
  }
  checkHugepagePools([...analyses.values()].map((a) => a.vm), program);
  checkUserPins([...analyses.values()], program);

  const lookup = hostLookup(hostOf, program, analyses);
  const scenarios: ScenarioResult[] = [];
  for (const { decl, file } of program.scenarios.values()) {
    if (file !== path || decl.vm.missing) continue;
    const analysis = analyses.get(decl.vm.text);
    if (!analysis) {
      const { message, suggestion } = unresolved("vm", decl.vm.text, program.vms.keys());
      entry.sink.error("VT005", decl.vm.range, message, suggestion ? { suggestion } : undefined);
      continue;
    }
    scenarios.push(simulateScenario(decl, analysis, lookup, entry.sink, (range) => sourceText(entry.parsed.lines, entry.text, range)));
  }

  summariseImportedErrors(program);
  const diagnostics: EngineDiagnostic[] = [...entry.parsed.diagnostics.map((d) => ({ ...d, file: path })), ...entry.sink.diagnostics];
  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return {
    path,
    parse: entry.parsed,
    diagnostics,
    program,
    vms: [...analyses.values()].filter((a) => a.vm.file === path),
    scenarios,
    hosts: [...hosts.values()],
  };
}

function hostLookup(hostOf: (name: string) => HostModel | undefined, program: Program, analyses: Map<string, VmAnalysis>): HostLookup {
  const othersOn = (host: HostModel, vm: VmModel) => [...analyses.values()].filter((a) => a.vm !== vm && a.vm.host.name === host.name);
  return {
    get: hostOf,
    names: () => [...program.hosts.keys(), "default"],
    otherUserPins: (host, vm) => {
      const others = othersOn(host, vm).filter((a) => userPins(a.containers.map((c) => c.boot), host) > 0);
      return { pinned: others.reduce((sum, a) => sum + userPins(a.containers.map((c) => c.boot), host), 0), names: others.map((a) => a.vm.name) };
    },
    hugetlbUsedByOthers: (host, vm) => {
      const used = new Map<Bytes, Bytes>();
      for (const a of othersOn(host, vm)) for (const [page, need] of hugetlbNeeds(a.vm)) used.set(page, (used.get(page) ?? 0) + need);
      return used;
    },
  };
}

/** VT112: the hugetlb memory of all VMs placed on a host must fit its free pools. */
function checkHugepagePools(vms: VmModel[], program: Program): void {
  const byHost = new Map<HostModel, VmModel[]>();
  for (const vm of vms) byHost.set(vm.host, [...(byHost.get(vm.host) ?? []), vm]);
  for (const [host, guests] of byHost) {
    const totals = new Map<Bytes, Bytes>();
    for (const vm of guests) for (const [page, need] of hugetlbNeeds(vm)) totals.set(page, (totals.get(page) ?? 0) + need);
    for (const [page, total] of totals) {
      const pages = host.hugepages.get(page)?.count ?? 0;
      if (total <= pages * page) continue;
      const users = guests.filter((vm) => hugetlbNeeds(vm).has(page));
      const shares = users.map((vm) => `${vm.name}: ${bytes(hugetlbNeeds(vm).get(page)!)}`).join(", ");
      for (const vm of users) {
        const sink = program.files.get(vm.file)!.sink;
        const range = vm.attrs.has("page-size") ? vm.attrs.rangeOf("page-size") : vm.decl.name.range;
        sink.error("VT112", range, `VMs on host '${host.name}' need ${Math.ceil(total / page)} huge pages of ${bytes(page)} (${shares}), its pool has ${pages}; the allocation fails when QEMU starts`, { needed: Math.ceil(total / page), available: pages });
      }
    }
  }
}

/**
 * VT203 for iommufd with `accounting = user`: pins are summed over the user's VMs on a host,
 * in the order they start (declaration order); the first VM to cross the limit fails.
 */
function checkUserPins(analyses: VmAnalysis[], program: Program): void {
  const pinnedSoFar = new Map<HostModel, { pinned: Bytes; names: string[] }>();
  for (const a of analyses) {
    const host = a.vm.host;
    const pinned = userPins(a.containers.map((c) => c.boot), host);
    if (pinned === 0) continue;
    const before = pinnedSoFar.get(host) ?? { pinned: 0, names: [] };
    checkMemlock(a.vm, host, pinned, a.vm.decl.name.range, program.files.get(a.vm.file)!.sink, "at boot", before);
    pinnedSoFar.set(host, { pinned: before.pinned + pinned, names: [...before.names, a.vm.name] });
  }
}

/** The first line of a node's source text: a step as the user wrote it, without comments. */
function sourceText(lines: LineIndex, text: string, range: Range): string {
  return text.slice(lines.offset(range.start), lines.offset(range.end)).split(/\r\n|\r|\n/)[0].trim();
}
