// `vmtopo export libvirt` held to real libvirt 9.0 and QEMU 7.2: the exported domain passes
// `virt-xml-validate`, `virsh domxml-to-native` turns it into libvirt's own command line, and
// QEMU runs that (TCG, paused): QEMU or libvirt refuses exactly when the engine reports an
// error of a rule QEMU checks, and QEMU's flat view equals `vmtopo report`'s layout.
// As for `export qemu`, what this machine cannot run is changed first, and only that: the
// domain becomes `type='qemu'` with a named CPU of the VM's vendor and phys-bits (no KVM);
// <hostdev>, <iommu> and <launchSecurity> are removed (no devices, IOMMU or TDX/SEV here);
// VMs on huge pages are not run (libvirt needs a mounted hugetlbfs, this machine has none)
// and are listed as such. On libvirt's command line the monitor socket, the master-key
// secret file and the seccomp sandbox go, and memory backends get reserve=off.
// libvirt needs a DIMM slot whenever <maxMemory> is given and one per memory device, so the
// engine sees the design with the slots the exporter gives (QEMU's device memory is then
// 1 GiB longer per slot). Where libvirt 9.0 is stricter than QEMU (a virtio-mem block below
// the THP size, requested above size: refused, where QEMU and the engine warn) the engine's
// warning must be there; what libvirt 9.0 cannot express (memaddr, memoryless NUMA nodes,
// nodes that do not add up) is listed as not run. Each run prints its agreement figures.
// Every example and VMTOPO_LIBVIRT_CASES (300) generated designs, a third of them with 2–4
// NUMA nodes, VMTOPO_QEMU_JOBS (2) at a time; another seed: VMTOPO_SEED=123.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { analyzeText, type Analysis } from "../../server/src/engine/analyze";
import { libvirtDomainXml } from "../../server/src/engine/interop/libvirt-export";
import { importLibvirt } from "../../server/src/engine/interop/libvirt-import";
import { parseQemuArgv, shellWords } from "../../server/src/engine/interop/qemu-options";
import { HOST_PAGE_SIZE, type VmModel } from "../../server/src/engine/model";
import { MiB } from "../../server/src/engine/format";
import { buildReport } from "../../server/src/engine/report";
import { checkedErrors, compare, type VmOutcome } from "../support/export-oracle";
import { repoRoot } from "../support/fixtures";
import { domxmlToNative, startLibvirt, stopLibvirt, validateDomain, type Libvirt } from "../support/libvirt-oracle";
import { engineSectionView, engineText, numaCases, placementCases, verdictCases } from "../support/qemu-cases";
import { mapLimited, PAUSED_WITH_MONITOR, qemuAvailable, runQemuArgv } from "../support/qemu-oracle";
import { Random, rng } from "../support/random";
import { spliced, vmFigures } from "../support/round-trip";

const SEED = Number(process.env.VMTOPO_SEED ?? 20261202);
// A virsh call takes some 30 ms once libvirt's capabilities cache holds (see libvirt-oracle.ts);
// QEMU's start dominates. VMTOPO_LIBVIRT_CASES=N runs N designs.
const GENERATED = Number(process.env.VMTOPO_LIBVIRT_CASES ?? 300);
const PARALLEL = Number(process.env.VMTOPO_QEMU_JOBS ?? 2);
const qemu = qemuAvailable();
const VERSION = qemu.ok ? qemu.version.split(".").slice(0, 2).join(".") : "7.2";

