// The language server's bundle (dist/server.cjs), which the extension starts with
// `lsp --stdio`. Any other command line runs the CLI, as `bin/vmtopo.js` would (the CLI
// alone is bundled apart, in dist/cli.cjs, so that it does not load the LSP libraries).
import { runProcess } from "./cli/cli";

const args = process.argv.slice(2);
if (args[0] === "lsp") {
  void import("./lsp/server").then(({ startServer }) => startServer());
} else {
  runProcess(args);
}
