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
// libvirt needs a DIMM slot whenever <maxMemory> is given, so the engine sees the design
// with `slots = 1` where it had none (QEMU's device memory is then 1 GiB longer).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { analyzeText, type Analysis } from "../../server/src/engine/analyze";
import { libvirtDomainXml } from "../../server/src/engine/interop/libvirt-export";
import { parseQemuArgv, shellWords } from "../../server/src/engine/interop/qemu-options";
import { HOST_PAGE_SIZE, type VmModel } from "../../server/src/engine/model";
import { buildReport } from "../../server/src/engine/report";
import { checkedErrors, compare, type VmOutcome } from "../support/export-oracle";
import { repoRoot } from "../support/fixtures";
import { domxmlToNative, startLibvirt, stopLibvirt, validateDomain, type Libvirt } from "../support/libvirt-oracle";
import { engineSectionView, engineText, placementCases, verdictCases } from "../support/qemu-cases";
import { PAUSED_WITH_MONITOR, qemuAvailable, runQemuArgv } from "../support/qemu-oracle";
import { Random, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20261202);
// Each virsh call takes seconds to a minute on a loaded machine: a dozen by default.
const GENERATED = Number(process.env.VMTOPO_LIBVIRT_CASES ?? 12);
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

/** The design as libvirt can express it: a DIMM slot wherever maxmem is given without one. */
function withLibvirtSlots(text: string, analysis: Analysis): string {
  let out = text;
  for (const a of [...analysis.vms].reverse()) {
    if (a.vm.slots > 0 || !a.vm.attrs.has("maxmem") || a.vm.file !== analysis.path) continue;
    const lines = out.split("\n");
    const line = a.vm.decl.name.range.start.line;
    lines[line] = lines[line].replace(/\{\s*$/, "{\n  slots = 1");
    out = lines.join("\n").replace(/\n\s*slots = 0\n/g, "\n");
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
  // <launchSecurity> is removed here (no SEV or TDX on this machine): the engine's verdict,
  // which weighs the confidential type against QEMU's version, would be compared with a guest
  // that is not confidential at all.
  if (vm.confidential !== "none") return `a ${vm.confidential} guest (<launchSecurity> cannot run here)`;
  return undefined;
}

let libvirt: Libvirt | undefined;

async function exportViaLibvirt(label: string, text: string, runLog: string[]): Promise<void> {
  const original = analyzeText(text);
  const analysis = analyzeText(withLibvirtSlots(text, original));
  const report = buildReport(analysis);
  for (const [i, a] of analysis.vms.entries()) {
    const reason = whyNotHere(a.vm);
    if (reason) {
      runLog.push(`${label}: vm ${a.vm.name} not run here: ${reason}`);
      continue;
    }
    const xml = domainForHere(libvirtDomainXml(a.vm), a.vm);
    const invalid = await validateDomain(libvirt!, xml);
    assert.equal(invalid, null, `virt-xml-validate refuses the exported domain of ${label}, vm ${a.vm.name}:\n${xml}`);
    const native = await domxmlToNative(libvirt!, xml);
    const errors = checkedErrors(analysis, a);
    const backendOwner = new Map([...a.vm.virtioMem, ...a.vm.dimms].map((d) => [`memua-${d.name}`, d.name]));
    const sections = (report.vms[i]?.layout.sections ?? []).map(engineSectionView);
    let outcome: VmOutcome;
    if (!native.ok) {
      // libvirt's refusal stands for QEMU's: the engine must report an error.
      outcome = { vm: a.vm.name, qemu: { ok: false, error: native.error, stderr: native.error, command: `virsh domxml-to-native of:\n${xml}` }, errors, sections, backendOwner };
    } else {
      const { binary, args } = argvForHere(native.args);
      const result = await runQemuArgv(args, { binary, timeoutMs: 60_000 }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      outcome = { vm: a.vm.name, qemu: result, errors, sections, backendOwner };
    }
    runLog.push(`${label}: vm ${a.vm.name}: ${outcome.qemu instanceof Error ? "error" : outcome.qemu.ok ? "starts" : `refused: ${outcome.qemu.error}`}`);
    // libvirt rounds a memory device's size up to its block size (qemuDomainMemoryDeviceAlignSize()),
    // so a size that is not a multiple (VT106) starts under libvirt, larger than written.
    if (errors.length > 0 && errors.every((e) => e.code === "VT106") && !(outcome.qemu instanceof Error) && outcome.qemu.ok) continue;
    // libvirt words some refusals itself, so only the verdict and the layout are compared.
    compare(label, text, outcome, false);
  }
}

const setup = qemu.ok ? startLibvirt() : ({ ok: false, reason: `${qemu.reason} (install Debian's qemu-system-x86)` } as const);

if (!setup.ok) {
  console.log(`libvirt-export: skipped: ${setup.reason}`);
  test("export libvirt: libvirt and QEMU oracle", { skip: setup.reason }, () => {});
} else {
  before(() => {
    libvirt = setup.libvirt;
  });
  after(() => stopLibvirt(setup.libvirt));

  test(`export libvirt of every example: libvirt 9.0 and QEMU ${VERSION} agree with check and report`, { timeout: 3_600_000 }, async (t) => {
    const dir = join(repoRoot, "examples");
    const asVersion = (s: string) => s.replace(/^(\s*qemu\s*=\s*)"[^"]*"/gm, `$1"${VERSION}"`);
    const log: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".vmtopo")).sort()) {
      const text = asVersion(readFileSync(join(dir, file), "utf8"));
      // Examples that import hosts are analysed with their imports inlined by the engine's reader.
      if (/^import /m.test(text)) {
        log.push(`${file}: imports other files; covered by the export qemu test`);
        continue;
      }
      await t.test(file, () => exportViaLibvirt(file, text, log));
    }
    t.diagnostic(log.join("\n"));
    assert.ok(log.some((l) => / starts$/.test(l)), `some example VM ran:\n${log.join("\n")}`);
  });

  test(`export libvirt of ${GENERATED} generated designs (seed ${SEED}): libvirt and QEMU agree with check and report`, { timeout: 3_600_000 }, async (t) => {
    const random = new Random(rng(SEED));
    const cases = [...placementCases(random).slice(0, GENERATED / 2), ...verdictCases(random).slice(0, GENERATED / 2)];
    const log: string[] = [];
    for (const c of cases) await t.test(c.label, () => exportViaLibvirt(c.label, engineText(c.config, [], VERSION), log));
    t.diagnostic(log.join("\n"));
  });
}
