// Bundles the extension, the language server (also the CLI) and the webview into dist/.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
const production = process.env.VMTOPO_DEV !== "1";
const started = performance.now();

const node = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // Maps stay beside the bundles for debugging; the shipped files carry no link to them.
  sourcemap: production ? "external" : "linked",
  minify: production,
  logLevel: "warning",
  // rule-pages.ts reads import.meta.url only where __dirname is missing (sources run as ES modules).
  logOverride: { "empty-import-meta": "silent" },
  define: { __VMTOPO_VERSION__: JSON.stringify(pkg.version) },
};

await Promise.all([
  build({ ...node, entryPoints: ["client/src/extension.ts"], outfile: "dist/extension.cjs", external: ["vscode"] }),
  build({ ...node, entryPoints: ["server/src/main.ts"], outfile: "dist/server.cjs" }),
  // The command line alone, without the language server's libraries: it starts faster.
  build({ ...node, entryPoints: ["server/src/cli/main.ts"], outfile: "dist/cli.cjs" }),
  build({
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    // Maps stay beside the bundles for debugging; the shipped files carry no link to them.
  sourcemap: production ? "external" : "linked",
    minify: production,
    logLevel: "warning",
    entryPoints: ["webview/src/main.ts"],
    outfile: "dist/webview.js",
  }),
]);
console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
