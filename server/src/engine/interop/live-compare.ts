// `vmtopo live`, the pure half: what a running QEMU reports over QMP, compared with the
// design's prediction for one VM, at boot or after a scenario step. Every difference is a
// VT501 diagnostic placed on the design's line it contradicts. Reading QMP is
// server/src/qmp/read-live.ts; this file has no I/O.
import type * as A from "../../../../grammar/src/index";
import type { Analysis } from "../analyze";
import { exactBytes, hex } from "../format";
import type { Report, ReportDiagnostic, SourceRef, StepReport, VmReport } from "../report";
import type { FlatSection } from "./flat-view";

/** One entry of QMP's query-memory-devices (qapi/machine.json MemoryDeviceInfo), with virtio-mem's live properties. */
export interface LiveMemoryDevice {
  /** "virtio-mem", "dimm", "nvdimm", "virtio-pmem", "sgx-epc", … */
  type: string;
  id: string | null;
  memaddr: number;
  /** virtio-mem: the plugged size (the guest's driver plugs asynchronously); dimm: its size */
  size: number;
  /** virtio-mem only */
  requestedSize?: number;
  blockSize?: number;
  maxSize?: number;
  /** the backend's QOM path, e.g. "/objects/m0" */
  memdev?: string;
}

export interface LiveVm {
  qemuVersion: string | null;
  memoryDevices: LiveMemoryDevice[];
  /** RAM and ROM sections of `info mtree -f`'s system address space */
  flatView: FlatSection[];
  /** the machine's `memory-backend` property: boot RAM's region name when set (else "pc.ram") */
  bootBackend: string | null;
  /** ids of the vfio-pci devices (an anonymous one is "(no id)") */
  vfio: string[];
}

export interface LiveDesign {
  vm: VmReport;
  /** the scenario step the VM is compared after, or null for boot */
  step: { scenario: string; report: StepReport } | null;
  /** the VM's VFIO devices at that point, with where each is declared */
  vfio: { name: string; source: SourceRef }[];
  /** each virtio-mem device's requested size at that point (bytes) */
  requested: Map<string, number>;
}

export class LiveDesignError extends Error {}

/** The design's prediction for `vmName`, at boot or after step `stepIndex` (1-based) of `scenarioName`. */
export function liveDesign(analysis: Analysis, report: Report, vmName: string, scenarioName?: string, stepIndex?: number): LiveDesign {
  const vm = report.vms.find((v) => v.name === vmName);
  if (!vm) throw new LiveDesignError(`no vm '${vmName}' in this file${report.vms.length > 0 ? ` (it has ${report.vms.map((v) => v.name).join(", ")})` : ""}`);
  const requested = new Map(vm.virtioMem.map((d) => [d.name, d.pluggedBlocks * d.blockSize]));
  const vfio = [...vm.vfio];
  if (scenarioName === undefined) {
    if (stepIndex !== undefined) throw new LiveDesignError("a step needs its scenario");
    return { vm, step: null, vfio, requested };
  }
  const scenario = report.scenarios.find((s) => s.name === scenarioName);
  const result = analysis.scenarios.find((s) => s.scenario.name.text === scenarioName);
  if (!scenario || !result) throw new LiveDesignError(`no scenario '${scenarioName}' in this file`);
  if (scenario.vm !== vmName) throw new LiveDesignError(`scenario '${scenarioName}' is for vm '${scenario.vm}', not '${vmName}'`);
  const last = stepIndex ?? scenario.steps.length;
  const stepReport = scenario.steps.find((s) => s.index === last);
  if (!stepReport) throw new LiveDesignError(`scenario '${scenarioName}' has steps 1 to ${scenario.steps.length}, not ${last}`);
  for (const step of result.steps.filter((s) => s.index <= last)) applyDevices(step.step, vfio, vm.source.file);
  for (const [name, blocks] of Object.entries(stepReport.pluggedBlocks)) {
    const device = vm.virtioMem.find((d) => d.name === name);
    if (device) requested.set(name, blocks * device.blockSize);
  }
  return { vm, step: { scenario: scenarioName, report: stepReport }, vfio, requested };
}

