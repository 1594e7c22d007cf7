// Which QEMU and Linux version introduced or changed each behaviour the engine gates on a
// version: one row per behaviour, with where it comes from. The engine's version gates read
// this table (never a literal version), and the rule pages show the rows of their rules
// (docs/rules/VTnnn.md, "Versions", kept in sync by test/unit/rule-pages.test.ts).
import { compareVersions, parseVersion, type Version } from "./version";

export interface VersionFact {
  id: string;
  component: "qemu" | "linux";
  /** first release with the behaviour */
  since: string;
  /** first release without it, if it changed again */
  until?: string;
  what: string;
  /** the commit or release it comes from, and the function that shows it */
  source: string;
  /** the rule codes whose verdict or text depends on it */
  rules: readonly string[];
}

export const VERSION_FACTS: readonly VersionFact[] = [
  {
    id: "qemu.virtio-mem.prealloc-refused",
    component: "qemu",
    since: "8.0",
    what: "virtio-mem refuses a memory backend with prealloc=on (the device's own `prealloc` property replaces it); QEMU 7.2 starts with one and preallocates the whole backend",
    source: "QEMU 8.0, commit \"virtio-mem: Fail if a memory backend with \"prealloc=on\" is specified\" (hw/virtio/virtio-mem.c, virtio_mem_device_realize); the message is absent from the 7.2 binary",
    rules: ["VT117"],
  },
  {
    id: "qemu.virtio-mem.dynamic-memslots",
    component: "qemu",
    since: "8.2",
    what: "virtio-mem-pci property `dynamic-memslots`; before it, \"Property 'virtio-mem-pci.dynamic-memslots' not found\"",
    source: "QEMU 8.2, commit \"virtio-mem: Expose device memory dynamically via multiple memslots if enabled\" (hw/virtio/virtio-mem.c, virtio_mem_properties)",
    rules: ["VT119"],
  },
  {
    id: "qemu.memory-device.not-prepared-text",
    component: "qemu",
    since: "8.1",
    what: "memory devices without device memory: \"the configuration is not prepared for memory devices (e.g., for memory hotplug), consider specifying the maxmem option\"; before, \"memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option\"",
    source: "QEMU 8.1, hw/mem/memory-device.c memory_device_pre_plug (machine_memory_devices_init series)",
    rules: ["VT109"],
  },
  {
    id: "qemu.pc.phys-bits-checked",
    component: "qemu",
    since: "7.1",
    what: "x86: QEMU refuses a layout whose highest address (the end of the 64-bit PCI hole) needs more than the CPU's phys-bits: \"Address space limit 0x… < 0x… phys-bits too low (N)\"; before, it started and the guest could not reach the memory",
    source: "QEMU 7.1, commit \"i386/pc: bounds check phys-bits against max used GPA\" (hw/i386/pc.c, pc_memory_init)",
    rules: ["VT110"],
  },
  {
    id: "qemu.pc.amd-1tb-relocation",
    component: "qemu",
    since: "7.1",
    what: "x86 with an AMD vCPU: RAM above 4 GiB (and device memory after it) moves to 1 TiB when the address space would reach the HyperTransport hole at 0xfd00000000",
    source: "QEMU 7.1, commit \"i386/pc: relocate 4g start to 1T where applicable\" (hw/i386/pc.c, pc_memory_init, enforce_amd_1tb_hole)",
    rules: ["VT110", "VT206"],
  },
  {
    id: "qemu.pc.phys-bits-32-checked",
    component: "qemu",
    since: "8.2",
    what: "x86: the highest guest address is checked against phys-bits also for CPUs with 32 phys-bits or fewer; before, pc_max_used_gpa() returned the CPU's own limit and the check never failed",
    source: "QEMU 8.2, commit \"hw/i386/pc: improve physical address space bound check for 32-bit x86 systems\" (hw/i386/pc.c, pc_max_used_gpa)",
    rules: ["VT110"],
  },
  {
    id: "qemu.vfio.rdm-check-error",
    component: "qemu",
    since: "10.2",
    what: "VFIO's start-up check of RamDiscardManager sections (\"possibly running out of DMA mappings\") is an error; before, a warning",
    source: "QEMU 10.2, hw/vfio/listener.c vfio_ram_discard_register_listener",
    rules: ["VT201"],
  },
  {
    id: "qemu.vfio.iommufd",
    component: "qemu",
    since: "9.0",
    what: "the iommufd VFIO backend (`-object iommufd`, vfio-pci `iommufd=`)",
    source: "QEMU 9.0 release (hw/vfio/iommufd.c)",
    rules: ["VT210"],
  },
  {
    id: "linux.iommufd",
    component: "linux",
    since: "6.2",
    what: "iommufd's VFIO device cdev (/dev/vfio/devices/vfioX) that QEMU's iommufd backend opens",
    source: "Linux 6.2 (drivers/iommu/iommufd, VFIO_DEVICE_BIND_IOMMUFD)",
    rules: ["VT210"],
  },
  {
    id: "linux.vfio.dma-avail",
    component: "linux",
    since: "5.10",
    what: "VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL reports the remaining DMA mappings; on older kernels QEMU assumes 65,535 whatever dma_entry_limit is",
    source: "Linux 5.10, commit 7d6e1329652e \"vfio iommu: Add dma available capability\"; QEMU hw/vfio/container.c vfio_get_info_dma_avail",
    rules: ["VT201"],
  },
  // ---- confidential guests (issue 8, K–O) ----------------------------------------------
  {
    id: "sev-guest",
    component: "qemu",
    since: "2.12",
    what: "the `sev-guest` object: AMD SEV guests with ordinary RAM, pinned by KVM_MEMORY_ENCRYPT_REG_REGION",
    source: "target/i386/sev.c (QEMU 2.12, 'sev/i386: add command to initialize the memory encryption context')",
    rules: ["VT004", "VT203"],
  },
  {
    id: "sev-es",
    component: "qemu",
    since: "6.0",
    what: "SEV-ES guests (`sev-guest` with the ES policy bit): encrypted register state, RAM as for SEV",
    source: "target/i386/sev.c, QEMU 6.0 ('sev/i386: Add initial support for SEV-ES')",
    rules: ["VT004"],
  },
  {
    id: "sev-snp-guest",
    component: "qemu",
    since: "9.1",
    what: "the `sev-snp-guest` object: SEV-SNP guests with guest_memfd private memory",
    source: "QEMU 9.1: qapi/qom.json SevSnpGuestProperties 'Since: 9.1'; target/i386/sev.c sev_snp_guest_class_init",
    rules: ["VT004"],
  },
  {
    id: "tdx-guest",
    component: "qemu",
    since: "10.1",
    what: "the `tdx-guest` object: Intel TDX guests with guest_memfd private memory (tdx_kvm_init sets require_guest_memfd)",
    source: "QEMU 10.1: target/i386/kvm/tdx.c; qapi/qom.json TdxGuestProperties 'Since: 10.1'",
    rules: ["VT004"],
  },
  {
    id: "guest-memfd-shared-assignment",
    component: "qemu",
    since: "10.1",
    what: "guest_memfd RAM with VFIO: RamBlockAttributes is the RamDiscardManager of guest_memfd RAM, guest_memfd only requires coordinated discard, so VFIO may disable the uncoordinated kind",
    source: "QEMU 10.1: system/ram-block-attributes.c (commits 5d6483edaa92, 2fde3fb91607); system/physmem.c ram_block_add",
    rules: ["VT118", "VT201", "VT211"],
  },
  {
    id: "virtio-mem-vfio",
    component: "qemu",
    since: "6.1",
    what: "virtio-mem with VFIO: VFIO maps plugged blocks through the RamDiscardManager and disables only uncoordinated discard; before, VFIO disabled every discard and virtio-mem required it, so the second device to realize failed",
    source: "hw/vfio/common.c vfio_ram_discard_register_listener ('vfio: Support for RamDiscardManager in the !vIOMMU case'); softmmu/physmem.c ram_block_coordinated_discard_require, QEMU 6.1",
    rules: ["VT115", "VT201"],
  },
  {
    id: "vfio-viommu-rdm",
    component: "qemu",
    since: "6.1",
    what: "VFIO behind a vIOMMU accepts mappings of RamDiscardManager memory (virtio-mem, later guest_memfd) and warns that pins can outlive a discard",
    source: "hw/vfio/common.c vfio_get_xlat_addr ('vfio: Support for RamDiscardManager in the vIOMMU case', QEMU 6.1); hw/vfio/listener.c in 10.x",
    rules: ["VT212"],
  },
  {
    id: "kvm-user-memslots-32k",
    component: "linux",
    since: "5.12",
    what: "KVM_CAP_NR_MEMSLOTS reports SHRT_MAX minus the internal slots (32,764 on x86_64, 32,767 on arm64); before, KVM_USER_MEM_SLOTS was 509 on x86_64 and 512 on arm64",
    source: "Linux 5.12, commit 4fc096a99e01 'KVM: Raise the maximum number of user memslots'; arch/x86/include/asm/kvm_host.h, arch/arm64/include/asm/kvm_host.h KVM_USER_MEM_SLOTS",
    rules: ["VT201"],
  },
];

