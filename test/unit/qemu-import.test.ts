// `vmtopo import qemu`: QEMU's option syntax read exactly (shell words, /proc/PID/cmdline,
// QemuOpts lists with `,,` and implicit keys, JSON -object/-device, sizes as qemu_strtosz
// reads them), a command line as libvirt writes it, nothing dropped silently, and the round
// trip: import(export(design)) analyses the same as the design, over generated designs.
// Replay with another seed: VMTOPO_SEED=123 node --import tsx --test test/unit/qemu-import.test.ts
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HOST_PAGE_SIZE } from "../../server/src/engine/model";
import { analyzeText } from "../../server/src/engine/analyze";
import { qemuArgv, qemuCommand } from "../../server/src/engine/interop/qemu-export";
import { importQemu } from "../../server/src/engine/interop/qemu-import";
import { parseKeyval, parseQemuArgv, qemuSizeValue, shellWords } from "../../server/src/engine/interop/qemu-options";
import { backendDesigns, engineText, numaCases } from "../support/qemu-cases";
import { spliced, vmFigures } from "../support/round-trip";
import { Random, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20261201);

describe("QEMU's option syntax", () => {
  test("shell words: quotes, escapes, continuations, comments", () => {
    assert.deepEqual(shellWords(`qemu -object '{"id":"a b"}' \\\n  -name "guest=x\\"y" -m 4G # comment\n-S`), ["qemu", "-object", '{"id":"a b"}', "-name", 'guest=x"y', "-m", "4G", "-S"]);
    assert.deepEqual(shellWords("a\\ b 'it'\\''s'"), ["a b", "it's"]);
  });

  test("/proc/PID/cmdline: NUL-separated words, spaces kept", () => {
    assert.deepEqual(shellWords("qemu-system-x86_64\x00-name\x00guest=a b\x00-m\x004G\x00"), ["qemu-system-x86_64", "-name", "guest=a b", "-m", "4G"]);
  });

  test("key=value lists: ',,' is a comma in a value, the first bare word is the implicit key, a later bare key is on", () => {
    assert.deepEqual([...parseKeyval("memory-backend-file,id=m0,mem-path=/a,,b,share", "qom-type")], [["qom-type", "memory-backend-file"], ["id", "m0"], ["mem-path", "/a,b"], ["share", "on"]]);
    assert.deepEqual([...parseKeyval("4G,slots=2,maxmem=20G", "size")], [["size", "4G"], ["slots", "2"], ["maxmem", "20G"]]);
    assert.deepEqual([...parseKeyval("size=4G", "size")], [["size", "4G"]]);
  });

  test("JSON -object and -device keep their types; other options stay key=value", () => {
    const { binary, options } = parseQemuArgv(["LC_ALL=C", "/usr/bin/qemu-system-x86_64", "-object", '{"qom-type":"memory-backend-ram","id":"m","size":68719476736,"reserve":false}', "-machine", "pc-q35-7.2,usb=off", "-S"]);
    assert.equal(binary, "/usr/bin/qemu-system-x86_64");
    assert.deepEqual([...options[0].props], [["qom-type", "memory-backend-ram"], ["id", "m"], ["size", 68719476736], ["reserve", false]]);
    assert.equal(options[0].json, true);
    assert.deepEqual([...options[1].props], [["type", "pc-q35-7.2"], ["usb", "off"]]);
    assert.equal(options[2].name, "S");
  });

  test("sizes: suffixes in either case, fractions, -m in MiB without a suffix", () => {
    assert.equal(qemuSizeValue("4194304k"), 4 * 2 ** 30);
    assert.equal(qemuSizeValue("1.5G"), 1.5 * 2 ** 30);
    assert.equal(qemuSizeValue("4096", 2 ** 20), 4 * 2 ** 30);
    assert.equal(qemuSizeValue("4096"), 4096);
    assert.equal(qemuSizeValue("4X"), null);
  });

  test("a malformed line is a clear error, not a crash", () => {
    assert.throws(() => importQemu("qemu -m"), /option '-m' needs an argument/);
    assert.throws(() => importQemu("qemu -object '{\"id\":"), /unterminated single quote/);
    assert.throws(() => importQemu(["qemu", "-object", '{"qom-type":'], "x"), /-object: malformed JSON/);
    assert.throws(() => importQemu("qemu -m lots"), /-m: 'lots' is not a size/);
  });
});

