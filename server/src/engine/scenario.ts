// Scenarios replayed step by step on a fresh copy of the VM (DOMAIN.md §4, §5). The state is
// a handful of counters and interval sets: a step costs in ranges, never in pages.
import type * as A from "../../../grammar/src/index";
import type { Bytes } from "./attributes";
import {
  confidentialRdm,
  containerFigures,
  containerKey,
  CONVERSION_GRANULE,
  groupContainers,
  isConfidential,
  memslotPlans,
  startupCheck,
  type ContainerFigures,
  type MemoryState,
} from "./containers";
import { bytes, count, duration, exactBytes, hex } from "./format";
import { IntervalTimeline } from "./interval-timeline";
import { IntervalSet } from "./intervals";
import { bitsFor, usesGuestMemfd, type Layout } from "./layout";
import { resolveVfioDevice, type HostModel, type VfioDeviceModel, type VmModel } from "./model";
import { unresolved } from "./program";
import { Sink, type EngineDiagnostic } from "./sink";
import { formatVersion } from "./version";
import { hasFact, versionFact } from "./versions";
import { checkIommufdVersion, checkMemlock, checkViommu, checkViommuDiscard, reportMemslotCheck, DMA_MAP_ENOSPC, guestMemfdVfioMessage, hugetlbNeeds, limitDeclaration, processPins, reportDomains, userPins, type VmAnalysis } from "./vm-analysis";

export interface MigrationFigures {
  to: string;
  mode: "precopy" | "postcopy";
  bytes: Bytes;
  seconds: number;
  /** postcopy: what one page fault fetches, and how long it takes at the bandwidth */
  faultBytes?: Bytes;
  faultSeconds?: number;
}

export interface StepResult {
  index: number;
  step: A.Step;
  line: number;
  text: string;
  host: string;
  containers: ContainerFigures[];
  pluggedBlocks: Record<string, number>;
  sharedBytes: Bytes;
  /** the confidential guest's shared memory after this step, as guest-physical ranges */
  sharedRanges: { start: Bytes; end: Bytes }[];
  migration?: MigrationFigures;
  diagnostics: EngineDiagnostic[];
}

export interface ScenarioResult {
  scenario: A.Scenario;
  vm: string;
  steps: StepResult[];
}

export interface HostLookup {
  get(name: string): HostModel | undefined;
  names(): Iterable<string>;
  /** pins of other VMs charged to the same user on `host` (iommufd accounting = user) */
  otherUserPins(host: HostModel, vm: VmModel): { pinned: Bytes; names: string[] };
  /** hugetlb memory of other VMs on `host`, per page size */
  hugetlbUsedByOthers(host: HostModel, vm: VmModel): Map<Bytes, Bytes>;
}

interface SimState {
  host: HostModel;
  devices: VfioDeviceModel[];
  memory: MemoryState;
  containerIds: Map<string, string>;
  /** the containers' figures in the state as it is before the step now applied */
  current?: ContainerFigures[];
}

const NO_DIAGNOSTICS: EngineDiagnostic[] = [];

/**
 * One step's record. A scenario keeps one per step, so it carries no closure: the drawing
 * summary of shared memory is computed when asked for, through the scenario's timeline.
 */
class StepRecord implements StepResult {
  constructor(
    readonly index: number,
    readonly step: A.Step,
    readonly line: number,
    readonly text: string,
    readonly host: string,
    readonly containers: ContainerFigures[],
    readonly pluggedBlocks: Record<string, number>,
    readonly sharedBytes: Bytes,
    readonly diagnostics: EngineDiagnostic[],
    private readonly summaries: (stepIndex: number) => StepResult["sharedRanges"],
    readonly migration?: MigrationFigures,
  ) {
    if (migration === undefined) delete (this as { migration?: MigrationFigures }).migration;
  }

  get sharedRanges(): StepResult["sharedRanges"] {
    return this.summaries(this.index - 1);
  }
}

