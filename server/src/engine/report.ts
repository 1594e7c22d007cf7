// The report of CLI.md's JSON contract: figures per VM, container and scenario step. The
// same object feeds `vmtopo report`, the webview and hover.
import type * as A from "../../../grammar/src/index";
import type { Analysis } from "./analyze";
import type { AttributeReader } from "./attributes";
import type { ContainerFigures, StartupCheck as EngineStartupCheck } from "./containers";
import type { HostModel } from "./model";
import type { ScenarioResult } from "./scenario";
import type { EngineDiagnostic } from "./sink";
import { computeVerdicts, type Verdict, type VmVerdict } from "./verdict";
import { hugetlbNeeds, processPins, userPins, type VmAnalysis } from "./vm-analysis";

export type { Verdict, VerdictKind } from "./verdict";

export interface ReportDiagnostic {
  code: string;
  severity: string;
  message: string;
  range: EngineDiagnostic["range"];
}

/** Where something is declared (the report's own file or an imported one), for navigation. */
export interface SourceRef {
  file: string;
  range: A.Range;
}

/** What the webview needs of a host: its limits and its IOMMU's IOVA space. */
export interface HostReport {
  name: string;
  /** RLIMIT_MEMLOCK in bytes; null when unlimited or the VMM holds CAP_IPC_LOCK */
  memlock: number | null;
  /** the IOMMU's IOVA aperture is [0, 2^addressWidth) */
  iommuAddressWidth: number;
  reservedIova: { name: string; start: number; end: number; source: SourceRef | null }[];
  /** null for the built-in host `default` */
  source: SourceRef | null;
  memlockSource: SourceRef | null;
  addressWidthSource: SourceRef | null;
  /** free huge pages per page size (bytes), ascending */
  hugepages: { pageSize: number; pages: number }[];
}

export interface FiguresAt {
  mappings: number;
  pinnedBytes: number;
  pageTableBytes: number;
}

/** QEMU's start-up check as the report carries it: the engine's figures without their breakdown. */
export type StartupCheck = Omit<EngineStartupCheck, "parts">;

export interface ContainerReport {
  id: string;
  backend: string;
  devices: string[];
  behindViommu: boolean;
  limit: number | null;
  domains: number;
  startupCheck: StartupCheck | null;
  boot: FiguresAt | null;
  peak: FiguresAt & { scenario: string | null; step: number | null };
  worstCase: FiguresAt | null;
  pageTableBytes: number;
}

export interface SectionReport {
  name: string;
  kind: string;
  start: number;
  end: number;
  /** the attribute or device that puts the section there */
  source: SourceRef;
  /** guest_memfd memory (TDX, SEV-SNP, CCA): private at boot, mapped by VFIO only where shared */
  guestMemfd?: true;
}

export interface VirtioMemReport {
  name: string;
  base: number | null;
  size: number;
  blockSize: number;
  blocks: number;
  pluggedBlocks: number;
  usableRegion: number;
  guestMode: string;
  largestPassingSize: number | null;
  source: SourceRef;
}

export interface VmReport {
  name: string;
  host: string;
  machine: string;
  memory: number;
  maxmem: number;
  confidential: string;
  layout: {
    sections: SectionReport[];
    deviceMemory: { start: number; end: number } | null;
    pciHole64: { start: number; end: number } | null;
    highestGpa: number;
    physBitsNeeded: number;
    physBits: number;
    relocatedAbove1T: boolean;
  };
  virtioMem: VirtioMemReport[];
  /** the VM's boot-time vfio devices */
  vfio: { name: string; source: SourceRef }[];
  containers: ContainerReport[];
  /** the VM's name */
  source: SourceRef;
  /** memory pinned at boot and charged to RLIMIT_MEMLOCK: the VM's process (type1, iommufd `accounting = mm`) and its user (iommufd `accounting = user`) */
  memlock: { processBytes: number; userBytes: number };
  /** hugetlb memory the VM needs at boot, per page size, ascending */
  hugetlb: { pageSize: number; bytes: number }[];
  /** starts, starts with warnings, refused by QEMU, or fails in a scenario step (verdict.ts) */
  verdict: Verdict;
  /** the VM's own problems in the report's file: its declaration's, its scenarios', host-level ones about it */
  diagnostics: ReportDiagnostic[];
}

export interface StepContainer {
  id: string;
  mappings: number;
  pinnedBytes: number;
  pageTableBytes: number;
  limit: number | null;
}

