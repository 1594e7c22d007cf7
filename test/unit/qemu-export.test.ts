// `vmtopo export qemu` held to real QEMU 7.2: for every VM of every example and for a few
// hundred generated designs, the exported command line is run (TCG, paused, no guest) and
//   - QEMU refuses it exactly when the engine reports an error of a rule QEMU checks at
//     start-up (the -m checks, virtio-mem, memory devices, phys-bits, backend sizes), and then
//     one of the engine's errors quotes QEMU's message;
//   - when QEMU starts, its flat view's RAM and ROM sections and memory-device regions equal
//     `vmtopo report`'s layout.
// The design is analysed as QEMU 7.2 (its hosts' `qemu` says "7.2"). What this machine cannot
// run is replaced or removed from the exported line before running, and only that: KVM
// (→ `-accel tcg`, `-cpu host` → qemu64 with the VM's phys-bits and vendor), VFIO devices,
// iommufd, vIOMMUs and vhost-vdpa (no devices or IOMMU here), confidential-guest objects (no
// TDX/SEV here), huge pages (no pool here: hugetlbfs files become memfd hugetlb of the same
// page size, whose alignment the engine gives both), and every backend gets reserve=off (the
// designs are larger than this machine's memory).
// Replay with another seed: VMTOPO_SEED=123 node --import tsx --test test/unit/qemu-export.test.ts
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { analyzeText, type Analysis } from "../../server/src/engine/analyze";
import { deviceBackendId, qemuCommand, type QemuCommand, type QemuOption } from "../../server/src/engine/interop/qemu-export";
import type { VmModel } from "../../server/src/engine/model";
import { buildReport } from "../../server/src/engine/report";
import { repoRoot } from "../support/fixtures";
import { backendDesigns, engineSectionView, engineText, layoutCases, placementCases, verdictCases } from "../support/qemu-cases";
import { mapLimited, PAUSED_WITH_MONITOR, qemuAvailable, runQemuArgv } from "../support/qemu-oracle";
import { checkedErrors, compare, type VmOutcome } from "../support/export-oracle";
import { Random, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20261130);
const PARALLEL = Number(process.env.VMTOPO_QEMU_JOBS ?? 2);
const qemu = qemuAvailable();
const VERSION = qemu.ok ? qemu.version.split(".").slice(0, 2).join(".") : "7.2";

const keyvalHead = (value: string) => value.split(",")[0];
const withoutProps = (value: string, drop: RegExp) =>
  value
    .split(",")
    .filter((part, i) => i === 0 || !drop.test(part.split("=")[0]))
    .join(",");

/** The exported command as this machine can run it (see the header), paused with a monitor. */
export function runnableHere(command: QemuCommand, vm: VmModel): { binary: string; args: string[] } {
  const options: QemuOption[] = [];
  for (const option of command.options) {
    const [name, value = ""] = option;
    const head = keyvalHead(value);
    if (name === "-accel") options.push(["-accel", "tcg"]);
    else if (name === "-cpu" && head === "host") {
      options.push(["-cpu", vm.host.arch === "x86_64" ? `qemu64,vendor=${vm.cpuVendor === "amd" ? "AuthenticAMD" : "GenuineIntel"},phys-bits=${vm.physBits}` : "max"]);
    } else if (name === "-device" && ["vfio-pci", "intel-iommu", "virtio-iommu-pci", "virtio-net-pci"].includes(head)) continue;
    else if (name === "-netdev" && head === "vhost-vdpa") continue;
    else if (name === "-object" && ["iommufd", "tdx-guest", "sev-guest", "sev-snp-guest", "rme-guest"].includes(head)) continue;
    else if (name === "-machine") options.push(["-machine", withoutProps(value, /^(confidential-guest-support|kernel-irqchip)$/)]);
    else if (name === "-object" && head.startsWith("memory-backend-")) options.push(["-object", runnableBackend(value)]);
    else options.push(option);
  }
  return { binary: command.binary, args: [...options.flat(), ...PAUSED_WITH_MONITOR] };
}

