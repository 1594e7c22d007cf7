// The shared safe file reader, the CLI's atomic writes (with a file-system shim that fails
// each step), the server's asynchronous file cache and its guards, and the engine's import
// diagnostics (VT009, VT010) — in process, for the cases the CLI and LSP tests cannot stage.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, mock, test } from "node:test";
import { printable } from "../../server/src/cli/printable";
import { writeFileAtomically, WriteFailed } from "../../server/src/cli/files";
import { analyzeText } from "../../server/src/engine/analyze";
import { maxSourceBytes, readSourceFile, readSourceFileSync, type SourceRead } from "../../server/src/files/read-source";
import { DiskFiles, REVALIDATE_MS } from "../../server/src/lsp/disk-files";
import { guard, setGuardLog } from "../../server/src/lsp/guard";

const dir = mkdtempSync(join(tmpdir(), "vmtopo-harden-files-"));
const at = (name: string) => join(dir, name);

describe("reading sources safely (sync for the CLI, async for the server)", () => {
  writeFileSync(at("ok.vmtopo"), "vm v {\n  memory = 4G\n}\n");
  writeFileSync(at("nul.vmtopo"), "vm v {\u0000}\n");
  writeFileSync(at("latin1.vmtopo"), Buffer.from([0x76, 0x6d, 0x20, 0xe9, 0x0a]));
  mkdirSync(at("dir.vmtopo"));
  spawnSync("mkfifo", [at("fifo.vmtopo")]);
  spawnSync("truncate", ["-s", "1G", at("sparse.vmtopo")]);

  const cases: [string, string, SourceRead | RegExp][] = [
    ["a regular file", at("ok.vmtopo"), { text: "vm v {\n  memory = 4G\n}\n" }],
    ["a FIFO with no writer", at("fifo.vmtopo"), { code: "VT009", reason: "a FIFO (named pipe), not a regular file" }],
    ["/dev/zero", "/dev/zero", { code: "VT009", reason: "a character device, not a regular file" }],
    ["/dev/urandom", "/dev/urandom", { code: "VT009", reason: "a character device, not a regular file" }],
    ["a directory", at("dir.vmtopo"), { code: "VT009", reason: "a directory, not a regular file" }],
    ["a 1 GB sparse file", at("sparse.vmtopo"), { code: "VT009", reason: "1 GiB, more than the 10 MiB limit (VMTOPO_MAX_FILE_SIZE raises it)" }],
    ["a file with NUL bytes", at("nul.vmtopo"), { code: "VT009", reason: "a binary file (it contains NUL bytes)" }],
    ["a file that is not UTF-8", at("latin1.vmtopo"), { code: "VT009", reason: "not UTF-8 text" }],
    ["/proc/self/environ (says size 0, holds NULs)", "/proc/self/environ", { code: "VT009", reason: "a binary file (it contains NUL bytes)" }],
    ["a missing file", at("missing.vmtopo"), { code: "VT005", reason: "no such file", missing: true }],
    ["a path through a file", at("ok.vmtopo/x.vmtopo"), { code: "VT005", reason: "a part of the path is not a directory" }],
  ];
  for (const [what, path, expected] of cases) {
    test(`${what}: sync`, () => assert.deepEqual(readSourceFileSync(path), expected));
    test(`${what}: async`, async () => assert.deepEqual(await readSourceFile(path), expected));
  }

  test("a socket is refused", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(at("sock.vmtopo"), resolve));
    try {
      assert.deepEqual(readSourceFileSync(at("sock.vmtopo")), { code: "VT009", reason: "a socket, not a regular file" });
      assert.deepEqual(await readSourceFile(at("sock.vmtopo")), { code: "VT009", reason: "a socket, not a regular file" });
    } finally {
      server.close();
    }
  });

  test("the cap holds while reading too (a file that grows, or /proc's size 0)", () => {
    assert.deepEqual(readSourceFileSync("/proc/self/status", 64), { code: "VT009", reason: "larger than the 64 B limit (VMTOPO_MAX_FILE_SIZE raises it)" });
  });

  test("VMTOPO_MAX_FILE_SIZE: bytes or K/M/G (powers of 1024); nonsense keeps the default", () => {
    assert.equal(maxSourceBytes({}), 10 * 1024 * 1024);
    assert.equal(maxSourceBytes({ VMTOPO_MAX_FILE_SIZE: "4096" }), 4096);
    assert.equal(maxSourceBytes({ VMTOPO_MAX_FILE_SIZE: "64M" }), 64 * 1024 * 1024);
    assert.equal(maxSourceBytes({ VMTOPO_MAX_FILE_SIZE: "1GiB" }), 1024 ** 3);
    assert.equal(maxSourceBytes({ VMTOPO_MAX_FILE_SIZE: "-1" }), 10 * 1024 * 1024);
    assert.equal(maxSourceBytes({ VMTOPO_MAX_FILE_SIZE: "lots" }), 10 * 1024 * 1024);
  });
});