describe("import qemu", () => {
  // What libvirt 9.0 wrote for a q35 domain with a NUMA cell and a virtio-mem device
  // (`virsh domxml-to-native qemu-argv`, shortened).
  const libvirtArgs = `LC_ALL=C \\
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \\
/usr/bin/qemu-system-x86_64 \\
-name guest=vm1,debug-threads=on \\
-machine pc-q35-7.2,usb=off,dump-guest-core=off \\
-accel tcg \\
-cpu qemu64 \\
-m size=4194304k,slots=8,maxmem=71303168k \\
-overcommit mem-lock=off \\
-smp 1,sockets=1,cores=1,threads=1 \\
-object '{"qom-type":"memory-backend-ram","id":"ram-node0","size":4294967296}' \\
-numa node,nodeid=0,cpus=0,memdev=ram-node0 \\
-nodefaults \\
-object '{"qom-type":"memory-backend-ram","id":"memvirtiomem0","reserve":false,"size":68719476736}' \\
-device '{"driver":"virtio-mem-pci","node":0,"block-size":2097152,"requested-size":1073741824,"memdev":"memvirtiomem0","id":"virtiomem0","bus":"pcie.0","addr":"0x2"}' \\
-device '{"driver":"vfio-pci","host":"0000:3b:00.0","id":"hostdev0","bus":"pci.1","addr":"0x0"}'
`;

  test("a libvirt command line: the VM, its devices, and every option not modelled listed on top", () => {
    const { text } = importQemu(libvirtArgs, "vm1.args");
    assert.equal(
      text,
      [
        "// Imported by vmtopo from vm1.args (/usr/bin/qemu-system-x86_64).",
        "//",
        "// Assumed by the importer:",
        "//   machine pc-q35-7.2 read as q35",
        "//",
        "// Not modelled by vmtopo (kept here for reference, not analysed):",
        "//   -name: debug-threads=on",
        "//   -overcommit mem-lock=off",
        "//   -smp 1,sockets=1,cores=1,threads=1",
        "//   -numa node: cpus=0",
        "//   -object memory-backend-ram memvirtiomem0: reserve=false",
        "//   -machine: usb=off, dump-guest-core=off",
        "//   -device virtio-mem-pci virtiomem0: bus=pcie.0, addr=0x2",
        "//   -device vfio-pci hostdev0: bus=pci.1, addr=0x0",
        "",
        "vm vm1 {",
        "  machine = q35",
        "  accel = tcg",
        "  cpu = named",
        "  cpu-vendor = amd",
        "  memory = 4G",
        "  maxmem = 68G",
        "  slots = 8",
        "",
        "  virtio-mem virtiomem0 {",
        "    size = 64G",
        "    block-size = 2M",
        "    requested = 1G",
        "  }",
        "",
        "  vfio hostdev0 {",
        '    host = "0000:3b:00.0"',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(analyzeText(text).diagnostics.filter((d) => d.severity === "error"), []);
  });

  test("confidential guests, vIOMMU, hugetlb memfd and iommufd are read", () => {
    const { text } = importQemu(
      "qemu-system-x86_64 -machine q35,confidential-guest-support=tdx0,memory-backend=ram0,kernel-irqchip=split -accel kvm -cpu host,phys-bits=46 -m 16G " +
        "-object tdx-guest,id=tdx0 -object memory-backend-memfd,id=ram0,size=16G,hugetlb=on,hugetlbsize=1G -object iommufd,id=fd0 " +
        "-device vfio-pci,host=0000:17:00.0,iommufd=fd0,id=gpu0 -device intel-iommu,intremap=on,aw-bits=48 -nodefaults",
    );
    for (const line of ["confidential = tdx", "backend = memfd", "page-size = 1G", "phys-bits = 46", "viommu = intel-iommu", "viommu-aw-bits = 48", "backend = iommufd", "-machine: kernel-irqchip=split", "-device intel-iommu: intremap=on"]) {
      assert.ok(text.includes(line), `'${line}' in:\n${text}`);
    }
  });
});

describe("import qemu: -numa (hw/core/numa.c parse_numa_node())", () => {
  const vmBody = (text: string) => text.slice(text.indexOf("\nvm "));

  test("memdev= nodes become the numa block, each node the size of its backend; dist and cpus listed, not modelled", () => {
    const { text } = importQemu(
      "qemu-system-x86_64 -machine q35 -m 6G -object memory-backend-ram,id=r0,size=4G -object memory-backend-ram,id=r1,size=2G " +
        "-numa node,nodeid=0,cpus=0,memdev=r0 -numa node,nodeid=1,cpus=1,memdev=r1 -numa node,nodeid=2 -numa dist,src=0,dst=1,val=20 -nodefaults",
    );
    assert.match(vmBody(text), /numa \{\n {4}node 0 \{\n {6}memory = 4G\n {4}\}\n {4}node 1 \{\n {6}memory = 2G\n {4}\}\n {4}node 2 \{\n {6}memory = 0\n {4}\}\n {2}\}/);
    assert.ok(text.includes("//   -numa node: cpus=0"), text);
    assert.ok(text.includes("//   -numa dist,src=0,dst=1,val=20"), text);
    assert.deepEqual(analyzeText(text).diagnostics.filter((d) => d.severity === "error"), []);
  });

  test("nodeid left out: the node's place among the nodes; legacy mem= is MiB without a suffix and is listed", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine pc -m 3G -numa node,mem=1024 -numa node,mem=2G -nodefaults");
    assert.match(vmBody(text), /node 0 \{\n {6}memory = 1G\n {4}\}\n {4}node 1 \{\n {6}memory = 2G/);
    assert.ok(text.includes("-numa node,mem=: the legacy spelling, which QEMU refuses on machine types 5.1 and later"), text);
  });

  test("one node 0 holding all of memory is QEMU's implicit node: no numa block, as import libvirt", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine q35 -m 4G -object memory-backend-ram,id=r0,size=4G -numa node,nodeid=0,memdev=r0 -nodefaults");
    assert.doesNotMatch(text, /numa/);
  });

  test("one node that is not all of memory is kept, so that check says what QEMU says", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine q35 -m 4G -object memory-backend-ram,id=r0,size=2G -numa node,nodeid=0,memdev=r0 -nodefaults");
    assert.match(vmBody(text), /node 0 \{\n {6}memory = 2G/);
    assert.ok(analyzeText(text).diagnostics.some((d) => d.code === "VT120" && d.message.includes("total memory for NUMA nodes")));
  });

  test("QEMU's refusals are errors naming the option: mem= and memdev= mixed, an undefined memdev, a bad nodeid, a duplicate backend id, memory-backend beside memdev nodes", () => {
    assert.throws(() => importQemu("qemu -m 2G -object memory-backend-ram,id=r0,size=1G -numa node,memdev=r0 -numa node,mem=1G"), /-numa node,mem=1G: mem= and memdev= mixed/);
    assert.throws(() => importQemu("qemu -m 2G -numa node,nodeid=0,memdev=nope"), /-numa node,nodeid=0,memdev=nope: memdev 'nope' is not defined by an -object/);
    assert.throws(() => importQemu("qemu -m 2G -numa node,nodeid=x"), /-numa node,nodeid=x: nodeid 'x' is not a number/);
    assert.throws(() => importQemu("qemu -m 2G -object memory-backend-ram,id=r0,size=1G -object memory-backend-ram,id=r0,size=1G"), /-object memory-backend-ram,id=r0,size=1G: the id 'r0' is already used/);
    assert.throws(() => importQemu("qemu -machine q35,memory-backend=r0 -m 1G -object memory-backend-ram,id=r0,size=1G -numa node,memdev=r0"), /-machine memory-backend=r0 beside -numa node,memdev=: QEMU refuses both/);
  });
});

describe("import qemu: machine and CPU properties", () => {
  test("-machine memory-encryption= (the older name of confidential-guest-support) names the confidential guest", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine q35,memory-encryption=sev0 -object sev-guest,id=sev0,policy=0x5,cbitpos=51,reduced-phys-bits=1 -m 4G -nodefaults");
    assert.match(text, /^ {2}confidential = sev-es$/m);
    assert.doesNotMatch(text, /not referenced/);
    assert.doesNotMatch(text, /-machine: memory-encryption/);
  });

  test("several -accel: the first is the VM's, the others listed as QEMU's fallbacks", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine q35 -accel kvm -accel tcg -m 1G -nodefaults");
    assert.match(text, /^ {2}accel = kvm$/m);
    assert.ok(text.includes("//   -accel tcg: QEMU's fallback should kvm fail to start"), text);
  });

  test("-cpu legacy feature flags are listed as written (+feat, -feat), not as feat=on", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine q35 -cpu EPYC-Milan,phys-bits=48,+invtsc,-x2apic -m 4G -nodefaults");
    assert.ok(text.includes("//   -cpu EPYC-Milan: +invtsc, -x2apic"), text);
    assert.match(text, /^ {2}phys-bits = 48$/m);
  });
});