function applyDevices(step: A.Step, vfio: { name: string; source: SourceRef }[], file: string): void {
  if (step.kind === "hotplug") vfio.push({ name: step.device.text, source: { file, range: step.device.range } });
  if (step.kind === "unplug") {
    const index = vfio.findIndex((d) => d.name === step.device.text);
    if (index >= 0) vfio.splice(index, 1);
  }
}

/**
 * One figure of the side-by-side view of a running VM and its design (the mapping-state
 * view's "Live (QEMU)" column): an address range, a size, an address, or a device that is there.
 */
export type LiveFigure = { kind: "range"; start: number; end: number } | { kind: "bytes"; value: number } | { kind: "address"; value: number } | { kind: "present" };

/** A row of the side-by-side view: the design's figure and QEMU's, null where one side has none. */
export interface LiveRow {
  /** stable and unique: "ram:boot RAM:1", "virtio-mem:vm0:requested-size", "vfio:nic0" */
  key: string;
  group: "ram" | "virtio-mem" | "vfio";
  /** the section, device or property: "boot RAM", "vm0", "requested-size" */
  label: string;
  /** the virtio-mem device a property row belongs to */
  device?: string;
  design: LiveFigure | null;
  live: LiveFigure | null;
  /** where the design declares it, to reveal */
  source: SourceRef | null;
  /** what is not a difference but worth knowing about this row */
  note?: string;
}

export interface LiveComparison {
  vm: string;
  scenario: string | null;
  step: number | null;
  qemuVersion: string | null;
  /** the running VM's figures, as read */
  live: LiveVm;
  /** the design's figures beside QEMU's, row by row: RAM sections, virtio-mem properties, VFIO devices */
  rows: LiveRow[];
  /** one VT501 per difference, on the design's line it contradicts (in `file`); `subject` is its row's key */
  differences: (ReportDiagnostic & { file: string; subject: string })[];
  /** what is not a difference but worth knowing (a guest still plugging memory) */
  notes: string[];
}

const bytes = (n: number) => exactBytes(n);

/**
 * Compares: the RAM sections of the flat view (boot RAM and memory-device regions; ROMs
 * depend on the firmware and are left out), every virtio-mem device (base, size, block
 * size, requested size) and memory device, and the set of vfio-pci devices.
 */
