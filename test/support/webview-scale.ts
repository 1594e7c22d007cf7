// Reports at scale for the webview: a VM with thousands of regions (sections of every kind,
// holes between some, sizes from 128 KiB to 64 GiB) and a fleet file of many VMs. Shared by
// test/unit/webview-scale.test.ts (linear growth) and `npm run bench` (the budgets).
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import type { DocumentDiagnostic, Report, VmReport } from "../../webview/src/report-types";

const KiB = 1024;
const GiB = 1024 ** 3;

/** A report of one confidential VM with `regions` sections and `diagnostics` diagnostics. */
export function manyRegionsReport(regions: number, diagnostics = regions): { report: Report; diagnostics: DocumentDiagnostic[] } {
  const file = "/scale.vmtopo";
  const range = (line: number) => ({ start: { line, character: 2 }, end: { line, character: 8 } });
  const kinds = ["ram", "dimm", "virtio-mem", "rom"] as const;
  const sizes = [128 * KiB, 2 * 1024 * KiB, GiB, 64 * GiB, 4 * KiB * 1000];
  const sections: VmReport["layout"]["sections"] = [];
  const virtioMem: VmReport["virtioMem"] = [];
  let address = 0;
  for (let i = 0; i < regions; i++) {
    const size = sizes[i % sizes.length];
    const kind = kinds[i % kinds.length];
    const name = `${kind}${i}`;
    sections.push({ name, kind, start: address, end: address + size, source: { file, range: range(i) } });
    if (kind === "virtio-mem") {
      virtioMem.push({ name, base: address, size, blockSize: 2 * 1024 * KiB, blocks: size / (2 * 1024 * KiB), pluggedBlocks: 0, usableRegion: 0, guestMode: "sbm", largestPassingSize: null, source: { file, range: range(i) } });
    }
    address += size;
    if (i % 7 === 6) address += 256 * GiB; // a long hole now and then
  }
  const highestGpa = address - 1;
  const vm: VmReport = {
    name: "big",
    host: "h",
    machine: "q35",
    memory: address,
    maxmem: address,
    confidential: "none",
    layout: { sections, deviceMemory: null, pciHole64: null, highestGpa, physBitsNeeded: Math.ceil(Math.log2(address)), physBits: 52, relocatedAbove1T: false },
    virtioMem,
    vfio: [],
    containers: [],
    source: { file, range: range(0) },
    memlock: { processBytes: 0, userBytes: 0 },
    hugetlb: [],
    verdict: { kind: "refused", code: "VT104", message: "a reason" },
    diagnostics: [],
  };
  const list: DocumentDiagnostic[] = Array.from({ length: diagnostics }, (_, i) => ({ code: `VT1${String(i % 100).padStart(2, "0")}`, severity: i % 3 === 0 ? "error" : "warning", message: `problem ${i}`, range: range(i % regions) }));
  vm.diagnostics = list.map((d) => ({ ...d }));
  const report: Report = {
    file,
    vms: [vm],
    scenarios: [],
    hosts: [{ name: "h", memlock: null, iommuAddressWidth: 57, reservedIova: [{ name: "msi", start: 0xfee00000, end: 0xfef00000, source: null }], source: null, memlockSource: null, addressWidthSource: null , hugepages: []}],
  };
  return { report, diagnostics: list };
}

/** A fleet file: `hosts` hosts and `vms` VMs spread over them, each with a NIC, virtio-mem and hugepages. */
export function fleetText(vms: number, hosts = Math.max(1, Math.ceil(vms / 20))): string {
  const out: string[] = [];
  for (let h = 0; h < hosts; h++) {
    out.push(`host rack${h} {`, `  qemu = "${h % 2 ? "10.1" : "10.2"}"`, "  memlock = 512G", "  hugepages {", "    1G = 64", "  }", "  vfio {", "    backend = type1", "  }", "}");
  }
  for (let i = 0; i < vms; i++) {
    out.push(
      `vm vm${String(i).padStart(4, "0")} on rack${i % hosts} {`,
      `  memory = ${4 + (i % 5) * 4}G`,
      "  maxmem = 80G",
      ...(i % 4 === 0 ? ["  page-size = 1G"] : []),
      ...(i % 6 === 0 ? ["  confidential = tdx"] : []),
      "  virtio-mem vmem0 {",
      "    size = 32G",
      `    block-size = ${i % 9 === 0 ? "2M" : "32M"}`,
      "  }",
      `  vfio nic0 { host = "0000:3b:00.0" }`,
      "}",
    );
  }
  return out.join("\n") + "\n";
}

/** The report and the diagnostics of a generated fleet, as the extension host posts them. */
export function fleetReport(vms: number): { report: Report; diagnostics: DocumentDiagnostic[] } {
  const analysis = analyzeText(fleetText(vms), "/fleet.vmtopo");
  const report = buildReport(analysis) as unknown as Report;
  const diagnostics = analysis.diagnostics.map((d) => ({ code: d.code, severity: d.severity as DocumentDiagnostic["severity"], message: d.message, range: d.range }));
  return { report, diagnostics };
}
