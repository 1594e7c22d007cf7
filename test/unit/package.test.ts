// The .vsix a user installs (`npm run package`, which `npm test` runs before the unit tests):
// only what runs is inside, everything that runs is inside, and it stays under 2 MB. The zip's
// central directory is read with Buffer and zlib, no unzip tool needed.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { inflateRawSync } from "node:zlib";
import { repoRoot } from "../support/fixtures";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
const vsixPath = join(repoRoot, `${pkg.name}-${pkg.version}.vsix`);
const MAX_BYTES = 2 * 1024 * 1024;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The entries of a zip file, from its central directory (no ZIP64: a .vsix is far below 4 GiB). */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, "no end-of-central-directory record: not a zip file");
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, `central directory entry ${i} is malformed`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      method: zip.readUInt16LE(offset + 10),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      name: zip.toString("utf8", offset + 46, offset + 46 + nameLength),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of one entry (stored or deflated). */
function zipRead(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset;
  assert.equal(zip.readUInt32LE(at), 0x04034b50, `local header of ${entry.name} is malformed`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  assert.equal(entry.method, 8, `${entry.name}: compression method ${entry.method}`);
  return inflateRawSync(data);
}

function vsix(): { zip: Buffer; files: Map<string, ZipEntry> } {
  assert.ok(existsSync(vsixPath), `${vsixPath} is missing: run 'npm run package' first (npm test does)`);
  for (const bundle of ["dist/extension.cjs", "dist/server.cjs"]) {
    assert.ok(statSync(join(repoRoot, bundle)).mtimeMs <= statSync(vsixPath).mtimeMs, `the .vsix is older than ${bundle}: run 'npm run package' again`);
  }
  const zip = readFileSync(vsixPath);
  const files = new Map(zipEntries(zip).map((e) => [e.name, e]));
  return { zip, files };
}

const filesIn = (dir: string, ext: string): string[] =>
  existsSync(join(repoRoot, dir)) ? readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith(ext)).sort().map((f) => `${dir}/${f}`) : [];

/** What may be in the package, below `extension/`. */
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^readme\.md$/,
  /^LICENSE\.txt$/,
  /^changelog\.md$/i,
  /^dist\/(extension|server)\.cjs$/,
  /^dist\/webview\.(js|css)$/,
  /^grammar\/(vmtopo\.tmLanguage|language-configuration)\.json$/,
  /^images\/(icon\.png|file-icon\.svg)$/,
  /^images\/screenshots\/[\w-]+\.png$/,
  /^docs\/rules\/(README|VT\d{3})\.md$/,
  /^docs\/[\w-]+\.md$/,
  /^examples\/[\w-]+\.vmtopo$/,
  /^media\/walkthrough\/[\w-]+\.(md|png|svg)$/,
];