export function simulateScenario(scenario: A.Scenario, analysis: VmAnalysis, hosts: HostLookup, sink: Sink, sourceText: (range: A.Range) => string): ScenarioResult {
  const vm = analysis.vm;
  const state: SimState = {
    host: vm.host,
    devices: [...vm.vfio],
    memory: { plugged: new Map(analysis.boot.plugged), shared: analysis.boot.shared.clone(), viommuMaps: new Map() },
    containerIds: new Map(analysis.containers.map((c) => [c.key.key, c.id])),
  };
  const steps: StepResult[] = [];
  // Shared ranges for drawing, summarised only when asked for: exact up to 256 ranges,
  // else narrow gaps closed (sharedBytes stays exact).
  const sharedTimeline = new IntervalTimeline(state.memory.shared, 256);
  const sharedSummaries: StepResult["sharedRanges"][] = [];
  const sharedRangesAfter = (i: number) => (sharedSummaries[i] ??= sharedTimeline.rangesAfter(i).map(([start, end]) => ({ start, end })));
  // A step's "before" is the previous step's "after": nothing changes the state between steps.
  let containersBefore = currentContainers(state, analysis);
  // Steps that plug nothing share one record of plugged blocks.
  let pluggedBlocks = Object.fromEntries(state.memory.plugged);
  scenario.steps.forEach((step, i) => {
    const stepSink = new Sink(sink.file);
    const before = containersBefore;
    const pinnedBefore = processPins(containersBefore, state.host);
    const userPinnedBefore = userPins(containersBefore, state.host);
    state.current = containersBefore;
    const migration = applyStep(step, state, analysis, hosts, stepSink);
    state.current = undefined;
    sharedTimeline.endStep(state.memory.shared);
    const containers = currentContainers(state, analysis);
    containersBefore = containers;
    if (!samePlugged(pluggedBlocks, state.memory.plugged)) pluggedBlocks = Object.fromEntries(state.memory.plugged);
    // A limit is reported at the step that crosses it or goes further over it, not again
    // at every later step that leaves the container as it was.
    for (const c of containers) {
      const previous = before.find((b) => b.id === c.id);
      if (c.limit !== null && c.mappings > c.limit && (!previous || c.mappings > previous.mappings || (previous.limit !== null && previous.mappings <= previous.limit))) {
        stepSink.error("VT202", step.range, `after this step container ${c.id} (${c.devices.map((d) => d.name).join(", ")}) holds ${count(c.mappings)} DMA mappings, limit ${count(c.limit)}: the mapping over the limit fails. QEMU: ${DMA_MAP_ENOSPC}`, { container: c.id, mappings: c.mappings, limit: c.limit }, limitDeclaration(state.host));
      }
    }
    const pinned = processPins(containers, state.host);
    if (pinned > pinnedBefore || migration) checkMemlock(vm, state.host, pinned, step.range, stepSink, "after this step");
    const charged = userPins(containers, state.host);
    if (charged > 0 && (charged > userPinnedBefore || migration)) checkMemlock(vm, state.host, charged, step.range, stepSink, "after this step", hosts.otherUserPins(state.host, vm));
    sink.diagnostics.push(...stepSink.diagnostics);
    const diagnostics = stepSink.diagnostics.length > 0 ? stepSink.diagnostics : NO_DIAGNOSTICS;
    steps.push(new StepRecord(i + 1, step, step.range.start.line, sourceText(step.range), state.host.name, containers, pluggedBlocks, state.memory.shared.size, diagnostics, sharedRangesAfter, migration));
  });
  sharedTimeline.finish();
  return { scenario, vm: vm.name, steps };
}

/** Boot RAM as an interval set, once per layout (every convert step checks against it). */
const bootRamSets = new WeakMap<Layout, IntervalSet>();
function bootRamOf(layout: Layout): IntervalSet {
  let set = bootRamSets.get(layout);
  if (!set) bootRamSets.set(layout, (set = IntervalSet.of(layout.bootRam.map((s) => [s.start, s.end] as const))));
  return set;
}

