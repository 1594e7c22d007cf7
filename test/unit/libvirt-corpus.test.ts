// `vmtopo import libvirt` held to libvirt's own test corpus (test/fixtures/libvirt/corpus/:
// every x86 domain of libvirt 9.0's QEMU test data with memory devices, <maxMemory>,
// <memoryBacking>, NUMA cells, VFIO host devices, an <iommu>, <launchSecurity> or
// <maxphysaddr>; see its README and MANIFEST.tsv).
//
// For every domain:
//   - the import does not crash: it gives a design, or a clear LibvirtImportError / XmlError
//     (with a line) only for a domain libvirt itself refuses;
//   - the design parses and resolves (no VT001-VT003, VT005-VT007); a value error (VT004) only
//     where libvirt refuses the domain;
//   - nothing is dropped silently: every element and attribute of the domain is either in
//     MODELLED below (what the importer translates) or named, with its path and line, in the
//     design's header comment; and each selecting feature (memory devices, VFIO devices, NUMA
//     cells, vIOMMU, launch security, maxMemory, huge pages, <locked/>, maxphysaddr) is in the
//     design or named in its header.
// For every domain with libvirt's command line (`NAME.x86_64-latest.args`), `import qemu` of it
// gives the layout `import libvirt` gives of the domain, and QEMU 7.2 runs it
// (TCG, paused, no guest), changed only where this machine or this QEMU cannot run it; each
// change is one of ADAPTATIONS in test/support/libvirt-args.ts:
//   TCG for KVM; the monitor on stdio instead of libvirt's QMP socket (no -sandbox, -msg,
//   displays); no secret objects; no disk, network, audio or chardev backends nor the devices
//   using them; no vhost-user devices; no vfio-pci; no emulated smartcard; no sev-guest /
//   tdx-guest; hugetlbfs files as memfd huge pages of the same page size; other backend files
//   in a temporary directory; no host NUMA binding (host-nodes, policy, node-affinity);
//   reserve=off, and no prealloc on huge pages (no pool here) or on boot RAM above 2 GiB;
//   -overcommit mem-lock=off; no virtio-mem dynamic-memslots (QEMU 8.2).
// Then, as the export oracle does (test/support/export-oracle.ts): QEMU refuses it exactly when
// the imported design, analysed as QEMU 7.2, has an error of a rule QEMU checks, and when QEMU
// starts, its flat view's RAM/ROM sections and memory-device regions equal the design's layout
// (with a VGA device, less its legacy window, see VGA_DEVICES).
// A domain that cannot be compared is excluded with one of the named EXCLUSIONS (SEV/TDX guests;
// nvdimm, virtio-pmem and sgx-epc devices, which vmtopo does not model; DIMMs without ACPI;
// KVM-only configurations; huge page
// sizes the memfd stand-in for hugetlbfs refuses), the counts per reason and the agreement are printed, and any other
// exclusion or disagreement fails the test.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { importLibvirt, LibvirtImportError } from "../../server/src/engine/interop/libvirt-import";
import { importQemu } from "../../server/src/engine/interop/qemu-import";
import { parseQemuArgv, shellWords } from "../../server/src/engine/interop/qemu-options";
import { parseXml, XmlError, type XmlElement } from "../../server/src/engine/interop/xml";
import { buildReport } from "../../server/src/engine/report";
import { checkedErrors, compare } from "../support/export-oracle";
import { repoRoot } from "../support/fixtures";
import { runnableLibvirtArgs } from "../support/libvirt-args";
import { engineSectionView } from "../support/qemu-cases";
import { mapLimited, qemuAvailable, runQemuArgv, type FlatSection, type QemuResult } from "../support/qemu-oracle";

const corpus = join(repoRoot, "test", "fixtures", "libvirt", "corpus");
const PARALLEL = Number(process.env.VMTOPO_QEMU_JOBS ?? 2);

interface Entry {
  domain: string;
  features: string[];
  companion?: string;
  libvirtRefuses: boolean;
}

const manifest: Entry[] = readFileSync(join(corpus, "MANIFEST.tsv"), "utf8")
  .split("\n")
  .filter((l) => l !== "" && !l.startsWith("#"))
  .map((l) => {
    const [domain, features, companion, libvirt] = l.split("\t");
    return { domain, features: features.split(","), companion: companion === "-" ? undefined : companion, libvirtRefuses: libvirt === "refuses" };
  });

