// Argument parsing shared by the CLI commands.

export class UsageError extends Error {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface ParsedArgs {
  files: string[];
  options: Map<string, string | true>;
}

/** Splits FILE arguments from `--name value` / `--name=value` / `--flag` options. */
export function parseArgs(args: string[], valued: string[], flags: string[]): ParsedArgs {
  const files: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      files.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      files.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (valued.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else if (flags.includes(name) && inline === undefined) {
      options.set(name, true);
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return { files, options };
}
