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

export interface LiveComparison {
  vm: string;
  scenario: string | null;
  step: number | null;
  qemuVersion: string | null;
  /** the running VM's figures, as read */
  live: LiveVm;
  /** one VT501 per difference, on the design's line it contradicts (in `file`) */
  differences: (ReportDiagnostic & { file: string })[];
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
  const at = (source: SourceRef, message: string) => differences.push({ code: "VT501", severity: "warning", message: `the running VM differs from the design: ${message}`, range: source.range, file: source.file });
  const when = design.step ? `after step ${design.step.report.index} of scenario '${design.step.scenario}'` : "at boot";

  // Memory devices by id; their backends' names map flat-view regions to devices.
  const byId = new Map(live.memoryDevices.filter((d) => d.id !== null).map((d) => [d.id!, d]));
  const backendToDevice = new Map(live.memoryDevices.filter((d) => d.memdev && d.id).map((d) => [d.memdev!.replace(/^\/objects\//, ""), d.id!]));
  for (const d of vm.virtioMem) {
    const running = byId.get(d.name);
    if (!running) {
      at(d.source, `virtio-mem '${d.name}' is not in the running VM (no memory device with id '${d.name}')`);
      continue;
    }
    if (running.type !== "virtio-mem") {
      at(d.source, `'${d.name}' is a ${running.type} in the running VM, a virtio-mem in the design`);
      continue;
    }
    if (d.base !== null && running.memaddr !== d.base) at(d.source, `virtio-mem '${d.name}' is at ${hex(running.memaddr)}, the design places it at ${hex(d.base)}`);
    if (running.maxSize !== undefined && running.maxSize !== d.size) at(d.source, `virtio-mem '${d.name}' has a ${bytes(running.maxSize)} backend, the design says size = ${bytes(d.size)}`);
    if (running.blockSize !== undefined && running.blockSize !== d.blockSize) at(d.source, `virtio-mem '${d.name}' has block-size ${bytes(running.blockSize)}, the design ${bytes(d.blockSize)}`);
    const expected = design.requested.get(d.name) ?? 0;
    if (running.requestedSize !== undefined && running.requestedSize !== expected) {
      at(design.step && design.step.report.pluggedBlocks[d.name] !== undefined ? { file: vm.source.file, range: design.step.report.range } : d.source, `virtio-mem '${d.name}' has requested-size ${bytes(running.requestedSize)}, the design requests ${bytes(expected)} ${when}`);
    } else if (running.requestedSize !== undefined && running.size !== running.requestedSize) {
      notes.push(`virtio-mem '${d.name}': the guest has plugged ${bytes(running.size)} of the ${bytes(running.requestedSize)} requested (its driver plugs asynchronously; with no driver nothing is plugged)`);
    }
  }
  const designed = new Set(vm.virtioMem.map((d) => d.name));
  for (const running of live.memoryDevices) {
    if (running.type === "virtio-mem" && (running.id === null || !designed.has(running.id))) {
      at(vm.source, `the running VM has a virtio-mem device ${running.id === null ? "without an id" : `'${running.id}'`} (${bytes(running.maxSize ?? 0)} at ${hex(running.memaddr)}) that the design does not declare`);
    }
  }

  // RAM sections of the flat view, in the design's vocabulary.
  const designRam = vm.layout.sections.filter((s) => s.kind !== "rom").map((s) => ({ key: sectionKey(/^ram-/.test(s.name) ? "boot RAM" : s.name, s.start, s.end), source: s.source }));
  // Only boot RAM and memory devices: a running guest also has RAM in PCI BARs (vga.vram, …)
  // that the design does not model.
  const bootNames = new Set(["pc.ram", ...(live.bootBackend ? [live.bootBackend] : [])]);
  const liveRam = live.flatView
    .filter((s) => s.kind === "ram" && (bootNames.has(s.name) || backendToDevice.has(s.name)))
    .map((s) => sectionKey(bootNames.has(s.name) ? "boot RAM" : backendToDevice.get(s.name)!, s.start, s.end));
  const liveSet = new Set(liveRam);
  for (const s of designRam) if (!liveSet.has(s.key)) at(s.source, `the flat view has no RAM section ${s.key} (QEMU's is ${nearest(s.key, liveRam)})`);
  // A section the design has elsewhere was reported above, with QEMU's place; only the unknown ones here.
  const designNames = new Set(designRam.map((s) => s.key.slice(0, s.key.indexOf(" ["))));
  for (const key of liveRam) if (!designNames.has(key.slice(0, key.indexOf(" [")))) at(vm.source, `the flat view has a RAM section ${key} that the design does not predict`);

  // VFIO devices.
  const liveVfio = new Set(live.vfio);
  for (const d of design.vfio) if (!liveVfio.has(d.name)) at(d.source, `vfio '${d.name}' is not in the running VM (no vfio-pci device with id '${d.name}') ${when}`);
  const designVfio = new Set(design.vfio.map((d) => d.name));
  for (const id of live.vfio) if (!designVfio.has(id)) at(vm.source, `the running VM has a vfio-pci device '${id}' that the design does not have ${when}`);

  differences.sort((a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { vm: vm.name, scenario: design.step?.scenario ?? null, step: design.step?.report.index ?? null, qemuVersion: live.qemuVersion, live, differences, notes };
}

const sectionKey = (name: string, start: number, end: number) => `${name} [${hex(start)}, ${hex(end)})`;

/** The live section of the same name, to say where QEMU put it instead. */
function nearest(key: string, live: string[]): string {
  const name = key.slice(0, key.indexOf(" ["));
  const same = live.filter((k) => k.startsWith(`${name} [`));
  return same.length > 0 ? same.join(", ") : "absent";
}