const BY_ID = new Map(VERSION_FACTS.map((fact) => [fact.id, fact]));

/** The row of `id`; an unknown id is a programming error. */
export function versionFact(id: string): VersionFact {
  const fact = BY_ID.get(id);
  if (!fact) throw new Error(`no version fact '${id}' in VERSION_FACTS (unknown version fact)`);
  return fact;
}

/** The versions a host runs, as the facts need them. */
export interface RunningVersions {
  qemu: Version;
  kernel: Version;
}

// The table's versions are a few dozen literals: parsed once each (scenario steps ask per step).
const parsedVersions = new Map<string, Version>();
function parsedVersion(text: string): Version {
  let version = parsedVersions.get(text);
  if (!version) parsedVersions.set(text, (version = parseVersion(text)!));
  return version;
}

/** Does the host's QEMU or Linux (whichever the fact is about) have the behaviour of `id`? */
export function hasFact(host: RunningVersions, id: string): boolean {
  const fact = versionFact(id);
  const running = fact.component === "qemu" ? host.qemu : host.kernel;
  if (compareVersions(running, parsedVersion(fact.since)) < 0) return false;
  return fact.until === undefined || compareVersions(running, parsedVersion(fact.until)) < 0;
}

/** The facts that concern a rule, for its page. */
export function factsOfRule(code: string): VersionFact[] {
  return VERSION_FACTS.filter((fact) => fact.rules.includes(code));
}
