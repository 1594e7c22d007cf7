// Command-line parsing and dispatch (CLI.md). Exit codes: 0 fine, 1 findings (errors, or
// files fmt --check would change), 2 usage errors or unreadable files.
import { VERSION } from "./version";
import { runCheck } from "./check";
import { UsageError, type Io } from "./args";
import { runFmt } from "./fmt";
import { printable } from "./printable";
import { runReport } from "./report";
import { REAL_VM_COMMANDS, REAL_VM_USAGE } from "./real-vms";

export const USAGE = `Usage:
  vmtopo check FILE...  [--format text|json|sarif]   diagnostics of each file
  vmtopo report FILE    [--format text|json] [--scenario NAME]
                                                   figures per VM, container and step
  vmtopo fmt FILE...    [--check]                    format in place; --check only reports
  vmtopo lsp --stdio                                 the language server on stdin/stdout
${REAL_VM_USAGE}  vmtopo --version | --help
`;

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function runCli(args: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "check":
        return await runCheck(rest, io);
      case "fmt":
        return await runFmt(rest, io);
      case "report":
        return await runReport(rest, io);
      case "export":
      case "import":
      case "probe":
      case "live":
        return await REAL_VM_COMMANDS[command](rest, io);
      case "--version":
      case "-v":
        io.out(`${VERSION}\n`);
        return 0;
      case "--help":
      case "-h":
      case "help":
        io.out(USAGE);
        return 0;
      case undefined:
        io.err(USAGE);
        return 2;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`vmtopo: ${printable(error.message)}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}


/** One line with the reason; the stack only when VMTOPO_DEBUG=1 asks for it. */
export function describeError(error: unknown): string {
  if (process.env.VMTOPO_DEBUG === "1" && error instanceof Error && error.stack) return error.stack;
  return printable(error instanceof Error ? error.message : String(error));
}

/** Runs the command line of this process and sets its exit code (both bundles' entry points call this). */
export function runProcess(args: string[]): void {
  // `vmtopo check … | head`: the reader went away, nothing more is wanted; end quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    process.stderr.write(`vmtopo: cannot write the output: ${describeError(error)}\n`);
    process.exit(2);
  });
  runCli(args).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vmtopo: internal error: ${describeError(error)}\n`);
      process.exitCode = 2;
    },
  );
}
