// Microsoft's SARIF Multitool (`@microsoft/sarif-multitool` from npm), installed on demand into
// .cache/sarif (git-ignored), not a dependency of the project: ~100 MB of self-contained .NET.
// npm 11 does not run its postinstall (a chmod), so the binary is made executable here.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./fixtures";

export const SARIF_MULTITOOL_VERSION = "5.7.0";
const dir = join(repoRoot, ".cache", "sarif");
const binary = join(dir, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");

/** The path of the Multitool binary, installing it first if needed. */
export function sarifMultitool(): string {
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, "package.json"))) writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
    const npm = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", `@microsoft/sarif-multitool@${SARIF_MULTITOOL_VERSION}`], { cwd: dir, encoding: "utf8" });
    if (npm.status !== 0) throw new Error(`installing the SARIF Multitool failed:\n${npm.stderr}`);
  }
  chmodSync(binary, 0o755);
  return binary;
}

/** `validate` on one SARIF file: the findings it prints, e.g. "x.sarif(3,5): error SARIF1004: …". */
export function sarifFindings(sarifFile: string, outputFile: string): { status: number | null; findings: string[] } {
  const run = spawnSync(sarifMultitool(), ["validate", sarifFile, "--output", outputFile], {
    encoding: "utf8",
    // The self-contained .NET runtime wants ICU, which this machine may lack.
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" },
  });
  const findings = `${run.stdout}\n${run.stderr}`.split("\n").filter((line) => /: (error|warning|note) SARIF\d+/.test(line));
  return { status: run.status, findings };
}