describe("import qemu: -mem-path and -mem-prealloc", () => {
  // QEMU 7.2 here: `-m 64M -mem-prealloc` → `info memdev`: memory backend pc.ram, prealloc: true.
  test("they are boot RAM's backend, as QEMU makes it (create_default_memdev()); -mem-prealloc is a flag, so the next option stays an option", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine q35 -accel kvm -m 8G -mem-path /dev/hugepages1G -mem-prealloc -nodefaults");
    for (const line of ["  backend = file", "  page-size = 1G", "  file-system = hugetlbfs", "  prealloc = on"]) assert.ok(text.includes(`\n${line}\n`), `'${line}' in:\n${text}`);
    assert.doesNotMatch(text, /QEMU's default devices|-mem-/);
    assert.match(importQemu("qemu-system-x86_64 -m 8G -mem-prealloc -nodefaults").text, /^ {2}prealloc = on$/m);
  });

  test("beside a -machine memory-backend they are listed, not applied", () => {
    const { text } = importQemu("qemu-system-x86_64 -machine q35,memory-backend=r -m 1G -object memory-backend-ram,id=r,size=1G -mem-prealloc -nodefaults");
    assert.ok(text.includes("//   -mem-prealloc\n"), text);
    assert.doesNotMatch(text, /prealloc = on/);
  });
});

