// The commands that meet real VMs (export, import, probe), dispatched from cli.ts.
import type { Io } from "./args";

export const REAL_VM_USAGE = `  vmtopo export qemu FILE [--vm NAME] [--format text|json]
                                                   the QEMU command line of a VM, one option
                                                   per line (json: the argv array)
  vmtopo export libvirt FILE [--vm NAME]             the VM as a libvirt domain (XML)
  vmtopo import qemu FILE|- [--host HOST.vmtopo] [-o OUT]
  vmtopo import qemu [--host HOST.vmtopo] [-o OUT] -- ARGV...
                                                   a QEMU command line (shell line, libvirt
                                                   .args, /proc/PID/cmdline) as a .vmtopo;
                                                   what vmtopo does not model is listed on top
  vmtopo import libvirt DOMAIN.xml... [--capabilities CAPS.xml | --host HOST.vmtopo] [-o OUT]
                                                   libvirt domains (virsh dumpxml) as a .vmtopo;
                                                   the host from virsh capabilities, or on the
                                                   one host of a file (vmtopo probe > HOST.vmtopo)
  vmtopo probe [--root DIR]                          this machine (or a captured tree) as a
                                                   host block; unreadable items as comments
  vmtopo live --qmp SOCKET FILE --vm NAME [--scenario NAME [--step N]] [--format text|json] [--timeout MS]
                                                   a running QEMU (QMP) against the design at
                                                   boot or after a step: differences as VT501
`;

// Loaded when run, so that `vmtopo check` does not pay for them at start-up.
export const REAL_VM_COMMANDS: Record<"export" | "import" | "probe" | "live", (args: string[], io: Io) => Promise<number>> = {
  export: async (args, io) => (await import("./export")).runExport(args, io),
  import: async (args, io) => (await import("./import")).runImport(args, io),
  probe: async (args, io) => (await import("./probe")).runProbe(args, io),
  live: async (args, io) => (await import("./live")).runLive(args, io),
};
