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
import { bytes, count } from "./format";

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

/** What a unit of the analysis computed: its value and the diagnostics it raised. */
export interface Unit<T> {
  value: T;
  diagnostics: EngineDiagnostic[];
}

/**
 * How an analysis may reuse earlier work. The full path (`analyzeText`, the CLI) computes
 * everything; the language server's incremental analyzer (analysis-cache.ts) keeps what an
 * edit did not touch. Both run the same code below, so they give the same results.
 */
export interface Reuse {
  parse(path: string, text: string): ParseResult;
  /**
   * `compute` with a fresh sink for `file`, or an earlier unit of the same `key` (a syntax
   * node) computed from the same `inputs` (compared by identity) and still `valid`.
   */
  unit<T>(key: object, inputs: readonly unknown[], file: string, compute: (sink: Sink) => T, valid?: (value: T) => boolean): Unit<T>;
}

export const COMPUTE_ALL: Reuse = {
  parse: (_path, text) => parse(text),
  unit: (_key, _inputs, file, compute) => {
    const sink = new Sink(file);
    return { value: compute(sink), diagnostics: sink.diagnostics };
  },
};

export function analyzeText(text: string, path = "/untitled.vmtopo", reader: SourceReader = NO_FILES, options: EngineOptions = {}): Analysis {
  return analyzeWith(COMPUTE_ALL, text, path, reader, options);
}

export function analyzeWith(reuse: Reuse, text: string, path = "/untitled.vmtopo", reader: SourceReader = NO_FILES, options: EngineOptions = {}): Analysis {
  try {
    return analyzeUnguarded(reuse, text, path, reader, options.versions ?? DEFAULT_VERSIONS);
  } catch (error) {
    // A bug of ours must not cost the user the document or the editor its server.
    const parsed = reuse.parse(path, text);
    const message = `internal error in the vmtopo engine: ${error instanceof Error ? error.message : String(error)}`;
    const diagnostics: EngineDiagnostic[] = [...parsed.diagnostics.map((d) => ({ ...d, file: path })), { code: "VT000", severity: "error", message, range: parsed.lines.range(0, 0), file: path }];
    return { path, parse: parsed, diagnostics, program: { entry: path, files: new Map(), hosts: new Map(), vms: new Map(), scenarios: new Map() }, vms: [], scenarios: [], hosts: [] };
  }
}

const BUILTIN_HOST = {};

/** Runs a unit through `reuse` and adds its diagnostics to the file's sink. */
function run<T>(reuse: Reuse, sink: Sink, key: object, inputs: readonly unknown[], compute: (sink: Sink) => T, valid?: (value: T) => boolean): T {
  const unit = reuse.unit(key, inputs, sink.file, compute, valid);
  sink.diagnostics.push(...unit.diagnostics);
  return unit.value;
}