function samePlugged(record: Record<string, number>, plugged: Map<string, number>): boolean {
  if (Object.keys(record).length !== plugged.size) return false;
  for (const [name, blocks] of plugged) if (record[name] !== blocks) return false;
  return true;
}

/** The devices' grouping into containers, regrouped only when the devices changed (hot-plug, unplug). */
const groupings = new WeakMap<SimState, { devices: VfioDeviceModel[]; groups: ReturnType<typeof groupContainers> }>();
function containerGroups(state: SimState): ReturnType<typeof groupContainers> {
  const cached = groupings.get(state);
  if (cached && cached.devices.length === state.devices.length && cached.devices.every((d, i) => d === state.devices[i])) return cached.groups;
  const groups = groupContainers(state.devices);
  groupings.set(state, { devices: [...state.devices], groups });
  return groups;
}

function currentContainers(state: SimState, analysis: VmAnalysis): ContainerFigures[] {
  const vm = analysis.vm;
  return containerGroups(state).map(({ key, devices }) => {
    if (!state.containerIds.has(key.key)) state.containerIds.set(key.key, `c${state.containerIds.size}`);
    return containerFigures(state.containerIds.get(key.key)!, key, devices, vm, analysis.layout, state.host, state.memory);
  });
}

function valueBytes(value: A.Value): Bytes | null {
  if (value.kind === "size") return value.bytes;
  if (value.kind === "integer") return value.value;
  return null;
}

function deviceNames(vm: VmModel, state: SimState): string[] {
  return [...state.devices.map((d) => d.name), ...vm.virtioMem.map((d) => d.name), ...vm.dimms.map((d) => d.name)];
}

