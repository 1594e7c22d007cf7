// Where a diagnostic's rule page is: docs/rules/VTnnn.md beside the bundle (shipped in the
// .vsix), as a file URI the editor can open; likewise the language reference, docs/language.md.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const candidates = [join(__dirname, "..", "docs", "rules"), join(__dirname, "..", "..", "..", "docs", "rules")];
const rulesDir = candidates.find((dir) => existsSync(dir));

export function rulePage(code: string): string | undefined {
  if (!rulesDir) return undefined;
  const page = join(rulesDir, `${code}.md`);
  return existsSync(page) ? pathToFileURL(page).href : undefined;
}

const reference = [join(__dirname, "..", "docs", "language.md"), join(__dirname, "..", "..", "..", "docs", "language.md")].find((file) => existsSync(file));

/** The language reference (docs/language.md), at a section's anchor. */
export function languageReference(section: string): string | undefined {
  return reference ? `${pathToFileURL(reference).href}#${section}` : undefined;
}
