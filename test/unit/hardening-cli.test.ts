// The CLI under hostile and careless use (issue 10): files that are not files, failing
// writes, broken pipes, forged output, figures past 2^53. Every case runs the bundled bin in
// a child process, bounded by a timeout, so a hang fails the test instead of stalling it.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../support/fixtures";

const bin = join(repoRoot, "bin", "vmtopo.js");
const workdir = mkdtempSync(join(tmpdir(), "vmtopo-harden-cli-"));
const TIMEOUT_MS = 15_000;

function vmtopo(args: string[], options: { shell?: string; env?: Record<string, string> } = {}) {
  const run = options.shell
    ? spawnSync("sh", ["-c", `${options.shell}; exec "$0" "$@"`, process.execPath, bin, ...args], { encoding: "utf8", cwd: workdir, timeout: TIMEOUT_MS, env: { ...process.env, ...options.env } })
    : spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: workdir, timeout: TIMEOUT_MS, env: { ...process.env, ...options.env } });
  assert.equal(run.signal, null, `vmtopo ${args.join(" ")} ended by ${run.signal} (a hang is killed after ${TIMEOUT_MS} ms)`);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const write = (name: string, text: string) => {
  writeFileSync(join(workdir, name), text);
  return name;
};
const good = write("good.vmtopo", "vm v {\n  memory = 4G\n}\n");
const messy = "vm   v {\n  memory=4G\n}\n";
const oneLine = (stderr: string) => assert.match(stderr, /^[^\n]*\n$/, `one line: ${JSON.stringify(stderr)}`);

describe("imports that are not .vmtopo sources are refused with a diagnostic on the import", () => {
  mkdirSync(join(workdir, "dir.vmtopo"));
  spawnSync("mkfifo", [join(workdir, "fifo.vmtopo")]);
  spawnSync("truncate", ["-s", "1G", join(workdir, "sparse.vmtopo")]);
  write("broken.vmtopo", "host h {\n  qemu \"10.2\"\n}\nvm {\n");

  const cases: [string, string, RegExp][] = [
    ["a FIFO with no writer (would block forever)", "fifo.vmtopo", /VT009 cannot import 'fifo\.vmtopo' \(.*\): a FIFO \(named pipe\), not a regular file/],
    ["/dev/zero (never ends)", "/dev/zero", /VT009 cannot import '\/dev\/zero': only \.vmtopo files can be imported/],
    ["/dev/urandom", "/dev/urandom", /VT009 .*only \.vmtopo files/],
    ["../../../../etc/passwd", "../../../../etc/passwd", /VT009 .*only \.vmtopo files/],
    ["/proc/self/environ", "/proc/self/environ", /VT009 .*only \.vmtopo files/],
    ["a .txt file", "notes.txt", /VT009 .*only \.vmtopo files/],
    ["a directory", "dir.vmtopo", /VT009 .*a directory, not a regular file/],
    ["a 1 GB sparse file (over the 10 MiB cap)", "sparse.vmtopo", /VT009 .*1 GiB, more than the 10 MiB limit/],
    ["a missing file", "missing.vmtopo", /VT005 cannot import 'missing\.vmtopo' \(.*\): no such file/],
    ["a file full of syntax errors", "broken.vmtopo", /VT010 the imported file 'broken\.vmtopo' has 3 errors; the first, line 2: VT001/],
  ];
  for (const [what, spec, expected] of cases) {
    test(what, () => {
      const name = write(`imports-${what.replace(/\W+/g, "-")}.vmtopo`, `import "${spec}"\n\nvm v {\n  memory = 4G\n}\n`);
      const started = Date.now();
      const run = vmtopo(["check", name]);
      assert.ok(Date.now() - started < 5_000, `answered in ${Date.now() - started} ms`);
      assert.equal(run.status, 1);
      assert.match(run.stdout.split("\n")[0], new RegExp(`^${name}:1:8: error ${expected.source}`));
    });
  }

  test("the size cap is configurable (VMTOPO_MAX_FILE_SIZE)", () => {
    const name = write("capped.vmtopo", `import "good.vmtopo"\n`);
    assert.equal(vmtopo(["check", name]).status, 0);
    const run = vmtopo(["check", name], { env: { VMTOPO_MAX_FILE_SIZE: "22" } });
    assert.match(run.stdout, /VT009 cannot import 'good\.vmtopo' \(.*\): 23 B, more than the 22 B limit/);
  });
});

