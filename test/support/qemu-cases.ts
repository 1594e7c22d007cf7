// Generated configurations for the QEMU oracle tests (test/unit/qemu-oracle.test.ts and
// the export tests): QemuConfigs around the machines' thresholds, virtio-mem placements,
// DIMMs, NUMA nodes, backends and faults QEMU refuses, the same configuration as a .vmtopo
// design, and the flat view's sections in one vocabulary for QEMU and the engine.
import { GiB, KiB, MiB, sizeLiteral } from "../../server/src/engine/format";
import type { BackendConfig, DimmConfig, FlatSection, NumaNodeConfig, QemuConfig, VirtioMemConfig } from "./qemu-oracle";
import type { Random } from "./random";

/** VMTOPO_ORACLE_SCALE=0.2 runs a fifth of the generated cases (default 1). */
const SCALE = Number(process.env.VMTOPO_ORACLE_SCALE ?? 1);
export const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));

export interface Case {
  label: string;
  config: QemuConfig;
  /** run-time steps: `resize vmN to SIZE` in the engine, `qom-set vmN requested-size SIZE` on the paused QEMU */
  resizes?: { device: number; size: number }[];
}

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

// ---- generators -------------------------------------------------------------------------

/** Boot RAM sizes around the machines' thresholds: q35 2.75 GiB (0xb0000000), pc 3.5 GiB (0xe0000000). */
const MEMORY_EDGES = [
  128 * MiB, 512 * MiB, GiB, 2 * GiB, 2815 * MiB, 2816 * MiB, 2817 * MiB, 3 * GiB, 3583 * MiB, 3584 * MiB, 3585 * MiB,
  3840 * MiB, 4 * GiB, 4097 * MiB, 6 * GiB, 16 * GiB, 64 * GiB, 600 * GiB,
];

export function layoutCases(random: Random): Case[] {
  const cases: Case[] = [];
  for (const machine of ["q35", "pc"] as const) {
    for (const memory of MEMORY_EDGES) cases.push({ label: `${machine} -m ${sizeLiteral(memory)}`, config: { machine, memory } });
  }
  // The AMD relocation of RAM above 4 GiB to 1 TiB (qemu64 is AuthenticAMD), and Intel without it.
  cases.push({ label: "q35 -m 1000G, AMD, phys-bits 42", config: { machine: "q35", memory: 1000 * GiB, physBits: 42 } });
  cases.push({ label: "q35 -m 1000G, Intel, phys-bits 41", config: { machine: "q35", memory: 1000 * GiB, physBits: 41, cpuVendor: "intel" } });
  cases.push({ label: "pc -m 1010G, AMD, phys-bits 41", config: { machine: "pc", memory: 1010 * GiB, physBits: 41 } });
  for (let i = 0; i < scaled(300); i++) {
    const machine = random.pick(["q35", "pc"] as const);
    const memory = random.pick([
      () => (64 + random.int(8 * 1024 - 64)) * MiB,
      () => (2560 + random.int(1280)) * MiB,
      () => (1 + random.int(1024)) * GiB,
      () => (1 + random.int(64)) * GiB + random.pick([0, 512, 768, 1000]) * MiB,
    ])();
    const config: QemuConfig = { machine, memory };
    if (random.chance(0.3)) config.maxmem = memory + random.pick([1, 4, 64, 500]) * GiB;
    if (config.maxmem !== undefined && random.chance(0.3)) config.slots = 1 + random.int(8);
    if (random.chance(0.2)) config.maxRamBelow4g = random.pick([GiB, 2 * GiB, 2560 * MiB, 3 * GiB, 3584 * MiB, 4 * GiB]);
    if (random.chance(0.25)) config.cpuVendor = "intel";
    if (random.chance(0.35)) config.physBits = 36 + random.int(9);
    cases.push({ label: describe(config), config });
  }
  return cases;
}

const BLOCK_SIZES = [undefined, MiB, 2 * MiB, 4 * MiB, 32 * MiB, 128 * MiB, 512 * MiB, GiB, 2 * GiB, 4 * GiB];
const DEVICE_SIZES = [128 * MiB, 512 * MiB, GiB, 2 * GiB, 3 * GiB, 4 * GiB, 8 * GiB, 64 * GiB];
const BOOT_SIZES = [GiB, 2 * GiB, 2816 * MiB, 3 * GiB, 3584 * MiB, 4 * GiB, 6 * GiB, 16 * GiB];

