// Where a diagnostic's rule page is: docs/rules/VTnnn.md beside the bundle (shipped in the
// .vsix), as a file URI the editor can open; likewise the language reference, docs/language.md.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The bundles are CommonJS (dist/*.cjs); scripts and benches run the sources as ES modules.
const here = typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
const candidates = [join(here, "..", "docs", "rules"), join(here, "..", "..", "..", "docs", "rules")];
const rulesDir = candidates.find((dir) => existsSync(dir));

// Every published diagnostic asks for its page: the answer per code is looked up once.
const pages = new Map<string, string | undefined>();

export function rulePage(code: string): string | undefined {
  if (!rulesDir) return undefined;
  if (!pages.has(code)) {
    const page = join(rulesDir, `${code}.md`);
    pages.set(code, existsSync(page) ? pathToFileURL(page).href : undefined);
  }
  return pages.get(code);
}

const reference = [join(here, "..", "docs", "language.md"), join(here, "..", "..", "..", "docs", "language.md")].find((file) => existsSync(file));

/** The language reference (docs/language.md), at a section's anchor. */
export function languageReference(section: string): string | undefined {
  return reference ? `${pathToFileURL(reference).href}#${section}` : undefined;
}