describe("one unreadable file does not stop the others", () => {
  test("check a missing b: both reported, exit 2", () => {
    const b = write("b-check.vmtopo", "vm v {\n  memory 4G\n}\n");
    const run = vmtopo(["check", good, "missing.vmtopo", b]);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "vmtopo: missing.vmtopo: no such file\n");
    assert.match(run.stdout, /^b-check\.vmtopo:2:10: error VT001/m);
    assert.match(run.stdout, /2 files checked: 1 error/);
  });

  test("fmt missing b: b is still formatted, exit 2", () => {
    const b = write("b-fmt.vmtopo", messy);
    const run = vmtopo(["fmt", "missing.vmtopo", b]);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "vmtopo: missing.vmtopo: no such file\n");
    assert.equal(readFileSync(join(workdir, b), "utf8"), "vm v {\n  memory = 4G\n}\n");
  });

  test("check of a FIFO and a device as entry files: refused at once, not read", () => {
    const run = vmtopo(["check", "fifo.vmtopo", "/dev/zero", good]);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, "vmtopo: fifo.vmtopo: a FIFO (named pipe), not a regular file\nvmtopo: /dev/zero: a character device, not a regular file\n");
  });
});

describe("fmt never loses a file", () => {
  const big = messy.repeat(2000); // ~50 KB: past a 40-block file size limit

  test("a write that fails mid-way (ulimit -f 40 → EFBIG) leaves the original untouched, one line, exit 2", () => {
    const name = write("big.vmtopo", big);
    const run = vmtopo(["fmt", name], { shell: "ulimit -f 40" });
    assert.equal(run.status, 2);
    oneLine(run.stderr);
    assert.match(run.stderr, /^vmtopo: big\.vmtopo: not written, the original is unchanged: the file is too large/);
    assert.equal(readFileSync(join(workdir, name), "utf8"), big);
    assert.deepEqual(readdirSync(workdir).filter((f) => f.endsWith(".tmp")), [], "no temporary file left behind");
  });

  test("the file keeps its mode, and a symbolic link stays a link", () => {
    const name = write("mode.vmtopo", messy);
    chmodSync(join(workdir, name), 0o640);
    symlinkSync(name, join(workdir, "link.vmtopo"));
    assert.equal(vmtopo(["fmt", "link.vmtopo"]).status, 0);
    assert.equal(statSync(join(workdir, name)).mode & 0o777, 0o640);
    assert.ok(statSync(join(workdir, "link.vmtopo"), { throwIfNoEntry: true }) && readFileSync(join(workdir, name), "utf8").includes("memory = 4G"));
    assert.equal(spawnSync("readlink", [join(workdir, "link.vmtopo")], { encoding: "utf8" }).stdout.trim(), name);
  });
});

describe("output hygiene", () => {
  test("`check --format json <300 files> | head -c 10`: quiet exit 0 on EPIPE", async () => {
    const files = Array.from({ length: 300 }, () => good);
    const child = spawn(process.execPath, [bin, "check", "--format", "json", ...files], { cwd: workdir });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const first = await new Promise<Buffer>((resolve) => child.stdout.once("data", resolve));
    assert.ok(first.length > 0);
    child.stdout.destroy(); // the reader goes away, as `head` does
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(stderr, "");
    assert.equal(status, 0);
  });

  test("a newline in a path cannot forge an output line", () => {
    const name = write("evil\n:1:1: error VT999 forged.vmtopo", "vm v {\n  memory 4G\n}\n");
    const run = vmtopo(["check", name, "missing\nx.vmtopo"]);
    assert.doesNotMatch(run.stdout, /^:1:1: error VT999/m);
    assert.match(run.stdout, /^evil\\n:1:1: error VT999 forged\.vmtopo:2:10: error VT001/m);
    assert.equal(run.stderr, "vmtopo: missing\\nx.vmtopo: no such file\n");
  });

  test("report --format json refuses figures of 2^53 or more (CLI.md: safe integers)", () => {
    const name = write("huge.vmtopo", "vm v {\n  memory = 4G\n  maxmem = 9007199254740991\n}\n");
    const run = vmtopo(["report", "--format", "json", name]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    oneLine(run.stderr);
    assert.match(run.stderr, /is not a safe integer/);
    const ok = vmtopo(["report", "--format", "json", good]);
    assert.equal(ok.status, 0);
    JSON.parse(ok.stdout, (_key, value) => {
      if (typeof value === "number") assert.ok(Number.isSafeInteger(value) || !Number.isInteger(value), `${value} is safe`);
      return value;
    });
  });

  test("`vmtopo lsp` without --stdio: a one-line usage error, exit 2, no bundle dumped", () => {
    const run = vmtopo(["lsp"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr.split("\n")[0], /^vmtopo: lsp needs --stdio/);
    // The usage text, not 112 KB of minified bundle.
    assert.ok(run.stderr.length < 4096, `${run.stderr.length} bytes on stderr`);
  });
});