function validDevice(random: Random, maxSize = Infinity): VirtioMemConfig {
  const size = random.pick(DEVICE_SIZES.filter((s) => s <= maxSize));
  const blockSize = random.pick(BLOCK_SIZES.filter((b) => b === undefined || b <= size));
  const bs = blockSize ?? 2 * MiB;
  const requested = random.chance(0.4) ? 0 : bs * random.int(size / bs + 1);
  const device: VirtioMemConfig = { size, requested };
  if (blockSize !== undefined) device.blockSize = blockSize;
  return device;
}

/** Where QEMU's device memory starts (DOMAIN.md §1), to aim memaddr at or near it. */
function deviceMemoryStart(config: QemuConfig): number {
  const memory = config.memory;
  let lowmem: number;
  if (config.machine === "q35") lowmem = Math.min(memory >= 0xb0000000 ? 2 * GiB : 0xb0000000, config.maxRamBelow4g ?? 4 * GiB);
  else {
    const max = config.maxRamBelow4g ?? 0xe0000000;
    lowmem = memory >= max ? Math.min(max, 3 * GiB) : max;
  }
  return roundUp(4 * GiB + memory - Math.min(memory, lowmem), GiB);
}

export function placementCases(random: Random): Case[] {
  const cases: Case[] = [];
  // Device memory that reaches the HyperTransport hole: an AMD vCPU moves it (and RAM above
  // 4 GiB) to 1 TiB, even when there is no RAM above 4 GiB; an Intel one does not.
  for (const [machine, memory] of [["q35", 2 * GiB], ["q35", 4 * GiB], ["pc", 3 * GiB], ["pc", 6 * GiB]] as const) {
    for (const cpuVendor of ["amd", "intel"] as const) {
      const config: QemuConfig = { machine, memory, maxmem: memory + 1100 * GiB, physBits: 42, cpuVendor, virtioMem: [{ size: 8 * GiB, requested: 0 }] };
      cases.push({ label: describe(config), config });
    }
  }
  for (let i = 0; i < scaled(400); i++) {
    const machine = random.pick(["q35", "pc"] as const);
    const memory = random.pick(BOOT_SIZES);
    const devices = [validDevice(random)];
    if (random.chance(0.3)) devices.push(validDevice(random));
    const config: QemuConfig = { machine, memory, virtioMem: devices };
    if (random.chance(0.3)) config.slots = 1 + random.int(4);
    const total = devices.reduce((sum, d) => sum + d.size, 0);
    config.maxmem = memory + total + random.pick([0, 0, 512 * MiB, GiB, 3 * GiB, 16 * GiB]);
    if (random.chance(0.25)) {
      // A fixed address for one device, inside device memory and aligned (it may still
      // collide with the other device: QEMU's message for that is compared too).
      const d = random.pick(devices);
      const align = Math.max(d.blockSize ?? 2 * MiB, 2 * MiB);
      const room = config.maxmem - memory + GiB * (config.slots ?? 0);
      const offsets = [0, 256 * MiB, GiB, 4 * GiB, total - d.size].map((o) => roundUp(o, align)).filter((o) => o + d.size <= room);
      d.memaddr = deviceMemoryStart(config) + random.pick(offsets.length > 0 ? offsets : [0]);
    }
    if (random.chance(0.2)) config.cpuVendor = "intel";
    cases.push({ label: describe(config), config });
  }
  return cases;
}

type Fault = (random: Random, config: QemuConfig, device: VirtioMemConfig) => string;

