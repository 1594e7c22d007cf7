// `npm run bench`: prints figures, asserts nothing. Budgets are read by people (README).
// Parse and format of generated 500- and 5,000-line files, median of repeated runs.
import { format, parse } from "../grammar/src/index";

function generatedFile(lines: number): string {
  const out: string[] = ['host spr {', '  qemu = "10.2"', "  iommu {", "    page-sizes = [4K, 2M, 1G]", "  }", "}"];
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

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(run: () => void, repetitions: number): number {
  for (let i = 0; i < 3; i++) run(); // warm up the JIT
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const rows: [string, string][] = [];
for (const lines of [500, 5_000]) {
  const text = generatedFile(lines);
  const parsed = parse(text);
  if (parsed.diagnostics.length > 0) throw new Error(`generated file has diagnostics: ${parsed.diagnostics[0].message}`);
  rows.push([`parse ${lines.toLocaleString("en-US")} lines`, `${measure(() => parse(text), 21).toFixed(2)} ms median`]);
  rows.push([`format ${lines.toLocaleString("en-US")} lines`, `${measure(() => format(text), 21).toFixed(2)} ms median`]);
}
const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, figure] of rows) console.log(`${name.padEnd(width)}  ${figure}`);