function runnableBackend(value: string): string {
  // Boot RAM cannot be preallocated here (no huge page pool, less memory than the designs);
  // the engine checks nothing about it that QEMU checks at start. A virtio-mem backend keeps
  // it: QEMU refuses that (VT117) before allocating anything.
  let backend = /(?:^|,)id=(pc\.ram|mach-virt\.ram)(?:,|$)/.test(value) ? withoutProps(value, /^prealloc$/) : value;
  const path = /(?:^|,)mem-path=([^,]*)/.exec(value)?.[1];
  if (keyvalHead(value) === "memory-backend-file" && path !== undefined) {
    const page = path.startsWith("/dev/hugepages1G/") ? "1G" : path.startsWith("/dev/hugepages/") ? "2M" : undefined;
    backend = withoutProps(backend, /^(mem-path|share)$/).replace(/^memory-backend-file/, "memory-backend-memfd");
    if (page) backend += `,hugetlb=on,hugetlbsize=${page}`;
  }
  return /(?:^|,)(reserve|prealloc)=/.test(backend) ? backend : backend + ",reserve=off";
}

async function exportAndRun(analysis: Analysis): Promise<VmOutcome[]> {
  const report = buildReport(analysis);
  const outcomes: VmOutcome[] = [];
  for (const [i, a] of analysis.vms.entries()) {
    // Its confidential-guest object is removed here (no TDX or SEV on this machine): the
    // engine's verdict, which weighs the type against QEMU's version, and its layout (TDX has
    // no pc.rom) would be compared with a guest that is not confidential at all.
    if (a.vm.confidential !== "none") continue;
    const { binary, args } = runnableHere(qemuCommand(a.vm), a.vm);
    const result = await runQemuArgv(args, { binary, timeoutMs: 30_000 }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    // Diagnostics of this VM: those inside its declaration (a file may hold several VMs).
    const errors = checkedErrors(analysis, a);
    const backendOwner = new Map([...a.vm.virtioMem, ...a.vm.dimms].map((d) => [deviceBackendId(d.name), d.name]));
    outcomes.push({ vm: a.vm.name, qemu: result, errors, sections: (report.vms[i]?.layout.sections ?? []).map(engineSectionView), backendOwner });
  }
  return outcomes;
}

// ---- designs ------------------------------------------------------------------------------

const examplesDir = join(repoRoot, "examples");
const asVersion = (text: string) => text.replace(/^(\s*qemu\s*=\s*)"[^"]*"/gm, `$1"${VERSION}"`);

function analyzeExample(file: string): { text: string; analysis: Analysis } {
  const path = join(examplesDir, file);
  const text = asVersion(readFileSync(path, "utf8"));
  const reader = { read: (p: string) => { try { return asVersion(readFileSync(p, "utf8")); } catch { return undefined; } } };
  return { text, analysis: analyzeText(text, path, reader) };
}

// ---- the tests ----------------------------------------------------------------------------

const random = new Random(rng(SEED));
const shared = [...layoutCases(random), ...placementCases(random), ...verdictCases(random)].map((c) => ({ label: c.label, text: engineText(c.config, [], VERSION) }));
const generated: { label: string; text: string }[] = [...shared, ...backendDesigns(random, 80, VERSION).map((text, i) => ({ label: `backends #${i}`, text }))];

if (!qemu.ok) {
  const reason = `${qemu.reason} (install Debian's qemu-system-x86 to run this test)`;
  console.log(`qemu-export: skipped: ${reason}`);
  test("export qemu: QEMU oracle", { skip: reason }, () => {});
} else {
  test(`export qemu of every example: QEMU ${qemu.version} agrees with check and report`, async (t) => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith(".vmtopo")).sort();
    assert.ok(files.length >= 5, "the examples are there");
    let vms = 0;
    for (const file of files) {
      const { text, analysis } = analyzeExample(file);
      const outcomes = await exportAndRun(analysis);
      for (const o of outcomes) {
        vms++;
        await t.test(`${file}: vm ${o.vm}`, () => compare(file, text, o));
      }
    }
    assert.ok(vms >= 8, `the examples hold VMs (${vms})`);
  });

  test(`export qemu of ${generated.length} generated designs (seed ${SEED}): QEMU ${qemu.version} agrees with check and report`, async (t) => {
    const outcomes = await mapLimited(generated, PARALLEL, (g) => exportAndRun(analyzeText(g.text)));
    let refused = 0;
    for (const [i, g] of generated.entries()) {
      const o = outcomes[i][0];
      if (!(o.qemu instanceof Error) && !o.qemu.ok) refused++;
      // A hugetlbfs file is run as a hugetlb memfd here (see the header), so QEMU words a size
      // problem as memfd does; the verdict and the layout are still compared.
      const convertedFile = /file-system = hugetlbfs/.test(g.text);
      await t.test(g.label, () => compare(g.label, g.text, o, !convertedFile));
    }
    // Both verdicts must be exercised, or the test proves little.
    assert.ok(refused > 20 && refused < generated.length - 50, `refused ${refused} of ${generated.length}`);
  });
}