/** The exported domain as this machine can run it (see the header). */
function domainForHere(xml: string, vm: VmModel): string {
  const model = vm.cpuVendor === "amd" ? "qemu64" : "kvm64";
  return xml
    .replace("<domain type='kvm'>", "<domain type='qemu'>")
    .replace("<cpu mode='host-passthrough' check='none'>", `<cpu mode='custom' match='exact' check='none'>\n    <model fallback='forbid'>${model}</model>`)
    .replace("<maxphysaddr mode='passthrough'/>", `<maxphysaddr mode='emulate' bits='${vm.physBits}'/>`)
    .replace(/ *<hostdev[\s\S]*?<\/hostdev>\n/g, "")
    .replace(/ *<iommu[\s\S]*?(<\/iommu>|\/>)\n/g, "")
    .replace(/ *<ioapic driver='qemu'\/>\n/g, "")
    .replace(/ *<launchSecurity[\s\S]*?(<\/launchSecurity>|\/>)\n/g, "");
}

/** libvirt's command line as QEMU runs here: paused, the monitor on stdio (see the header). */
function argvForHere(args: string): { binary: string; args: string[] } {
  const { binary, options } = parseQemuArgv(shellWords(args));
  const out: string[] = [];
  for (const option of options) {
    if (["chardev", "mon", "sandbox", "display", "daemonize"].includes(option.name)) continue;
    if (option.name === "object" && option.props.get("qom-type") === "secret") continue;
    let raw = option.raw;
    if (option.name === "object" && option.json && String(option.props.get("qom-type")).startsWith("memory-backend-")) {
      const object = JSON.parse(raw!) as Record<string, unknown>;
      if (object.prealloc === undefined) object.reserve = false;
      raw = JSON.stringify(object);
    }
    out.push(`-${option.name}`, ...(raw === undefined ? [] : [raw]));
  }
  return { binary: binary ?? "qemu-system-x86_64", args: [...out, ...PAUSED_WITH_MONITOR] };
}

/**
 * The design as libvirt 9.0 can express it: libvirt wants a DIMM slot wherever maxmem is
 * given, and counts every memory device, virtio-mem too, against the slots (the exporter
 * raises `slots` so: see libvirt-export.ts).
 */
function withLibvirtSlots(text: string, analysis: Analysis): string {
  let out = text;
  for (const a of [...analysis.vms].reverse()) {
    const vm = a.vm;
    if (vm.file !== analysis.path || !(vm.attrs.has("maxmem") || vm.slots > 0)) continue;
    const needed = Math.max(1, vm.slots, vm.virtioMem.length + vm.dimms.length);
    if (needed === vm.slots) continue;
    const lines = out.split("\n");
    const { start, end } = vm.decl.range;
    const body = lines.slice(start.line + 1, end.line + 1).filter((l) => !/^\s*slots\s*=\s*\d+\s*$/.test(l));
    lines.splice(start.line + 1, end.line - start.line, `  slots = ${needed}`, ...body);
    out = lines.join("\n");
  }
  return out;
}

/** This machine's physical address bits: libvirt refuses to emulate more (qemuValidateDomainDefCpu...). */
const HOST_PHYS_BITS = Number(/address sizes\s*:\s*(\d+) bits physical/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? 64);

function whyNotHere(vm: VmModel): string | undefined {
  if (vm.host.arch !== "x86_64") return "an aarch64 VM (libvirt here probes x86_64 QEMU only)";
  if (vm.physBits > HOST_PHYS_BITS) return `phys-bits ${vm.physBits} above this machine's ${HOST_PHYS_BITS} (libvirt will not emulate more address bits than the host has)`;
  const huge = [vm.pageSize, ...vm.virtioMem.map((d) => d.pageSize)].some((p) => p > HOST_PAGE_SIZE) || vm.fileSystem === "hugetlbfs";
  if (huge) return "huge pages (libvirt needs a mounted hugetlbfs; none here)";
  if (vm.virtioMem.some((d) => d.memaddr !== undefined)) return "virtio-mem memaddr (<target><address base>, from libvirt 9.4; this is 9.0)";
  // libvirt takes boot RAM from the cells (virDomainDefPostParseMemory()) and gives each cell a
  // memory backend, one of size 0 too, which QEMU refuses: neither design can be written for it.
  if (vm.numa.length > 0 && vm.numa.reduce((sum, n) => sum + n.memory, 0) !== vm.memory) return "NUMA nodes that do not add up to memory (libvirt runs the cells' sum)";
  if (vm.numa.some((n) => n.memory === 0)) return "a NUMA node without memory (libvirt 9.0 gives it a memory backend of size 0, which QEMU refuses)";
  // <launchSecurity> is removed here (no SEV or TDX on this machine): the engine's verdict,
  // which weighs the confidential type against QEMU's version, would be compared with a guest
  // that is not confidential at all.
  if (vm.confidential !== "none") return `a ${vm.confidential} guest (<launchSecurity> cannot run here)`;
  return undefined;
}