/** One thing QEMU must refuse (or, for some, QEMU may accept: then the engine must too). */
const FAULTS: Fault[] = [
  (random, _c, d) => {
    d.blockSize = random.pick([3 * MiB, 6 * MiB, 12 * MiB, 1536 * KiB, 768 * KiB, 3 * KiB, 100 * MiB]);
    return "block-size not a power of two";
  },
  (random, _c, d) => {
    d.blockSize = random.pick([4 * KiB, 64 * KiB, 512 * KiB]);
    return "block-size below 1 MiB";
  },
  (random, _c, d) => {
    const bs = d.blockSize ?? 2 * MiB;
    d.requested = bs * random.int(d.size / bs) + random.pick([bs / 2, MiB, 4 * KiB].filter((x) => x < bs && x % (4 * KiB) === 0));
    return "requested not a multiple of block-size";
  },
  (random, _c, d) => {
    d.requested = 0;
    if (random.chance(0.25)) {
      d.blockSize = 2 * d.size;
      return "block-size above size";
    }
    const bs = d.blockSize ?? 2 * MiB;
    d.size = d.size + random.pick([bs / 2, MiB, 4 * KiB].filter((x) => x < bs && x % (4 * KiB) === 0));
    return "size not a multiple of block-size";
  },
  (random, c, d) => {
    const bs = d.blockSize ?? 2 * MiB;
    d.memaddr = deviceMemoryStart(c) + random.pick([bs / 2, 4 * KiB, MiB].filter((x) => x < bs));
    return "memaddr misaligned";
  },
  (random, c, d) => {
    d.memaddr = random.pick([4 * GiB, deviceMemoryStart(c) - GiB, (c.maxmem ?? c.memory) + 64 * GiB]);
    return "memaddr at or beyond an edge of device memory";
  },
  (random, c, d) => {
    c.maxmem = c.memory + Math.max(0, d.size - random.pick([d.blockSize ?? 2 * MiB, d.size / 2, d.size]));
    if (c.maxmem === c.memory) c.slots = undefined;
    return "not enough device memory";
  },
  (_r, c) => {
    c.maxmem = undefined;
    c.slots = undefined;
    return "no maxmem";
  },
  (random, _c, d) => {
    const bs = d.blockSize ?? 2 * MiB;
    d.requested = d.size + bs * (1 + random.int(4));
    return "requested above size";
  },
  (random, c) => {
    c.maxmem = c.memory + random.pick([64, 256, 1000]) * GiB;
    c.physBits = 33 + random.int(8);
    return "phys-bits too low";
  },
  (_r, c) => {
    c.physBits = 32;
    return "phys-bits 32";
  },
  (random, c, d) => {
    d.blockSize = MiB;
    d.memaddr = deviceMemoryStart(c) + random.pick([1, 3, 5]) * MiB;
    return "memaddr aligned to a 1 MiB block-size only";
  },
  // -m's own checks (QEMU's machine options, before any device).
  (random, c) => {
    c.maxmem = c.memory - random.pick([GiB / 2, GiB / 4]);
    c.slots = undefined;
    return "maxmem below memory";
  },
  (random, c) => {
    c.maxmem = c.memory;
    c.slots = 1 + random.int(4);
    c.virtioMem = [];
    return "slots with maxmem equal to memory";
  },
  (random, c) => {
    c.maxmem = undefined;
    c.slots = 1 + random.int(4);
    c.virtioMem = [];
    return "slots without maxmem";
  },
];

export function verdictCases(random: Random): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < scaled(500); i++) {
    const machine = random.pick(["q35", "pc"] as const);
    const memory = random.pick(BOOT_SIZES);
    const device = validDevice(random, 8 * GiB);
    const config: QemuConfig = { machine, memory, maxmem: memory + device.size + random.pick([0, GiB, 4 * GiB]), virtioMem: [device] };
    if (random.chance(0.2)) config.slots = 1 + random.int(2);
    const fault = FAULTS[i % FAULTS.length];
    const what = fault(random, config, device);
    cases.push({ label: `${what}: ${describe(config)}`, config });
  }
  return cases;
}

// ---- wide generators: odd sizes, DIMMs, several devices, backends, NUMA, machine options --

const HUGE_2M: BackendConfig = { kind: "memfd", hugePageSize: 2 * MiB };
const BACKENDS: BackendConfig[] = [{}, {}, { kind: "memfd" }, { kind: "file" }, HUGE_2M];

/** Sizes that are often not 2 MiB, 8 KiB or even 4 KiB multiples. */
function oddSize(random: Random, scale: number): number {
  return random.pick([
    () => scale,
    () => scale + random.pick([4 * KiB, 8 * KiB, 12 * KiB, MiB, 2 * MiB, 3 * MiB]),
    () => scale - random.pick([4 * KiB, 8 * KiB, MiB, 2 * MiB]),
    () => (1 + random.int(64)) * 2 * MiB,
    () => (1 + random.int(2000)) * MiB,
    () => (1 + random.int(1 << 20)) * KiB,
  ])();
}

function smallBackend(random: Random, size: number): BackendConfig {
  const backend = { ...random.pick(BACKENDS) };
  // Preallocation really allocates (and TCG touches every page): small, non-hugetlb only.
  if (size <= 256 * MiB && backend.hugePageSize === undefined && random.chance(0.15)) backend.prealloc = true;
  return backend;
}

function numaNodes(random: Random, memory: number): NumaNodeConfig[] {
  const count = 1 + random.int(3);
  const ram = roundUp(memory, 8 * KiB);
  const nodes: NumaNodeConfig[] = [];
  let left = ram;
  for (let id = 0; id < count; id++) {
    const last = id === count - 1;
    const share = last ? left : roundUp(Math.floor(left / (count - id)), 2 * MiB);
    nodes.push({ id, memory: Math.max(0, Math.min(left, share)) });
    left -= nodes[id].memory;
  }
  const fault = random.int(10);
  if (fault === 0) nodes[0].memory += random.pick([4 * KiB, MiB, GiB]); // does not add up
  else if (fault === 1 && count > 1) nodes[count - 1].id += 1; // a gap in the ids
  else if (fault === 2 && count > 1) nodes[1].id = 0; // a duplicate
  else if (fault === 3 && count > 1) nodes.push({ id: count, memory: 0 }); // a node without memory
  return nodes.filter((n) => n.memory > 0 || random.chance(0.8));
}

