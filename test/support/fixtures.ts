// Fixture files hold many cases, each a spec of its own:
//
//   === what the case shows
//   <input text>
//   --- ast
//   <expected dumpAst output>
//   --- diagnostics
//   <expected dumpDiagnostics output>   (absent section: no diagnostics)
//
// `UPDATE_FIXTURES=1` rewrites the expectations from the current output (review the diff).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FixtureCase {
  title: string;
  input: string;
  sections: Map<string, string>;
}

export const repoRoot = new URL("../../", import.meta.url).pathname;

export function fixtureFiles(folder: string, extension: string): string[] {
  const dir = join(repoRoot, "test", "fixtures", folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith(extension))
    .sort()
    .map((f) => join(dir, f));
}

export function readCases(path: string): FixtureCase[] {
  const text = readFileSync(path, "utf8");
  const cases: FixtureCase[] = [];
  for (const chunk of text.split(/^=== /m).slice(1)) {
    const [titleLine, ...rest] = chunk.split("\n");
    const body = rest.join("\n");
    const parts = body.split(/^--- (\w+(?: [\w.-]+)?)\n/m);
    const sections = new Map<string, string>();
    for (let i = 1; i < parts.length; i += 2) sections.set(parts[i].replace(" ", "_"), parts[i + 1].replace(/\n+$/, ""));
    cases.push({ title: titleLine.trim(), input: parts[0].replace(/\n$/, ""), sections });
  }
  return cases;
}

export function writeCases(path: string, cases: FixtureCase[]): void {
  const text = cases
    .map((c) => {
      const sections = [...c.sections].filter(([, v]) => v !== "").map(([k, v]) => `--- ${k}\n${v}\n`);
      return `=== ${c.title}\n${c.input}\n${sections.join("")}`;
    })
    .join("\n");
  writeFileSync(path, text);
}

export const updating = process.env.UPDATE_FIXTURES === "1";