/**
 * What the importer translates: element paths and, for each, the attributes it reads into the
 * design (or into a named assumption). Anything else in a domain must be listed in the header.
 */
const MODELLED: Readonly<Record<string, readonly string[]>> = {
  "/domain": ["type"],
  "/domain/name": [],
  "/domain/os": [],
  "/domain/os/type": ["arch", "machine"],
  "/domain/cpu": ["mode"],
  "/domain/cpu/model": [],
  "/domain/cpu/maxphysaddr": ["mode", "bits"],
  "/domain/cpu/numa": [],
  "/domain/cpu/numa/cell": ["id", "memory", "unit"],
  "/domain/memory": ["unit"],
  "/domain/maxMemory": ["unit", "slots"],
  "/domain/currentMemory": [],
  "/domain/memoryBacking": [],
  "/domain/memoryBacking/hugepages": [],
  "/domain/memoryBacking/hugepages/page": ["size", "unit", "nodeset"],
  "/domain/memoryBacking/source": ["type"],
  "/domain/memoryBacking/allocation": ["mode"],
  "/domain/memoryBacking/access": ["mode"],
  "/domain/memoryBacking/locked": [],
  "/domain/devices": [],
  "/domain/devices/emulator": [],
  "/domain/devices/memory": ["model"],
  "/domain/devices/memory/target": ["dynamicMemslots"],
  "/domain/devices/memory/target/size": ["unit"],
  "/domain/devices/memory/target/node": [],
  "/domain/devices/memory/target/block": ["unit"],
  "/domain/devices/memory/target/requested": ["unit"],
  "/domain/devices/memory/target/address": ["base"],
  "/domain/devices/memory/source": [],
  "/domain/devices/memory/source/pagesize": ["unit"],
  "/domain/devices/memory/address": ["type", "base", "slot"],
  "/domain/devices/memory/alias": ["name"],
  "/domain/devices/hostdev": ["mode", "type", "model"],
  "/domain/devices/hostdev/source": [],
  "/domain/devices/hostdev/source/address": ["type", "domain", "bus", "slot", "function", "uuid"],
  "/domain/devices/hostdev/driver": ["name", "iommufd"],
  "/domain/devices/hostdev/alias": ["name"],
  "/domain/devices/interface": ["type"],
  "/domain/devices/interface/source": [],
  "/domain/devices/interface/source/address": ["type", "domain", "bus", "slot", "function"],
  "/domain/devices/interface/driver": ["name", "iommufd"],
  "/domain/devices/interface/alias": ["name"],
  "/domain/devices/iommu": ["model"],
  "/domain/devices/iommu/driver": ["aw_bits"],
  "/domain/devices/memballoon": ["model"],
  "/domain/launchSecurity": ["type"],
  "/domain/launchSecurity/policy": [],
};

/** Elements and attributes of the domain that are neither modelled nor named in the header. */
function silentlyDropped(root: XmlElement, header: string): string[] {
  const dropped: string[] = [];
  const listedElement = (path: string, line: number, name: string) =>
    header.includes(`at ${path} (line ${line})`) || (path === `/domain/${name}` && new RegExp(`^// {3}<${name}>`, "m").test(header));
  const walk = (el: XmlElement, parent: string) => {
    const path = `${parent}/${el.name}`;
    if (listedElement(path, el.line, el.name)) return;
    const modelled = MODELLED[path];
    if (!modelled) {
      dropped.push(`<${el.name}> at ${path} (line ${el.line})`);
      return;
    }
    const attrLine = header.split("\n").find((l) => l.startsWith(`//   ${path} (line ${el.line}): `)) ?? "";
    for (const name of el.attributes.keys()) {
      if (!modelled.includes(name) && !attrLine.includes(` ${name}='`) && !attrLine.includes(`: ${name}='`)) dropped.push(`${path}/@${name} (line ${el.line})`);
    }
    for (const c of el.children) walk(c, path);
  };
  walk(root, "");
  return dropped;
}

const all = (el: XmlElement | undefined, ...path: string[]): XmlElement[] => {
  let level = el ? [el] : [];
  for (const name of path) level = level.flatMap((e) => e.children.filter((c) => c.name === name));
  return level;
};

