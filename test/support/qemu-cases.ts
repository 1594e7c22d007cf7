// Generated configurations for the QEMU oracle tests (test/unit/qemu-oracle.test.ts and
// test/unit/qemu-export.test.ts): QemuConfigs around the machines' thresholds, virtio-mem
// placements and faults QEMU refuses, the same configuration as a .vmtopo design, and the
// flat view's sections in one vocabulary for QEMU and the engine.
import { GiB, KiB, MiB, sizeLiteral } from "../../server/src/engine/format";
import type { FlatSection, QemuConfig, VirtioMemConfig } from "./qemu-oracle";
import type { Random } from "./random";

export interface Case {
  label: string;
  config: QemuConfig;
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
  for (let i = 0; i < 30; i++) {
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
  for (let i = 0; i < 45; i++) {
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
  for (let i = 0; i < 75; i++) {
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

export function describe(c: QemuConfig): string {
  const parts = [`${c.machine} -m ${sizeLiteral(c.memory)}`];
  if (c.maxmem !== undefined) parts.push(`maxmem=${sizeLiteral(c.maxmem)}`);
  if (c.slots !== undefined) parts.push(`slots=${c.slots}`);
  if (c.maxRamBelow4g !== undefined) parts.push(`max-ram-below-4g=${sizeLiteral(c.maxRamBelow4g)}`);
  if (c.cpuVendor) parts.push(c.cpuVendor);
  if (c.physBits !== undefined) parts.push(`phys-bits=${c.physBits}`);
  for (const d of c.virtioMem ?? []) {
    parts.push(`virtio-mem(${sizeLiteral(d.size)}, bs=${d.blockSize === undefined ? "default" : sizeLiteral(d.blockSize)}, req=${sizeLiteral(d.requested ?? 0)}${d.memaddr !== undefined ? `, @0x${d.memaddr.toString(16)}` : ""})`);
  }
  return parts.join(" ");
}

// ---- the engine's side ------------------------------------------------------------------

/** The same configuration as a .vmtopo file: qemu64 under TCG is a named CPU (phys-bits 40), AuthenticAMD. */
export function engineText(c: QemuConfig, qemuVersion: string): string {
  const lines = [`host here { qemu = "${qemuVersion}" }`, "vm guest on here {", `  machine = ${c.machine}`, "  accel = tcg", "  cpu = named"];
  lines.push(`  cpu-vendor = ${c.cpuVendor ?? "amd"}`);
  lines.push(`  memory = ${sizeLiteral(c.memory)}`);
  if (c.maxmem !== undefined) lines.push(`  maxmem = ${sizeLiteral(c.maxmem)}`);
  if (c.slots !== undefined) lines.push(`  slots = ${c.slots}`);
  if (c.maxRamBelow4g !== undefined) lines.push(`  max-ram-below-4g = ${sizeLiteral(c.maxRamBelow4g)}`);
  if (c.physBits !== undefined) lines.push(`  phys-bits = ${c.physBits}`);
  (c.virtioMem ?? []).forEach((d, i) => {
    const attrs = [`size = ${sizeLiteral(d.size)}`];
    if (d.blockSize !== undefined) attrs.push(`block-size = ${sizeLiteral(d.blockSize)}`);
    attrs.push(`requested = ${sizeLiteral(d.requested ?? 0)}`);
    if (d.memaddr !== undefined) attrs.push(`memaddr = 0x${d.memaddr.toString(16)}`);
    lines.push(`  virtio-mem vm${i} { ${attrs.join(" ")} }`);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

const hex = (n: number) => "0x" + n.toString(16);
export const show = (s: { name: string; kind: string; start: number; end: number }) => `${s.kind} ${s.name} [${hex(s.start)}, ${hex(s.end)})`;

/** QEMU's region names in the engine's vocabulary: boot RAM pieces are "ram", backend mN is device vmN. */
export function qemuSectionView(s: FlatSection): string {
  let name = s.name;
  if (name === "pc.ram") name = "ram";
  else if (name === "pc.bios" && s.offset !== undefined) name = "isa-bios";
  else if (/^m\d+$/.test(name)) name = "v" + name;
  return show({ name, kind: s.kind, start: s.start, end: s.end });
}

export function engineSectionView(s: { name: string; kind: string; start: number; end: number }): string {
  const name = /^ram-/.test(s.name) ? "ram" : s.name;
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
