// Builds the .vsix offline from the bundles in dist/ (run `npm run build` first). The
// bundles carry their dependencies, so vsce is told not to collect node_modules.
//
// The extension's README (the page VS Code and the marketplace show) is client/README.md,
// not the repository's README.md. vsce puts it at the root of the package, so its relative
// links (../images/screenshots/…, ../docs/rules/…) are rebased onto the repository root into
// dist/README.md, which is what vsce packages; a link to a missing file fails the build.
// test/unit/package.test.ts checks the result.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const out = `${pkg.name}-${pkg.version}.vsix`;
export const EXTENSION_README = "client/README.md";
const PACKAGED_README = "dist/README.md";

/** `markdown` (a file at `from`, relative to the root) with its relative links rebased onto the root. */
export function rebaseLinks(markdown, from, exists = (file) => existsSync(path.join(root, file))) {
  const dir = path.posix.dirname(from);
  const rebase = (target) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#") || target.startsWith("/")) return target;
    const [file, fragment] = target.split(/(?=#)/);
    const rebased = path.posix.normalize(path.posix.join(dir, decodeURI(file)));
    if (rebased.startsWith("../")) throw new Error(`${from}: link '${target}' points outside the package`);
    if (!exists(rebased)) throw new Error(`${from}: link '${target}' points to ${rebased}, which does not exist`);
    return encodeURI(rebased) + (fragment ?? "");
  };
  return markdown
    .replace(/(\]\()([^)\s]+)(\s+"[^"]*")?\)/g, (_, open, target, title = "") => `${open}${rebase(target)}${title})`)
    .replace(/(<img\b[^>]*\bsrc=")([^"]+)(")/g, (_, open, target, close) => `${open}${rebase(target)}${close}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  mkdirSync(path.join(root, "dist"), { recursive: true });
  writeFileSync(path.join(root, PACKAGED_README), rebaseLinks(readFileSync(path.join(root, EXTENSION_README), "utf8"), EXTENSION_README));
  const vsce = createRequire(import.meta.url).resolve("@vscode/vsce/vsce");
  execFileSync(
    process.execPath,
    [vsce, "package", "--no-dependencies", "--readme-path", PACKAGED_README, "--no-rewrite-relative-links", "--out", out],
    { stdio: "inherit", cwd: root },
  );
  const size = statSync(path.join(root, out)).size;
  console.log(`packaged ${out}: ${(size / 1024).toFixed(0)} KiB in ${Math.round(performance.now() - started)} ms`);
}