function applyStep(step: A.Step, state: SimState, analysis: VmAnalysis, hosts: HostLookup, sink: Sink): MigrationFigures | undefined {
  const vm = analysis.vm;
  switch (step.kind) {
    case "resize": {
      if (step.device.missing) return;
      const device = vm.virtioMem.find((d) => d.name === step.device.text);
      if (!device) {
        wrongDevice(step.device, "resize", "a virtio-mem device", vm, state, sink);
        return;
      }
      const size = valueBytes(step.size);
      if (size === null) {
        if (step.size.kind !== "missing" && !(step.size.kind === "integer" || step.size.kind === "size")) sink.error("VT004", step.size.range, "resize takes a size such as 4G");
        return;
      }
      const bs = device.blockSize;
      if (bs <= 0 || size % bs !== 0) {
        sink.error("VT404", step.size.range, `${exactBytes(size)} is not a multiple of virtio-mem '${device.name}' block size ${exactBytes(bs)}. QEMU: 'requested-size' has to be multiples of 'block-size' (${hex(bs)})`, { multiple: bs });
        return;
      }
      if (size > device.size) {
        sink.error("VT404", step.size.range, `${exactBytes(size)} exceeds virtio-mem '${device.name}' size of ${exactBytes(device.size)}. QEMU: 'requested-size' cannot exceed the memory backend size(${hex(device.size)})`, { maximum: device.size });
        return;
      }
      if (!analysis.layout.placements.some((p) => p.device === device)) return;
      let blocks = size / bs;
      const plugged = state.memory.plugged.get(device.name) ?? 0;
      if (blocks > plugged && hasFact(state.host, "virtio-mem-vfio")) {
        // One DMA mapping per plugged block: the plug request that finds no entry left fails
        // and is rolled back (vfio_ram_discard_notify_populate), the guest keeps what fit.
        const full = overLimit(state, analysis, blocks - plugged);
        if (full) {
          const fit = Math.max(0, (full.limit ?? 0) - full.mappings);
          refuseOverLimit(step, full, blocks - plugged, state, sink, `only ${count(fit)} more block${fit === 1 ? "" : "s"} plug (${bytes((plugged + fit) * bs)} of the ${bytes(size)} requested); the guest's further plug requests fail`);
          blocks = plugged + fit;
        }
      }
      const memslots = memslotPlans(vm, state.host).get(device.name);
      const active = (n: number) => (memslots ? Math.ceil((n * bs) / memslots.memslotSize) : 0);
      state.memory.plugged.set(device.name, blocks);
      if (active(blocks) > active(plugged)) {
        for (const { key } of groupContainers(state.devices)) reportMemslotCheck(vm, analysis.layout, state.host, key, state.memory, step.range, sink);
      }
      return;
    }
    case "convert": {
      if (!isConfidential(vm)) {
        sink.error("VT403", step.range, `vm '${vm.name}' is not confidential: there is no private memory to convert (set 'confidential' to sev-snp, tdx, ...)`);
        return;
      }
      if (!usesGuestMemfd(vm.confidential)) {
        // SEV and SEV-ES keep ordinary, pinned RAM: the guest's C-bit decides what is
        // encrypted, QEMU converts nothing (no guest_memfd, no KVM_SET_MEMORY_ATTRIBUTES).
        sink.error("VT403", step.range, `vm '${vm.name}' is ${vm.confidential.toUpperCase()}: its RAM is ordinary memory, mapped and pinned whole from boot, with no guest_memfd to convert (only sev-snp, tdx and cca convert)`);
        return;
      }
      if (step.target.kind !== "range" || step.to === null) return;
      const start = valueBytes(step.target.start);
      const end = valueBytes(step.target.end);
      if (start === null || end === null) return;
      if (end <= start) {
        sink.error("VT004", step.target.range, `the range is empty: ${hex(end)} is not above ${hex(start)}`);
        return;
      }
      if (start % CONVERSION_GRANULE !== 0 || end % CONVERSION_GRANULE !== 0) {
        sink.error("VT401", step.target.range, `[${hex(start)}, ${hex(end)}) is not 4 KiB aligned; KVM_SET_MEMORY_ATTRIBUTES converts whole pages`, {
          start: Math.floor(start / CONVERSION_GRANULE) * CONVERSION_GRANULE,
          end: Math.ceil(end / CONVERSION_GRANULE) * CONVERSION_GRANULE,
        });
        return;
      }
      const bootRam = bootRamOf(analysis.layout);
      if (!bootRam.covers([start, end])) {
        const ram = analysis.layout.bootRam.map((s) => `[${hex(s.start)}, ${hex(s.end)})`).join(" and ");
        sink.error("VT402", step.target.range, `[${hex(start)}, ${hex(end)}) is not all boot RAM of vm '${vm.name}', which is ${ram}`);
        return;
      }
      if (step.to === "shared" && confidentialRdm(vm, state.host)) {
        // Each newly shared 4 KiB granule is one more DMA mapping. A conversion over the limit
        // fails as a whole: vfio_ram_discard_notify_populate() unmaps what it mapped, the
        // RamBlockAttributes state change fails and kvm_convert_memory() returns the error,
        // so the range stays private (hw/vfio/listener.c, system/ram-block-attributes.c).
        // Measuring what is already shared costs a walk of the tree: only when even the whole
        // range would not fit is it worth knowing exactly.
        const atMost = (end - start) / CONVERSION_GRANULE;
        const added = overLimit(state, analysis, atMost) ? atMost - state.memory.shared.measureWithin([start, end]) / CONVERSION_GRANULE : 0;
        const full = overLimit(state, analysis, added);
        if (full) {
          refuseOverLimit(step, full, added, state, sink, "the conversion fails and is rolled back: the range stays private");
          return;
        }
      }
      state.memory.shared = step.to === "shared" ? state.memory.shared.add([start, end]) : state.memory.shared.remove([start, end]);
      return;
    }
    case "hotplug": {
      if (step.device.missing) return;
      if (deviceNames(vm, state).includes(step.device.text)) {
        sink.error("VT405", step.device.range, `vm '${vm.name}' already has a device named '${step.device.text}'`);
        return;
      }
      const device = resolveVfioDevice(step.device, step.range, step.attributes, { ...vm, host: state.host }, sink);
      hotplugChecks(device, step, state, analysis, sink);
      const key = containerKey(device);
      if (!state.devices.some((d) => containerKey(d).key === key.key)) {
        // A new container maps everything at once as its listener registers; a map over the
        // limit fails the container's setup and with it the device's realize: no device.
        const fresh = containerFigures(state.containerIds.get(key.key) ?? `c${state.containerIds.size}`, key, [device], vm, analysis.layout, state.host, state.memory);
        if (fresh.limit !== null && fresh.mappings > fresh.limit) {
          sink.error("VT202", step.range, `hot-plugging '${device.name}' creates container ${fresh.id}, which would hold ${count(fresh.mappings)} DMA mappings, limit ${count(fresh.limit)}: its setup fails and the device is not added. QEMU: ${DMA_MAP_ENOSPC}`, { container: fresh.id, mappings: fresh.mappings, limit: fresh.limit }, limitDeclaration(state.host));
          return;
        }
      }
      state.devices.push(device);
      return;
    }
    case "unplug": {
      if (step.device.missing) return;
      const index = state.devices.findIndex((d) => d.name === step.device.text);
      if (index < 0) {
        wrongDevice(step.device, "unplug", "a vfio device", vm, state, sink, "VT405");
        return;
      }
      state.memory.viommuMaps.delete(step.device.text);
      state.devices.splice(index, 1);
      return;
    }
    case "viommu-map": {
      if (step.device.missing) return;
      const device = state.devices.find((d) => d.name === step.device.text);
      if (!device) {
        wrongDevice(step.device, "viommu-map", "a vfio device behind the vIOMMU", vm, state, sink);
        return;
      }
      if (!device.behindViommu) {
        sink.error("VT004", step.device.range, `vfio '${device.name}' is not behind a vIOMMU${vm.viommu === "none" ? ` (vm '${vm.name}' has no viommu)` : " (behind-viommu = off)"}, so the guest does not map it`);
        return;
      }
      const countValue = step.count.kind === "integer" ? step.count.value : null;
      const size = valueBytes(step.size);
      if (countValue === null || size === null) return;
      const smallest = state.host.iommu.pageSizes[0];
      if (size < smallest) {
        sink.error("VT204", step.size.range, `vIOMMU mappings of ${bytes(size)} are smaller than host '${state.host.name}' IOMMU's smallest page of ${bytes(smallest)}; QEMU asserts and aborts`, { minimum: smallest });
      }
      // Behind a vIOMMU the device's container holds only these mappings; each map over the
      // limit fails on its own (vfio_iommu_map_notify), so at most the limit are live.
      const limit = device.backend === "type1" ? state.host.vfio.dmaEntryLimit : null;
      if (limit !== null && countValue > limit) {
        const id = state.containerIds.get(containerKey(device).key) ?? "c?";
        sink.error("VT202", step.range, `container ${id} (${device.name}) would hold ${count(countValue)} DMA mappings, limit ${count(limit)}: the ${count(countValue - limit)} maps over the limit fail and the device's DMA to them faults. QEMU: ${DMA_MAP_ENOSPC}`, { container: id, mappings: countValue, limit }, limitDeclaration(state.host));
      }
      state.memory.viommuMaps.set(device.name, { count: limit !== null ? Math.min(countValue, limit) : countValue, size });
      return;
    }
    case "migrate":
      return migrate(step, state, analysis, hosts, sink);
  }
}

