// Generated inputs of the bench (and of the tests that hold the engine to its complexity):
// plain, deterministic text, so that a figure can be reproduced from its row's name.

/** A seeded linear congruential generator (MINSTD): the same inputs on every machine. */
export function seeded(seed = 1): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

/** About `lines` lines of VMs with virtio-mem, an assigned NIC and a two-step scenario each. */
export function generatedFile(lines: number): string {
  const out: string[] = ["host spr {", '  qemu = "10.2"', "  iommu {", "    page-sizes = [4K, 2M, 1G]", "  }", "}"];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `// guest ${i}`,
      `vm g${i} on spr {`,
      "  memory = 16G",
      "  maxmem = 80G",
      `  virtio-mem vmem${i} {`,
      "    size = 64G",
      "    block-size = 2M",
      "  }",
      `  vfio nic${i} { host = "0000:3b:00.0" }`,
      "}",
      `scenario s${i} for g${i} {`,
      "  convert 0 .. 256M to shared",
      `  resize vmem${i} to 4G`,
      "}",
    );
  }
  return out.join("\n") + "\n"; // whole blocks: about `lines` lines
}

const CONFIDENTIAL_GUEST = (memory: string) => [`host h { qemu = "10.2" vfio { backend = iommufd } }`, `vm td on h {`, `  confidential = tdx`, `  memory = ${memory}`, `  vfio nic0 {}`, `}`];

/** A TDX guest converting 10,000-style scattered 4 KiB..64 KiB ranges back and forth in its first GiB. */
export function churnScenario(memory: string, steps: number): string {
  const out = [...CONFIDENTIAL_GUEST(memory), `scenario churn for td {`];
  const random = seeded();
  for (let i = 0; i < steps; i++) {
    const page = 256 + Math.floor(random() * 200_000); // inside ram-below-4g of both guests
    const pages = 1 + Math.floor(random() * 16);
    out.push(`  convert ${page * 4096} .. ${(page + pages) * 4096} to ${i % 3 === 2 ? "private" : "shared"}`);
  }
  out.push("}");
  return out.join("\n") + "\n";
}

export type ConvertOrder = "ascending" | "descending" | "random";

/**
 * A 16 GiB TDX guest sharing `steps` separate 4 KiB pages, one `convert` each, every other
 * page from 16 MiB up: no two touch, so shared memory ends in `steps` separate intervals.
 */
export function fragmentingScenario(steps: number, order: ConvertOrder): string {
  const pages = Array.from({ length: steps }, (_, i) => 4096 + 2 * i); // page 4096 = 16 MiB
  if (order === "descending") pages.reverse();
  if (order === "random") {
    const random = seeded(7);
    for (let i = pages.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pages[i], pages[j]] = [pages[j], pages[i]];
    }
  }
  const out = [...CONFIDENTIAL_GUEST("16G"), `scenario fragment for td {`];
  for (const page of pages) out.push(`  convert ${page * 4096} .. ${(page + 1) * 4096} to shared`);
  out.push("}");
  return out.join("\n") + "\n";
}