export interface StepReport {
  index: number;
  line: number;
  range: A.Range;
  text: string;
  host: string;
  containers: StepContainer[];
  pluggedBlocks: Record<string, number>;
  sharedBytes: number;
  sharedRanges: { start: number; end: number }[];
  migration?: { to: string; mode: string; bytes: number; seconds: number; faultBytes?: number; faultSeconds?: number };
  diagnostics: ReportDiagnostic[];
}

export interface ScenarioReport {
  name: string;
  vm: string;
  /** the scenario's name */
  source: SourceRef;
  steps: StepReport[];
}

export interface Report {
  file: string;
  vms: VmReport[];
  scenarios: ScenarioReport[];
  /** the hosts the VMs run on and migrate to */
  hosts: HostReport[];
}

const figures = (c: ContainerFigures): FiguresAt => ({ mappings: c.mappings, pinnedBytes: c.pinnedBytes, pageTableBytes: c.pageTableBytes });

const toReportDiagnostic = (d: EngineDiagnostic): ReportDiagnostic => ({ code: d.code, severity: d.severity, message: d.message, range: d.range });

/** The attribute as written (name to value), else what the reader points at without it. */
const attributeRange = (attrs: AttributeReader, name: string): A.Range => attrs.attribute(name)?.range ?? attrs.rangeOf(name);

export function buildReport(analysis: Analysis, onlyScenario?: string): Report {
  const scenarios = analysis.scenarios.filter((s) => onlyScenario === undefined || s.scenario.name.text === onlyScenario);
  const used = new Set([...analysis.vms.map((a) => a.vm.host.name), ...scenarios.flatMap((s) => s.steps.map((step) => step.host))]);
  const verdicts = computeVerdicts(analysis);
  const scenariosOf = new Map<string, ScenarioResult[]>();
  for (const s of analysis.scenarios) scenariosOf.set(s.vm, [...(scenariosOf.get(s.vm) ?? []), s]);
  return {
    file: analysis.path,
    vms: analysis.vms.map((vm) => vmReport(vm, scenariosOf.get(vm.vm.name) ?? [], verdicts.get(vm.vm.name), analysis.path)),
    scenarios: scenarios.map((s) => scenarioReport(s, analysis.path)),
    hosts: analysis.hosts.filter((h) => used.has(h.name)).map(hostReport),
  };
}

function hostReport(host: HostModel): HostReport {
  const at = (range: A.Range): SourceRef | null => (host.builtin ? null : { file: host.file, range });
  const declaredReserved = host.iommu.reserved.some((r) => r.range);
  return {
    name: host.name,
    memlock: host.memlock === "unlimited" || host.capIpcLock ? null : host.memlock,
    iommuAddressWidth: host.iommu.addressWidth,
    // The vendor's default windows point at the vendor (or the iommu block).
    reservedIova: host.iommu.reserved.map((r) => ({ name: r.name, start: r.start, end: r.end, source: at(r.range ?? (declaredReserved ? host.nameRange : attributeRange(host.attrs.iommu, "vendor"))) })),
    source: at(host.nameRange),
    memlockSource: at(attributeRange(host.attrs.host, host.capIpcLock ? "cap-ipc-lock" : "memlock")),
    addressWidthSource: at(attributeRange(host.attrs.iommu, "address-width")),
    hugepages: [...host.hugepages].sort((a, b) => a[0] - b[0]).map(([pageSize, pool]) => ({ pageSize, pages: pool.count })),
  };
}

