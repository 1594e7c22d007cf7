#!/usr/bin/env node
// The `vmtopo` command: the bundled CLI and language server (run `npm run build` first).
import "../dist/server.cjs";
