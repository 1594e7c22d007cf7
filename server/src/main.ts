// One bundle, two faces: `vmtopo lsp --stdio` serves the language server, every other
// command line is the CLI. The extension starts this same file as its server.
import { runCli, USAGE } from "./cli/cli";
import { printable } from "./cli/printable";

const args = process.argv.slice(2);
const debug = process.env.VMTOPO_DEBUG === "1";

/** One line with the reason; the stack only when VMTOPO_DEBUG=1 asks for it. */
function describe(error: unknown): string {
  if (debug && error instanceof Error && error.stack) return error.stack;
  return printable(error instanceof Error ? error.message : String(error));
}

if (args[0] === "lsp") {
  // stdio is the one transport; `--clientProcessId=N` and the like from LSP clients are accepted.
  if (!args.includes("--stdio")) {
    process.stderr.write(`vmtopo: lsp needs --stdio (the language server speaks LSP on stdin/stdout)\n${USAGE}`);
    process.exitCode = 2;
  } else {
    // Loaded lazily so that `vmtopo check` does not pay for the LSP libraries.
    import("./lsp/server").then(
      ({ startServer }) => startServer(),
      (error: unknown) => {
        process.stderr.write(`vmtopo: the language server cannot start: ${describe(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
} else {
  // `vmtopo check … | head`: the reader went away, nothing more is wanted; end quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    process.stderr.write(`vmtopo: cannot write the output: ${describe(error)}\n`);
    process.exit(2);
  });
  runCli(args).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vmtopo: internal error: ${describe(error)}\n`);
      process.exitCode = 2;
    },
  );
}
