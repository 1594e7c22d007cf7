// Hover: the figures that matter where the cursor is, as short Markdown. A vfio device shows
// its container (mappings at boot, peak, worst case against the limit, pinned memory, page
// tables, QEMU's start-up check); a virtio-mem device its blocks; a VM name its layout; a
// scenario step the state after it; a literal its exact bytes; an attribute its meaning.
import { MarkupKind, type Hover } from "vscode-languageserver";
import type * as A from "../../../../grammar/src/index";
import type { Analysis } from "../../engine/analyze";
import { containerKey, startupCheck } from "../../engine/containers";
import { bytes, count, duration, hex, KiB } from "../../engine/format";
import type { FiguresAt, Verdict } from "../../engine/report";
import type { ScenarioResult, StepResult } from "../../engine/scenario";
import { attributeSpec, type AttributeSpec, type Context, type ValueType } from "../../engine/schema";
import { formatVersion } from "../../engine/version";
import { hasFact } from "../../engine/versions";
import { guestMemoryBlockSize, type VirtioMemFigures, type VmAnalysis } from "../../engine/vm-analysis";
import type { Feature } from "../context";
import { languageReference } from "../../files/rule-pages";
import { bootContainerOf, containerAfter, verdictOf, verdictText, containerReportOf, scenarioOf, size, vmAnalysisNamed, vmAnalysisOf } from "../figures";
import { attributeContext, locate, type Located } from "../locate";

export const hover: Feature = {
  capabilities: { hoverProvider: true },
  register({ connection, workspace }) {
    connection.onHover(({ textDocument, position }) => {
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? hoverAt(analysis, position) : null;
    });
  },
};

interface Found {
  markdown: string;
  range: A.Range;
}

export function hoverAt(analysis: Analysis, position: A.Position): Hover | null {
  const located = locate(analysis.parse.ast, position);
  const found = describe(analysis, located, position);
  return found ? { contents: { kind: MarkupKind.Markdown, value: found.markdown }, range: found.range } : null;
}

function describe(analysis: Analysis, at: Located, position: A.Position): Found | undefined {
  const { declaration, device, step, name, keyword, value, attribute } = at;

  if (name?.role === "attribute" && attribute) {
    const context = attributeContext(at);
    const spec = context && attributeSpec(context, name.name.text);
    return spec && context ? { markdown: attributeHover(spec, context, effectiveValue(analysis, at, context, spec.name), effectiveDefault(analysis, at, context, spec.name)), range: name.range } : undefined;
  }
  if (value && at.innermost === value && (value.kind === "size" || value.kind === "integer" || value.kind === "bandwidth")) {
    const markdown = literalHover(value, isByteValue(at));
    return markdown ? { markdown, range: value.range } : undefined;
  }

  // A device, by its keyword or its name.
  if (declaration?.kind === "vm" && device && (keyword || name?.role === "device")) {
    const range = (name ?? keyword)!.range;
    const vm = vmAnalysisOf(analysis, declaration);
    if (!vm || device.name.missing) return undefined;
    const markdown = deviceHover(analysis, vm, device.deviceKind, device.name.text);
    return markdown ? { markdown, range } : undefined;
  }

  if (declaration?.kind === "vm" && (name?.role === "vm" || (!name && !at.attribute && !device && onHeader(declaration, position)))) {
    const vm = vmAnalysisOf(analysis, declaration);
    return vm ? { markdown: vmHover(vm, verdictOf(analysis, vm.vm.name)), range: declaration.name.range } : undefined;
  }

  if (declaration?.kind === "scenario") {
    if (name?.role === "vm-ref") {
      const vm = vmAnalysisNamed(analysis, name.name.text);
      return vm ? { markdown: vmHover(vm, verdictOf(analysis, vm.vm.name)), range: name.range } : undefined;
    }
    const scenario = scenarioOf(analysis, declaration);
    if (!scenario) return undefined;
    const vm = vmAnalysisNamed(analysis, scenario.vm);
    if (name?.role === "scenario") return { markdown: scenarioHover(scenario), range: name.range };
    if (step && vm) {
      const result = scenario.steps.find((s) => s.step === step);
      if (!result) return undefined;
      // A device named in a step: the device's own hover, as it stands at that step.
      if (name && (name.role === "device" || name.role === "device-ref")) {
        const markdown = stepDeviceHover(analysis, vm, scenario, result, name.name.text);
        if (markdown) return { markdown, range: name.range };
      }
      if (!attribute) return { markdown: stepHover(vm, scenario, result), range: step.range };
    }
  }
  return undefined;
}