function vmReport(a: VmAnalysis, scenarios: ScenarioResult[], verdict: VmVerdict | undefined, file: string): VmReport {
  const vm = a.vm;
  const at = (range: A.Range): SourceRef => ({ file: vm.file, range });
  const memoryDevices = new Map([...vm.virtioMem, ...vm.dimms].map((d) => [d.name, d.nameRange]));
  const sectionSource = (kind: string, name: string): SourceRef =>
    at(kind === "ram" ? attributeRange(vm.attrs, "memory") : kind === "rom" ? attributeRange(vm.attrs, "machine") : (memoryDevices.get(name) ?? vm.decl.name.range));
  const containers = new Map<string, ContainerReport>();
  for (const c of a.containers) {
    containers.set(c.id, {
      id: c.id,
      backend: c.key.backend,
      devices: c.devices.map((d) => d.name),
      behindViommu: c.key.behindViommu,
      limit: c.boot.limit,
      domains: c.worstCase.domains.length,
      startupCheck: c.startupCheck && {
        mappings: c.startupCheck.mappings,
        memslots: c.startupCheck.memslots,
        sections: c.startupCheck.sections,
        total: c.startupCheck.total,
        limit: c.startupCheck.limit,
        passes: c.startupCheck.passes,
      },
      boot: figures(c.boot),
      peak: { ...figures(c.boot), scenario: null, step: null },
      worstCase: figures(c.worstCase),
      pageTableBytes: c.worstCase.pageTableBytes,
    });
  }
  for (const s of scenarios) {
    for (const step of s.steps) {
      for (const c of step.containers) {
        let entry = containers.get(c.id);
        if (!entry) {
          // A container that exists only after a hot-plug.
          entry = {
            id: c.id,
            backend: c.backend,
            devices: c.devices.map((d) => d.name),
            behindViommu: c.behindViommu,
            limit: c.limit,
            domains: c.domains.length,
            startupCheck: null,
            boot: null,
            peak: { ...figures(c), scenario: s.scenario.name.text, step: step.index },
            worstCase: null,
            pageTableBytes: c.pageTableBytes,
          };
          containers.set(c.id, entry);
        }
        if (c.mappings > entry.peak.mappings) entry.peak = { ...figures(c), scenario: s.scenario.name.text, step: step.index };
        // Page tables grow with domains added by hot-plugs, not only with mappings.
        entry.pageTableBytes = Math.max(entry.pageTableBytes, c.pageTableBytes);
      }
    }
  }
  return {
    name: vm.name,
    host: vm.host.name,
    machine: vm.machine,
    memory: vm.memory,
    maxmem: vm.maxmem,
    confidential: vm.confidential,
    layout: {
      sections: a.layout.sections.map((s) => ({ name: s.name, kind: s.kind, start: s.start, end: s.end, source: sectionSource(s.kind, s.name), ...(s.guestMemfd ? { guestMemfd: true as const } : {}) })),
      deviceMemory: a.layout.deviceMemory,
      pciHole64: a.layout.pciHole64,
      highestGpa: a.layout.highestGpa,
      physBitsNeeded: a.layout.physBitsNeeded,
      physBits: vm.physBits,
      relocatedAbove1T: a.layout.relocatedAbove1T,
    },
    virtioMem: a.virtioMem.map((v) => ({
      name: v.device.name,
      base: v.base,
      size: v.device.size,
      blockSize: v.device.blockSize,
      blocks: v.blocks,
      pluggedBlocks: v.pluggedBlocks,
      usableRegion: v.usableRegion,
      guestMode: v.guestMode,
      largestPassingSize: v.largestPassingSize,
      source: at(v.device.nameRange),
    })),
    vfio: vm.vfio.map((d) => ({ name: d.name, source: at(d.nameRange) })),
    containers: [...containers.values()],
    source: at(vm.decl.name.range),
    memlock: { processBytes: processPins(a.containers.map((c) => c.boot), vm.host), userBytes: userPins(a.containers.map((c) => c.boot), vm.host) },
    hugetlb: [...hugetlbNeeds(vm)].sort((x, y) => x[0] - y[0]).map(([pageSize, bytes]) => ({ pageSize, bytes })),
    verdict: verdict?.verdict ?? { kind: "starts" },
    diagnostics: (verdict?.diagnostics ?? []).filter((d) => d.file === file).map(toReportDiagnostic),
  };
}

function scenarioReport(s: ScenarioResult, file: string): ScenarioReport {
  return {
    name: s.scenario.name.text,
    vm: s.vm,
    source: { file, range: s.scenario.name.range },
    steps: s.steps.map((step) => ({
      index: step.index,
      line: step.line,
      range: step.step.range,
      text: step.text,
      host: step.host,
      containers: step.containers.map((c) => ({ id: c.id, mappings: c.mappings, pinnedBytes: c.pinnedBytes, pageTableBytes: c.pageTableBytes, limit: c.limit })),
      pluggedBlocks: step.pluggedBlocks,
      sharedBytes: step.sharedBytes,
      sharedRanges: step.sharedRanges,
      ...(step.migration ? { migration: step.migration } : {}),
      diagnostics: step.diagnostics.map(toReportDiagnostic),
    })),
  };
}