function wideCase(random: Random, machine: "q35" | "pc" | "virt"): QemuConfig {
  const virt = machine === "virt";
  const memory = random.chance(0.5) ? oddSize(random, random.pick([GiB, 2 * GiB, 3 * GiB, 4 * GiB])) : random.pick([512 * MiB, GiB, 2816 * MiB, 3 * GiB, 6 * GiB, 16 * GiB]);
  const config: QemuConfig = { machine, memory: Math.max(memory, 64 * MiB) };
  if (virt) config.physBits = random.pick([40, 44, 44, 48, 52]);
  // virt writes its device tree into boot RAM, which needs real huge pages (none here: SIGBUS).
  const bootHuge = !virt && random.chance(0.15) && config.memory % (2 * MiB) === 0;
  if (bootHuge) config.bootBackendKind = HUGE_2M;
  else if (random.chance(0.25)) config.bootBackendKind = random.pick([{ kind: "memfd" }, { kind: "file" }] as BackendConfig[]);
  if (config.memory <= 256 * MiB && !bootHuge && random.chance(0.2)) config.bootBackendKind = { ...(config.bootBackendKind ?? {}), prealloc: true };
  const virtioMem: VirtioMemConfig[] = [];
  for (let i = random.int(4); i > 0; i--) {
    const d = validDevice(random, 8 * GiB);
    if (random.chance(0.3)) d.size = Math.max(MiB, oddSize(random, d.size));
    const backend = smallBackend(random, d.size);
    if (Object.keys(backend).length > 0) d.backend = backend;
    if (d.backend?.hugePageSize !== undefined && d.blockSize !== undefined && d.blockSize < d.backend.hugePageSize && random.chance(0.7)) d.blockSize = undefined;
    virtioMem.push(d);
  }
  const dimms: DimmConfig[] = [];
  for (let i = random.pick([0, 0, 1, 1, 2, 3]); i > 0; i--) {
    const size = random.chance(0.3) ? oddSize(random, random.pick([128 * MiB, GiB])) : random.pick([128 * MiB, 512 * MiB, GiB, 2 * GiB]);
    const dimm: DimmConfig = { size: Math.max(4 * KiB, size) };
    const backend = smallBackend(random, size);
    delete backend.prealloc;
    if (Object.keys(backend).length > 0) dimm.backend = backend;
    dimms.push(dimm);
  }
  if (virtioMem.length > 0) config.virtioMem = virtioMem;
  if (dimms.length > 0) config.dimms = dimms;
  const devicesTotal = [...virtioMem, ...dimms].reduce((sum, d) => sum + roundUp(d.size, 2 * MiB), 0);
  if (devicesTotal > 0 || random.chance(0.3)) {
    config.maxmem = config.memory + devicesTotal + random.pick([0, 0, 2 * MiB, GiB, 4 * GiB, -GiB]);
    if (random.chance(0.1)) config.maxmem += random.pick([KiB, 4 * KiB, 6 * KiB]);
    if (config.maxmem <= 0 || (config.maxmem <= config.memory && random.chance(0.5))) config.maxmem = undefined;
  }
  if (dimms.length > 0 || random.chance(0.15)) {
    if (random.chance(0.85)) config.slots = random.pick([0, 1, 2, 4, 8, dimms.length, 256, 257, 300]);
  }
  if (random.chance(0.25)) config.numa = numaNodes(random, config.memory);
  for (const d of [...virtioMem, ...dimms]) if (random.chance(0.15)) d.node = random.pick([0, 1, 2, 3]);
  if (!virt) {
    if (random.chance(0.2)) config.maxRamBelow4g = random.pick([512 * KiB, MiB + 4 * KiB, GiB, 2 * GiB - 4 * KiB, 2 * GiB, 2560 * MiB, 3 * GiB, 3 * GiB + 2 * MiB, 3 * GiB + 4 * KiB, 4 * GiB, 5 * GiB, 5120 * MiB]);
    if (random.chance(0.3)) config.physBits = random.pick([31, 32, 36, 40, 44, 48, 52, 53]);
    if (random.chance(0.25)) config.cpuVendor = "intel";
  } else {
    if (random.chance(0.1)) config.highmem = false;
    if (random.chance(0.08)) config.maxmem = (config.maxmem ?? config.memory) + random.pick([1000, 16000, 300_000]) * GiB;
  }
  for (const d of virtioMem) {
    if (random.chance(0.05)) d.dynamicMemslots = random.chance(0.5);
    if (random.chance(0.05)) d.unpluggedInaccessible = true;
  }
  const all = [...virtioMem, ...dimms];
  if (all.length > 0 && config.maxmem !== undefined && random.chance(0.15)) {
    const d = random.pick(all);
    const base = virt ? roundUp(GiB + roundUp(config.memory, 8 * KiB), GiB) : deviceMemoryStart({ ...config, memory: roundUp(config.memory, 8 * KiB) });
    d.memaddr = base + random.pick([0, 2 * MiB, 128 * MiB, GiB, 4 * KiB]);
  }
  return config;
}