/** The first direct type1 container that `added` more mappings would take over its limit. */
function overLimit(state: SimState, analysis: VmAnalysis, added: number): ContainerFigures | undefined {
  if (added <= 0) return undefined;
  return (state.current ?? currentContainers(state, analysis)).find((c) => !c.behindViommu && c.limit !== null && c.mappings + added > c.limit);
}

function refuseOverLimit(step: A.Step, c: ContainerFigures, added: number, state: SimState, sink: Sink, outcome: string): void {
  sink.error(
    "VT202",
    step.range,
    `this step needs ${count(added)} more DMA mapping${added === 1 ? "" : "s"} in container ${c.id} (${c.devices.map((d) => d.name).join(", ")}), which holds ${count(c.mappings)} of its limit of ${count(c.limit!)}: ${outcome}. QEMU: ${DMA_MAP_ENOSPC}`,
    { container: c.id, mappings: c.mappings + added, limit: c.limit },
    limitDeclaration(state.host),
  );
}

function wrongDevice(name: A.Name, verb: string, expected: string, vm: VmModel, state: SimState, sink: Sink, unknownCode = "VT005"): void {
  const kind = state.devices.some((d) => d.name === name.text) ? "a vfio device" : vm.virtioMem.some((d) => d.name === name.text) ? "a virtio-mem device" : vm.dimms.some((d) => d.name === name.text) ? "a dimm" : null;
  if (kind) {
    sink.error("VT004", name.range, `${verb} takes ${expected}; '${name.text}' is ${kind}`);
    return;
  }
  const { message, suggestion } = unresolved(`device of vm '${vm.name}'`, name.text, deviceNames(vm, state));
  sink.error(unknownCode, name.range, message, suggestion ? { suggestion } : undefined);
}

