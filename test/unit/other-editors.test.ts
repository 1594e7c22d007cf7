// The README's editor snippets marked *tested*, run headless in Debian's Neovim 0.7 and
// Emacs 28 with eglot 1.9 against the built server: each editor must show the server's
// diagnostic and its hover. The snippets are read from README.md, so the README cannot
// drift from what works. The editors are installed from Debian if missing (CI runs as root).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { repoRoot } from "../support/fixtures";

const EDITORS = { nvim: "neovim", emacs: "emacs-nox" } as const;
const EGLOT = "/usr/share/emacs/site-lisp/elpa/eglot-1.9";

/** The fenced block after `<!-- tested: NAME -->` in README.md. */
function readmeSnippet(name: string): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const match = new RegExp(`<!-- tested: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(match, `README.md has a snippet marked 'tested: ${name}'`);
  return match[1];
}

const work = mkdtempSync(join(tmpdir(), "vmtopo-editors-"));
// `vmtopo` on the PATH, as `npm link` or `npm install -g` would put it.
const shim = join(work, "bin");
const env = { ...process.env, PATH: `${shim}:${process.env.PATH}`, HOME: work, XDG_CONFIG_HOME: join(work, "config"), XDG_DATA_HOME: join(work, "data"), XDG_STATE_HOME: join(work, "state") };
const text = "vm v {\n  memory 4G\n}\n";
const EXPECTED_DIAGNOSTIC = "2 VT001 expected '=' but found '4G'";

before(() => {
  const missing: string[] = Object.entries(EDITORS).filter(([command]) => spawnSync("sh", ["-c", `command -v ${command}`]).status !== 0).map(([, pkg]) => pkg);
  if (!existsSync(EGLOT)) missing.push("elpa-eglot");
  if (missing.length > 0) {
    const install = spawnSync("sh", ["-c", `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing.join(" ")}`], { encoding: "utf8" });
    assert.equal(install.status, 0, `installing ${missing.join(", ")} from Debian failed:\n${install.stderr}`);
  }
  spawnSync("mkdir", ["-p", shim]);
  writeFileSync(join(shim, "vmtopo"), `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, "bin", "vmtopo.js")}" "$@"\n`);
  chmodSync(join(shim, "vmtopo"), 0o755);
  writeFileSync(join(work, "a.vmtopo"), text);
});

test("Neovim 0.7 with the README's init.lua: the diagnostic and the hover", () => {
  writeFileSync(join(work, "init.lua"), readmeSnippet("neovim"));
  writeFileSync(
    join(work, "probe.lua"),
    `-- Waits (bounded) for the server's diagnostics, asks for a hover, writes both, quits.
vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 20)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(out, string.format("%d %s %s", d.lnum + 1, tostring(d.code), d.message)) end
local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", { textDocument = { uri = vim.uri_from_bufnr(0) }, position = { line = 1, character = 3 } }, 5000)
for _, r in pairs(hover or {}) do if r.result then table.insert(out, "hover " .. vim.split(r.result.contents.value, "\\n")[1]) end end
vim.fn.writefile(out, "nvim.out")
vim.cmd("qa!")
`,
  );
  const run = spawnSync("nvim", ["--headless", "-u", "init.lua", "a.vmtopo", "-c", "luafile probe.lua"], { cwd: work, env, encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const lines = readFileSync(join(work, "nvim.out"), "utf8").trim().split("\n");
  assert.equal(lines[0], EXPECTED_DIAGNOSTIC);
  assert.match(lines[1], /^hover \*\*memory\*\*/);
});

test("Emacs 28 + eglot 1.9 with the README's init.el: the diagnostic and the hover", () => {
  writeFileSync(join(work, "init.el"), readmeSnippet("emacs"));
  writeFileSync(
    join(work, "probe.el"),
    `;; eglot-ensure waits for a command and Flymake for idle time, neither of which batch mode
;; has: connect now and ask Flymake until the server's diagnostics are in (bounded).
(find-file "a.vmtopo")
(apply (function eglot) (eglot--guess-contact))
(let ((deadline (+ (float-time) 20)) (next-start 0))
  (while (and (null (flymake-diagnostics)) (< (float-time) deadline))
    (when (> (float-time) next-start)
      (flymake-start nil t)
      (setq next-start (+ (float-time) 1)))
    (accept-process-output nil 0.1)))
(let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                              (list :textDocument (eglot--TextDocumentIdentifier)
                                    :position (list :line 1 :character 3))))
      (diagnostics (mapcar (lambda (d) (format "%d %s\\n" (line-number-at-pos (flymake-diagnostic-beg d)) (flymake-diagnostic-text d)))
                           (flymake-diagnostics))))
  (with-temp-file "emacs.out"
    (dolist (line diagnostics) (insert line))
    (insert "hover " (car (split-string (plist-get (plist-get hover :contents) :value) "\\n")) "\\n")))
(kill-emacs 0)
`,
  );
  const run = spawnSync("emacs", ["--batch", "-L", EGLOT, "-l", "init.el", "-l", "probe.el"], { cwd: work, env, encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const lines = readFileSync(join(work, "emacs.out"), "utf8").trim().split("\n");
  // eglot prefixes the message with the diagnostic's source and code where the server gives them.
  assert.match(lines[0], /^2 .*expected '=' but found '4G'/);
  assert.match(lines[1], /^hover \*\*memory\*\*/);
});
