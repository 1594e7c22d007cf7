// The report of CLI.md's JSON contract: figures per VM, container and scenario step. The
// same object feeds `vmtopo report`, the webview and hover.
import type { Analysis } from "./analyze";
import type { ContainerFigures } from "./containers";
import type { ScenarioResult } from "./scenario";
import type { EngineDiagnostic } from "./sink";
import type { VmAnalysis } from "./vm-analysis";

export interface ReportDiagnostic {
  code: string;
  severity: string;
  message: string;
  range: EngineDiagnostic["range"];
}

export interface FiguresAt {
  mappings: number;
  pinnedBytes: number;
  pageTableBytes: number;
}

export interface ContainerReport {
  id: string;
  backend: string;
  devices: string[];
  behindViommu: boolean;
  limit: number | null;
  domains: number;
  startupCheck: { mappings: number; memslots: number; sections: number; total: number; limit: number; passes: boolean } | null;
  boot: FiguresAt | null;
  peak: FiguresAt & { scenario: string | null; step: number | null };
  worstCase: FiguresAt | null;
  pageTableBytes: number;
}

export interface VmReport {
  name: string;
  host: string;
  machine: string;
  memory: number;
  maxmem: number;
  confidential: string;
  layout: {
    sections: { name: string; kind: string; start: number; end: number }[];
    deviceMemory: { start: number; end: number } | null;
    pciHole64: { start: number; end: number } | null;
    highestGpa: number;
    physBitsNeeded: number;
    physBits: number;
    relocatedAbove1T: boolean;
  };
  virtioMem: {
    name: string;
    base: number | null;
    size: number;
    blockSize: number;
    blocks: number;
    pluggedBlocks: number;
    usableRegion: number;
    guestMode: string;
    largestPassingSize: number | null;
  }[];
  containers: ContainerReport[];
}

export interface ScenarioReport {
  name: string;
  vm: string;
  steps: {
    index: number;
    line: number;
    text: string;
    host: string;
    containers: { id: string; mappings: number; pinnedBytes: number; pageTableBytes: number }[];
    pluggedBlocks: Record<string, number>;
    sharedBytes: number;
    migration?: { to: string; mode: string; bytes: number; seconds: number; faultBytes?: number; faultSeconds?: number };
    diagnostics: ReportDiagnostic[];
  }[];
}

export interface Report {
  file: string;
  vms: VmReport[];
  scenarios: ScenarioReport[];
}

const figures = (c: ContainerFigures): FiguresAt => ({ mappings: c.mappings, pinnedBytes: c.pinnedBytes, pageTableBytes: c.pageTableBytes });

const toReportDiagnostic = (d: EngineDiagnostic): ReportDiagnostic => ({ code: d.code, severity: d.severity, message: d.message, range: d.range });

export function buildReport(analysis: Analysis, onlyScenario?: string): Report {
  const scenarios = analysis.scenarios.filter((s) => onlyScenario === undefined || s.scenario.name.text === onlyScenario);
  return {
    file: analysis.path,
    vms: analysis.vms.map((vm) => vmReport(vm, analysis.scenarios.filter((s) => s.vm === vm.vm.name))),
    scenarios: scenarios.map(scenarioReport),
  };
}

function vmReport(a: VmAnalysis, scenarios: ScenarioResult[]): VmReport {
  const vm = a.vm;
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
      sections: a.layout.sections.map((s) => ({ name: s.name, kind: s.kind, start: s.start, end: s.end })),
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
    })),
    containers: [...containers.values()],
  };
}

function scenarioReport(s: ScenarioResult): ScenarioReport {
  return {
    name: s.scenario.name.text,
    vm: s.vm,
    steps: s.steps.map((step) => ({
      index: step.index,
      line: step.line,
      text: step.text,
      host: step.host,
      containers: step.containers.map((c) => ({ id: c.id, mappings: c.mappings, pinnedBytes: c.pinnedBytes, pageTableBytes: c.pageTableBytes })),
      pluggedBlocks: step.pluggedBlocks,
      sharedBytes: step.sharedBytes,
      ...(step.migration ? { migration: step.migration } : {}),
      diagnostics: step.diagnostics.map(toReportDiagnostic),
    })),
  };
}