export function wideCases(random: Random, machines: readonly ("q35" | "pc" | "virt")[], count: number): Case[] {
  return Array.from({ length: count }, () => {
    const config = wideCase(random, random.pick(machines));
    return { label: describe(config), config };
  });
}

/**
 * Declared NUMA nodes with memory devices on them: 2–4 nodes sharing boot RAM, virtio-mem and
 * DIMMs on any node; a fifth with one fault: a device on a node that does not exist, a gap
 * or a duplicate in the ids, a node without memory, or nodes that do not add up to memory.
 */
export function numaCases(random: Random, count: number): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const machine = random.pick(["q35", "pc"] as const);
    const memory = random.pick(BOOT_SIZES);
    const nodes = 2 + random.int(3);
    const numa: NumaNodeConfig[] = [];
    let left = memory;
    for (let id = 0; id < nodes; id++) {
      const share = id === nodes - 1 ? left : Math.max(64 * MiB, roundUp(Math.floor(left / (nodes - id)) - random.int(2) * 128 * MiB, 2 * MiB));
      numa.push({ id, memory: share });
      left -= share;
    }
    const config: QemuConfig = { machine, memory, numa };
    const devices = random.int(3);
    const virtioMem: VirtioMemConfig[] = [];
    const dimms: DimmConfig[] = [];
    for (let d = 0; d < devices; d++) {
      if (random.chance(0.3)) dimms.push({ size: random.pick([512 * MiB, GiB, 2 * GiB]), node: random.int(nodes) });
      else virtioMem.push({ ...validDevice(random, 8 * GiB), node: random.int(nodes) });
    }
    if (virtioMem.length > 0) config.virtioMem = virtioMem;
    if (dimms.length > 0) config.dimms = dimms;
    const total = [...virtioMem, ...dimms].reduce((sum, d) => sum + d.size, 0);
    if (devices > 0 || random.chance(0.3)) {
      config.maxmem = memory + total + random.pick([0, GiB, 4 * GiB]);
      config.slots = dimms.length + random.int(3);
      if (config.slots === 0) config.slots = undefined;
    }
    if (random.chance(0.2)) config.cpuVendor = "intel";
    let what = "";
    if (random.chance(0.2)) {
      const fault = random.int(5);
      const all = [...virtioMem, ...dimms];
      if (fault === 0 && all.length > 0) {
        random.pick(all).node = nodes + random.int(2);
        what = "a device on a missing node: ";
      } else if (fault === 1) {
        numa[nodes - 1].id += 1;
        what = "a gap in the node ids: ";
      } else if (fault === 2) {
        numa[nodes - 1].id = 0;
        what = "a duplicate node id: ";
      } else if (fault === 3) {
        numa.push({ id: nodes, memory: 0 });
        what = "a node without memory: ";
      } else {
        numa[0].memory += random.pick([2 * MiB, GiB]);
        what = "nodes that do not add up: ";
      }
    }
    cases.push({ label: what + describe(config), config });
  }
  return cases;
}

/** Devices QEMU starts with, then resize steps: block multiples, not multiples, above the size, 0. */
export function runtimeCases(random: Random, machine: "q35" | "virt"): Case[] {
  return Array.from({ length: scaled(150) }, () => {
    const devices = Array.from({ length: 1 + random.int(2) }, () => validDevice(random, 8 * GiB));
    for (const d of devices) if (random.chance(0.3)) d.backend = random.pick(BACKENDS.filter((b) => b.hugePageSize === undefined));
    const memory = random.pick([GiB, 2 * GiB, 4 * GiB]);
    const config: QemuConfig = { machine, memory, maxmem: memory + devices.reduce((sum, d) => sum + d.size, 0), virtioMem: devices };
    if (machine === "virt") config.physBits = 44;
    const resizes = Array.from({ length: 1 + random.int(4) }, () => {
      const device = random.int(devices.length);
      const d = devices[device];
      const bs = d.blockSize ?? 2 * MiB;
      const size = random.pick([
        () => bs * random.int(d.size / bs + 1),
        () => bs * random.int(d.size / bs) + random.pick([MiB, 4 * KiB, bs / 2].filter((x) => x > 0 && x < bs && x % (4 * KiB) === 0).concat([bs])),
        () => d.size + bs * (1 + random.int(3)),
        () => 0,
      ])();
      return { device, size };
    });
    return { label: `${describe(config)}; ${resizes.map((r) => `resize vm${r.device} to ${sizeLiteral(r.size)}`).join(", ")}`, config, resizes };
  });
}

