#!/usr/bin/env node
// The `vmtopo` command (run `npm run build` first). `vmtopo lsp` loads the language server's
// bundle; every other command the CLI's, which carries no LSP library. The bundles are
// loaded with `require`: importing CommonJS from ESM makes Node scan the whole bundle for
// its export names first, which costs more than running the command.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
require(process.argv[2] === "lsp" ? "../dist/server.cjs" : "../dist/cli.cjs");