function hotplugChecks(device: VfioDeviceModel, step: A.HotplugStep, state: SimState, analysis: VmAnalysis, sink: Sink): void {
  const vm = analysis.vm;
  const host = state.host;
  if (!host.iommu.interruptRemapping) {
    sink.error("VT209", step.device.range, `vfio '${device.name}': host '${host.name}' has no interrupt remapping. Linux: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform`);
  }
  checkIommufdVersion(device, host, sink, device.attrs.has("backend") ? undefined : step.device.range);
  if (usesGuestMemfd(vm.confidential) && !hasFact(host, "guest-memfd-shared-assignment")) {
    sink.error("VT118", step.device.range, guestMemfdVfioMessage(vm, host, device));
  }
  if (vm.virtioMem.length > 0 && !hasFact(host, "virtio-mem-vfio") && vm.confidential !== "sev" && vm.confidential !== "sev-es" && !vm.vdpa) {
    // Before 6.1 the realized virtio-mem devices hold a discard "require": the new device's
    // container setup fails (hw/vfio/common.c vfio_connect_container).
    sink.error("VT115", step.device.range, `hot-plugging '${device.name}' beside virtio-mem (${vm.virtioMem.map((d) => d.name).join(", ")}) needs QEMU ${versionFact("virtio-mem-vfio").since} (host '${host.name}' runs ${formatVersion(host.qemu)}). QEMU: vfio ${device.hostAddress ?? device.name}: Cannot set discarding of RAM broken: Device or resource busy`);
  }
  if (vm.balloon) sink.warning("VT116", step.device.range, "virtio-balloon with an assigned device: inflating the balloon silently frees nothing");
  if (device.behindViommu) checkViommu(vm, host, sink, step.device.range);
  // QEMU warns once per process: only for the first device behind the vIOMMU.
  if (device.behindViommu && !state.devices.some((d) => d.behindViommu)) checkViommuDiscard(vm, analysis.layout, host, device, sink, step.device.range);
  const key = containerKey(device);
  const existing = state.devices.filter((d) => containerKey(d).key === key.key);
  if (existing.length === 0) {
    // A new container: QEMU runs its start-up check as the device is realized, over the
    // memslots mapped by then (dynamic-memslots).
    const check = startupCheck(vm, analysis.layout, host, key, state.memory);
    if (check && !check.passes) {
      const error = hasFact(host, "qemu.vfio.rdm-check-error");
      sink.add(
        "VT201",
        error ? "error" : "warning",
        step.device.range,
        `hot-plugging '${device.name}' creates a container that needs ${count(check.total)} DMA mappings, limit ${count(check.limit)} (${count(check.mappings)} possible mappings + ${count(check.memslots)} memslots − ${check.sections}). QEMU: possibly running out of DMA mappings. E.g., try increasing the 'block-size' of virtio-mem devies. Maximum possible DMA mappings: ${check.limit}, Maximum possible memslots: ${check.memslots}`,
        { container: state.containerIds.get(key.key) ?? `c${state.containerIds.size}`, device: vm.virtioMem.find((d) => d.name === [...check.parts].sort((a, b) => b.mappings - a.mappings)[0]?.name)?.name, hotplugged: device.name, total: check.total, limit: check.limit },
      );
    }
  } else {
    const joined = [...existing, device];
    const domains = new Map<string, VfioDeviceModel[]>();
    for (const d of joined) domains.set(`${d.coherent}/${d.superpages}`, [...(domains.get(`${d.coherent}/${d.superpages}`) ?? []), d]);
    const before = new Set(existing.map((d) => `${d.coherent}/${d.superpages}`));
    if (!before.has(`${device.coherent}/${device.superpages}`)) {
      const id = state.containerIds.get(key.key) ?? "c?";
      const figures = containerFigures(id, key, joined, vm, analysis.layout, host, state.memory);
      reportDomains(id, [existing, [device]], figures, sink, step.device.range);
    }
  }
  if (confidentialRdm(vm, host) && !device.behindViommu && CONVERSION_GRANULE < host.iommu.pageSizes[0]) {
    sink.error("VT204", step.device.range, `${vm.confidential} guest: VFIO maps shared memory in 4 KiB granules, smaller than host '${host.name}' IOMMU's smallest page of ${bytes(host.iommu.pageSizes[0])}; QEMU asserts and aborts`);
  }
}