/** On the `vm NAME on HOST` line, before its body. */
function onHeader(vm: A.Vm, position: A.Position): boolean {
  const end = vm.host && !vm.host.missing ? vm.host.range.end : vm.name.range.end;
  return position.line < end.line || (position.line === end.line && position.character <= end.character);
}

// ---- devices ---------------------------------------------------------------------------

function deviceHover(analysis: Analysis, vm: VmAnalysis, kind: A.DeviceKind, device: string): string | undefined {
  if (kind === "vfio") {
    const container = bootContainerOf(vm, device);
    return container && containerHover(analysis, vm, device, container.id);
  }
  if (kind === "virtio-mem") {
    const figures = vm.virtioMem.find((f) => f.device.name === device);
    return figures && virtioMemHover(vm, figures);
  }
  const dimm = vm.vm.dimms.find((d) => d.name === device);
  const placement = vm.layout.placements.find((p) => p.device === dimm);
  if (!dimm) return undefined;
  return [`**dimm ${device}** · ${bytes(dimm.size)}`, placement ? `at [${hex(placement.start)}, ${hex(placement.end)}), one DMA mapping per VFIO container` : "not placed in device memory"].join("\n\n");
}

/** A device named in a step (`hotplug vfio x`, `unplug x`, `resize x`, `viommu-map x`). */
function stepDeviceHover(analysis: Analysis, vm: VmAnalysis, scenario: ScenarioResult, step: StepResult, device: string): string | undefined {
  if (vm.vm.virtioMem.some((d) => d.name === device) || vm.vm.dimms.some((d) => d.name === device)) {
    return deviceHover(analysis, vm, vm.vm.virtioMem.some((d) => d.name === device) ? "virtio-mem" : "dimm", device);
  }
  // A vfio device: its container after this step, or (unplug) the last one it was in.
  const latest = scenario.steps
    .slice(0, step.index)
    .reverse()
    .map((s) => containerAfter(s, device))
    .find((c) => c !== undefined);
  const id = latest?.id ?? bootContainerOf(vm, device)?.id;
  return id === undefined ? undefined : containerHover(analysis, vm, device, id, step);
}

