// The command line's own bundle (dist/cli.cjs): the engine and the CLI, never the language
// server's libraries, so that `vmtopo check` starts about as fast as Node itself.
import { runProcess } from "./cli";

runProcess(process.argv.slice(2));