/** Each feature that selected the domain is in the design or named in its header. */
function featuresAccounted(root: XmlElement, text: string): string[] {
  const missing: string[] = [];
  const header = text.split("\n").filter((l) => l.startsWith("//")).join("\n");
  const count = (re: RegExp) => (text.match(re) ?? []).length;
  const memory = all(root, "devices", "memory");
  const modelledMemory = memory.filter((m) => ["dimm", "virtio-mem"].includes(m.attributes.get("model") ?? ""));
  if (count(/^ {2}(dimm|virtio-mem) \S+ \{\}?$/gm) !== modelledMemory.length) missing.push(`${modelledMemory.length} dimm/virtio-mem devices`);
  for (const m of memory.filter((d) => !modelledMemory.includes(d))) if (!header.includes(`<memory model='${m.attributes.get("model")}'>`)) missing.push(`<memory model='${m.attributes.get("model")}'> (line ${m.line})`);
  const vfio = [
    ...all(root, "devices", "hostdev").filter((h) => h.attributes.get("type") === "pci" || (h.attributes.get("type") === "mdev" && h.attributes.get("model") === "vfio-pci")),
    ...all(root, "devices", "interface").filter((i) => i.attributes.get("type") === "hostdev"),
  ];
  if (count(/^ {2}vfio \S+ \{\}?$/gm) !== vfio.length) missing.push(`${vfio.length} VFIO devices`);
  const cells = all(root, "cpu", "numa", "cell");
  // One cell is the node QEMU makes anyway: the importer says so instead of writing a numa block.
  if (cells.length === 1 ? !header.includes("1 NUMA cell") : count(/^ {4}node \d+ \{$/gm) !== cells.length) missing.push(`${cells.length} NUMA nodes`);
  for (const iommu of all(root, "devices", "iommu")) if (!/^ {2}viommu = /m.test(text) && !header.includes(`<iommu model='${iommu.attributes.get("model")}'>`)) missing.push("the <iommu>");
  for (const sec of all(root, "launchSecurity")) if (!/^ {2}confidential = /m.test(text) && !header.includes(`<launchSecurity type='${sec.attributes.get("type")}'>`)) missing.push("the <launchSecurity>");
  if (all(root, "maxMemory").length > 0 && !/^ {2}maxmem = /m.test(text)) missing.push("maxmem");
  if (all(root, "memoryBacking", "hugepages").length > 0 && !/^ {2}page-size = /m.test(text) && !/^ {2}file-system = hugetlbfs$/m.test(text)) missing.push("huge pages");
  if (all(root, "memoryBacking", "locked").length > 0 && !header.includes("<locked/>")) missing.push("<locked/>");
  for (const m of all(root, "cpu", "maxphysaddr")) {
    const emulated = new RegExp(`^ {2}phys-bits = ${m.attributes.get("bits")}$`, "m").test(text) || header.includes("<maxphysaddr mode='emulate'>");
    if (m.attributes.get("mode") === "emulate" && !emulated) missing.push("maxphysaddr bits");
    if (m.attributes.get("mode") === "passthrough" && !header.includes("maxphysaddr passthrough")) missing.push("maxphysaddr passthrough");
  }
  return missing;
}

const importOutcomes = { imported: 0, refused: 0 };

const SYNTAX_OR_REFERENCE = new Set(["VT001", "VT002", "VT003", "VT005", "VT006", "VT007"]);

describe("libvirt's corpus: import", () => {
  test("the folder holds exactly the manifest's files", () => {
    const files = readdirSync(corpus).filter((f) => /\.(xml|args|err)$/.test(f)).sort();
    const listed = manifest.flatMap((e) => [e.domain, ...(e.companion ? [e.companion] : [])]).sort();
    assert.deepEqual(files, listed);
    assert.ok(manifest.length >= 100, `a corpus, not a sample: ${manifest.length} domains`);
  });

  for (const entry of manifest) {
    test(`${entry.domain} (${entry.features.join(", ")}${entry.libvirtRefuses ? "; libvirt refuses it" : ""})`, () => {
      const xml = readFileSync(join(corpus, entry.domain), "utf8");
      let result: ReturnType<typeof importLibvirt>;
      try {
        result = importLibvirt([{ name: entry.domain, xml }]);
      } catch (error) {
        assert.ok(error instanceof LibvirtImportError || error instanceof XmlError, `a crash, not a clear error: ${(error as Error).stack}`);
        assert.ok(entry.libvirtRefuses, `the import refuses a domain libvirt accepts: ${error.message}`);
        assert.match(error.message, /line \d+/);
        importOutcomes.refused++;
        return;
      }
      const { text } = result;
      const errors = analyzeText(text).diagnostics.filter((d) => d.severity === "error");
      assert.deepEqual(errors.filter((d) => SYNTAX_OR_REFERENCE.has(d.code)).map((d) => `${d.code} ${d.message}`), [], text);
      if (!entry.libvirtRefuses) assert.deepEqual(errors.filter((d) => d.code === "VT004").map((d) => d.message), [], text);
      const header = text.split("\n").filter((l) => l.startsWith("//")).join("\n");
      const root = parseXml(xml);
      assert.deepEqual(silentlyDropped(root, header), [], `dropped silently:\n${text}`);
      assert.deepEqual(featuresAccounted(root, text), [], `not in the design nor listed:\n${text}`);
      importOutcomes.imported++;
    });
  }

  test("the checks catch a silent drop: an unlisted element, an unlisted attribute, a lost device", () => {
    const xml = readFileSync(join(corpus, "memory-hotplug-dimm-addr.xml"), "utf8");
    const { text } = importLibvirt([{ name: "memory-hotplug-dimm-addr.xml", xml }]);
    const root = parseXml(xml);
    const header = text.split("\n").filter((l) => l.startsWith("//")).join("\n");
    const without = (pattern: RegExp) => header.split("\n").filter((l) => !pattern.test(l)).join("\n");
    assert.deepEqual(silentlyDropped(root, without(/<nodemask> at /)), ["<nodemask> at /domain/devices/memory/source/nodemask (line 35)"]);
    assert.deepEqual(silentlyDropped(root, without(/\/domain\/cpu\/numa\/cell \(line 15\)/)), ["/domain/cpu/numa/cell/@cpus (line 15)"]);
    assert.deepEqual(featuresAccounted(root, text.replace(/^ {2}dimm dimm2 \{[^}]*\}\n/m, "")), ["2 dimm/virtio-mem devices"]);
  });

  test("import qemu of each of libvirt's command lines gives the layout import libvirt gives of its domain", () => {
    const layout = (design: string) => buildReport(analyzeText(design)).vms[0].layout.sections.map(engineSectionView);
    const differ: string[] = [];
    for (const entry of manifest.filter((e) => e.companion?.endsWith(".args"))) {
      const fromXml = importLibvirt([{ name: entry.domain, xml: readFileSync(join(corpus, entry.domain), "utf8") }]).text;
      const fromArgs = importQemu(readFileSync(join(corpus, entry.companion!), "utf8"), entry.companion!).text;
      if (JSON.stringify(layout(fromXml)) !== JSON.stringify(layout(fromArgs))) differ.push(`${entry.domain}:\n${fromXml}\n${fromArgs}`);
    }
    assert.deepEqual(differ, []);
  });

  test("every domain was imported or refused with a clear error", (t) => {
    t.diagnostic(`${manifest.length} domains: ${importOutcomes.imported} imported, ${importOutcomes.refused} refused with a clear error (libvirt refuses them too)`);
    assert.equal(importOutcomes.imported + importOutcomes.refused, manifest.length);
  });
});

