// Builds the .vsix offline from the bundles in dist/ (run `npm run build` first). The
// bundles carry their dependencies, so vsce is told not to collect node_modules.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const out = `${pkg.name}-${pkg.version}.vsix`;
const vsce = createRequire(import.meta.url).resolve("@vscode/vsce/vsce");
const started = performance.now();
execFileSync(process.execPath, [vsce, "package", "--no-dependencies", "--out", out], { stdio: "inherit" });
const size = statSync(out).size;
console.log(`packaged ${out}: ${(size / 1024).toFixed(0)} KiB in ${Math.round(performance.now() - started)} ms`);
