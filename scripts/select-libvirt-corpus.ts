// Selects the memory-topology corpus from libvirt's own test data and copies it, unchanged,
// into test/fixtures/libvirt/corpus/ (see the README there).
//
//   node --import tsx scripts/select-libvirt-corpus.ts LIBVIRT_TESTDATA_DIR [--dry-run]
//
// LIBVIRT_TESTDATA_DIR is libvirt's tests/qemuxml2argvdata/ (libvirt ≤ 10.0) or
// tests/qemuxmlconfdata/ (later). A domain is selected when it is x86 (<os><type arch=
// 'x86_64'|'i686'>) and has any of: a <memory model=…> device, <maxMemory>, <memoryBacking>,
// NUMA <cell>s, a PCI or mdev <hostdev> or an <interface type='hostdev'> (VFIO), an <iommu>, <launchSecurity> or
// <maxphysaddr>. Each selected DOMAIN.xml is copied with its DOMAIN.x86_64-latest.args (the
// command line libvirt generates for its newest QEMU capabilities) or
// DOMAIN.x86_64-latest.err (libvirt's refusal) where the test data has one. MANIFEST.tsv lists
// every selected domain with the features that selected it and whether libvirt's own test
// program expects libvirt to refuse it: the test checks the folder
// against it, so a fixture cannot be added or lost unnoticed.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { child, childrenNamed, parseXml, type XmlElement } from "../server/src/engine/interop/xml";

export const FEATURES = ["memory-device", "maxMemory", "memoryBacking", "numa", "hostdev", "iommu", "launchSecurity", "maxphysaddr"] as const;
export type Feature = (typeof FEATURES)[number];

/** The selecting features of one domain, or null when it is not x86 (or not a domain). */
export function selectingFeatures(root: XmlElement): Feature[] | null {
  if (root.name !== "domain") return null;
  const arch = child(child(root, "os"), "type")?.attributes.get("arch");
  if (arch !== "x86_64" && arch !== "i686") return null;
  const devices = child(root, "devices");
  const cpu = child(root, "cpu");
  const found: Record<Feature, boolean> = {
    "memory-device": childrenNamed(devices, "memory").some((m) => m.attributes.has("model")),
    maxMemory: child(root, "maxMemory") !== undefined,
    memoryBacking: child(root, "memoryBacking") !== undefined,
    numa: childrenNamed(child(cpu, "numa"), "cell").length > 0,
    hostdev:
      childrenNamed(devices, "hostdev").some((h) => ["pci", "mdev"].includes(h.attributes.get("type") ?? "")) ||
      childrenNamed(devices, "interface").some((i) => i.attributes.get("type") === "hostdev"),
    iommu: child(devices, "iommu") !== undefined,
    launchSecurity: child(root, "launchSecurity") !== undefined,
    maxphysaddr: child(cpu, "maxphysaddr") !== undefined,
  };
  return FEATURES.filter((f) => found[f]);
}

export interface Selected {
  domain: string;
  features: Feature[];
  companion?: string;
  /** "refuses" when every test of the domain in libvirt's test program expects a failure */
  libvirt: "accepts" | "refuses";
}

/**
 * Domains libvirt's test program (qemuxml2argvtest.c, later qemuxmlconftest.c, beside the
 * data) only ever expects to fail: DO_TEST_…FAILURE… and DO_TEST_…PARSE_ERROR… macros.
 */
export function refusedByLibvirt(testProgram: string): Set<string> {
  const outcomes = new Map<string, Set<boolean>>();
  for (const m of testProgram.matchAll(/\b(DO_TEST\w*)\(\s*"([^"]+)"/g)) {
    const set = outcomes.get(m[2]) ?? new Set<boolean>();
    set.add(/FAILURE|PARSE_ERROR/.test(m[1]));
    outcomes.set(m[2], set);
  }
  return new Set([...outcomes].filter(([, s]) => s.size === 1 && s.has(true)).map(([name]) => name));
}

export function select(dataDir: string): Selected[] {
  const out: Selected[] = [];
  const program = ["qemuxmlconftest.c", "qemuxml2argvtest.c"].map((p) => join(dataDir, "..", p)).find(existsSync);
  if (!program) throw new Error(`no qemuxmlconftest.c or qemuxml2argvtest.c beside ${dataDir}`);
  const refused = refusedByLibvirt(readFileSync(program, "utf8"));
  for (const file of readdirSync(dataDir).sort()) {
    // Domains only: not libvirt's expected outputs (NAME.ARCH-VERSION.xml in later trees).
    if (!file.endsWith(".xml") || /\.(x86_64|i686|aarch64|ppc64|s390x|riscv64|armv7l)-[\w.]+\.xml$/.test(file)) continue;
    let root: XmlElement;
    try {
      root = parseXml(readFileSync(join(dataDir, file), "utf8"));
    } catch {
      continue; // libvirt's tests of malformed XML
    }
    const features = selectingFeatures(root);
    if (!features || features.length === 0) continue;
    const base = file.slice(0, -".xml".length);
    const companion = [`${base}.x86_64-latest.args`, `${base}.x86_64-latest.err`].find((c) => existsSync(join(dataDir, c)));
    out.push({ domain: file, features, companion, libvirt: refused.has(base) || companion?.endsWith(".err") ? "refuses" : "accepts" });
  }
  return out;
}

function main(argv: string[]): void {
  const dataDir = argv.find((a) => !a.startsWith("--"));
  if (!dataDir) throw new Error("usage: select-libvirt-corpus.ts LIBVIRT_TESTDATA_DIR [--dry-run]");
  const selected = select(dataDir);
  const manifest = ["# domain\tfeatures\tcompanion\tlibvirt", ...selected.map((s) => `${s.domain}\t${s.features.join(",")}\t${s.companion ?? "-"}\t${s.libvirt}`)].join("\n") + "\n";
  if (argv.includes("--dry-run")) {
    process.stdout.write(manifest);
    return;
  }
  const target = fileURLToPath(new URL("../test/fixtures/libvirt/corpus/", import.meta.url));
  mkdirSync(target, { recursive: true });
  for (const f of readdirSync(target)) if (f.endsWith(".xml") || f.endsWith(".args") || f.endsWith(".err")) rmSync(join(target, f));
  for (const s of selected) for (const f of [s.domain, s.companion]) if (f) copyFileSync(join(dataDir, f), join(target, f));
  writeFileSync(join(target, "MANIFEST.tsv.tmp"), manifest);
  renameSync(join(target, "MANIFEST.tsv.tmp"), join(target, "MANIFEST.tsv"));
  const withArgs = selected.filter((s) => s.companion?.endsWith(".args")).length;
  console.log(`${selected.length} domains selected (${withArgs} with x86_64-latest.args) into ${target}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
