// `vmtopo export`, `import` and `probe` as a user runs them (the bundled bin): output shapes,
// exit codes and usage errors.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../support/fixtures";

const bin = join(repoRoot, "bin", "vmtopo.js");
const workdir = mkdtempSync(join(tmpdir(), "vmtopo-real-vms-"));

export function vmtopo(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: workdir, input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const design = `host h { qemu = "9.2" }
vm web on h {
  memory = 4G
  maxmem = 20G
  slots = 2
  backend = memfd
  page-size = 2M
  virtio-mem vmem0 { size = 16G block-size = 2M requested = 1G }
  vfio nic0 { host = "0000:3b:00.0" }
}
vm db on h { memory = 2G }
`;
writeFileSync(join(workdir, "two.vmtopo"), design);

describe("vmtopo export qemu", () => {
  test("one option per line, shell-quoted, continued with backslashes", () => {
    const run = vmtopo(["export", "qemu", "two.vmtopo", "--vm", "web"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout,
      [
        "qemu-system-x86_64 \\",
        "  -name guest=web \\",
        "  -machine q35,memory-backend=pc.ram \\",
        "  -accel kvm \\",
        "  -cpu host \\",
        "  -m size=4G,slots=2,maxmem=20G \\",
        "  -object memory-backend-memfd,id=pc.ram,size=4G,hugetlb=on,hugetlbsize=2M \\",
        "  -object memory-backend-memfd,id=mem-vmem0,size=16G,hugetlb=on,hugetlbsize=2M,reserve=off \\",
        "  -device virtio-mem-pci,id=vmem0,memdev=mem-vmem0,block-size=2M,requested-size=1G \\",
        "  -device vfio-pci,host=0000:3b:00.0,id=nic0 \\",
        "  -nodefaults",
        "",
      ].join("\n"),
    );
  });

  test("--format json prints the argv array", () => {
    const run = vmtopo(["export", "qemu", "two.vmtopo", "--vm", "db", "--format", "json"]);
    assert.equal(run.status, 0, run.stderr);
    const argv = JSON.parse(run.stdout) as string[];
    assert.equal(argv[0], "qemu-system-x86_64");
    assert.deepEqual(argv.slice(argv.indexOf("-m"), argv.indexOf("-m") + 2), ["-m", "size=2G"]);
  });

  test("a value with a comma or a quote is escaped for QEMU and for the shell", () => {
    writeFileSync(join(workdir, "odd.vmtopo"), `vm odd {\n  memory = 1G\n  vfio nic0 { host = "a,b'c" }\n}\n`);
    const run = vmtopo(["export", "qemu", "odd.vmtopo"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^ {2}-device 'vfio-pci,host=a,,b'\\''c,id=nic0' \\$/m);
  });

  test("several VMs and no --vm: a usage error naming them", () => {
    const run = vmtopo(["export", "qemu", "two.vmtopo"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /several VMs; choose one with --vm \(web, db\)/);
  });

  test("an unknown VM: a usage error", () => {
    const run = vmtopo(["export", "qemu", "two.vmtopo", "--vm", "nope"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /has no vm 'nope'; its VMs: web, db/);
  });

  test("a design with errors is exported with a warning on stderr", () => {
    writeFileSync(join(workdir, "bad.vmtopo"), "vm v {\n  memory = 4G\n  slots = 2\n}\n");
    const run = vmtopo(["export", "qemu", "bad.vmtopo"]);
    assert.equal(run.status, 0);
    assert.match(run.stderr, /has 1 error .*QEMU or libvirt will likely refuse/);
  });
});

describe("vmtopo export libvirt", () => {
  test("domain XML with maxMemory, a NUMA cell, virtio-mem, hostdev and memory backing", () => {
    const run = vmtopo(["export", "libvirt", "two.vmtopo", "--vm", "web"]);
    assert.equal(run.status, 0, run.stderr);
    const xml = run.stdout;
    assert.match(xml, /^<domain type='kvm'>\n {2}<name>web<\/name>\n {2}<maxMemory slots='2' unit='KiB'>20971520<\/maxMemory>/);
    assert.match(xml, /<memory unit='KiB'>20971520<\/memory>/);
    assert.match(xml, /<hugepages><page size='2048' unit='KiB'\/><\/hugepages>\n {4}<source type='memfd'\/>/);
    assert.match(xml, /<cell id='0' cpus='0' memory='4194304' unit='KiB'\/>/);
    assert.match(xml, /<memory model='virtio-mem'>[\s\S]*<size unit='KiB'>16777216<\/size>[\s\S]*<block unit='KiB'>2048<\/block>[\s\S]*<requested unit='KiB'>1048576<\/requested>/);
    assert.match(xml, /<address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'\/>/);
  });
});

describe("vmtopo import qemu", () => {
  test("-- ARGV: the design on stdout, formatted, with what is not modelled on top", () => {
    const run = vmtopo(["import", "qemu", "--", "qemu-system-x86_64", "-name", "guest=web", "-machine", "q35", "-accel", "kvm", "-cpu", "host", "-m", "4G,maxmem=20G", "-object", "memory-backend-ram,id=m0,size=16G", "-device", "virtio-mem-pci,id=vmem0,memdev=m0,block-size=2M", "-nodefaults", "-display", "none"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^\/\/ Imported by vmtopo from a QEMU command line \(qemu-system-x86_64\)\.\n/);
    assert.match(run.stdout, /^\/\/ {3}-display none$/m);
    assert.match(run.stdout, /^vm web \{\n {2}machine = q35\n {2}accel = kvm\n {2}cpu = host\n {2}memory = 4G\n {2}maxmem = 20G\n\n {2}virtio-mem vmem0 \{\n {4}size = 16G\n {4}block-size = 2M\n {2}\}\n\}\n$/m);
  });

  test("FILE -o OUT: written whole, and the written design checks clean", () => {
    writeFileSync(join(workdir, "web.sh"), "qemu-system-x86_64 \\\n  -machine q35 \\\n  -m 2G \\\n  -nodefaults\n");
    const run = vmtopo(["import", "qemu", "web.sh", "-o", "web.vmtopo"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "");
    assert.equal(vmtopo(["check", "web.vmtopo"]).status, 0);
  });

  test("stdin with -", () => {
    const run = vmtopo(["import", "qemu", "-"], "qemu-system-x86_64 -m 1G -nodefaults\n");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /memory = 1G/);
  });

  test("a malformed command line: exit 1 and the reason", () => {
    const run = vmtopo(["import", "qemu", "--", "qemu-system-x86_64", "-m"]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, "vmtopo: ARGV: option '-m' needs an argument\n");
  });
});

describe("vmtopo import libvirt", () => {
  test("a domain of libvirt's tests, written with -o", () => {
    const run = vmtopo(["import", "libvirt", join(repoRoot, "test/fixtures/libvirt/memory-hotplug-dimm.xml"), "-o", "dimm.vmtopo"]);
    assert.equal(run.status, 0, run.stderr);
    const check = vmtopo(["check", "dimm.vmtopo"]);
    assert.match(check.stdout, /1 file checked/);
  });

  test("malformed XML: exit 1 with the file, line and column", () => {
    writeFileSync(join(workdir, "broken.xml"), "<domain type='kvm'>\n  <name>x</name>\n  <memory unit='GiB'>4</memory\n</domain>\n");
    const run = vmtopo(["import", "libvirt", "broken.xml"]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, "vmtopo: broken.xml:4:1: malformed XML: expected '>' after </memory\n");
  });
});