/** Why a domain's command line is not compared with its design here. */
const EXCLUSIONS = {
  "launch-security": "a SEV/TDX guest: its confidential-guest object cannot run here, and the design's layout is that of a confidential guest",
  "unmodelled-memory-device": "an nvdimm, virtio-pmem or sgx-epc device: QEMU maps it, vmtopo does not model it (listed in the design's header)",
  "no-acpi": "DIMMs in a domain without <features><acpi/>: libvirt passes -no-acpi and QEMU refuses the DIMMs; vmtopo does not model ACPI (listed in the design's header)",
  "kvm-only": "QEMU needs KVM for this configuration (intel-iommu eim=on with more than 255 vCPUs needs KVM's split irqchip)",
  "hugetlbfs-substitute": "a huge page backend whose size is not a multiple of its page size, at least one page long: the memfd that stands in for libvirt's hugetlbfs file here refuses what a hugetlbfs file rounds up, so QEMU's verdict here is not libvirt's",
} as const;
type Exclusion = keyof typeof EXCLUSIONS;

/** Refusals that say QEMU needs KVM, or that the memfd stand-in for hugetlbfs changed the verdict. */
const KVM_ONLY = /requires kernel irqchip/;
const NO_ACPI = /^memory hotplug is not enabled: missing acpi device or acpi disabled$/;
const MEMFD_RESIZE = /^failed to resize memfd/;
/**
 * QEMU's VGA-compatible display devices (hw/display): each maps the legacy VGA window
 * [0xa0000, 0xc0000) as MMIO over boot RAM (vga_init(), "vga-lowmem"). vmtopo does not model
 * display devices (the <video> is listed in the design's header), so for these domains the
 * window is cut out of the design's layout before comparing: every other section must agree.
 */
