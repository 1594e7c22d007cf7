// `vmtopo import qemu FILE | -- ARGV...` and `vmtopo import libvirt DOMAIN.xml...`: a VM you
// already run as a formatted .vmtopo design, on stdout or written (by rename) to -o FILE.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, basename, relative, resolve, sep } from "node:path";
import { parse } from "../../../grammar/src/index";
import { designText } from "../engine/interop/design-writer";
import { importLibvirt, LibvirtImportError } from "../engine/interop/libvirt-import";
import { parseXml, XmlError } from "../engine/interop/xml";
import { importQemu, QemuSyntaxError } from "../engine/interop/qemu-import";
import { parseArgs, UsageError, type Io } from "./args";
import { readOrReport } from "./files";

export async function runImport(args: string[], io: Io): Promise<number> {
  const [source, ...rest] = args;
  if (source === "libvirt") return runImportLibvirt(rest, io);
  if (source !== "qemu") throw new UsageError(`import takes 'qemu' or 'libvirt', not '${source ?? ""}'`);
  const dashes = rest.indexOf("--");
  // `-o FILE` as the issue spells it, `--output FILE` too.
  const own = (dashes < 0 ? rest : rest.slice(0, dashes)).map((a) => (a === "-o" ? "--output" : a));
  const { files, options } = parseArgs(own, ["output", "host"], []);
  const argv = dashes < 0 ? undefined : rest.slice(dashes + 1);
  if (argv !== undefined && files.length > 0) throw new UsageError("import qemu takes a FILE or -- ARGV..., not both");
  if (argv === undefined && files.length !== 1) throw new UsageError("import qemu takes one FILE (a shell line, a libvirt .args file or /proc/PID/cmdline; - for stdin) or -- ARGV...");
  let input: string | string[];
  let origin: string;
  if (argv !== undefined) {
    input = argv;
    origin = "a QEMU command line";
  } else if (files[0] === "-") {
    input = readFileSync(0, "utf8");
    origin = "a QEMU command line on stdin";
  } else {
    const text = await readOrReport(files[0], io, "words");
    if (text === null) return 2;
    input = text;
    origin = basename(files[0]);
  }
  const host = await hostOption(options, io);
  if (host === null) return 2;
  let text: string;
  try {
    const { design } = importQemu(input, origin, { onHost: host?.name });
    if (host) design.imports = [host.importPath];
    text = designText(design);
  } catch (error) {
    if (!(error instanceof QemuSyntaxError)) throw error;
    io.err(`vmtopo: ${argv === undefined ? files[0] : "ARGV"}: ${error.message}\n`);
    return 1;
  }
  return writeResult(text, options.get("output") as string | undefined, io);
}

async function runImportLibvirt(args: string[], io: Io): Promise<number> {
  const { files, options } = parseArgs(args.map((a) => (a === "-o" ? "--output" : a)), ["output", "capabilities", "host"], []);
  if (options.has("capabilities") && options.has("host")) throw new UsageError("import libvirt takes the host from --capabilities or from --host, not both");
  if (files.length === 0) throw new UsageError("import libvirt takes one or more DOMAIN.xml files (virsh dumpxml NAME)");
  const read = async (path: string) => {
    const xml = await readOrReport(path, io);
    return xml === null ? null : { name: basename(path), xml, path };
  };
  const domains = [];
  for (const path of files) {
    const domain = await read(path);
    if (domain === null) return 2;
    domains.push(domain);
  }
  const capsPath = options.get("capabilities") as string | undefined;
  const capabilities = capsPath === undefined ? undefined : await read(capsPath);
  if (capabilities === null) return 2;
  for (const doc of [...domains, ...(capabilities ? [capabilities] : [])]) {
    try {
      parseXml(doc.xml);
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      io.err(`vmtopo: ${doc.path}:${error.line}:${error.column}: malformed XML: ${error.reason}\n`);
      return 1;
    }
  }
  const host = await hostOption(options, io);
  if (host === null) return 2;
  try {
    const { text, designs } = importLibvirt(domains, capabilities);
    if (!host) return writeResult(text, options.get("output") as string | undefined, io);
    for (const design of designs) design.vm.onHost = host.name;
    designs[0].imports = [host.importPath];
    return writeResult(designs.map(designText).join("\n"), options.get("output") as string | undefined, io);
  } catch (error) {
    if (!(error instanceof LibvirtImportError)) throw error;
    io.err(`vmtopo: ${error.message}\n`);
    return 1;
  }
}

/**
 * `--host FILE`: the one host a .vmtopo file declares (`vmtopo probe > host.vmtopo`), which the
 * imported VM runs on; the design imports that file, by its path from where the design is
 * written. undefined without the option; null after saying why it cannot be used.
 */
async function hostOption(options: Map<string, unknown>, io: Io): Promise<{ name: string; importPath: string } | undefined | null> {
  const path = options.get("host") as string | undefined;
  if (path === undefined) return undefined;
  const text = await readOrReport(path, io);
  if (text === null) return null;
  const hosts = parse(text).ast.declarations.flatMap((d) => (d.kind === "host" && !d.name.missing ? [d.name.text] : []));
  if (hosts.length !== 1) throw new UsageError(`--host ${path}: the file must declare one host (it declares ${hosts.length === 0 ? "none" : hosts.join(", ")}); vmtopo probe > host.vmtopo writes one`);
  const output = options.get("output") as string | undefined;
  const from = output === undefined ? process.cwd() : dirname(resolve(output));
  return { name: hosts[0], importPath: relative(from, resolve(path)).split(sep).join("/") };
}

/** stdout, or the file written whole: a temporary file beside it, then renamed over it. */
export function writeResult(text: string, path: string | undefined, io: Io): number {
  if (path === undefined) {
    io.out(text);
    return 0;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    io.err(`vmtopo: cannot write ${path}: ${(error as Error).message}\n`);
    return 2;
  }
  return 0;
}