const CONFIDENTIAL_MIGRATION: Record<string, string> = {
  sev: "SEV: Migration is not implemented",
  "sev-es": "SEV: Migration is not implemented",
  "sev-snp": "SEV: Migration is not implemented",
  tdx: "TDX: migration is not supported by upstream QEMU (guest_memfd memory cannot be migrated)",
  cca: "CCA: migration is not supported (guest_memfd memory cannot be migrated)",
};

function migrate(step: A.MigrateStep, state: SimState, analysis: VmAnalysis, hosts: HostLookup, sink: Sink): MigrationFigures | undefined {
  const vm = analysis.vm;
  if (step.host.missing || step.mode === null) return;
  const destination = hosts.get(step.host.text);
  if (!destination) {
    const { message, suggestion } = unresolved("host", step.host.text, hosts.names());
    sink.error("VT405", step.host.range, message, suggestion ? { suggestion } : undefined);
    return;
  }
  const source = state.host;
  const mode = step.mode;
  if (isConfidential(vm)) sink.error("VT304", step.range, `a ${vm.confidential} guest cannot be migrated. QEMU: ${CONFIDENTIAL_MIGRATION[vm.confidential]}`);
  for (const d of state.devices) {
    if (d.migration === "none") sink.error("VT301", step.range, `vfio '${d.name}' has no migration support (migration = none), which blocks migration. QEMU: VFIO device doesn't support migration`);
  }
  if (mode === "postcopy" && state.devices.length > 0) {
    sink.error("VT302", step.modeRange, `postcopy with assigned devices (${state.devices.map((d) => d.name).join(", ")}). QEMU: VFIO migration is not supported with postcopy migration`);
  }
  if (mode === "postcopy" && vm.backend === "file" && vm.fileSystem === "disk") {
    sink.error("VT306", step.modeRange, `postcopy needs RAM backed by tmpfs or hugetlbfs, but vm '${vm.name}' maps a file on disk. QEMU: Postcopy is not supported: Host backend files need to be TMPFS or HUGETLBFS only`);
  }
  if (mode === "precopy") {
    const blind = state.devices.filter((d) => d.backend === "type1" && d.dirtyTracking === "none");
    if (blind.length > 0) {
      sink.warning("VT307", step.modeRange, `precopy with type1 devices without dirty tracking (${blind.map((d) => d.name).join(", ")}): every pinned page is reported dirty in every round, so RAM is sent again and again`);
    }
  }

  const pluggedBytes = vm.virtioMem.reduce((sum, d) => sum + (state.memory.plugged.get(d.name) ?? 0) * d.blockSize, 0);
  const moved = vm.memory + pluggedBytes;
  const bandwidth = source.migrationBandwidth;
  const figures: MigrationFigures = { to: destination.name, mode, bytes: moved, seconds: (moved * 8) / bandwidth };
  if (mode === "postcopy") {
    const page = Math.max(vm.pageSize, ...vm.virtioMem.map((d) => d.pageSize));
    figures.faultBytes = page;
    figures.faultSeconds = (page * 8) / bandwidth;
    if (page >= 2 ** 30) {
      sink.warning("VT303", step.modeRange, `postcopy with ${bytes(page)} pages: every page fault fetches a whole ${bytes(page)} page, about ${duration(figures.faultSeconds)} at ${bandwidth / 1e9} Gbit/s, during which the faulting vCPU waits`, { faultSeconds: figures.faultSeconds });
    }
  }
  checkDestination(step, state, analysis, destination, hosts, sink);
  state.host = destination;
  return figures;
}

