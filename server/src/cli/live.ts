// `vmtopo live --qmp SOCKET FILE [--vm NAME]`: a running QEMU, read over QMP, against the
// design. Prints each difference; exit 1 if there is any error, 0 otherwise.
import { createConnection, type Socket } from "node:net";
import { analyzeText } from "../engine/analyze";
import { compareLive, parseFlatView, type LiveMemoryDevice } from "../engine/interop/live";
import { parseArgs, UsageError, type Io } from "./args";
import { pickVm } from "./export";
import { diskReader, enginePath, readOrReport } from "./files";

/** A QMP connection: JSON lines, answers matched by id, events skipped. */
class Qmp {
  private buffer = "";
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private greeting?: (v: unknown) => void;
  private nextId = 1;
  private constructor(private readonly socket: Socket) {}

  static connect(path: string, timeoutMs: number): Promise<Qmp> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const qmp = new Qmp(socket);
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from QEMU on ${path} within ${timeoutMs} ms`)));
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => qmp.receive(chunk));
      socket.on("error", (error) => {
        reject(error);
        for (const w of qmp.waiting.values()) w.reject(error);
      });
      qmp.greeting = () => resolve(qmp);
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line === "") continue;
      const message = JSON.parse(line) as { QMP?: unknown; id?: number; return?: unknown; error?: { desc: string }; event?: string };
      if (message.QMP !== undefined) this.greeting?.(message);
      else if (message.id !== undefined) {
        const w = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error) w?.reject(new Error(message.error.desc));
        else w?.resolve(message.return);
      }
    }
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + "\n");
    });
  }

  close(): void {
    this.socket.end();
  }
}

export async function runLive(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args, ["qmp", "vm"], []);
  const socket = options.get("qmp") as string | undefined;
  if (socket === undefined) throw new UsageError("live needs --qmp SOCKET (QEMU's -qmp unix:SOCKET,server=on,wait=off)");
  if (files.length !== 1) throw new UsageError("live takes the design FILE to compare with");
  const text = await readOrReport(files[0], io);
  if (text === null) return 2;
  const analysis = analyzeText(text, enginePath(files[0]), diskReader);
  const vm = pickVm(analysis.vms, options.get("vm") as string | undefined, files[0]);
  let qmp: Qmp;
  try {
    qmp = await Qmp.connect(socket, 30_000);
  } catch (error) {
    io.err(`vmtopo: cannot reach QEMU's QMP socket ${socket}: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await qmp.execute("qmp_capabilities");
    const memoryDevices = (await qmp.execute("query-memory-devices")) as LiveMemoryDevice[];
    const mtree = (await qmp.execute("human-monitor-command", { "command-line": "info mtree -f" })) as string;
    const peripherals = (await qmp.execute("qom-list", { path: "/machine/peripheral" })) as { name: string; type: string }[];
    const vfio = peripherals.filter((p) => p.type === "child<vfio-pci>").map((p) => p.name);
    const differences = compareLive(vm, { memoryDevices, flatView: parseFlatView(mtree), vfio });
    for (const d of differences) io.out(`${files[0]}: vm ${vm.vm.name}: ${d.severity}: ${d.message}\n`);
    io.out(`vm ${vm.vm.name}: ${differences.length === 0 ? "the running VM matches the design" : `${differences.length} difference${differences.length === 1 ? "" : "s"} from the design`}\n`);
    return differences.some((d) => d.severity === "error") ? 1 : 0;
  } catch (error) {
    io.err(`vmtopo: QMP: ${(error as Error).message}\n`);
    return 2;
  } finally {
    qmp.close();
  }
}