function containerHover(analysis: Analysis, vm: VmAnalysis, device: string, id: string, at?: StepResult): string | undefined {
  const report = containerReportOf(analysis, vm.vm.name, id);
  if (!report) return undefined;
  const now = at?.containers.find((c) => c.id === id);
  const kind = report.behindViommu ? `${report.backend}, behind the vIOMMU` : report.backend;
  const others = (now ? now.devices.map((d) => d.name) : report.devices).filter((d) => d !== device);
  const lines = [`**vfio ${device}** · container ${id} (${kind}${others.length ? `, shared with ${others.join(", ")}` : ""})`];

  // [label, short label for the verdicts, figures]
  const rows: [string, string, FiguresAt][] = [];
  const hotplugged = report.boot === null;
  if (report.boot) rows.push(["at boot", "boot", report.boot]);
  const peakScenario = report.peak.scenario;
  if (at && now && !(peakScenario === scenarioName(analysis, at) && report.peak.step === at.index)) rows.push([`after step ${at.index}`, `step ${at.index}`, now]);
  rows.push([peakScenario === null ? "peak (at boot)" : `peak: ${peakScenario}, step ${report.peak.step}`, "peak", report.peak]);
  if (report.worstCase) rows.push(["worst case", "worst case", report.worstCase]);
  // A list, not a table: VS Code's hover draws table cells without padding, so right-aligned
  // columns ran together ("6 ≈ 64 GiB"); every figure here carries its own label.
  lines.push(rows.map(([label, , f]) => `- ${label}: **${count(f.mappings)} DMA mapping${f.mappings === 1 ? "" : "s"}** · ${bytes(f.pinnedBytes)} pinned · ${bytes(f.pageTableBytes)} of IOMMU page tables`).join("\n"));

  if (report.limit === null) {
    lines.push("No entry limit (iommufd).");
  } else {
    const limit = report.limit;
    const verdicts = rows.map(([, short, f]) => (f.mappings > limit ? `${short} **over** by ${count(f.mappings - limit)}` : `${short} fits`));
    lines.push(`Limit ${count(limit)} (\`dma-entry-limit\`): ${verdicts.join(" · ")}.`);
  }

  let check = report.startupCheck;
  if (!check && hotplugged) {
    // A container created by a hot-plug is checked as the device is realized.
    const created = analysis.scenarios.flatMap((s) => s.steps).find((s) => s.step.kind === "hotplug" && containerAfter(s, device)?.id === id);
    const model = created && containerAfter(created, device)!.devices.find((d) => d.name === device);
    if (model && created!.host === vm.vm.host.name) check = startupCheck(vm.vm, vm.layout, vm.vm.host, containerKey(model));
  }
  if (check) {
    const error = hasFact(vm.vm.host, "qemu.vfio.rdm-check-error");
    const verdict = check.passes ? "**passes**" : `**fails** (VT201, ${error ? "an error: realize fails" : "a warning before QEMU 10.2"})`;
    lines.push(
      `QEMU's start-up check${hotplugged ? " at hot-plug" : ""}: ${count(check.mappings)} possible mappings + ${count(check.memslots)} memslots − ${check.sections} section${check.sections === 1 ? "" : "s"} = **${count(check.total)}** ${check.passes ? "≤" : ">"} ${count(check.limit)}: ${verdict}`,
    );
  } else {
    const why = report.backend === "iommufd" ? "iommufd" : report.behindViommu ? "behind a vIOMMU" : "no virtio-mem or confidential RAM to check";
    lines.push(`QEMU's start-up check: none (${why}).`);
  }
  return lines.join("\n\n");
}

function scenarioName(analysis: Analysis, step: StepResult): string | undefined {
  return analysis.scenarios.find((s) => s.steps.includes(step))?.scenario.name.text;
}

function virtioMemHover(vm: VmAnalysis, f: VirtioMemFigures): string {
  const d = f.device;
  const lines = [`**virtio-mem ${d.name}** · ${size(d.size)}${f.base === null ? " (not placed)" : ` at ${hex(f.base)}`}`];
  const memoryBlock = guestMemoryBlockSize(vm.vm, vm.layout);
  const mode =
    f.guestMode === "sbm"
      ? `SBM (Sub Block Mode: ${bytes(d.blockSize)} blocks within the guest's ${bytes(memoryBlock)} memory blocks)`
      : `BBM (Big Block Mode: blocks of at least the guest's ${bytes(memoryBlock)} memory block)`;
  let passing: string;
  if (f.largestPassingSize === null) passing = "no start-up check (no type1 VFIO container maps it)";
  else if (f.largestPassingSize === 0) passing = "**none**: the other sections alone fail the check";
  else {
    const fits = f.largestPassingSize >= d.size;
    passing = `**${size(f.largestPassingSize)}** (${count(f.largestPassingSize / d.blockSize)} blocks)${fits ? "" : `, below this ${bytes(d.size)}: **fails**`}`;
  }
  lines.push(
    [
      `- blocks: ${count(f.blocks)} × ${bytes(d.blockSize)}`,
      `- plugged at boot: ${count(f.pluggedBlocks)} block${f.pluggedBlocks === 1 ? "" : "s"} (${bytes(f.pluggedBlocks * d.blockSize)})`,
      `- usable region: ${bytes(f.usableRegion)}`,
      `- guest: ${mode}`,
      `- largest size passing QEMU's start-up check at ${bytes(d.blockSize)} blocks: ${passing}`,
    ].join("\n"),
  );
  return lines.join("\n\n");
}