describe("import qemu: pc-dimm", () => {
  test("addr, node and the backend's kind and page size are read", () => {
    const { text } = importQemu(
      "qemu-system-x86_64 -machine q35 -m size=2G,slots=2,maxmem=4G -object memory-backend-ram,id=r0,size=1G -object memory-backend-ram,id=r1,size=1G " +
        "-numa node,memdev=r0 -numa node,memdev=r1 -object memory-backend-memfd,id=d0,size=1G,hugetlb=on,hugetlbsize=2M -device pc-dimm,id=dimm0,memdev=d0,node=1,addr=0x140000000 -nodefaults",
    );
    for (const line of ["dimm dimm0 {", "memaddr = 0x140000000", "node = 1", "backend = memfd", "page-size = 2M"]) assert.ok(text.includes(line), `'${line}' in:\n${text}`);
    assert.doesNotMatch(text, /pc-dimm dimm0:/);
  });

  test("a node that is not a number is an error naming the device", () => {
    assert.throws(() => importQemu("qemu -m size=1G,slots=1,maxmem=2G -object memory-backend-ram,id=d0,size=1G -device pc-dimm,memdev=d0,node=one"), /-device pc-dimm,memdev=d0,node=one: node 'one' is not a number/);
  });
});

// ---- the round trip ------------------------------------------------------------------------

test(`round trip over generated designs (seed ${SEED}): import(export(design)) analyses the same`, async (t) => {
  const random = new Random(rng(SEED));
  const designs = backendDesigns(random, 200, "9.2").map((text, i) => {
    // vfio devices, a vIOMMU and a balloon too: the command line carries them.
    const extra: string[] = [];
    if (random.chance(0.4)) extra.push(`  vfio nic${i} { host = "0000:${(16 + random.int(200)).toString(16)}:00.0"${random.chance(0.3) ? " backend = iommufd" : ""} }`);
    if (random.chance(0.2)) extra.push("  viommu = intel-iommu", `  viommu-aw-bits = ${random.pick([39, 48])}`);
    if (random.chance(0.2)) extra.push("  balloon = on");
    return text.replace(/\n}\n$/, `\n${extra.join("\n")}\n}\n`);
  });
  for (const [i, design] of designs.entries()) {
    await t.test(`design #${i}`, () => {
      const before = analyzeText(design);
      const vm = before.vms[0].vm;
      // Anonymous RAM on huge pages has no QEMU spelling (the engine says so, VT111): the
      // export must pick a hugetlb memfd or file for it, so that design cannot come back as is.
      const inexpressible = [vm, ...vm.virtioMem, ...vm.dimms].some((d) => d.backend === "ram" && d.pageSize > HOST_PAGE_SIZE);
      if (inexpressible) return;
      const argv = qemuArgv(qemuCommand(vm));
      const imported = importQemu(argv, "the export", { onHost: vm.host.name }).text;
      const after = analyzeText(spliced(design, before, vm.name, imported));
      assert.deepEqual(vmFigures(after, vm.name), vmFigures(before, vm.name), `design:\n${design}\nexported:\n${argv.join(" ")}\nimported:\n${imported}`);
    });
  }
});

test(`round trip over designs with NUMA nodes (seed ${SEED}): import(export(design)) analyses the same, faults included`, async (t) => {
  const random = new Random(rng(SEED + 2));
  let declared = 0;
  for (const c of numaCases(random, 150)) {
    await t.test(c.label, () => {
      const design = engineText(c.config, [], "9.2");
      const before = analyzeText(design);
      const vm = before.vms[0].vm;
      // A duplicate node id: QEMU refuses it while parsing -numa; the export keeps it, the import reads it back.
      const argv = qemuArgv(qemuCommand(vm));
      const imported = importQemu(argv, "the export", { onHost: vm.host.name }).text;
      if (vm.numa.length > 1) {
        declared++;
        assert.match(imported, /numa \{/, `a numa block in:\n${imported}`);
      }
      const after = analyzeText(spliced(design, before, vm.name, imported));
      assert.deepEqual(vmFigures(after, vm.name), vmFigures(before, vm.name), `design:\n${design}\nexported:\n${argv.join(" ")}\nimported:\n${imported}`);
    });
  }
  assert.ok(declared > 100, `designs with declared NUMA nodes: ${declared}`);
});