test("the .vsix holds only what runs", () => {
  const { files } = vsix();
  const names = [...files.keys()];
  const outside = names.filter((n) => !n.startsWith("extension/") && n !== "[Content_Types].xml" && n !== "extension.vsixmanifest");
  assert.deepEqual(outside, [], "vsce's own files aside, everything is under extension/");
  const inside = names.filter((n) => n.startsWith("extension/")).map((n) => n.slice("extension/".length));
  const forbidden = inside.filter((n) => /(^|\/)(src|node_modules|test|scripts|\.cache|test-artifacts)\//.test(n) || /\.(map|ts|mjs)$/.test(n) || n.startsWith("."));
  assert.deepEqual(forbidden, [], "no sources, node_modules, tests, source maps or dotfiles");
  const unexpected = inside.filter((n) => !ALLOWED.some((re) => re.test(n)));
  assert.deepEqual(unexpected, [], "nothing beyond the runtime files (extend ALLOWED and .vscodeignore together)");
});

test("the .vsix holds everything that runs", () => {
  const { files } = vsix();
  const required = [
    "package.json",
    "readme.md",
    "LICENSE.txt",
    "changelog.md",
    "dist/extension.cjs",
    "dist/server.cjs",
    "dist/webview.js",
    "grammar/vmtopo.tmLanguage.json",
    "grammar/language-configuration.json",
    "images/icon.png",
    "images/file-icon.svg",
    ...filesIn("docs/rules", ".md"),
    ...filesIn("examples", ".vmtopo"),
    ...filesIn("media/walkthrough", ".md"),
    ...filesIn("images/screenshots", ".png"),
  ];
  assert.ok(required.some((f) => f.startsWith("docs/rules/VT")) && required.some((f) => f.startsWith("examples/")), "rule pages and examples exist");
  const missing = required.filter((f) => !files.has(`extension/${f}`));
  assert.deepEqual(missing, [], "the bundles, grammar, README, licence, icons, rule pages, examples and walkthrough media are packaged");
});

test("every file package.json points at is in the .vsix", () => {
  const { zip, files } = vsix();
  const packaged = JSON.parse(zipRead(zip, files.get("extension/package.json")!).toString("utf8"));
  assert.deepEqual(packaged.contributes, pkg.contributes, "the packaged manifest is the current package.json");
  const c = packaged.contributes;
  const paths: string[] = [
    packaged.main,
    packaged.icon,
    ...c.languages.flatMap((l: { configuration?: string; icon?: { light: string; dark: string } }) => [l.configuration, l.icon?.light, l.icon?.dark]),
    ...c.grammars.map((g: { path: string }) => g.path),
    ...(c.walkthroughs ?? []).flatMap((w: { steps: { media: Record<string, unknown> }[] }) =>
      w.steps.flatMap((s) => Object.entries(s.media).filter(([k]) => k === "markdown" || k === "image" || k === "svg").map(([, v]) => (typeof v === "string" ? v : ""))),
    ),
  ].filter((p): p is string => typeof p === "string" && p !== "");
  const missing = paths.map((p) => p.replace(/^\.\//, "")).filter((p) => !files.has(`extension/${p}`));
  assert.deepEqual(missing, []);
});

test("every contributed command has an activation path", () => {
  const commands: string[] = (pkg.contributes.commands ?? []).map((c: { command: string }) => c.command);
  assert.ok(commands.includes("vmtopo.openExample"), "vmtopo.openExample is contributed");
  const events: string[] = pkg.activationEvents;
  assert.deepEqual(commands.filter((id) => !events.includes(`onCommand:${id}`)), []);
  assert.ok(events.includes("onLanguage:vmtopo"));
  assert.ok(!events.includes("*") && !events.includes("onStartupFinished"), "vmtopo activates on .vmtopo files and its commands only");
  const unknown = events.filter((e) => !/^onLanguage:vmtopo$|^onCommand:vmtopo\.|^onWebviewPanel:vmtopo\./.test(e));
  assert.deepEqual(unknown, []);
});

test("the .vsix is under 2 MB", () => {
  const size = statSync(vsixPath).size;
  assert.ok(size < MAX_BYTES, `${(size / 1024).toFixed(0)} KiB`);
});

test("the packaged README is the extension's, with every relative link inside the package", () => {
  const { zip, files } = vsix();
  const readme = zipRead(zip, files.get("extension/readme.md")!).toString("utf8");
  assert.match(readme, /^# vmtopo — VM memory topologies for QEMU\/KVM/, "client/README.md, not the repository's README");
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z][a-z0-9+.-]*:|^#/i.test(l));
  assert.ok(links.some((l) => l.startsWith("images/screenshots/")), "it shows screenshots");
  const broken = links.map((l) => decodeURI(l.split("#")[0])).filter((l) => !files.has(`extension/${l}`));
  assert.deepEqual(broken, []);
  for (const setting of Object.keys(pkg.contributes.configuration.properties)) assert.ok(readme.includes(`\`${setting}\``), `the README documents ${setting}`);
  for (const page of filesIn("docs/rules", ".md").filter((f) => /VT\d+\.md$/.test(f))) assert.ok(readme.includes(`](${page})`), `the README's rules index links ${page}`);
  for (const command of pkg.contributes.commands ?? []) assert.ok(readme.includes(`**vmtopo: ${command.title}**`), `the README lists the command ${command.title}`);
});

test("the README's screenshots are all used, PNG and small", () => {
  const source = readFileSync(join(repoRoot, "client", "README.md"), "utf8");
  const shots = filesIn("images/screenshots", ".png");
  assert.ok(shots.length > 0);
  for (const shot of shots) {
    assert.ok(source.includes(`../${shot}`), `${shot} is shown by client/README.md (or remove it)`);
    const bytes = readFileSync(join(repoRoot, shot));
    assert.equal(bytes.toString("latin1", 1, 4), "PNG", `${shot} is a PNG`);
    const width = bytes.readUInt32BE(16);
    assert.ok(width <= 1280 && bytes.length < 300 * 1024, `${shot}: ${width} px wide, ${(bytes.length / 1024).toFixed(0)} KiB`);
  }
});

test("the manifest says honestly where the extension works: Restricted Mode yes, virtual workspaces limited", () => {
  // It runs no code from the workspace (it only reads .vmtopo files), so Restricted Mode need
  // not disable it; in a virtual workspace imports cannot be read from disk.
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces, { supported: true });
  assert.equal(pkg.capabilities.virtualWorkspaces.supported, "limited");
  assert.match(pkg.capabilities.virtualWorkspaces.description, /import/);
});