/** virt's own edges: RAM size against the CPU's address size, highmem=off, device memory, DIMMs. */
export function virtCases(random: Random): Case[] {
  const cases: Case[] = [];
  for (const physBits of [40, 44, 48, 52]) {
    for (const memory of [GiB, 3 * GiB, 4 * GiB, 784412 * KiB, 16 * GiB]) {
      cases.push({ label: describe({ machine: "virt", memory, physBits }), config: { machine: "virt", memory, physBits } });
    }
    const limit = 2 ** physBits;
    for (const over of [-GiB, 0, GiB]) {
      const config: QemuConfig = { machine: "virt", memory: 16 * GiB, maxmem: limit - 18 * GiB + over + 16 * GiB, physBits };
      if (config.maxmem! > config.memory) cases.push({ label: describe(config), config });
    }
  }
  for (let i = 0; i < scaled(150); i++) {
    const memory = random.pick([GiB, 2 * GiB, 3 * GiB, 4 * GiB, 6 * GiB]);
    const config: QemuConfig = { machine: "virt", memory, physBits: random.pick([40, 44, 48]) };
    if (random.chance(0.3)) config.highmem = false;
    const device = validDevice(random, 8 * GiB);
    if (random.chance(0.8)) config.virtioMem = [device];
    if (random.chance(0.7)) config.maxmem = memory + device.size + random.pick([0, GiB, 4 * GiB]);
    if (random.chance(0.3)) config.slots = random.pick([1, 2, 300]);
    if (config.virtioMem && config.maxmem !== undefined && random.chance(0.4)) FAULTS[random.int(10)](random, config, device);
    // Arm CPUs come in a few address sizes only.
    if (![40, 44, 48, 52].includes(config.physBits!)) config.physBits = 40;
    cases.push({ label: describe(config), config });
  }
  return cases;
}

const backendText = (b: BackendConfig | undefined) =>
  b === undefined ? "" : [b.kind ?? "ram", b.hugePageSize !== undefined ? `hugetlb ${sizeLiteral(b.hugePageSize)}` : "", b.prealloc ? "prealloc" : ""].filter(Boolean).join(" ");

export function describe(c: QemuConfig): string {
  const parts = [`${c.machine} -m ${sizeLiteral(c.memory)}`];
  if (c.bootBackendKind) parts.push(`boot ${backendText(c.bootBackendKind)}`);
  if (c.highmem === false) parts.push("highmem=off");
  if (c.maxmem !== undefined) parts.push(`maxmem=${sizeLiteral(c.maxmem)}`);
  if (c.slots !== undefined) parts.push(`slots=${c.slots}`);
  if (c.maxRamBelow4g !== undefined) parts.push(`max-ram-below-4g=${sizeLiteral(c.maxRamBelow4g)}`);
  if (c.cpuVendor) parts.push(c.cpuVendor);
  if (c.physBits !== undefined) parts.push(`phys-bits=${c.physBits}`);
  for (const d of c.virtioMem ?? []) {
    const extra = [d.memaddr !== undefined ? `@0x${d.memaddr.toString(16)}` : "", d.node !== undefined ? `node ${d.node}` : "", backendText(d.backend), d.dynamicMemslots !== undefined ? "dynamic-memslots" : "", d.unpluggedInaccessible !== undefined ? "unplugged-inaccessible" : ""];
    parts.push(`virtio-mem(${[sizeLiteral(d.size), `bs=${d.blockSize === undefined ? "default" : sizeLiteral(d.blockSize)}`, `req=${sizeLiteral(d.requested ?? 0)}`, ...extra].filter(Boolean).join(", ")})`);
  }
  for (const d of c.dimms ?? []) {
    parts.push(`dimm(${[sizeLiteral(d.size), d.memaddr !== undefined ? `@0x${d.memaddr.toString(16)}` : "", d.node !== undefined ? `node ${d.node}` : "", backendText(d.backend)].filter(Boolean).join(", ")})`);
  }
  if (c.numa) parts.push(`numa[${c.numa.map((n) => `${n.id}:${sizeLiteral(n.memory)}`).join(" ")}]`);
  return parts.join(" ");
}