// ---- VMs and scenarios -----------------------------------------------------------------

function vmHover(a: VmAnalysis, verdict: Verdict | undefined): string {
  const { vm, layout } = a;
  const summary = `**vm ${vm.name}** on ${vm.host.name} · ${vm.machine} · ${bytes(vm.memory)}${vm.confidential === "none" ? "" : ` · ${vm.confidential}`}`;
  // the engine's verdict first, as the webview's banner and the CLI report give it
  const head = verdict ? `**${verdictText(verdict)}**${verdict.message ? `: ${verdict.message}` : ""}\n\n${summary}` : summary;
  const span = (r: { start: number; end: number }) => `[${hex(r.start)}, ${hex(r.end)})`;
  const items: string[] = [];
  if (vm.machine === "virt") {
    items.push(`- RAM: ${bytes(layout.aboveMemory)} at ${span({ start: layout.aboveStart, end: layout.aboveStart + layout.aboveMemory })}`);
  } else {
    const above = layout.aboveMemory > 0 ? ` + ${bytes(layout.aboveMemory)} above at ${span({ start: layout.aboveStart, end: layout.aboveStart + layout.aboveMemory })}` : "";
    items.push(`- RAM: ${bytes(layout.belowMemory)} below 4 GiB${above}${layout.relocatedAbove1T ? " (moved to 1 TiB: AMD HyperTransport hole)" : ""}`);
  }
  items.push(layout.deviceMemory ? `- device memory: ${bytes(layout.deviceMemory.end - layout.deviceMemory.start)} at ${span(layout.deviceMemory)}` : "- device memory: none (maxmem = memory, no slots)");
  if (layout.pciHole64) items.push(`- 64-bit PCI hole: ${bytes(layout.pciHole64.end - layout.pciHole64.start)} at ${span(layout.pciHole64)}`);
  const ok = layout.physBitsNeeded <= vm.physBits;
  items.push(`- highest GPA ${hex(layout.highestGpa)}: needs ${layout.physBitsNeeded} phys-bits, has ${vm.physBits} ${ok ? "✓" : "✗ (VT110)"}`);
  return `${head}\n\n${items.join("\n")}`;
}

function scenarioHover(s: ScenarioResult): string {
  const peaks = new Map<string, { mappings: number; step: number }>();
  for (const step of s.steps) for (const c of step.containers) if (c.mappings > (peaks.get(c.id)?.mappings ?? -1)) peaks.set(c.id, { mappings: c.mappings, step: step.index });
  const codes = [...new Set(s.steps.flatMap((step) => step.diagnostics.map((d) => d.code)))];
  const lines = [`**scenario ${s.scenario.name.text}** for ${s.vm} · ${s.steps.length} step${s.steps.length === 1 ? "" : "s"}`];
  if (peaks.size > 0) lines.push([...peaks].map(([id, p]) => `- ${id}: peak ${count(p.mappings)} DMA mappings at step ${p.step}`).join("\n"));
  lines.push(codes.length ? `Raises ${codes.join(", ")}.` : "Raises nothing.");
  return lines.join("\n\n");
}

