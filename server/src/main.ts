// One bundle, two faces: `vmtopo lsp --stdio` serves the language server, every other
// command line is the CLI. The extension starts this same file as its server.
import { runCli } from "./cli/cli";

const args = process.argv.slice(2);
if (args[0] === "lsp") {
  // Loaded lazily so that `vmtopo check` does not pay for the LSP libraries.
  void import("./lsp/server").then(({ startServer }) => startServer());
} else {
  runCli(args).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vmtopo: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
