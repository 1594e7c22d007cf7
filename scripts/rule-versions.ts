// The "Versions" section of each rule page (docs/rules/VTnnn.md), generated from the engine's
// version table (server/src/engine/versions.ts). `npm run docs:versions` rewrites the pages;
// test/unit/rule-pages.test.ts fails when a page and the table disagree.
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { factsOfRule } from "../server/src/engine/versions";

export const BEGIN = "<!-- versions: generated from server/src/engine/versions.ts by `npm run docs:versions`; do not edit -->";
export const END = "<!-- end of versions -->";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The section for `code`, or "" when no version fact concerns it. */
export function versionsSection(code: string): string {
  const facts = factsOfRule(code);
  if (facts.length === 0) return "";
  const rows = facts.map((f) => `| ${f.component === "qemu" ? "QEMU" : "Linux"} ${f.since}${f.until ? ` (until ${f.until})` : ""} | ${cell(f.what)} | ${cell(f.source)} | \`${f.id}\` |`);
  return [BEGIN, "## Versions", "", "What changed with the QEMU or Linux version, as the engine applies it (the host's `qemu` and `kernel`):", "", "| since | behaviour | source | fact |", "|---|---|---|---|", ...rows, END].join("\n");
}

/** The page with its section replaced (or appended, or removed). */
export function withVersions(page: string, code: string): string {
  const start = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  const body = start >= 0 && end > start ? (page.slice(0, start) + page.slice(end + END.length)).replace(/\n{3,}$/, "\n\n") : page;
  const section = versionsSection(code);
  const trimmed = body.replace(/\s+$/, "");
  return section ? `${trimmed}\n\n${section}\n` : `${trimmed}\n`;
}

export const RULES_DIR = fileURLToPath(new URL("../docs/rules/", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of readdirSync(RULES_DIR).filter((f) => /^VT\d{3}\.md$/.test(f))) {
    const path = join(RULES_DIR, file);
    const page = readFileSync(path, "utf8");
    const updated = withVersions(page, file.slice(0, 5));
    if (updated !== page) {
      writeFileSync(`${path}.tmp`, updated);
      renameSync(`${path}.tmp`, path);
      console.log(`updated ${file}`);
    }
  }
}