// ---- the engine's side ------------------------------------------------------------------

/** A backend in the language: `backend`, `page-size` (2M: hugetlb), `prealloc`, written out even where they are the defaults (a device would inherit the VM's). */
function backendAttributes(b: BackendConfig | undefined): string[] {
  return [`backend = ${b?.kind ?? "ram"}`, `page-size = ${sizeLiteral(b?.hugePageSize ?? 4 * KiB)}`, `prealloc = ${b?.prealloc ? "on" : "off"}`];
}

/**
 * The same configuration as a .vmtopo file. x86: qemu64 under TCG is a named CPU (phys-bits
 * 40), AuthenticAMD. virt: an aarch64 host; phys-bits is the CPU model's address size.
 */
export function engineText(c: QemuConfig, resizes: Case["resizes"] = [], qemuVersion = "7.2"): string {
  const virt = c.machine === "virt";
  // Huge pages: QEMU maps hugetlb backends with reserve=off here, so no pool is needed; the host's pool is not what is compared.
  const lines = [`host here { qemu = "${qemuVersion}"${virt ? " arch = aarch64" : ""} hugepages { 2M = 1000000 } }`, "vm guest on here {", `  machine = ${c.machine}`, "  accel = tcg"];
  if (virt) lines.push(`  phys-bits = ${c.physBits ?? 44}`);
  else lines.push("  cpu = named", `  cpu-vendor = ${c.cpuVendor ?? "amd"}`);
  if (c.highmem === false) lines.push("  highmem = off");
  lines.push(`  memory = ${sizeLiteral(c.memory)}`);
  if (c.bootBackendKind) lines.push(...backendAttributes(c.bootBackendKind).map((a) => `  ${a}`));
  if (c.maxmem !== undefined) lines.push(`  maxmem = ${sizeLiteral(c.maxmem)}`);
  if (c.slots !== undefined) lines.push(`  slots = ${c.slots}`);
  if (c.maxRamBelow4g !== undefined) lines.push(`  max-ram-below-4g = ${sizeLiteral(c.maxRamBelow4g)}`);
  if (c.physBits !== undefined && !virt) lines.push(`  phys-bits = ${c.physBits}`);
  if (c.numa) lines.push(`  numa { ${c.numa.map((n) => `node ${n.id} { memory = ${sizeLiteral(n.memory)} }`).join(" ")} }`);
  (c.virtioMem ?? []).forEach((d, i) => {
    const attrs = [`size = ${sizeLiteral(d.size)}`];
    if (d.blockSize !== undefined) attrs.push(`block-size = ${sizeLiteral(d.blockSize)}`);
    attrs.push(`requested = ${sizeLiteral(d.requested ?? 0)}`);
    if (d.memaddr !== undefined) attrs.push(`memaddr = 0x${d.memaddr.toString(16)}`);
    if (d.node !== undefined) attrs.push(`node = ${d.node}`);
    if (d.backend || c.bootBackendKind) attrs.push(...backendAttributes(d.backend));
    if (d.dynamicMemslots !== undefined) attrs.push(`dynamic-memslots = ${d.dynamicMemslots ? "on" : "off"}`);
    if (d.unpluggedInaccessible !== undefined) attrs.push(`unplugged-inaccessible = ${d.unpluggedInaccessible ? "on" : "off"}`);
    lines.push(`  virtio-mem vm${i} { ${attrs.join(" ")} }`);
  });
  (c.dimms ?? []).forEach((d, i) => {
    const attrs = [`size = ${sizeLiteral(d.size)}`];
    if (d.memaddr !== undefined) attrs.push(`memaddr = 0x${d.memaddr.toString(16)}`);
    if (d.node !== undefined) attrs.push(`node = ${d.node}`);
    if (d.backend || c.bootBackendKind) attrs.push(...backendAttributes(d.backend).filter((a) => !a.startsWith("prealloc")));
    lines.push(`  dimm dimm${i} { ${attrs.join(" ")} }`);
  });
  lines.push("}");
  if (resizes.length > 0) lines.push("scenario s for guest {", ...resizes.map((r) => `  resize vm${r.device} to ${sizeLiteral(r.size)}`), "}");
  return lines.join("\n") + "\n";
}

/** The 0-based line of the first resize step in engineText's output. */
export const firstStepLine = (text: string) => text.split("\n").findIndex((l) => l.startsWith("scenario s for guest")) + 1;

const hex = (n: number) => "0x" + n.toString(16);
export const show = (s: { name: string; kind: string; start: number; end: number }) => `${s.kind} ${s.name} [${hex(s.start)}, ${hex(s.end)})`;