function stepHover(vm: VmAnalysis, s: ScenarioResult, step: StepResult): string {
  const lines = [`**step ${step.index}** of ${s.scenario.name.text}: \`${step.text}\``];
  const items: string[] = [];
  for (const c of step.containers) {
    const limit = c.limit === null ? "" : ` of ${count(c.limit)} ${c.mappings > c.limit ? "✗" : "✓"}`;
    items.push(`- ${c.id} (${c.devices.map((d) => d.name).join(", ")}, ${c.backend}): **${count(c.mappings)}** DMA mapping${c.mappings === 1 ? "" : "s"}${limit}, pinned ${bytes(c.pinnedBytes)}`);
  }
  for (const d of vm.vm.virtioMem) {
    const blocks = step.pluggedBlocks[d.name] ?? 0;
    items.push(`- ${d.name}: ${count(blocks)} block${blocks === 1 ? "" : "s"} plugged (${bytes(blocks * d.blockSize)})`);
  }
  if (vm.vm.confidential !== "none") items.push(`- shared: ${bytes(step.sharedBytes)}`);
  const m = step.migration;
  if (m) {
    const fault = m.faultBytes !== undefined && m.faultSeconds !== undefined ? `; each fault fetches ${bytes(m.faultBytes)} in ${duration(m.faultSeconds)}` : "";
    items.push(`- migration (${m.mode} to ${m.to}): ${bytes(m.bytes)} in ≈ ${duration(m.seconds)}${fault}`);
  }
  if (items.length > 0) lines.push(`After it, on ${step.host}:\n${items.join("\n")}`);
  const codes = step.diagnostics.map((d) => `${d.code} (${d.severity})`);
  lines.push(codes.length ? `Raises ${[...new Set(codes)].join(", ")}.` : "Raises nothing.");
  return lines.join("\n\n");
}

// ---- literals and attributes -------------------------------------------------------------

const BYTE_TYPES = new Set<ValueType["kind"]>(["size", "size-or-unlimited", "size-list", "page-size"]);

/** Whether a number at this place is bytes (rather than a count). */
function isByteValue(at: Located): boolean {
  const parent = at.path[at.path.length - 2];
  if (parent?.kind === "range") return true;
  if (parent?.kind === "hugepage-pool") return parent.pageSize === at.value;
  if (at.step?.kind === "resize") return true;
  if (at.step?.kind === "viommu-map") return at.step.size === at.value;
  if (at.path.some((n) => n.kind === "reserved")) return true;
  if (at.attribute) {
    const context = attributeContext(at);
    const spec = context && attributeSpec(context, at.attribute.name.text);
    return spec ? BYTE_TYPES.has(spec.type.kind) : at.value?.kind === "size";
  }
  return at.value?.kind === "size";
}

function literalHover(value: A.SizeValue | A.IntegerValue | A.BandwidthValue, asBytes: boolean): string | undefined {
  if (value.kind === "bandwidth") {
    if (value.bitsPerSecond === null) return undefined;
    return `**${count(value.bitsPerSecond)} bit/s** · ${bytes(value.bitsPerSecond / 8)}/s (units of 1000)`;
  }
  const n = value.kind === "size" ? value.bytes : value.value;
  if (n === null) return undefined;
  if (!asBytes) return `**${count(n)}** · ${hex(n)}`;
  const page = 4 * KiB;
  const pages = Math.floor(n / page);
  const rest = n % page;
  return `**${size(n)}** · ${count(n)} bytes · ${hex(n)} · ${count(pages)} × 4 KiB pages${rest ? ` + ${count(rest)} bytes` : ""}`;
}

const CONTEXT_NAMES: Record<Context, string> = {
  host: "`host` attribute",
  iommu: "attribute of a host's `iommu { }` block",
  "host-vfio": "attribute of a host's `vfio { }` block",
  vm: "`vm` attribute",
  "virtio-mem": "attribute of a `virtio-mem` device",
  vfio: "attribute of a `vfio` device",
  dimm: "attribute of a `dimm` device",
  "numa-node": "attribute of a NUMA `node` (`numa { node N { ... } }`)",
};

/** The section of the language reference (docs/language.md) that holds each table. */
const CONTEXT_SECTIONS: Record<Context, string> = {
  host: "host",
  iommu: "host-iommu",
  "host-vfio": "host-vfio",
  vm: "vm",
  "virtio-mem": "virtio-mem",
  vfio: "vfio-devices",
  dimm: "dimm",
  "numa-node": "numa",
};