function analyzeUnguarded(reuse: Reuse, text: string, path: string, reader: SourceReader, versions: VersionDefaults): Analysis {
  const program = loadProgram(path, reader, text, (file, source) => reuse.parse(file, source));
  const entry = program.files.get(path)!;
  const hosts = new Map<string, HostModel>();
  const hostOf = (name: string): HostModel | undefined => {
    if (!hosts.has(name)) {
      const declared = program.hosts.get(name);
      if (declared) {
        const sink = program.files.get(declared.file)!.sink;
        hosts.set(name, run(reuse, sink, declared.decl, [declared.file, versions.qemu, versions.kernel], (fresh) => resolveHost(declared.decl, name, declared.file, declared.decl.name.range, fresh, versions)));
      } else if (name === "default") {
        hosts.set(name, run(reuse, new Sink("<built-in>"), BUILTIN_HOST, [versions.qemu, versions.kernel], (fresh) => builtinHost(fresh, versions)));
      }
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
    const resolved = host;
    analyses.set(name, run(reuse, sink, decl, [file, resolved], (fresh) => analyzeVm(resolveVm(decl, file, resolved, fresh), fresh)));
  }
  checkHugepagePools([...analyses.values()].map((a) => a.vm), program);
  checkUserPins([...analyses.values()], program);
  checkInapplicableVfioSettings(hosts, [...analyses.values()].map((a) => a.vm), program);

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
    const simulate = (sink: Sink) => {
      const recorded = recordLookups(lookup);
      return { result: simulateScenario(decl, analysis, recorded.lookup, sink, (range) => sourceText(entry.parsed.lines, entry.text, range)), queries: recorded.queries };
    };
    const { result } = run(reuse, entry.sink, decl, [path, analysis], simulate, ({ queries }) => queries.every((same) => same(lookup)));
    // A replay kept from before its scenario moved by whole lines (its syntax nodes moved
    // with it, see incremental-parse.ts) has the old line numbers in its copies of them.
    for (const step of result.steps) step.line = step.step.range.start.line;
    scenarios.push(result);
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
  // Scenarios ask these per scenario: each host's VMs, pinners and hugetlb use are worked out
  // once, so a fleet of n VMs and n scenarios costs O(n), not O(n²).
  let byHostName: Map<string, VmAnalysis[]> | undefined;
  const vmsOn = (host: HostModel): VmAnalysis[] => {
    if (!byHostName) {
      byHostName = new Map();
      for (const a of analyses.values()) {
        const list = byHostName.get(a.vm.host.name);
        if (list) list.push(a);
        else byHostName.set(a.vm.host.name, [a]);
      }
    }
    return byHostName.get(host.name) ?? [];
  };
  const pinnersOn = new Map<HostModel, { vm: VmModel; pinned: Bytes }[]>();
  const hugetlbOn = new Map<HostModel, Map<Bytes, Bytes>>();
  return {
    get: hostOf,
    names: () => [...program.hosts.keys(), "default"],
    otherUserPins: (host, vm) => {
      let pinners = pinnersOn.get(host);
      if (!pinners) {
        pinners = vmsOn(host).flatMap((a) => {
          const pinned = userPins(a.containers.map((c) => c.boot), host);
          return pinned > 0 ? [{ vm: a.vm, pinned }] : [];
        });
        pinnersOn.set(host, pinners);
      }
      const others = pinners.filter((p) => p.vm !== vm);
      return { pinned: others.reduce((sum, p) => sum + p.pinned, 0), names: others.map((p) => p.vm.name) };
    },
    hugetlbUsedByOthers: (host, vm) => {
      let total = hugetlbOn.get(host);
      if (!total) {
        total = new Map();
        for (const a of vmsOn(host)) for (const [page, need] of hugetlbNeeds(a.vm)) total.set(page, (total.get(page) ?? 0) + need);
        hugetlbOn.set(host, total);
      }
      const used = new Map(total);
      // The VM's own share, if it runs on this host, is not the others'.
      if (vm.host.name === host.name && analyses.get(vm.name)?.vm === vm) {
        for (const [page, need] of hugetlbNeeds(vm)) {
          const rest = (used.get(page) ?? 0) - need;
          if (rest > 0) used.set(page, rest);
          else used.delete(page);
        }
      }
      return used;
    },
  };
}

/**
 * A scenario reads other VMs and hosts through the lookup; the questions it asked, each as a
 * check that a new lookup still gives the same answer, tell when its result can be reused.
 */
function recordLookups(lookup: HostLookup): { lookup: HostLookup; queries: ((now: HostLookup) => boolean)[] } {
  const queries: ((now: HostLookup) => boolean)[] = [];
  const pinsAsked = new Map<HostModel, Map<VmModel, { pinned: Bytes; names: string[] }>>();
  return {
    queries,
    lookup: {
      get: (name) => {
        const host = lookup.get(name);
        queries.push((now) => now.get(name) === host);
        return host;
      },
      names: () => {
        const names = [...lookup.names()];
        queries.push((now) => [...now.names()].join("\0") === names.join("\0"));
        return names;
      },
      otherUserPins: (host, vm) => {
        // A scenario asks this at every step that pins more: one answer, one recorded query.
        const known = pinsAsked.get(host)?.get(vm);
        if (known) return known;
        const pins = lookup.otherUserPins(host, vm);
        if (!pinsAsked.has(host)) pinsAsked.set(host, new Map());
        pinsAsked.get(host)!.set(vm, pins);
        queries.push((now) => {
          const again = now.otherUserPins(host, vm);
          return again.pinned === pins.pinned && again.names.join("\0") === pins.names.join("\0");
        });
        return pins;
      },
      hugetlbUsedByOthers: (host, vm) => {
        const used = lookup.hugetlbUsedByOthers(host, vm);
        const seen = [...used].join(";");
        queries.push((now) => [...now.hugetlbUsedByOthers(host, vm)].join(";") === seen);
        return used;
      },
    },
  };
}

/**
 * VT112: the hugetlb memory of all VMs placed on a host must fit its free pools. A pool
 * shared by several VMs is one problem of the host: reported once per file, on the host's
 * pool when the host is declared there (else on the file's first VM that uses it), with the
 * place of every VM's share as related information, not once on every VM.
 */
function checkHugepagePools(vms: VmModel[], program: Program): void {
  const byHost = new Map<HostModel, VmModel[]>();
  for (const vm of vms) {
    const guests = byHost.get(vm.host);
    if (guests) guests.push(vm);
    else byHost.set(vm.host, [vm]);
  }
  const pageSizeRange = (vm: VmModel) => (vm.attrs.has("page-size") ? vm.attrs.rangeOf("page-size") : vm.decl.name.range);
  for (const [host, guests] of byHost) {
    const totals = new Map<Bytes, Bytes>();
    for (const vm of guests) for (const [page, need] of hugetlbNeeds(vm)) totals.set(page, (totals.get(page) ?? 0) + need);
    for (const [page, total] of totals) {
      const pages = host.hugepages.get(page)?.count ?? 0;
      if (total <= pages * page) continue;
      const users = guests.filter((vm) => hugetlbNeeds(vm).has(page));
      const needed = Math.ceil(total / page);
      const data = { needed, available: pages, host: host.name, pageSize: page };
      if (users.length === 1) {
        const [vm] = users;
        program.files
          .get(vm.file)!
          .sink.error("VT112", pageSizeRange(vm), `vm '${vm.name}' needs ${count(needed)} huge pages of ${bytes(page)} (${bytes(total)}), host '${host.name}' has ${count(pages)} free; the allocation fails when QEMU starts`, data);
        continue;
      }
      const message = `the ${users.length} VMs on host '${host.name}' need ${count(needed)} huge pages of ${bytes(page)} (${bytes(total)}), its pool has ${count(pages)}; the allocation fails when QEMU starts the VM that crosses it`;
      const pool = host.hugepages.get(page);
      const related = users.map((vm) => ({ file: vm.file, range: pageSizeRange(vm), message: `vm '${vm.name}': ${bytes(hugetlbNeeds(vm).get(page)!)} of ${bytes(page)} pages` }));
      const poolRelated = !host.builtin && pool ? [{ file: host.file, range: pool.range, message: `host '${host.name}': ${count(pages)} free ${bytes(page)} pages` }] : [];
      for (const file of new Set(users.map((vm) => vm.file))) {
        const onHost = !host.builtin && host.file === file;
        const range = onHost ? (pool?.range ?? host.nameRange) : pageSizeRange(users.find((vm) => vm.file === file)!);
        program.files.get(file)!.sink.error("VT112", range, message, data, onHost ? related : [...poolRelated, ...related]);
      }
    }
  }
}

/**
 * VT203 for iommufd with `accounting = user`: pins are summed over the user's VMs on a host,
 * in the order they start (declaration order); the first VM to cross the limit fails, and
 * every one after it. With one such VM it is that VM's problem; with several it is the
 * host's: reported once per file, on the host's `memlock` when the host is declared there
 * (else on the file's first VM that fails), with every VM's pins as related information.
 */
function checkUserPins(analyses: VmAnalysis[], program: Program): void {
  const byHost = new Map<HostModel, { analysis: VmAnalysis; pinned: Bytes }[]>();
  for (const a of analyses) {
    const pinned = userPins(a.containers.map((c) => c.boot), a.vm.host);
    if (pinned > 0) byHost.set(a.vm.host, [...(byHost.get(a.vm.host) ?? []), { analysis: a, pinned }]);
  }
  for (const [host, pinning] of byHost) {
    if (host.memlock === "unlimited" || host.capIpcLock) continue;
    if (pinning.length === 1) {
      const { analysis: a, pinned } = pinning[0];
      checkMemlock(a.vm, host, pinned, a.vm.decl.name.range, program.files.get(a.vm.file)!.sink, "at boot");
      continue;
    }
    const limit = host.memlock;
    let sum = 0;
    const failing = pinning.filter(({ pinned }) => (sum += pinned) > limit).map(({ analysis }) => analysis.vm);
    if (failing.length === 0) continue;
    const shares = pinning.map(({ analysis, pinned }) => `${analysis.vm.name}: ${bytes(pinned)}`).join(", ");
    const names = failing.map((vm) => `'${vm.name}'`);
    const who = names.length === 1 ? `${names[0]} fails to start` : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} fail to start`;
    const message = `the ${pinning.length} VMs on host '${host.name}' pin ${bytes(sum)} together (${shares}; iommufd charges the user, accounting = user), over its memlock of ${bytes(limit)}: ${who}. Linux: vfio_pin_pages_remote: RLIMIT_MEMLOCK (${limit}) exceeded`;
    const data = { pinned: sum, host: host.name };
    const related = pinning.map(({ analysis, pinned }) => ({ file: analysis.vm.file, range: analysis.vm.decl.name.range, message: `vm '${analysis.vm.name}' pins ${bytes(pinned)}${failing.includes(analysis.vm) ? ": fails to start" : ""}` }));
    const memlock = host.attrs.host.attribute("memlock");
    const limitRelated = !host.builtin && memlock ? [{ file: host.file, range: memlock.value.range, message: `host '${host.name}': memlock = ${bytes(limit)}` }] : [];
    for (const file of new Set(pinning.map(({ analysis }) => analysis.vm.file))) {
      const onHost = !host.builtin && host.file === file && memlock !== undefined;
      const first = failing.find((vm) => vm.file === file) ?? pinning.find(({ analysis }) => analysis.vm.file === file)!.analysis.vm;
      program.files.get(file)!.sink.error("VT203", onHost ? memlock.value.range : first.decl.name.range, message, data, onHost ? related : [...limitRelated, ...related]);
    }
  }
}

/**
 * A host `vfio` setting for the other backend: `dma-entry-limit` is vfio_iommu_type1's module
 * parameter (drivers/vfio/vfio_iommu_type1.c `dma_entry_limit`), which iommufd never reads;
 * `accounting` is iommufd's. Linux and QEMU accept both silently, so this is a warning
 * (VT002: an attribute that does nothing in this context), unless a device placed on the host
 * (at boot or hot-plugged) overrides the backend and so makes the setting count.
 */
function checkInapplicableVfioSettings(hosts: Map<string, HostModel>, vms: VmModel[], program: Program): void {
  const backendsOn = new Map<HostModel, Set<string>>();
  for (const vm of vms) {
    const used = backendsOn.get(vm.host) ?? new Set<string>();
    for (const device of vm.vfio) used.add(device.backend);
    backendsOn.set(vm.host, used);
  }
  const vmByName = new Map(vms.map((vm) => [vm.name, vm]));
  for (const { decl } of program.scenarios.values()) {
    const vm = vmByName.get(decl.vm.text);
    if (!vm) continue;
    for (const step of decl.steps) {
      if (step.kind !== "hotplug") continue;
      const backend = step.attributes.find((a) => a.name.text === "backend")?.value;
      if (backend?.kind === "identifier") backendsOn.get(vm.host)?.add(backend.name);
    }
  }
  for (const host of hosts.values()) {
    if (host.builtin) continue;
    const sink = program.files.get(host.file)?.sink;
    if (!sink) continue;
    const used = backendsOn.get(host) ?? new Set<string>();
    const limit = host.attrs.vfio.attribute("dma-entry-limit");
    if (limit && host.vfio.backend === "iommufd" && !used.has("type1")) {
      sink.warning("VT002", limit.name.range, `'dma-entry-limit' does nothing on host '${host.name}' with backend = iommufd: it is vfio_iommu_type1's module parameter, and iommufd has no entry limit; remove it, or set backend = type1`, { remove: "dma-entry-limit" });
    }
    const accounting = host.attrs.vfio.attribute("accounting");
    if (accounting && host.vfio.backend === "type1" && !used.has("iommufd")) {
      sink.warning("VT002", accounting.name.range, `'accounting' does nothing on host '${host.name}' with backend = type1: type1 charges each process's RLIMIT_MEMLOCK; 'accounting' is iommufd's; remove it, or set backend = iommufd`, { remove: "accounting" });
    }
  }
}

/** The first line of a node's source text: a step as the user wrote it, without comments. */
function sourceText(lines: LineIndex, text: string, range: Range): string {
  return text.slice(lines.offset(range.start), lines.offset(range.end)).split(/\r\n|\r|\n/)[0].trim();
}
