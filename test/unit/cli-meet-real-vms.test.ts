// Issue 12 ("Meet real VMs") as a virtualization engineer runs it from the bundled CLI: a
// running QEMU's /proc/PID/cmdline, -numa nodes, QEMU's refusals named by option, libvirt's
// <maxphysaddr limit>, and export → import of a NUMA design through the CLI. (The output
// shapes of each command are in cli-real-vms.test.ts.)
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { repoRoot } from "../support/fixtures";
import { QEMU_BINARY, qemuAvailable } from "../support/qemu-oracle";

const bin = join(repoRoot, "bin", "vmtopo.js");
const workdir = mkdtempSync(join(tmpdir(), "vmtopo-meet-real-vms-"));

function vmtopo(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: workdir, input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The vm block of an imported design, without the header comment. */
const vmBlock = (text: string) => text.slice(text.indexOf("\nvm ") + 1);

const numaArgv = [
  "qemu-system-x86_64", "-name", "guest=numa1", "-machine", "q35", "-accel", "tcg", "-m", "size=2G,slots=2,maxmem=8G",
  "-object", "memory-backend-ram,id=r0,size=1G", "-object", "memory-backend-ram,id=r1,size=1G",
  "-numa", "node,nodeid=0,cpus=0,memdev=r0", "-numa", "node,nodeid=1,memdev=r1",
  "-object", "memory-backend-ram,id=vm0,size=2G", "-device", "virtio-mem-pci,id=vmem0,memdev=vm0,node=1,requested-size=128M",
  "-nodefaults",
];

const expectedNumaVm = [
  "vm numa1 {",
  "  machine = q35",
  "  accel = tcg",
  "  cpu = named",
  "  cpu-vendor = amd",
  "  memory = 2G",
  "  maxmem = 8G",
  "  slots = 2",
  "  numa {",
  "    node 0 {",
  "      memory = 1G",
  "    }",
  "    node 1 {",
  "      memory = 1G",
  "    }",
  "  }",
  "",
  "  virtio-mem vmem0 {",
  "    size = 2G",
  "    requested = 128M",
  "    node = 1",
  "  }",
  "}",
  "",
].join("\n");

describe("vmtopo import qemu: a running VM's command line", () => {
  const qemu = qemuAvailable();
  const children: number[] = [];
  after(() => {
    for (const pid of children) {
      try {
        process.kill(pid);
      } catch {
        // already gone
      }
    }
  });

  test("/proc/PID/cmdline (NUL-separated words) of a QEMU the test starts paused: the VM with its NUMA nodes, and it checks clean", { skip: qemu.ok ? false : qemu.reason }, () => {
    // spawn() returns once QEMU's exec has succeeded, so its cmdline is QEMU's own.
    const child = spawn(QEMU_BINARY, [...numaArgv.slice(1), "-S", "-display", "none", "-monitor", "none"], { stdio: "ignore" });
    assert.ok(child.pid, "QEMU started");
    children.push(child.pid);
    const cmdline = `/proc/${child.pid}/cmdline`;
    assert.ok(readFileSync(cmdline).includes(0), "the words are NUL-separated");
    const run = vmtopo(["import", "qemu", cmdline, "-o", "running.vmtopo"]);
    assert.equal(run.status, 0, run.stderr);
    const text = readFileSync(join(workdir, "running.vmtopo"), "utf8");
    assert.equal(vmBlock(text), expectedNumaVm);
    assert.match(text, /^\/\/ {3}-numa node: cpus=0$/m);
    assert.match(text, /^\/\/ {3}-S$/m);
    const check = vmtopo(["check", "running.vmtopo"]);
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  test("a cmdline file (words ending in NUL, as /proc writes them) is read, not refused as binary", () => {
    writeFileSync(join(workdir, "cmdline"), numaArgv.map((w) => w + "\0").join(""));
    const run = vmtopo(["import", "qemu", "cmdline"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(vmBlock(run.stdout), expectedNumaVm);
  });

  test("a shell line on stdin with quotes, ',,' and backslash continuations reads the same", () => {
    const shell = `${numaArgv.slice(0, 9).join(" ")} \\\n  -object 'memory-backend-ram,id=r0,size=1G' -object "memory-backend-ram,id=r1,size=1G" \\\n  ${numaArgv.slice(13).join(" ")}`;
    const run = vmtopo(["import", "qemu", "-"], shell);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(vmBlock(run.stdout), expectedNumaVm);
  });
});

describe("vmtopo import qemu: QEMU's refusals name the option", () => {
  for (const [what, argv, message] of [
    ["mem= and memdev= mixed", ["-m", "2G", "-object", "memory-backend-ram,id=r0,size=1G", "-numa", "node,memdev=r0", "-numa", "node,mem=1G"], /-numa node,mem=1G: mem= and memdev= mixed/],
    ["a memdev no -object defines", ["-m", "2G", "-numa", "node,memdev=r9"], /-numa node,memdev=r9: memdev 'r9' is not defined by an -object/],
    ["a duplicate backend id", ["-m", "2G", "-object", "memory-backend-ram,id=r0,size=1G", "-object", "memory-backend-ram,id=r0,size=1G"], /the id 'r0' is already used/],
    ["a pc-dimm node that is not a number", ["-m", "size=1G,slots=1,maxmem=2G", "-object", "memory-backend-ram,id=d0,size=1G", "-device", "pc-dimm,memdev=d0,node=x"], /-device pc-dimm,memdev=d0,node=x: node 'x' is not a number/],
  ] as const) {
    test(`${what}: exit 1 and the offending option`, () => {
      const run = vmtopo(["import", "qemu", "--", "qemu-system-x86_64", ...argv]);
      assert.equal(run.status, 1, run.stdout);
      assert.match(run.stderr, message);
    });
  }
});

describe("vmtopo export qemu → import qemu", () => {
  test("a NUMA design comes back with its numa block (--format json gives the argv)", () => {
    writeFileSync(join(workdir, "numa.vmtopo"), `host h { qemu = "7.2" }\n${expectedNumaVm.replace("vm numa1 {", "vm numa1 on h {")}`);
    const exported = vmtopo(["export", "qemu", "numa.vmtopo", "--format", "json"]);
    assert.equal(exported.status, 0, exported.stderr);
    const argv = JSON.parse(exported.stdout) as string[];
    assert.deepEqual(argv.filter((_, i) => argv[i - 1] === "-numa"), ["node,nodeid=0,memdev=n0", "node,nodeid=1,memdev=n1"]);
    const imported = vmtopo(["import", "qemu", "--", ...argv]);
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(vmBlock(imported.stdout), expectedNumaVm.replace("  memory = 2G", "  phys-bits = 40\n  memory = 2G"));
  });

  test("a device on node 1 without a numa block: no -numa invented, so QEMU refuses it as check does (VT120)", () => {
    writeFileSync(join(workdir, "node1.vmtopo"), "vm v {\n  machine = q35\n  memory = 2G\n  maxmem = 4G\n  virtio-mem m { size = 2G node = 1 }\n}\n");
    const exported = vmtopo(["export", "qemu", "node1.vmtopo"]);
    assert.equal(exported.status, 0);
    assert.doesNotMatch(exported.stdout, /-numa/);
    assert.match(exported.stdout, /memory-backend=pc\.ram/);
    assert.match(vmtopo(["check", "node1.vmtopo"]).stdout, /VT120 .*which exceedsthe number of numa nodes: 1/);
  });
});

describe("vmtopo import libvirt", () => {
  test("<maxphysaddr mode='passthrough' limit='N'>: the limit is listed as not modelled, not dropped", () => {
    writeFileSync(
      join(workdir, "limit.xml"),
      `<domain type='kvm'>\n  <name>capped</name>\n  <memory unit='GiB'>4</memory>\n  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n  <cpu mode='host-passthrough'>\n    <maxphysaddr mode='passthrough' limit='46'/>\n  </cpu>\n</domain>\n`,
    );
    const run = vmtopo(["import", "libvirt", "limit.xml"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\/\/ {3}<maxphysaddr limit='46'>: the host's phys-bits capped at 46 \(-cpu host-phys-bits-limit\)/m);
    assert.match(run.stdout, /^ {2}cpu = host$/m);
  });

  // What libvirt 9.0's `virsh domxml-to-native` writes for such a domain: the memdev of a
  // virtio-mem device with reserve=false and no prealloc, "prealloc":true on virtio-mem-pci, and
  // a virtio-balloon-pci though the XML has no <memballoon>.
  test("<allocation mode='immediate'> and virtio-mem: the device's memdev is not preallocated (no false VT117); no <memballoon> is libvirt's virtio one", () => {
    writeFileSync(
      join(workdir, "prealloc.xml"),
      `<domain type='qemu'>
  <name>pre</name>
  <maxMemory slots='2' unit='GiB'>16</maxMemory>
  <memory unit='GiB'>6</memory>
  <memoryBacking><allocation mode='immediate'/></memoryBacking>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <cpu><numa><cell id='0' cpus='0' memory='2' unit='GiB'/></numa></cpu>
  <devices>
    <memory model='virtio-mem'>
      <target><size unit='GiB'>4</size><node>0</node><block unit='MiB'>2</block><requested unit='GiB'>1</requested></target>
    </memory>
  </devices>
</domain>
`,
    );
    const run = vmtopo(["import", "libvirt", "prealloc.xml", "-o", "prealloc.vmtopo"]);
    assert.equal(run.status, 0, run.stderr);
    const text = readFileSync(join(workdir, "prealloc.vmtopo"), "utf8");
    assert.match(vmBlock(text), /^ {2}prealloc = on$/m);
    assert.match(vmBlock(text), /virtio-mem virtiomem0 \{\n {4}size = 4G\n(.*\n)* {4}prealloc = off\n {2}\}/);
    assert.match(text, /^\/\/ {3}virtio-mem virtiomem0: libvirt preallocates its blocks as they are plugged/m);
    assert.match(vmBlock(text), /^ {2}balloon = on$/m);
    assert.match(text, /^\/\/ {3}no <memballoon>: libvirt adds a virtio one$/m);
    const check = vmtopo(["check", "prealloc.vmtopo"]);
    assert.doesNotMatch(check.stdout, /VT117/);
  });

  test("a USB <hostdev> is listed with its type and line; the mdev (vfio-pci) and PCI ones are VFIO devices", () => {
    writeFileSync(
      join(workdir, "hostdevs.xml"),
      `<domain type='kvm'>
  <name>hd</name>
  <memory unit='GiB'>4</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product id='0xbeef'/></source></hostdev>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source></hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'><driver name='vfio' iommufd='yes'/><source><address domain='0x0000' bus='0x3b' slot='0x00' function='0x1'/></source></hostdev>
  </devices>
</domain>
`,
    );
    const run = vmtopo(["import", "libvirt", "hostdevs.xml"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\/\/ {3}<hostdev mode='subsystem' type='usb'> at \/domain\/devices\/hostdev \(line 6\)$/m);
    // libvirt runs a vfio-pci mediated device as -device vfio-pci,sysfsdev=…
    assert.match(vmBlock(run.stdout), /vfio hostdev\d \{\n {4}host = "mdev c2177883-f1bb-47f0-914d-32a22e3a8804"\n {2}\}/);
    assert.match(vmBlock(run.stdout), /vfio hostdev\d \{\n {4}host = "0000:3b:00\.1"\n {4}backend = iommufd\n {2}\}/);
  });

  test("libvirt's test domain and the .args libvirt writes for it import as the same VM (a device's own huge pages: a hugetlbfs file)", () => {
    const fixtures = join(repoRoot, "test", "fixtures", "libvirt");
    const fromXml = vmtopo(["import", "libvirt", join(fixtures, "memory-hotplug-virtio-mem.xml")]);
    const fromArgs = vmtopo(["import", "qemu", join(fixtures, "memory-hotplug-virtio-mem.x86_64-latest.args")]);
    assert.equal(fromXml.status, 0, fromXml.stderr);
    assert.equal(fromArgs.status, 0, fromArgs.stderr);
    assert.equal(vmBlock(fromXml.stdout), vmBlock(fromArgs.stdout));
    assert.match(vmBlock(fromXml.stdout), /virtio-mem virtiomem1 \{\n {4}size = 2G\n {4}backend = file\n {4}page-size = 2M\n/);
  });

  test("a dimm's <source><pagesize> is its page size, not left in the header", () => {
    const run = vmtopo(["import", "libvirt", join(repoRoot, "test", "fixtures", "libvirt", "memory-hotplug-dimm.xml")]);
    assert.equal(run.status, 0, run.stderr);
    // 524287K, aligned up to 2 MiB as libvirt does before it starts QEMU (qemuDomainAlignMemorySizes())
    assert.match(vmBlock(run.stdout), /dimm dimm1 \{\n {4}size = 512M\n {4}backend = file\n {4}page-size = 2M\n {2}\}/);
    assert.doesNotMatch(run.stdout, /<source> at \/domain\/devices\/memory\/source/);
  });

  test("a value libvirt would refuse, among several domains: exit 1 naming the file and the line", () => {
    writeFileSync(join(workdir, "good.xml"), "<domain type='kvm'>\n  <name>good</name>\n  <memory unit='GiB'>1</memory>\n</domain>\n");
    writeFileSync(join(workdir, "lots.xml"), "<domain type='kvm'>\n  <name>x</name>\n  <memory unit='GiB'>lots</memory>\n</domain>\n");
    const run = vmtopo(["import", "libvirt", "good.xml", "lots.xml"]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, "vmtopo: lots.xml: line 3: <memory> 'lots' is not a whole number\n");
  });
});

describe("--host HOST.vmtopo: the imported VM runs on the probed host", () => {
  test("import qemu -o DIR/FILE: the design imports the host file by its path from DIR, the VM is on its host, and it checks clean", () => {
    const probe = vmtopo(["probe", "--root", join(repoRoot, "test", "fixtures", "probe", "intel-xeon")]);
    assert.equal(probe.status, 0, probe.stderr);
    writeFileSync(join(workdir, "xeon.vmtopo"), probe.stdout);
    mkdirSync(join(workdir, "designs"), { recursive: true });
    const run = vmtopo(["import", "qemu", "--host", "xeon.vmtopo", "-o", "designs/numa1.vmtopo", "--", ...numaArgv]);
    assert.equal(run.status, 0, run.stderr);
    const text = readFileSync(join(workdir, "designs", "numa1.vmtopo"), "utf8");
    assert.match(text, /\nimport "\.\.\/xeon\.vmtopo"\n\nvm numa1 on xeon-01 \{\n/);
    const check = vmtopo(["check", "designs/numa1.vmtopo"]);
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  test("import libvirt: every domain on the host, one import line", () => {
    writeFileSync(join(workdir, "a.xml"), "<domain type='kvm'>\n  <name>a</name>\n  <memory unit='GiB'>1</memory>\n</domain>\n");
    writeFileSync(join(workdir, "b.xml"), "<domain type='kvm'>\n  <name>b</name>\n  <memory unit='GiB'>2</memory>\n</domain>\n");
    const run = vmtopo(["import", "libvirt", "a.xml", "b.xml", "--host", "xeon.vmtopo"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.match(/^import "xeon\.vmtopo"$/gm)?.length, 1);
    assert.match(run.stdout, /^vm a on xeon-01 \{$/m);
    assert.match(run.stdout, /^vm b on xeon-01 \{$/m);
  });

  test("a file without exactly one host, or --host beside --capabilities: a usage error", () => {
    const none = vmtopo(["import", "qemu", "--host", "a.xml", "--", "qemu-system-x86_64", "-m", "1G"]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--host a\.xml: the file must declare one host \(it declares none\)/);
    const both = vmtopo(["import", "libvirt", "a.xml", "--host", "xeon.vmtopo", "--capabilities", "a.xml"]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--capabilities or from --host, not both/);
  });
});