function typeText(type: ValueType): string {
  switch (type.kind) {
    case "size":
      return type.min ? "size above 0" : "size";
    case "size-or-unlimited":
      return "size or `unlimited`";
    case "integer":
      return type.min !== undefined && type.max !== undefined ? `integer ${count(type.min)}–${count(type.max)}` : "integer";
    case "string":
      return "string";
    case "version":
      return 'version string, e.g. "10.2"';
    case "bool":
      return "`on` | `off`";
    case "enum":
      return type.values.map((v) => `\`${v}\``).join(" | ");
    case "bandwidth":
      return "bandwidth, e.g. 25Gbit";
    case "size-list":
      return "list of sizes, e.g. [4K, 2M, 1G]";
    case "page-size":
      return type.values.map((v) => `\`${v}\``).join(" | ");
  }
}

function attributeHover(spec: AttributeSpec, context: Context, effective: string | undefined, defaultHere: string | undefined): string {
  const fallback = spec.required ? "required" : (defaultHere ?? (spec.default === undefined ? "none" : spec.default));
  const value = effective === undefined ? `default: ${fallback}` : `here: **${effective}**${spec.required ? "" : ` (default: ${fallback})`}`;
  const reference = languageReference(CONTEXT_SECTIONS[context]);
  return [`**${spec.name}** · ${CONTEXT_NAMES[context]}`, spec.doc, `Value: ${typeText(spec.type)} · ${value}`, ...(reference ? [`[Language reference](${reference})`] : [])].join("\n\n");
}

const onOff = (b: boolean) => (b ? "on" : "off");

/**
 * What an attribute amounts to for the VM, device or host under the cursor, written or
 * defaulted (a virtio-mem block size defaults by backend: 2 MiB on ram, 1 GiB on 1G pages).
 */
function effectiveValue(analysis: Analysis, at: Located, context: Context, name: string): string | undefined {
  const decl = at.declaration;
  if (decl?.kind === "vm") {
    const a = vmAnalysisOf(analysis, decl);
    if (!a) return undefined;
    const vm = a.vm;
    if (context === "vm") return vmValue(a, name);
    if (context === "virtio-mem") {
      const d = vm.virtioMem.find((v) => v.decl === at.device);
      if (!d) return undefined;
      const values: Record<string, string> = {
        size: bytes(d.size),
        "block-size": d.attrs.has("block-size") ? bytes(d.blockSize) : `${bytes(d.blockSize)}, QEMU's default for a ${bytes(d.pageSize)}-page ${d.backend} backend`,
        requested: bytes(d.requested),
        backend: d.backend,
        "page-size": bytes(d.pageSize),
        prealloc: onOff(d.prealloc),
      };
      const base = a.virtioMem.find((f) => f.device === d)?.base;
      if (base !== null && base !== undefined) values.memaddr = hex(base);
      return values[name];
    }
    if (context === "vfio") {
      const d = vm.vfio.find((v) => at.device && sameStart(v.nameRange, at.device.name.range));
      if (!d) return undefined;
      const values: Record<string, string> = { backend: d.backend, migration: d.migration, "dirty-tracking": d.dirtyTracking, "behind-viommu": onOff(d.behindViommu), coherent: onOff(d.coherent), superpages: onOff(d.superpages) };
      return values[name];
    }
    if (context === "dimm") {
      const d = vm.dimms.find((v) => v.decl === at.device);
      return d && name === "size" ? bytes(d.size) : undefined;
    }
    return undefined;
  }
  if (decl?.kind === "host") {
    const host = analysis.hosts.find((h) => !h.builtin && sameStart(h.nameRange, decl.name.range));
    if (!host) return undefined;
    const values: Record<string, string | undefined> =
      context === "host"
        ? { arch: host.arch, kernel: `"${formatVersion(host.kernel)}"`, qemu: `"${formatVersion(host.qemu)}"`, "phys-bits": String(host.physBits), memory: host.memory === undefined ? undefined : bytes(host.memory), memlock: host.memlock === "unlimited" ? "unlimited" : bytes(host.memlock), "cap-ipc-lock": onOff(host.capIpcLock), "migration-bandwidth": `${host.migrationBandwidth / 1e9} Gbit/s` }
        : context === "iommu"
          ? { vendor: host.iommu.vendor, "page-sizes": host.iommu.pageSizes.length > 6 ? `${host.iommu.pageSizes.length} sizes, ${bytes(host.iommu.pageSizes[0])} to ${bytes(host.iommu.pageSizes[host.iommu.pageSizes.length - 1])}` : host.iommu.pageSizes.map(bytes).join(", "), "address-width": String(host.iommu.addressWidth), "interrupt-remapping": onOff(host.iommu.interruptRemapping) }
          : context === "host-vfio"
            ? { backend: host.vfio.backend, "dma-entry-limit": host.vfio.backend === "type1" ? count(host.vfio.dmaEntryLimit) : "none: iommufd has no entry limit", accounting: host.vfio.accounting }
            : {};
    return values[name];
  }
  return undefined;
}