const VGA_DEVICES = new Set(["VGA", "qxl-vga", "cirrus-vga", "virtio-vga", "ati-vga", "vmware-svga"]);
const VGA_WINDOW = { start: 0xa0000, end: 0xc0000 };

function withoutVgaWindow<S extends { kind: string; start: number; end: number }>(sections: S[]): S[] {
  return sections.flatMap((s) => {
    if (s.kind !== "ram" || s.end <= VGA_WINDOW.start || s.start >= VGA_WINDOW.end) return [s];
    return [
      ...(s.start < VGA_WINDOW.start ? [{ ...s, end: VGA_WINDOW.start }] : []),
      ...(s.end > VGA_WINDOW.end ? [{ ...s, start: VGA_WINDOW.end }] : []),
    ];
  });
}

interface Outcome {
  domain: string;
  changes?: string[];
  vgaWindow?: boolean;
  excluded?: Exclusion;
  detail?: string;
  check?: () => void;
}

describe("libvirt's corpus: QEMU 7.2 runs libvirt's command line", () => {
  const qemu = qemuAvailable();
  const version = qemu.ok ? qemu.version.split(".").slice(0, 2).join(".") : "7.2";
  const withArgs = manifest.filter((e) => e.companion?.endsWith(".args"));
  const temp = mkdtempSync(join(tmpdir(), "vmtopo-corpus-"));
  after(() => rmSync(temp, { recursive: true, force: true }));

  test(`${withArgs.length} command lines: the imported design's layout equals QEMU's flat view`, { skip: qemu.ok ? false : qemu.reason, timeout: 600_000 }, async (t) => {
    const outcomes = await mapLimited(withArgs, PARALLEL, async (entry): Promise<Outcome> => {
      const argsText = readFileSync(join(corpus, entry.companion!), "utf8");
      const { text } = importLibvirt([{ name: entry.domain, xml: readFileSync(join(corpus, entry.domain), "utf8") }]);
      const header = text.split("\n").filter((l) => l.startsWith("//")).join("\n");
      if (/^ {2}confidential = /m.test(text)) return { domain: entry.domain, excluded: "launch-security" };
      const unmodelled = /<memory model='(nvdimm|virtio-pmem|sgx-epc)'>/.exec(header);
      if (unmodelled) return { domain: entry.domain, excluded: "unmodelled-memory-device", detail: unmodelled[1] };
      const runnable = runnableLibvirtArgs(argsText, temp);
      const vga = parseQemuArgv(shellWords(argsText)).options.find((o) => o.name === "device" && VGA_DEVICES.has(String(o.props.get("driver"))));
      const vgaWindow = vga !== undefined && runnable.args.includes(vga.raw!);
      const result = await runQemuArgv(runnable.args, { binary: runnable.binary, timeoutMs: 60_000 }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      if (!(result instanceof Error) && !result.ok) {
        if (NO_ACPI.test(result.error) && header.includes("no <features><acpi/>")) return { domain: entry.domain, excluded: "no-acpi", detail: result.error };
        if (KVM_ONLY.test(result.error)) return { domain: entry.domain, excluded: "kvm-only", detail: result.error };
      }
      // The design as QEMU 7.2 runs it: a host of that version.
      const design = text.replace(/^vm (\S+) \{/m, `host here {\n  qemu = "${version}"\n}\n\nvm $1 on here {`);
      const analysis = analyzeText(design);
      const a = analysis.vms[0];
      const layout = buildReport(analysis).vms[0].layout.sections;
      const sections = (vgaWindow ? withoutVgaWindow(layout) : layout).map(engineSectionView);
      const owners = backendOwners(argsText, text);
      const errors = checkedErrors(analysis, a);
      // The memfd standing in for a hugetlbfs file refuses a size that is not a multiple of its
      // page size in words of its own ("failed to resize memfd"); on hugetlbfs QEMU refuses only
      // a file smaller than one page (file_ram_alloc(), VT111) and rounds the others up.
      const memfdRefusal = !(result instanceof Error) && !result.ok && MEMFD_RESIZE.test(result.error) && runnable.changes.includes("hugetlbfs");
      if (memfdRefusal && !errors.some((e) => e.code === "VT111")) return { domain: entry.domain, excluded: "hugetlbfs-substitute", detail: result.error };
      return {
        domain: entry.domain,
        detail: `${result instanceof Error ? "error" : result.ok ? "starts" : `refused: ${result.error}`}; changed: ${runnable.changes.join(", ") || "nothing"}${vgaWindow ? `; the ${String(vga!.props.get("driver"))}'s VGA window cut from the design's layout` : ""}${memfdRefusal ? "; refused by the memfd stand-in for hugetlbfs: the verdict is compared, not QEMU's words" : ""}`,
        vgaWindow,
        changes: runnable.changes,
        check: () => compare(entry.domain, design, { vm: a.vm.name, qemu: asSectionsOfRam(result), errors, sections, backendOwner: owners }, !memfdRefusal),
      };
    });
    const counts = new Map<string, number>();
    const failures: string[] = [];
    let agreeing = 0;
    for (const o of outcomes) {
      if (o.excluded) {
        counts.set(o.excluded, (counts.get(o.excluded) ?? 0) + 1);
        continue;
      }
      try {
        o.check!();
        agreeing++;
      } catch (error) {
        failures.push(`${o.domain} (${o.detail}): ${(error as Error).message}`);
      }
    }
    const compared = outcomes.length - [...counts.values()].reduce((x, y) => x + y, 0);
    const vgaCut = outcomes.filter((o) => o.vgaWindow && !o.excluded).length;
    const starts = outcomes.filter((o) => !o.excluded && o.detail?.startsWith("starts")).length;
    t.diagnostic(`QEMU ${version} starts ${starts} of the ${compared} compared command lines and refuses the others`);
    t.diagnostic(`${agreeing}/${compared} domains agree with QEMU ${version} (${vgaCut} with a VGA device's legacy window cut from the design's layout); excluded: ${[...counts].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
    const changeCounts = new Map<string, number>();
    for (const o of outcomes) for (const c of o.changes ?? []) changeCounts.set(c, (changeCounts.get(c) ?? 0) + 1);
    t.diagnostic(`changes to libvirt's command lines (domains): ${[...changeCounts].sort().map(([k, n]) => `${k} ${n}`).join(", ")}`);
    for (const o of outcomes) t.diagnostic(`${o.domain}: ${o.excluded ? `excluded (${o.excluded}${o.detail ? `: ${o.detail}` : ""})` : o.detail}`);
    for (const reason of counts.keys()) assert.ok(reason in EXCLUSIONS, `an unexplained exclusion: ${reason}`);
    assert.deepEqual(failures, [], `${failures.length} domains disagree with QEMU:\n${failures.join("\n\n")}`);
    assert.ok(agreeing > 0);
  });
});

/**
 * QEMU's result with its section names in the design's terms: boot RAM per NUMA node is "ram";
 * old machine types name a backend's RAM block by its QOM path (hw_compat_3_1's
 * x-use-canonical-path-for-ramblock-id), "/objects/ID", which is still the backend ID.
 */
function asSectionsOfRam(result: QemuResult | Error): QemuResult | Error {
  if (result instanceof Error || !result.ok) return result;
  const rename = (s: FlatSection): FlatSection => {
    const name = s.name.replace(/^\/objects\//, "");
    return { ...s, name: /^ram-node\d+$/.test(name) ? "pc.ram" : name };
  };
  return { ...result, sections: result.sections.map(rename) };
}

/** libvirt's memory-device backends ("mem" + the device's alias) by the design's device names, in order. */
function backendOwners(argsText: string, design: string): Map<string, string> {
  const names = [...design.matchAll(/^ {2}(?:dimm|virtio-mem) (\S+) \{$/gm)].map((m) => m[1]);
  const memdevs = parseQemuArgv(shellWords(argsText))
    .options.filter((o) => o.name === "device" && ["pc-dimm", "virtio-mem-pci"].includes(String(o.props.get("driver"))))
    .map((o) => String(o.props.get("memdev")));
  return new Map(memdevs.map((m, i) => [m, names[i] ?? m]));
}
