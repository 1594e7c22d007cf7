// `vmtopo probe [--root DIR]`: this machine (or a captured tree) as a `host` block.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { probeHost, type ProbeSource } from "../engine/interop/host-probe";
import { parseArgs, UsageError, type Io } from "./args";

export async function runProbe(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, ["root"], []);
  if (files.length > 0) throw new UsageError("probe takes no FILE (use --root DIR for a captured tree)");
  const root = options.get("root") as string | undefined;
  const at = (path: string) => join(root ?? "/", path);
  const source: ProbeSource = {
    read: (path) => {
      try {
        return readFileSync(at(path), "utf8");
      } catch {
        return undefined;
      }
    },
    list: (path) => {
      try {
        return readdirSync(at(path)).sort();
      } catch {
        return undefined;
      }
    },
    // Only on the live machine: a captured tree has no QEMU to run.
    qemuVersion:
      root === undefined
        ? (arch) => {
            const run = spawnSync(`qemu-system-${arch}`, ["--version"], { encoding: "utf8", timeout: 20_000 });
            return run.status === 0 ? run.stdout.split("\n")[0] : undefined;
          }
        : undefined,
  };
  io.out(probeHost(source).text);
  return 0;
}