/**
 * The default an attribute would take here, where the language's default depends on
 * something else (QEMU's block size for the backend, the VM's backend, the host's phys-bits).
 */
function effectiveDefault(analysis: Analysis, at: Located, context: Context, name: string): string | undefined {
  const decl = at.declaration;
  if (decl?.kind !== "vm") return undefined;
  const a = vmAnalysisOf(analysis, decl);
  if (!a) return undefined;
  const vm = a.vm;
  if (context === "virtio-mem") {
    const d = vm.virtioMem.find((v) => v.decl === at.device);
    if (!d) return undefined;
    const values: Record<string, string> = {
      "block-size": `${bytes(d.defaultBlockSize)} (QEMU's for a ${bytes(d.pageSize)}-page ${d.backend} backend)`,
      backend: `${vm.backend} (the VM's)`,
      "page-size": `${bytes(vm.pageSize)} (the VM's)`,
      prealloc: `${onOff(vm.prealloc)} (the VM's)`,
    };
    return values[name];
  }
  if (context === "vm") {
    const values: Record<string, string> = {
      maxmem: `${bytes(vm.memory)} (memory)`,
      "phys-bits": `${vm.attrs.word("cpu") === "named" ? 40 : vm.host.physBits} (from cpu)`,
    };
    return values[name];
  }
  if (context === "vfio") return name === "backend" ? `${vm.host.vfio.backend} (host '${vm.host.name}')` : name === "behind-viommu" ? onOff(vm.viommu !== "none") : undefined;
  return undefined;
}

function vmValue(a: VmAnalysis, name: string): string | undefined {
  const vm = a.vm;
  const values: Record<string, string | undefined> = {
    machine: vm.machine,
    accel: vm.accel,
    "cpu-vendor": vm.cpuVendor,
    "phys-bits": String(vm.physBits),
    memory: bytes(vm.memory),
    maxmem: bytes(vm.maxmem),
    slots: String(vm.slots),
    "max-ram-below-4g": vm.machine === "virt" ? undefined : `${bytes(a.layout.belowMemory)} of RAM below 4 GiB${vm.maxRamBelow4g === undefined ? "" : ` (cap ${bytes(vm.maxRamBelow4g)})`}`,
    backend: vm.backend,
    "page-size": bytes(vm.pageSize),
    "file-system": vm.fileSystem,
    prealloc: onOff(vm.prealloc),
    confidential: vm.confidential,
    viommu: vm.viommu,
    "viommu-page-size": bytes(vm.viommuPageSize),
    "viommu-aw-bits": String(vm.viommuAwBits),
    balloon: onOff(vm.balloon),
    vdpa: onOff(vm.vdpa),
  };
  return values[name];
}

function sameStart(a: A.Range, b: A.Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character;
}