export function compareLive(design: LiveDesign, live: LiveVm): LiveComparison {
  const { vm } = design;
  const differences: LiveComparison["differences"] = [];
  const notes: string[] = [];
  const ramRows: LiveRow[] = [];
  const deviceRows: LiveRow[] = [];
  const vfioRows: LiveRow[] = [];
  const at = (subject: string, source: SourceRef, message: string) =>
    differences.push({ code: "VT501", severity: "warning", message: `the running VM differs from the design: ${message}`, range: source.range, file: source.file, subject });
  const when = design.step ? `after step ${design.step.report.index} of scenario '${design.step.scenario}'` : "at boot";
  const present = { kind: "present" } as const;
  const range = (start: number, end: number): LiveFigure => ({ kind: "range", start, end });
  const size = (value: number | undefined): LiveFigure | null => (value === undefined ? null : { kind: "bytes", value });

  // Memory devices by id; their backends' names map flat-view regions to devices.
  const byId = new Map(live.memoryDevices.filter((d) => d.id !== null).map((d) => [d.id!, d]));
  const backendToDevice = new Map(live.memoryDevices.filter((d) => d.memdev && d.id).map((d) => [d.memdev!.replace(/^\/objects\//, ""), d.id!]));
  for (const d of vm.virtioMem) {
    const running = byId.get(d.name);
    const row = (property: string, designed: LiveFigure | null, read: LiveFigure | null, note?: string): string => {
      const key = `virtio-mem:${d.name}:${property}`;
      deviceRows.push({ key, group: "virtio-mem", label: property, device: d.name, design: designed, live: read, source: d.source, ...(note ? { note } : {}) });
      return key;
    };
    if (!running || running.type !== "virtio-mem") {
      const key = row("device", present, running ? { kind: "present" } : null, running ? `a ${running.type} in the running VM` : undefined);
      at(key, d.source, running ? `'${d.name}' is a ${running.type} in the running VM, a virtio-mem in the design` : `virtio-mem '${d.name}' is not in the running VM (no memory device with id '${d.name}')`);
      continue;
    }
    const address = row("address", d.base === null ? null : { kind: "address", value: d.base }, { kind: "address", value: running.memaddr });
    if (d.base !== null && running.memaddr !== d.base) at(address, d.source, `virtio-mem '${d.name}' is at ${hex(running.memaddr)}, the design places it at ${hex(d.base)}`);
    const backend = row("size", size(d.size), size(running.maxSize));
    if (running.maxSize !== undefined && running.maxSize !== d.size) at(backend, d.source, `virtio-mem '${d.name}' has a ${bytes(running.maxSize)} backend, the design says size = ${bytes(d.size)}`);
    const block = row("block-size", size(d.blockSize), size(running.blockSize));
    if (running.blockSize !== undefined && running.blockSize !== d.blockSize) at(block, d.source, `virtio-mem '${d.name}' has block-size ${bytes(running.blockSize)}, the design ${bytes(d.blockSize)}`);
    const expected = design.requested.get(d.name) ?? 0;
    const requested = row("requested-size", size(expected), size(running.requestedSize));
    let plugging: string | undefined;
    if (running.requestedSize !== undefined && running.requestedSize !== expected) {
      at(requested, design.step && design.step.report.pluggedBlocks[d.name] !== undefined ? { file: vm.source.file, range: design.step.report.range } : d.source, `virtio-mem '${d.name}' has requested-size ${bytes(running.requestedSize)}, the design requests ${bytes(expected)} ${when}`);
    } else if (running.requestedSize !== undefined && running.size !== running.requestedSize) {
      plugging = `the guest has plugged ${bytes(running.size)} of the ${bytes(running.requestedSize)} requested (its driver plugs asynchronously; with no driver nothing is plugged)`;
      notes.push(`virtio-mem '${d.name}': ${plugging}`);
    }
    // The design plugs what it requests; QEMU's `size` is what the guest's driver has plugged so far.
    row("plugged", size(expected), size(running.size), plugging);
  }
  const designed = new Set(vm.virtioMem.map((d) => d.name));
  for (const running of live.memoryDevices) {
    if (running.type === "virtio-mem" && (running.id === null || !designed.has(running.id))) {
      const key = `virtio-mem:${running.id ?? `(no id) at ${running.memaddr}`}:device`;
      deviceRows.push({ key, group: "virtio-mem", label: "device", device: running.id ?? "(no id)", design: null, live: range(running.memaddr, running.memaddr + (running.maxSize ?? 0)), source: vm.source });
      at(key, vm.source, `the running VM has a virtio-mem device ${running.id === null ? "without an id" : `'${running.id}'`} (${bytes(running.maxSize ?? 0)} at ${hex(running.memaddr)}) that the design does not declare`);
    }
  }

  // RAM sections of the flat view, in the design's vocabulary.
  const designRam = vm.layout.sections.filter((s) => s.kind !== "rom").map((s) => ({ name: /^ram-/.test(s.name) ? "boot RAM" : s.name, start: s.start, end: s.end, source: s.source }));
  // Only boot RAM and memory devices: a running guest also has RAM in PCI BARs (vga.vram, …)
  // that the design does not model.
  const bootNames = new Set(["pc.ram", ...(live.bootBackend ? [live.bootBackend] : [])]);
  const liveRam = live.flatView
    .filter((s) => s.kind === "ram" && (bootNames.has(s.name) || backendToDevice.has(s.name)))
    .map((s) => ({ name: bootNames.has(s.name) ? "boot RAM" : backendToDevice.get(s.name)!, start: s.start, end: s.end }));
  const liveKeys = liveRam.map((s) => sectionKey(s.name, s.start, s.end));
  const liveSet = new Set(liveKeys);
  const designNames = new Set(designRam.map((s) => s.name));
  // Rows: equal sections side by side; of the others, the design's n-th section of a name
  // beside QEMU's n-th unmatched one of that name (a section that moved is one row).
  const designKeys = new Set(designRam.map((s) => sectionKey(s.name, s.start, s.end)));
  const unmatchedLive = new Map<string, typeof liveRam>();
  for (const s of liveRam) if (!designKeys.has(sectionKey(s.name, s.start, s.end))) unmatchedLive.set(s.name, [...(unmatchedLive.get(s.name) ?? []), s]);
  const rowsOfName = new Map<string, number>();
  const ramRow = (name: string, designed: { start: number; end: number } | null, read: { start: number; end: number } | null, source: SourceRef | null): string => {
    const n = rowsOfName.get(name) ?? 0;
    rowsOfName.set(name, n + 1);
    const key = `ram:${name}:${n}`;
    ramRows.push({ key, group: "ram", label: name, design: designed && range(designed.start, designed.end), live: read && range(read.start, read.end), source });
    return key;
  };
  for (const s of designRam) {
    const key = sectionKey(s.name, s.start, s.end);
    if (liveSet.has(key)) {
      ramRow(s.name, s, s, s.source);
      continue;
    }
    const beside = unmatchedLive.get(s.name)?.shift() ?? null;
    at(ramRow(s.name, s, beside, s.source), s.source, `the flat view has no RAM section ${key} (QEMU's is ${nearest(key, liveKeys)})`);
  }
  for (const [name, rest] of unmatchedLive) {
    for (const s of rest) {
      const row = ramRow(name, null, s, designNames.has(name) ? null : vm.source);
      // A section the design has elsewhere was reported above, with QEMU's place; only the unknown ones here.
      if (!designNames.has(name)) at(row, vm.source, `the flat view has a RAM section ${sectionKey(name, s.start, s.end)} that the design does not predict`);
    }
  }
  ramRows.sort((a, b) => figureStart(a) - figureStart(b));

  // VFIO devices.
  const liveVfio = new Set(live.vfio);
  const designVfio = new Set(design.vfio.map((d) => d.name));
  for (const d of design.vfio) {
    const key = `vfio:${d.name}`;
    vfioRows.push({ key, group: "vfio", label: d.name, design: present, live: liveVfio.has(d.name) ? present : null, source: d.source });
    if (!liveVfio.has(d.name)) at(key, d.source, `vfio '${d.name}' is not in the running VM (no vfio-pci device with id '${d.name}') ${when}`);
  }
  for (const [i, id] of live.vfio.entries()) {
    if (designVfio.has(id)) continue;
    const key = `vfio:${id}:${i}`;
    vfioRows.push({ key, group: "vfio", label: id, design: null, live: present, source: vm.source });
    at(key, vm.source, `the running VM has a vfio-pci device '${id}' that the design does not have ${when}`);
  }

  differences.sort((a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { vm: vm.name, scenario: design.step?.scenario ?? null, step: design.step?.report.index ?? null, qemuVersion: live.qemuVersion, live, rows: [...ramRows, ...deviceRows, ...vfioRows], differences, notes };
}

const figureStart = (row: LiveRow): number => {
  const f = row.design ?? row.live;
  return f?.kind === "range" ? f.start : 0;
};

const sectionKey = (name: string, start: number, end: number) => `${name} [${hex(start)}, ${hex(end)})`;

/** The live section of the same name, to say where QEMU put it instead. */
function nearest(key: string, live: string[]): string {
  const name = key.slice(0, key.indexOf(" ["));
  const same = live.filter((k) => k.startsWith(`${name} [`));
  return same.length > 0 ? same.join(", ") : "absent";
}
