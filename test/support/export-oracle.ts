// The comparison behind the export oracle tests (qemu-export, libvirt-export): QEMU's verdict
// and flat view against the engine's errors and layout for one VM.
import assert from "node:assert/strict";
import type { Analysis } from "../../server/src/engine/analyze";
import type { VmAnalysis } from "../../server/src/engine/vm-analysis";
import { show } from "./qemu-cases";
import type { FlatSection, QemuResult } from "./qemu-oracle";

/** Rules QEMU itself checks when it starts a VM (the others need KVM, VFIO, a host pool or a scenario); VT120: the export writes only the NUMA nodes the design declares. */
export const QEMU_CHECKED = new Set(["VT004", "VT101", "VT102", "VT104", "VT105", "VT106", "VT108", "VT109", "VT110", "VT111", "VT117", "VT120"]);

/** The engine's errors of rules QEMU checks, for one VM of an analysis (those inside its declaration). */
export function checkedErrors(analysis: Analysis, a: VmAnalysis): { code: string; message: string }[] {
  const decl = a.vm.decl.range;
  const inside = (line: number) => a.vm.file === analysis.path && line >= decl.start.line && line <= decl.end.line;
  return analysis.diagnostics.filter((d) => d.severity === "error" && QEMU_CHECKED.has(d.code) && inside(d.range.start.line)).map((d) => ({ code: d.code, message: d.message }));
}

/** QEMU's region names in the engine's vocabulary: boot RAM is "ram", a device's backend is the device. */
export function qemuSectionView(s: FlatSection, backendOwner: Map<string, string>): string {
  let name = s.name;
  // libvirt names a NUMA cell's backend ram-nodeN
  if (name === "pc.ram" || name === "mach-virt.ram" || /^ram-node\d+$/.test(name)) name = "ram";
  else if (name === "pc.bios" && s.offset !== undefined) name = "isa-bios";
  else if (backendOwner.has(name)) name = backendOwner.get(name)!;
  return show({ name, kind: s.kind, start: s.start, end: s.end });
}

export interface VmOutcome {
  vm: string;
  qemu: QemuResult | Error;
  errors: { code: string; message: string }[];
  sections: string[];
  backendOwner: Map<string, string>;
}

export function compare(label: string, text: string, o: VmOutcome, quoteMessages = true): void {
  const q = o.qemu;
  if (q instanceof Error) assert.fail(`running QEMU failed for ${label}: ${q.message}`);
  const context = () =>
    `\n  case: ${label}, vm ${o.vm}\n  QEMU: ${q.command}\n  QEMU says: ${q.ok ? "starts" : q.error}` +
    `\n  engine errors QEMU checks: ${o.errors.length === 0 ? "none" : o.errors.map((d) => `${d.code} ${d.message}`).join("\n    ")}` +
    `\n  design:\n${text.replace(/^/gm, "    ")}`;
  if (!q.ok) {
    assert.ok(o.errors.length > 0, `QEMU refuses the exported command line but the engine raises no error of a rule QEMU checks${context()}`);
    if (quoteMessages) assert.ok(o.errors.some((d) => d.message.includes(q.error)), `no engine error quotes QEMU's message "${q.error}"${context()}`);
    return;
  }
  assert.deepEqual(o.errors, [], `QEMU starts the exported command line but the engine reports errors${context()}`);
  assert.deepEqual(o.sections, q.sections.map((s) => qemuSectionView(s, o.backendOwner)), `the flat view differs from the report's layout (actual: engine, expected: QEMU)${context()}`);
}