describe("writing a file by rename: every failing step leaves the original whole", () => {
  const original = "vm   v {\n  memory=4G\n}\n";
  const fail = (code: string) => () => {
    throw Object.assign(new Error(`${code}: simulated`), { code });
  };
  const steps: [string, keyof typeof fs, string, RegExp][] = [
    ["creating the temporary file on a read-only file system", "openSync", "EROFS", /read-only file system/],
    ["writing with the disk full", "writeSync", "ENOSPC", /no space left on the device/],
    ["writing past the file size limit", "writeSync", "EFBIG", /too large/],
    ["flushing to the disk", "fsyncSync", "EIO", /input\/output error/],
    ["renaming over the original", "renameSync", "EXDEV", /cannot rename across file systems/],
  ];
  for (const [what, method, code, reason] of steps) {
    test(`${what} (${code})`, (t) => {
      const path = at(`write-${code}-${method}.vmtopo`);
      writeFileSync(path, original);
      t.after(() => {
        mock.restoreAll();
        syncBuiltinESMExports();
      });
      mock.method(fs, method as never, fail(code));
      syncBuiltinESMExports(); // the module under test imports named exports of node:fs
      assert.throws(() => writeFileAtomically(path, "vm v {\n  memory = 4G\n}\n"), (error: Error) => error instanceof WriteFailed && reason.test(error.message) && !error.message.includes("\n"));
      mock.restoreAll();
      syncBuiltinESMExports();
      assert.equal(readFileSync(path, "utf8"), original);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), [], "the temporary file is removed");
    });
  }

  test("success replaces the content", () => {
    const path = at("write-ok.vmtopo");
    writeFileSync(path, original);
    writeFileAtomically(path, "new\n");
    assert.equal(readFileSync(path, "utf8"), "new\n");
  });
});

describe("the server's file cache reads asynchronously", () => {
  test("a read in flight answers 'pending' (undefined) at once; its arrival is announced; forget() reads again", async () => {
    let release: (read: SourceRead) => void = () => undefined;
    let reads = 0;
    const files = new DiskFiles(() => {
      reads++;
      return new Promise((resolve) => (release = resolve));
    });
    const loaded: string[] = [];
    files.onLoaded((path) => loaded.push(path));
    assert.equal(files.get("/a.vmtopo"), undefined);
    assert.equal(files.get("/a.vmtopo"), undefined);
    assert.equal(reads, 1, "one read per file at a time");
    release({ text: "vm v {}" });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(loaded, ["/a.vmtopo"]);
    assert.deepEqual(files.get("/a.vmtopo"), { text: "vm v {}" });
    files.forget("/a.vmtopo");
    assert.equal(files.get("/a.vmtopo"), undefined);
    assert.equal(reads, 2);
  });

  test("a file used after REVALIDATE_MS is read again in the background; listeners hear only of a change", async () => {
    let clock = 0;
    let content = "a";
    const files = new DiskFiles(async () => ({ text: content }), () => clock);
    const loaded: string[] = [];
    files.onLoaded((path) => loaded.push(path));
    files.get("/c.vmtopo");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(files.get("/c.vmtopo"), { text: "a" });
    clock += REVALIDATE_MS + 1;
    assert.deepEqual(files.get("/c.vmtopo"), { text: "a" }, "the old content serves meanwhile");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(loaded, ["/c.vmtopo"], "unchanged: no second announcement");
    content = "b";
    clock += REVALIDATE_MS + 1;
    files.get("/c.vmtopo");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(loaded, ["/c.vmtopo", "/c.vmtopo"]);
    assert.deepEqual(files.get("/c.vmtopo"), { text: "b" });
  });

  test("a failing reader or listener is contained", async () => {
    const logged: string[] = [];
    setGuardLog((text) => logged.push(text));
    const files = new DiskFiles(() => Promise.reject(new Error("disk on fire")));
    files.onLoaded(() => {
      throw new Error("listener bug");
    });
    files.get("/b.vmtopo");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(files.get("/b.vmtopo"), { code: "VT005", reason: "cannot be read (disk on fire)" });
    assert.match(logged.join("\n"), /internal error in a file-loaded listener: Error: listener bug/);
  });
});

describe("guards", () => {
  test("a throwing callback is logged and reported, not thrown", () => {
    const logged: string[] = [];
    setGuardLog((text) => logged.push(text));
    const reported: unknown[] = [];
    guard(
      "a timer",
      () => {
        throw new Error("bug");
      },
      (error) => reported.push(error),
    )();
    assert.equal((reported[0] as Error).message, "bug");
    assert.match(logged[0], /^vmtopo: internal error in a timer: Error: bug\n\s+at /);
  });
});

describe("documents and imports that are not local files", () => {
  test("an in-memory document's imports resolve against nothing, with VT009 on each, and nothing is read", () => {
    const read = mock.fn(() => "host h {}\n");
    const analysis = analyzeText('import "a.vmtopo"\nimport "/etc/b.vmtopo"\n', "untitled:Untitled-1", { read });
    assert.deepEqual(analysis.diagnostics.map((d) => `${d.code}@${d.range.start.line}`), ["VT009@0", "VT009@1"]);
    assert.equal(read.mock.callCount(), 0);
  });

  test("VT010: errors deep in a chain of imports show at every link, with related information into the file", () => {
    const files: Record<string, string> = {
      "/p/b.vmtopo": 'import "c.vmtopo"\n',
      "/p/c.vmtopo": "vm v {\n  memory 4G\n}\n",
    };
    const analysis = analyzeText('import "b.vmtopo"\n', "/p/a.vmtopo", { read: (path) => files[path] });
    assert.equal(analysis.diagnostics.length, 1);
    const [d] = analysis.diagnostics;
    assert.equal(d.code, "VT010");
    assert.match(d.message, /^the imported file 'b\.vmtopo' has an error; the first, line 1: VT010 the imported file 'c\.vmtopo' has an error; the first, line 2: VT001/);
    const inB = analysis.program.files.get("/p/b.vmtopo")!.sink.diagnostics[0];
    assert.deepEqual(inB.related?.map((r) => `${r.file}:${r.range.start.line}`), ["/p/c.vmtopo:1"]);
  });
});

test("printable: control characters and bidi overrides in names are escaped", () => {
  assert.equal(printable("a\nb\rc\td\u001b[31m\u202ee\u0085"), "a\\nb\\rc\\td\\x1b[31m\\u202ee\\x85");
  assert.equal(printable("plain/path é.vmtopo"), "plain/path é.vmtopo");
});
