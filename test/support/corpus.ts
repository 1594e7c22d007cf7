// Valid .vmtopo texts to start from: the examples and the parser fixtures' inputs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "../../grammar/src/index";
import { fixtureFiles, readCases, repoRoot } from "./fixtures";
import { readdirSync } from "node:fs";

export function exampleFiles(): string[] {
  const dir = join(repoRoot, "examples");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".vmtopo"))
    .sort()
    .map((f) => join(dir, f));
}

export function validCorpus(): { name: string; text: string }[] {
  const examples = exampleFiles().map((path) => ({ name: path, text: readFileSync(path, "utf8") }));
  const fixtures = fixtureFiles("parser", ".txt").flatMap((path) => readCases(path).map((c) => ({ name: `${path}: ${c.title}`, text: c.input })));
  return [...examples, ...fixtures].filter((entry) => parse(entry.text).diagnostics.length === 0);
}