/** QEMU's region names in the engine's vocabulary: boot RAM (and NUMA nodes' backends nN) is "ram", backend mN is device vmN, dN is dimmN. */
export function qemuSectionView(s: FlatSection): string {
  let name = s.name;
  if (name === "pc.ram" || name === "mach-virt.ram" || /^n\d+$/.test(name)) name = "ram";
  else if (name === "pc.bios" && s.offset !== undefined) name = "isa-bios";
  else if (/^m\d+$/.test(name)) name = "v" + name;
  else if (/^d\d+$/.test(name)) name = "dimm" + name.slice(1);
  return show({ name, kind: s.kind, start: s.start, end: s.end });
}

export function engineSectionView(s: { name: string; kind: string; start: number; end: number }): string {
  const name = /^ram-/.test(s.name) || /^mach-virt\.ram/.test(s.name) ? "ram" : s.name;
  const kind = s.kind === "virtio-mem" || s.kind === "dimm" ? "ram" : s.kind;
  return show({ name, kind, start: s.start, end: s.end });
}

/** Backends, huge pages, DIMMs and NUMA nodes: what the exporter spells differently per case. */
export function backendDesigns(random: Random, n: number, version: string): string[] {
  const designs: string[] = [];
  for (let i = 0; i < n; i++) {
    const machine = random.pick(["q35", "pc"]);
    const memory = random.pick([GiB, 2 * GiB, 3 * GiB, 4 * GiB, 6 * GiB, 16 * GiB]);
    const vmBackend = random.pick(["ram", "memfd", "memfd-2M", "memfd-1G", "file-2M", "file-1G", "file-tmpfs"]);
    const lines = [`host here { qemu = "${version}" }`, "vm guest on here {", `  machine = ${machine}`, "  accel = tcg", "  cpu = named", `  cpu-vendor = ${random.pick(["amd", "intel"])}`, `  memory = ${sizeLiteral(memory)}`];
    lines.push(...backendLines(vmBackend, "  "));
    let deviceTotal = 0;
    const devices: string[] = [];
    const count = random.int(3);
    let slots = 0;
    for (let d = 0; d < count; d++) {
      if (random.chance(0.3)) {
        const size = random.pick([512 * MiB, GiB, 2 * GiB]);
        devices.push(`  dimm d${d} { size = ${sizeLiteral(size)} }`);
        deviceTotal += size;
        slots++;
        continue;
      }
      // A preallocated backend is small anonymous memory: QEMU allocates it before refusing it (VT117).
      const prealloc = random.chance(0.1);
      const backend = prealloc ? "ram-4K" : random.pick(["same", "ram", "memfd", "memfd-2M", "memfd-1G"]);
      const page = backend.endsWith("1G") ? GiB : backend.endsWith("2M") ? 2 * MiB : 0;
      const size = prealloc ? GiB : random.pick([GiB, 2 * GiB, 4 * GiB, 8 * GiB]) + random.pick([0, 0, 0, 2 * MiB, 6 * MiB]);
      const attrs = [`size = ${sizeLiteral(size)}`];
      if (backend !== "same") attrs.push(...backendLines(backend, ""));
      if (random.chance(0.5)) attrs.push(`block-size = ${sizeLiteral(random.pick([2 * MiB, 4 * MiB, 128 * MiB, GiB].filter((b) => b >= page)))}`);
      if (random.chance(0.3)) attrs.push(`requested = ${sizeLiteral(random.pick([0, GiB, 3 * MiB]))}`);
      if (random.chance(0.2)) attrs.push("node = 1");
      if (prealloc) attrs.push("prealloc = on");
      devices.push(`  virtio-mem v${d} { ${attrs.join(" ")} }`);
      deviceTotal += size;
    }
    if (slots > 0 || random.chance(0.2)) lines.push(`  slots = ${slots + random.int(2)}`);
    if (count > 0 || random.chance(0.2)) lines.push(`  maxmem = ${sizeLiteral(memory + deviceTotal + random.pick([0, 0, GiB, -2 * MiB].filter((x) => deviceTotal + x >= 0)))}`);
    designs.push([...lines, ...devices, "}", ""].join("\n"));
  }
  return designs;
}

function backendLines(kind: string, indent: string): string[] {
  const [backend, page] = kind.split("-");
  const out = [`backend = ${backend}`];
  if (page === "tmpfs") out.push("file-system = tmpfs");
  else if (page) out.push(`page-size = ${page}`, ...(backend === "file" ? ["file-system = hugetlbfs"] : []));
  return indent ? out.map((l) => indent + l) : out;
}
