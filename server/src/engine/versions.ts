// Which QEMU or Linux release introduced or changed each behaviour the engine models, with
// the commit or release it comes from. Gates read their version here (versionFact(id).since),
// so a rule page, a diagnostic and the check agree on one figure.
import { atLeast, type Version } from "./version";

export interface VersionFact {
  id: string;
  component: "qemu" | "linux";
  /** first release with the behaviour */
  since: string;
  /** first release without it, if it went away */
  until?: string;
  what: string;
  /** file + function, commit or release */
  source: string;
  /** the diagnostic codes that read this fact */
  rules: readonly string[];
}

export const VERSION_FACTS: readonly VersionFact[] = [
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
    source: "qapi/qom.json SevSnpGuestProperties 'Since: 9.1'; target/i386/sev.c sev_snp_guest_class_init",
    rules: ["VT004"],
  },
  {
    id: "tdx-guest",
    component: "qemu",
    since: "10.1",
    what: "the `tdx-guest` object: Intel TDX guests with guest_memfd private memory (tdx_kvm_init sets require_guest_memfd)",
    source: "target/i386/kvm/tdx.c; qapi/qom.json TdxGuestProperties 'Since: 10.1'",
    rules: ["VT004"],
  },
  {
    id: "guest-memfd-shared-assignment",
    component: "qemu",
    since: "10.1",
    what: "guest_memfd RAM with VFIO: RamBlockAttributes is the RamDiscardManager of guest_memfd RAM, guest_memfd only requires coordinated discard, so VFIO may disable the uncoordinated kind",
    source: "system/ram-block-attributes.c (commits 5d6483edaa92, 2fde3fb91607); system/physmem.c ram_block_add",
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
    id: "virtio-mem-dynamic-memslots",
    component: "qemu",
    since: "8.2",
    what: "virtio-mem `dynamic-memslots`: the device region split into up to 256 memslots of at least 1 GiB, each mapped only while it holds plugged blocks",
    source: "hw/virtio/virtio-mem.c virtio_mem_decide_memslots, hw/mem/memory-device.c memory_device_memslot_decision_limit (merge tag mem-2023-10-12, QEMU 8.2)",
    rules: ["VT201"],
  },
  {
    id: "kvm-user-memslots-32k",
    component: "linux",
    since: "5.12",
    what: "KVM_CAP_NR_MEMSLOTS reports SHRT_MAX minus the internal slots (32,764 on x86_64, 32,767 on arm64); before, KVM_USER_MEM_SLOTS was 509 on x86_64 and 512 on arm64",
    source: "commit 4fc096a99e01 'KVM: Raise the maximum number of user memslots' (v5.12); arch/x86/include/asm/kvm_host.h, arch/arm64/include/asm/kvm_host.h KVM_USER_MEM_SLOTS",
    rules: ["VT201"],
  },
];

const BY_ID = new Map(VERSION_FACTS.map((f) => [f.id, f]));

export function versionFact(id: string): VersionFact {
  const fact = BY_ID.get(id);
  if (!fact) throw new Error(`unknown version fact '${id}'`);
  return fact;
}

/** True when `version` (of the fact's component) has the behaviour of fact `id`. */
export function hasFact(version: Version, id: string): boolean {
  const fact = versionFact(id);
  return atLeast(version, fact.since) && (fact.until === undefined || !atLeast(version, fact.until));
}