/** VT305: what the destination must offer for this VM to keep running there. */
function checkDestination(step: A.MigrateStep, state: SimState, analysis: VmAnalysis, destination: HostModel, hosts: HostLookup, sink: Sink): void {
  const vm = analysis.vm;
  const problems: string[] = [];
  const direct = state.devices.filter((d) => !d.behindViommu);
  const smallest = destination.iommu.pageSizes[0];
  if (state.devices.length > 0) {
    const granules = [
      ...(direct.length > 0 ? vm.virtioMem.map((d) => d.blockSize) : []),
      ...(direct.length > 0 && confidentialRdm(vm, destination) ? [CONVERSION_GRANULE] : []),
      ...(state.devices.some((d) => d.behindViommu) ? [vm.viommuPageSize] : []),
    ];
    const tooSmall = granules.filter((g) => g < smallest);
    if (tooSmall.length > 0) problems.push(`its IOMMU's smallest page is ${bytes(smallest)}, above the ${bytes(Math.min(...tooSmall))} mapping granule`);
    if (direct.length > 0) {
      const highestMapped = Math.max(...analysis.layout.sections.map((s) => s.end));
      if (highestMapped > 2 ** destination.iommu.addressWidth) problems.push(`its ${destination.iommu.addressWidth}-bit IOMMU aperture ends below guest RAM (needs ${bitsFor(highestMapped - 1)} bits)`);
    }
  }
  const cpuHost = !vm.attrs.has("phys-bits") && (vm.attrs.word("cpu") ?? "host") === "host";
  const neededBits = cpuHost ? vm.physBits : analysis.layout.physBitsNeeded;
  if (destination.physBits < neededBits) problems.push(`it has ${destination.physBits} physical address bits, the VM runs with ${neededBits}`);
  const figures = groupContainers(state.devices).map(({ key, devices }) => containerFigures("", key, devices, vm, analysis.layout, destination, state.memory));
  for (const c of figures) {
    if (c.limit !== null && c.mappings > c.limit) problems.push(`its dma-entry-limit of ${count(c.limit)} is below the ${count(c.mappings)} mappings the VM holds`);
  }
  const used = hosts.hugetlbUsedByOthers(destination, vm);
  for (const [page, need] of hugetlbNeeds(vm)) {
    const pool = (destination.hugepages.get(page)?.count ?? 0) * page;
    const free = pool - (used.get(page) ?? 0);
    if (need > free) problems.push(`its free ${bytes(page)} huge pages hold ${bytes(Math.max(0, free))}, the VM needs ${bytes(need)}`);
  }
  if (destination.memlock !== "unlimited" && !destination.capIpcLock) {
    const pinned = figures.reduce((sum, c) => sum + c.pinnedBytes, 0);
    if (pinned > destination.memlock) problems.push(`its memlock of ${bytes(destination.memlock)} is below the ${bytes(pinned)} the VM pins`);
  }
  if (problems.length > 0) sink.error("VT305", step.host.range, `host '${destination.name}' cannot hold vm '${vm.name}': ${problems.join("; ")}`);
}
