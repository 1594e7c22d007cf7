// The language server's bundle (dist/server.cjs), which the extension starts with
// `lsp --stdio`. Any other command line runs the CLI, as `bin/vmtopo.js` would (the CLI
// alone is bundled apart, in dist/cli.cjs, so that it does not load the LSP libraries).
import { describeError, runProcess, USAGE } from "./cli/cli";

const args = process.argv.slice(2);

if (args[0] === "lsp") {
  // stdio is the one transport; `--clientProcessId=N` and the like from LSP clients are accepted.
  if (!args.includes("--stdio")) {
    process.stderr.write(`vmtopo: lsp needs --stdio (the language server speaks LSP on stdin/stdout)\n${USAGE}`);
    process.exitCode = 2;
  } else {
    // Loaded lazily so that the CLI's commands do not pay for the LSP libraries.
    import("./lsp/server").then(
      ({ startServer }) => startServer(),
      (error: unknown) => {
        process.stderr.write(`vmtopo: the language server cannot start: ${describeError(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
} else {
  runProcess(args);
}
