// `vmtopo import libvirt`: the strict XML reader (malformed XML → line and column), libvirt's
// units and memory rules, and the corpus from libvirt's own tests (test/fixtures/libvirt/):
// every domain imports without a crash, nothing is dropped silently, and where libvirt's
// command line for the domain runs here, QEMU 7.2's flat view equals the imported design's
// layout — and `import qemu` of that command line gives the same layout. The command line is
// changed only where this machine cannot run it (test/support/libvirt-args.ts). The whole corpus
// (test/fixtures/libvirt/corpus/) is held to QEMU in libvirt-corpus.test.ts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { importLibvirt } from "../../server/src/engine/interop/libvirt-import";
import { importQemu } from "../../server/src/engine/interop/qemu-import";
import { parseXml, XmlError } from "../../server/src/engine/interop/xml";
import { buildReport } from "../../server/src/engine/report";
import { checkedErrors, compare } from "../support/export-oracle";
import { repoRoot } from "../support/fixtures";
import { engineSectionView } from "../support/qemu-cases";
import { runnableLibvirtArgs } from "../support/libvirt-args";
import { qemuAvailable, runQemuArgv } from "../support/qemu-oracle";

const corpus = join(repoRoot, "test", "fixtures", "libvirt");

describe("the XML reader", () => {
  const error = (xml: string) => {
    try {
      parseXml(xml);
    } catch (e) {
      if (e instanceof XmlError) return `${e.line}:${e.column} ${e.reason}`;
      throw e;
    }
    return "no error";
  };

  test("elements, attributes in either quote, entities, comments, CDATA, a declaration", () => {
    const root = parseXml(`<?xml version="1.0"?>\n<!-- c --><domain type="kvm" a='&lt;&#x41;&#66;&amp;'><name><![CDATA[x<y]]> &gt; </name><empty/></domain>\n`);
    assert.equal(root.name, "domain");
    assert.equal(root.attributes.get("a"), "<AB&");
    assert.equal(root.children[0].text, "x<y > ");
    assert.equal(root.children[1].name, "empty");
    assert.equal(root.children[1].line, 2);
  });

  test("malformed XML: a clear reason at a 1-based line and column", () => {
    assert.equal(error("<domain>\n  <name>a</nam>\n</domain>"), "2:12 </nam> closes <name> opened on line 2");
    assert.equal(error("<domain>\n  <name>"), "2:9 <name> (line 2) is not closed");
    assert.equal(error("<domain a='1' a='2'/>"), "1:15 attribute 'a' given twice");
    assert.equal(error("<domain a=1/>"), "1:11 the value of attribute 'a' must be quoted");
    assert.equal(error("<domain>&nbsp;</domain>"), "1:9 unknown entity '&nbsp;'");
    assert.equal(error("<a/><b/>"), "1:5 content after the root element");
    assert.equal(error(""), "1:1 the document is empty");
    assert.equal(error("<domain>\n<x y='1'z='2'/></domain>"), "2:9 expected whitespace, '>' or '/>' in <x>, found 'z'");
  });
});