/** One VM's trip through libvirt and QEMU, or why it could not make it here. */
interface VmRun {
  vm: string;
  /** declared NUMA nodes */
  numaNodes?: number;
  notRun?: string;
  outcome?: VmOutcome;
  /** libvirt rounded a memory device's size up to its block (the engine's only error is VT106) */
  rounded?: boolean;
  /** libvirt refused what QEMU only warns about, and the engine warns about it too */
  stricter?: string;
}

/**
 * Where libvirt 9.0 is stricter than QEMU: virDomainMemoryDefValidate()
 * (src/conf/domain_validate.c) refuses a virtio-mem block below the host's THP size and a
 * requested size above the device's, which QEMU starts with a warning, as the engine warns
 * (VT103, VT107). libvirt's message, and the engine's warning that must go with it.
 */
const LIBVIRT_STRICTER: { message: RegExp; code: string }[] = [
  { message: /^block size too small, must be at least/, code: "VT103" },
  { message: /^requested size must be smaller than or equal to @size/, code: "VT107" },
];

/** The engine's errors that QEMU or libvirt check at start-up: those of the QEMU oracle, and the NUMA ids and nodes (VT120), which libvirt checks too. */
function libvirtCheckedErrors(analysis: Analysis, a: Analysis["vms"][number]): VmOutcome["errors"] {
  const decl = a.vm.decl.range;
  const numa = analysis.diagnostics.filter((d) => d.severity === "error" && d.code === "VT120" && a.vm.file === analysis.path && d.range.start.line >= decl.start.line && d.range.start.line <= decl.end.line);
  return [...checkedErrors(analysis, a), ...numa.map((d) => ({ code: d.code, message: d.message }))];
}

/** A file of the design, for an example's imports; designs are read as QEMU `VERSION`. */
type Reader = { read(path: string): string | undefined };

