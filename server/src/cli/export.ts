// `vmtopo export qemu|libvirt FILE [--vm NAME] [--format text|json]`: the command line or
// the libvirt domain that runs a VM of the design, from the engine's resolved model.
import { analyzeText } from "../engine/analyze";
import { libvirtDomainXml } from "../engine/interop/libvirt-export";
import { qemuArgv, qemuCommand, qemuShellText } from "../engine/interop/qemu-export";
import type { VmAnalysis } from "../engine/vm-analysis";
import { parseArgs, UsageError, type Io } from "./args";
import { diskReader, enginePath, readOrReport } from "./files";

export async function runExport(args: string[], io: Io): Promise<number> {
  const [target, ...rest] = args;
  if (target !== "qemu" && target !== "libvirt") throw new UsageError(`export takes 'qemu' or 'libvirt', not '${target ?? ""}'`);
  const { files, options } = parseArgs(rest, ["vm", "format"], []);
  const format = options.get("format") ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, not '${format}'`);
  if (format === "json" && target === "libvirt") throw new UsageError("export libvirt prints domain XML; --format json is for export qemu");
  if (files.length !== 1) throw new UsageError(`export ${target} takes exactly one FILE`);
  const [path] = files;
  const text = await readOrReport(path, io);
  if (text === null) return 2;
  const analysis = analyzeText(text, enginePath(path), diskReader);
  const vm = pickVm(analysis.vms, options.get("vm") as string | undefined, path);
  const errors = analysis.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    // Exported anyway: the command line is what the user asked for, and QEMU's own refusal is the point of checking it.
    io.err(`vmtopo: warning: ${path} has ${errors.length} error${errors.length === 1 ? "" : "s"} (vmtopo check ${path}); QEMU or libvirt will likely refuse this VM\n`);
  }
  if (target === "libvirt") io.out(libvirtDomainXml(vm.vm));
  else {
    const command = qemuCommand(vm.vm);
    io.out(format === "json" ? JSON.stringify(qemuArgv(command), null, 2) + "\n" : qemuShellText(command));
  }
  return 0;
}

export function pickVm(vms: VmAnalysis[], name: string | undefined, path: string): VmAnalysis {
  if (name !== undefined) {
    const vm = vms.find((a) => a.vm.name === name);
    if (!vm) throw new UsageError(`${path} has no vm '${name}'${vms.length > 0 ? `; its VMs: ${vms.map((a) => a.vm.name).join(", ")}` : ""}`);
    return vm;
  }
  if (vms.length === 1) return vms[0];
  if (vms.length === 0) throw new UsageError(`${path} declares no vm`);
  throw new UsageError(`${path} declares several VMs; choose one with --vm (${vms.map((a) => a.vm.name).join(", ")})`);
}