describe("import libvirt", () => {
  test("units, maxMemory slots, NUMA cells, memfd huge pages, hostdev, iommu and SEV-ES", () => {
    const xml = `<domain type='kvm'><name>db 1</name>
      <maxMemory slots='4' unit='GiB'>68</maxMemory><memory unit='GiB'>68</memory>
      <memoryBacking><hugepages><page size='1' unit='G'/></hugepages><source type='memfd'/><allocation mode='immediate'/><locked/></memoryBacking>
      <os><type arch='x86_64' machine='pc-q35-9.2'>hvm</type></os>
      <cpu mode='host-passthrough'><maxphysaddr mode='emulate' bits='42'/><numa><cell id='0' cpus='0' memory='4' unit='GiB'/></numa></cpu>
      <devices><memory model='virtio-mem'><target><size unit='GiB'>64</size><node>0</node><block unit='MiB'>2</block><requested unit='GiB'>1</requested></target><alias name='ua-vm0'/></memory>
      <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x3b' slot='0x00' function='0x1'/></source></hostdev>
      <iommu model='intel'><driver intremap='on' aw_bits='48'/></iommu><video><model type='vga'/></video></devices>
      <launchSecurity type='sev'><policy>0x0005</policy></launchSecurity></domain>`;
    const { text } = importLibvirt([{ name: "db.xml", xml }]);
    for (const line of ["vm db-1 {", "memory = 4G", "maxmem = 68G", "slots = 4", "backend = memfd", "page-size = 1G", "prealloc = on", "phys-bits = 42", "machine = q35", "viommu = intel-iommu", "viommu-aw-bits = 48", "confidential = sev-es", 'host = "0000:3b:00.1"', "virtio-mem vm0 {", "requested = 1G"]) {
      assert.ok(text.includes(line), `'${line}' in:\n${text}`);
    }
    // Listed, not dropped: the mlock, the video device, the iommu's interrupt remapping.
    assert.match(text, /^\/\/ {3}<locked\/>: all guest memory is mlock\(\)ed/m);
    assert.match(text, /^\/\/ {3}<video> at \/domain\/devices\/video/m);
    assert.match(text, /^\/\/ {3}\/domain\/devices\/iommu\/driver \(line \d+\): intremap='on'$/m);
  });

  test("two or more NUMA cells are the numa block, boot RAM their sum; a DIMM keeps its node; one cell is no block", () => {
    const domain = (cells: string) => `<domain type='kvm'><name>n</name><maxMemory slots='2' unit='GiB'>16</maxMemory><memory unit='GiB'>5</memory>
      <cpu mode='host-passthrough'><numa>${cells}</numa></cpu>
      <devices><memory model='dimm'><target><size unit='GiB'>1</size><node>1</node></target></memory></devices></domain>`;
    const { text } = importLibvirt([{ name: "n.xml", xml: domain("<cell id='0' cpus='0' memory='3' unit='GiB'/><cell id='1' cpus='1' memory='1' unit='GiB'/>") }]);
    assert.match(text, /^ {2}memory = 4G$/m);
    assert.match(text, /^ {2}numa \{\n {4}node 0 \{\n {6}memory = 3G\n {4}\}\n {4}node 1 \{\n {6}memory = 1G\n {4}\}\n {2}\}$/m);
    assert.match(text, /^ {2}dimm dimm0 \{\n {4}size = 1G\n {4}node = 1\n {2}\}$/m);
    const one = importLibvirt([{ name: "n.xml", xml: domain("<cell id='0' cpus='0' memory='4' unit='GiB'/>") }]).text;
    assert.doesNotMatch(one, /numa \{/);
    assert.match(one, /^ {2}memory = 4G$/m);
  });

  test("capabilities give the host: arch, phys-bits, memory, huge page pools, IOMMU vendor", () => {
    const caps = `<capabilities><host><cpu><arch>x86_64</arch><vendor>Intel</vendor><maxphysaddr mode='emulate' bits='46'/></cpu>
      <topology><cells num='2'><cell id='0'><memory unit='KiB'>16777216</memory><pages unit='KiB' size='4'>100</pages><pages unit='KiB' size='2048'>512</pages></cell>
      <cell id='1'><memory unit='KiB'>16777216</memory><pages unit='KiB' size='2048'>512</pages><pages unit='KiB' size='1048576'>4</pages></cell></cells></topology></host></capabilities>`;
    const { text } = importLibvirt([{ name: "a.xml", xml: "<domain type='kvm'><name>a</name><memory unit='GiB'>2</memory></domain>" }], { name: "caps.xml", xml: caps });
    assert.match(text, /^host host0 \{\n {2}arch = x86_64\n {2}phys-bits = 46\n {2}memory = 32G\n {2}iommu \{\n {4}vendor = intel-vtd\n {2}\}\n {2}hugepages \{\n {4}2M = 1024\n {4}1G = 4\n {2}\}\n\}$/m);
    assert.match(text, /^vm a on host0 \{$/m);
    assert.deepEqual(analyzeText(text).diagnostics.filter((d) => d.severity === "error"), []);
  });
});

describe("libvirt's test corpus", () => {
  const domains = readdirSync(corpus).filter((f) => f.endsWith(".xml")).sort();

  for (const file of domains) {
    test(`${file}: imports, analyses, and lists what it does not model`, () => {
      const xml = readFileSync(join(corpus, file), "utf8");
      const { text, designs } = importLibvirt([{ name: file, xml }]);
      const analysis = analyzeText(text);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.code === "VT000" || d.code === "VT001"), [], text);
      // Every element of the domain was read or is listed: count the listed disks and controllers.
      const listed = designs[0].unmodelled.join("\n");
      for (const element of ["disk", "controller", "input"]) {
        const inXml = (xml.match(new RegExp(`<${element}[ >]`, "g")) ?? []).length;
        const inList = (listed.match(new RegExp(`<${element}[ >]`, "g")) ?? []).length;
        assert.equal(inList, inXml, `each <${element}> is listed:\n${listed}`);
      }
    });
  }

  const qemu = qemuAvailable();
  const runnable = readdirSync(corpus).filter((f) => f.endsWith(".x86_64-latest.args")).sort();
  for (const args of runnable) {
    const domain = args.replace(".x86_64-latest.args", ".xml");
    test(`${args}: QEMU's flat view equals the layout of the imported domain and of the imported command line`, { skip: qemu.ok ? false : qemu.reason }, async () => {
      const text = readFileSync(join(corpus, args), "utf8");
      const fromXml = importLibvirt([{ name: domain, xml: readFileSync(join(corpus, domain), "utf8") }]).text;
      const fromArgs = importQemu(text, args).text;
      const layout = (design: string) => buildReport(analyzeText(design)).vms[0].layout.sections.map(engineSectionView);
      assert.deepEqual(layout(fromArgs), layout(fromXml), `the two importers agree:\n${fromXml}\n${fromArgs}`);

      const runnable = runnableLibvirtArgs(text, tmpdir());
      const result = await runQemuArgv(runnable.args, { binary: runnable.binary, timeoutMs: 60_000 });
      const owners = new Map<string, string>();
      // libvirt names a device's backend "mem" + its alias.
      for (const m of fromArgs.matchAll(/^ {2}virtio-mem (\S+) \{/gm)) owners.set(`mem${m[1]}`, m[1]);
      // The domain is analysed as the QEMU here would run it (its verdict depends on the version).
      const analysis = analyzeText(fromArgs.replace(/^vm /m, `host here { qemu = "${qemu.ok ? qemu.version.split(".").slice(0, 2).join(".") : "7.2"}" }\nvm `).replace(/^(vm \S+) \{/m, "$1 on here {"));
      const a = analysis.vms[0];
      compare(args, fromArgs, { vm: a.vm.name, qemu: result, errors: checkedErrors(analysis, a), sections: layout(fromArgs), backendOwner: owners });
    });
  }
});
