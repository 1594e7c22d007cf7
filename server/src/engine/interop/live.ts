// A running QEMU against the design (`vmtopo live`): what QMP says (query-memory-devices, the
// flat view of `info mtree -f`, the vfio-pci devices under /machine/peripheral) compared with
// the VM's model and layout. Every difference is one diagnostic. Pure: the CLI speaks QMP.
import type { VmAnalysis } from "../vm-analysis";

export interface FlatSection {
  start: number;
  /** exclusive */
  end: number;
  kind: "ram" | "rom";
  name: string;
  offset?: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * The RAM and ROM lines of the flat view of `AS "memory"` (the system address space) in
 * QEMU's `info mtree -f` (softmmu/memory.c mtree_print_flatview()); QEMU's ends are inclusive.
 */
export function parseFlatView(output: string): FlatSection[] {
  const text = output.replace(ANSI, "").replace(/\r/g, "");
  const views = text.split(/^FlatView #\d+\n/m).slice(1);
  const system = views.find((v) => /^ AS "memory", root: system$/m.test(v));
  if (!system) throw new Error(`no flat view of AS "memory" in QEMU's output:\n${text}`);
  const sections: FlatSection[] = [];
  for (const line of system.split("\n")) {
    const m = /^\s+([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, (ram|rom)\): (\S+)(?: @([0-9a-f]+))?/.exec(line);
    if (!m) continue;
    const section: FlatSection = { start: Number.parseInt(m[1], 16), end: Number.parseInt(m[2], 16) + 1, kind: m[3] as "ram" | "rom", name: m[4] };
    if (m[5] !== undefined) section.offset = Number.parseInt(m[5], 16);
    sections.push(section);
  }
  return sections;
}

/** One entry of QMP's query-memory-devices. */
export interface LiveMemoryDevice {
  type: string;
  data: Record<string, unknown>;
}

export interface LiveState {
  memoryDevices: LiveMemoryDevice[];
  flatView: FlatSection[];
  /** ids of the vfio-pci devices */
  vfio: string[];
}

export interface LiveDifference {
  severity: "error" | "warning";
  message: string;
}

const hex = (n: number) => "0x" + n.toString(16);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

export function compareLive(analysis: VmAnalysis, live: LiveState): LiveDifference[] {
  const out: LiveDifference[] = [];
  const vm = analysis.vm;
  const placement = new Map(analysis.layout.placements.map((p) => [p.device.name, p]));
  const liveVirtioMem = new Map<string, Record<string, unknown>>();
  const backendOwner = new Map<string, string>();
  for (const d of live.memoryDevices) {
    const id = String(d.data.id ?? "");
    if (typeof d.data.memdev === "string") backendOwner.set(d.data.memdev.split("/").pop()!, id);
    if (d.type === "virtio-mem") liveVirtioMem.set(id, d.data);
  }
  for (const device of vm.virtioMem) {
    const data = liveVirtioMem.get(device.name);
    if (!data) {
      out.push({ severity: "error", message: `virtio-mem '${device.name}' of the design is not in the running VM` });
      continue;
    }
    const check = (what: string, design: number | undefined, running: number | undefined, severity: "error" | "warning" = "error") => {
      if (design !== undefined && running !== undefined && design !== running) out.push({ severity, message: `virtio-mem '${device.name}': ${what} is ${hex(running)} in the running VM, ${hex(design)} in the design` });
    };
    check("max-size (the backend's size)", device.size, num(data["max-size"]));
    check("block-size", device.blockSize, num(data["block-size"]));
    // requested-size changes at run time: a difference is news, not a fault.
    check("requested-size", device.requested, num(data["requested-size"]), "warning");
    check("memaddr", placement.get(device.name)?.start, num(data.memaddr));
    liveVirtioMem.delete(device.name);
  }
  for (const id of liveVirtioMem.keys()) out.push({ severity: "warning", message: `virtio-mem '${id}' runs but is not in the design` });

  // The flat view: the same RAM and ROM sections, boot RAM by span, devices by their backends.
  const view = (kind: string, start: number, end: number, name: string) => `${kind} ${name} [${hex(start)}, ${hex(end)})`;
  const deviceNames = new Set([...vm.virtioMem, ...vm.dimms].map((d) => d.name));
  const designView = analysis.layout.sections.map((s) => view(s.kind === "virtio-mem" || s.kind === "dimm" ? "ram" : s.kind, s.start, s.end, deviceNames.has(s.name) ? s.name : s.kind === "ram" ? "boot RAM" : "rom"));
  const liveView = live.flatView.map((s) => view(s.kind, s.start, s.end, backendOwner.get(s.name) ?? (s.kind === "ram" ? "boot RAM" : "rom")));
  const inDesign = new Set(designView);
  const running = new Set(liveView);
  for (const s of liveView) if (!inDesign.has(s)) out.push({ severity: "error", message: `the running VM maps ${s}, the design does not` });
  for (const s of designView) if (!running.has(s)) out.push({ severity: "error", message: `the design maps ${s}, the running VM does not` });

  const liveVfio = new Set(live.vfio);
  for (const d of vm.vfio) {
    if (!liveVfio.delete(d.name)) out.push({ severity: "warning", message: `vfio '${d.name}' of the design is not assigned in the running VM` });
  }
  for (const id of liveVfio) out.push({ severity: "warning", message: `vfio-pci '${id}' is assigned in the running VM but not in the design` });
  return out;
}