async function runViaLibvirt(libvirt: Libvirt, text: string, path?: string, reader?: Reader): Promise<VmRun[]> {
  const original = analyzeText(text, path, reader);
  const analysis = analyzeText(withLibvirtSlots(text, original), path, reader);
  const report = buildReport(analysis);
  const runs: VmRun[] = [];
  for (const [i, a] of analysis.vms.entries()) {
    const reason = whyNotHere(a.vm);
    if (reason) {
      runs.push({ vm: a.vm.name, notRun: reason });
      continue;
    }
    const xml = domainForHere(libvirtDomainXml(a.vm), a.vm);
    const invalid = await validateDomain(libvirt, xml);
    assert.equal(invalid, null, `virt-xml-validate refuses the exported domain of vm ${a.vm.name}:\n${xml}`);
    const native = await domxmlToNative(libvirt, xml);
    const errors = libvirtCheckedErrors(analysis, a);
    const backendOwner = new Map([...a.vm.virtioMem, ...a.vm.dimms].map((d) => [`memua-${d.name}`, d.name]));
    const sections = (report.vms[i]?.layout.sections ?? []).map(engineSectionView);
    let qemuResult: VmOutcome["qemu"];
    const stricter = native.ok ? undefined : LIBVIRT_STRICTER.find((r) => r.message.test(native.error));
    if (!native.ok && stricter && errors.length === 0) {
      const warned = analysis.diagnostics.some((d) => d.code === stricter.code && d.range.start.line >= a.vm.decl.range.start.line && d.range.start.line <= a.vm.decl.range.end.line);
      assert.ok(warned, `libvirt refuses with "${native.error}", but the engine gives no ${stricter.code} warning for vm ${a.vm.name}:\n${xml}`);
      runs.push({ vm: a.vm.name, stricter: stricter.code });
      continue;
    }
    if (!native.ok) {
      // libvirt's refusal stands for QEMU's: the engine must report an error.
      qemuResult = { ok: false, error: native.error, stderr: native.error, command: `virsh domxml-to-native of:\n${xml}` };
    } else {
      const { binary, args } = argvForHere(native.args);
      qemuResult = await runQemuArgv(args, { binary, timeoutMs: 60_000 }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    }
    // libvirt rounds a memory device's size up to its block size (qemuDomainMemoryDeviceAlignSize()),
    // so a size that is not a multiple (VT106) starts under libvirt, larger than written.
    const rounded = errors.length > 0 && errors.every((e) => e.code === "VT106") && !(qemuResult instanceof Error) && qemuResult.ok;
    runs.push({ vm: a.vm.name, numaNodes: a.vm.numa.length, outcome: { vm: a.vm.name, qemu: qemuResult, errors, sections, backendOwner }, rounded });
  }
  return runs;
}

/** Agreement figures over all VMs run: both start with equal layouts, both refuse, libvirt's rounding, not run here. */
class Tally {
  starts = 0;
  refused = 0;
  rounded = 0;
  stricter = 0;
  /** of those compared, VMs with declared NUMA nodes: started, refused */
  numaStarts = 0;
  numaRefused = 0;
  notRun = new Map<string, number>();
  add(runs: VmRun[]): void {
    for (const r of runs) {
      if (r.notRun) this.notRun.set(r.notRun.replace(/ \d+ /g, " N "), (this.notRun.get(r.notRun.replace(/ \d+ /g, " N ")) ?? 0) + 1);
      else if (r.rounded) this.rounded++;
      else if (r.stricter) this.stricter++;
      else if (r.outcome && !(r.outcome.qemu instanceof Error)) {
        const numa = (r.numaNodes ?? 0) > 0;
        if (r.outcome.qemu.ok) {
          this.starts++;
          if (numa) this.numaStarts++;
        } else {
          this.refused++;
          if (numa) this.numaRefused++;
        }
      }
    }
  }
  toString(): string {
    const skipped = [...this.notRun].map(([why, n]) => `${n} × ${why}`);
    return `${this.starts + this.refused + this.rounded + this.stricter} VMs through libvirt and QEMU: ${this.starts} start with the report's layout, ${this.refused} refused where the engine reports an error, ${this.stricter} refused by libvirt where QEMU and the engine only warn (VT103, VT107), ${this.rounded} started with a memory device rounded up by libvirt (VT106); with NUMA nodes: ${this.numaStarts} start, ${this.numaRefused} refused` + (skipped.length > 0 ? `; not run here: ${skipped.join("; ")}` : "");
  }
}

function judge(label: string, text: string, runs: VmRun[]): void {
  for (const r of runs) {
    if (r.notRun || r.rounded || r.stricter) continue;
    // libvirt words some refusals itself, so only the verdict and the layout are compared.
    compare(label, text, r.outcome!, false);
  }
}

// ---- without libvirt: the XML itself, and the round trip through import libvirt ------------

describe("export libvirt: NUMA cells", () => {
  const vmOf = (body: string) => analyzeText(`host h { qemu = "7.2" }\nvm g on h {\n  machine = q35\n  accel = tcg\n  cpu = named\n${body}\n}\n`).vms[0].vm;
  const cells = (xml: string) => [...xml.matchAll(/<cell id='(\d+)' cpus='(\d+)' memory='(\d+)' unit='KiB'\/>/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);

  test("each declared node is a cell with its memory and a vCPU of its own; devices name their node", () => {
    const xml = libvirtDomainXml(vmOf("  memory = 4G\n  maxmem = 14G\n  slots = 2\n  numa { node 0 { memory = 3G } node 1 { memory = 1G } node 2 { memory = 0 } }\n  virtio-mem v { size = 8G node = 2 }\n  dimm d { size = 1G node = 1 }"));
    assert.deepEqual(cells(xml), ["0:0:3145728", "1:1:1048576", "2:2:0"], xml);
    assert.match(xml, /<vcpu placement='static'>3<\/vcpu>/);
    assert.match(xml, /<size unit='KiB'>8388608<\/size>\s*<node>2<\/node>/);
    assert.match(xml, /<size unit='KiB'>1048576<\/size><node>1<\/node>/);
    // libvirt 9.0 cannot run a memoryless cell: the XML says so beside it.
    assert.match(xml, /<!-- vmtopo: libvirt 9.0 gives this cell a memory backend of size 0[^>]*-->\s*<cell id='2'/);
  });

  test("without declared nodes: one cell holding boot RAM when memory can be hot-plugged, none otherwise", () => {
    assert.deepEqual(cells(libvirtDomainXml(vmOf("  memory = 2G\n  maxmem = 6G\n  virtio-mem v { size = 4G }"))), ["0:0:2097152"]);
    assert.deepEqual(cells(libvirtDomainXml(vmOf("  memory = 2G"))), []);
  });

  test("slots: one per memory device (libvirt 9.0 counts virtio-mem too), with a comment where the design has fewer", () => {
    const xml = libvirtDomainXml(vmOf("  memory = 2G\n  maxmem = 8G\n  virtio-mem a { size = 2G }\n  virtio-mem b { size = 2G }"));
    assert.match(xml, /<maxMemory slots='2' unit='KiB'>8388608<\/maxMemory>/);
    assert.match(xml, /<!-- vmtopo: libvirt needs a memory slot with maxMemory and one per memory device; slots = 0 in the design -->/);
  });

  test("nodes that do not add up to memory: exported as declared, with a comment (libvirt runs their sum)", () => {
    const xml = libvirtDomainXml(vmOf("  memory = 4G\n  numa { node 0 { memory = 3G } node 1 { memory = 2G } }"));
    assert.deepEqual(cells(xml), ["0:0:3145728", "1:1:2097152"]);
    assert.match(xml, /<!-- vmtopo: the NUMA nodes hold 5368709120 bytes, memory is 4294967296: libvirt runs the nodes' sum -->/);
  });
});

test(`round trip through import libvirt over generated designs (seed ${SEED}), NUMA ones among them: import(export(design)) analyses the same`, async (t) => {
  const random = new Random(rng(SEED + 1));
  const cases = [...numaCases(random, 150), ...placementCases(random).slice(0, 50), ...verdictCases(random).slice(0, 50)];
  let numa = 0;
  for (const c of cases) {
    await t.test(c.label, () => {
      const text = engineText(c.config, [], VERSION);
      // The design as libvirt holds it: with the slots the exporter gives (see the header).
      const design = withLibvirtSlots(text, analyzeText(text));
      const before = analyzeText(design);
      const vm = before.vms[0].vm;
      // libvirt takes boot RAM from the cells: nodes that do not add up cannot come back as they were.
      if (vm.numa.length > 0 && vm.numa.reduce((sum, n) => sum + n.memory, 0) !== vm.memory) return;
      // libvirt has slots only with <maxMemory>: slots without maxmem come back with maxmem = memory (VT004 either way).
      if (vm.slots > 0 && !vm.attrs.has("maxmem")) return;
      // libvirt aligns memory devices up to 2 MiB before it starts QEMU (qemuDomainAlignMemorySizes()),
      // and import libvirt does the same: such a device comes back larger, as it would run.
      if ([...vm.virtioMem, ...vm.dimms].some((d) => d.size % (2 * MiB) !== 0)) return;
      if (vm.numa.length > 1) numa++;
      const xml = libvirtDomainXml(vm);
      const imported = importLibvirt([{ name: "export.xml", xml }]).text.replace(/^vm (\S+) \{/m, `vm $1 on ${vm.host.name} {`);
      const after = analyzeText(spliced(design, before, vm.name, imported));
      assert.deepEqual(vmFigures(after, vm.name), vmFigures(before, vm.name), `design:\n${design}\nexported:\n${xml}\nimported:\n${imported}`);
    });
  }
  assert.ok(numa > 100, `NUMA designs in the round trip: ${numa}`);
});

const setup = qemu.ok ? startLibvirt() : ({ ok: false, reason: `${qemu.reason} (install Debian's qemu-system-x86)` } as const);

if (!setup.ok) {
  console.log(`libvirt-export: skipped: ${setup.reason}`);
  test("export libvirt: libvirt and QEMU oracle", { skip: setup.reason }, () => {});
} else {
  const libvirt = setup.libvirt;
  after(() => stopLibvirt(libvirt));

  test(`export libvirt of every example: libvirt 9.0 and QEMU ${VERSION} agree with check and report`, async (t) => {
    const dir = join(repoRoot, "examples");
    const asVersion = (s: string) => s.replace(/^(\s*qemu\s*=\s*)"[^"]*"/gm, `$1"${VERSION}"`);
    const files = readdirSync(dir).filter((f) => f.endsWith(".vmtopo")).sort();
    const texts = files.map((file) => asVersion(readFileSync(join(dir, file), "utf8")));
    // An example's imports (hosts.vmtopo) are read as the engine's reader reads them, at the same QEMU version.
    const reader: Reader = { read: (p) => (existsSync(p) ? asVersion(readFileSync(p, "utf8")) : undefined) };
    const tally = new Tally();
    const runs = await mapLimited(files, PARALLEL, (file, i) => runViaLibvirt(libvirt, texts[i], join(dir, file), reader));
    for (const [i, file] of files.entries()) {
      tally.add(runs[i]);
      await t.test(file, () => judge(file, texts[i], runs[i]));
    }
    t.diagnostic(tally.toString());
    console.log(`libvirt-export, examples: ${tally}`);
    assert.ok(tally.starts > 0, `some example VM ran: ${tally}`);
  });

  test(`export libvirt of ${GENERATED} generated designs (seed ${SEED}), a third with NUMA nodes: libvirt and QEMU agree with check and report`, async (t) => {
    const random = new Random(rng(SEED));
    const third = Math.round(GENERATED / 3);
    const cases = [...placementCases(random).slice(0, third), ...verdictCases(random).slice(0, third), ...numaCases(random, GENERATED - 2 * third)];
    const texts = cases.map((c) => engineText(c.config, [], VERSION));
    const started = Date.now();
    const runs = await mapLimited(texts, PARALLEL, (text) => runViaLibvirt(libvirt, text));
    const tally = new Tally();
    for (const [i, c] of cases.entries()) {
      tally.add(runs[i]);
      await t.test(c.label, () => judge(c.label, texts[i], runs[i]));
    }
    const figures = `${tally} (${((Date.now() - started) / 1000).toFixed(0)} s, ${PARALLEL} at a time)`;
    t.diagnostic(figures);
    console.log(`libvirt-export, generated: ${figures}`);
    // Both verdicts, and NUMA designs, must be exercised, or the test proves little.
    if (GENERATED >= 100) assert.ok(tally.starts > GENERATED / 4 && tally.refused > GENERATED / 10 && tally.numaStarts > GENERATED / 10 && tally.numaRefused > 0, figures);
    else assert.ok(tally.starts > 0, figures);
  });
}
