// Export and import over LSP (`vmtopo/export`, `vmtopo/import`), behind the client's "Copy
// QEMU command line", "Copy libvirt XML", "Import libvirt domain…" and "Import QEMU command
// line…", and the "Copy QEMU command line" and "Copy libvirt XML" lenses on each vm (added by
// code-lens.ts from here).
import type { CodeLens, Range } from "vscode-languageserver";
import { containsPosition } from "../../../../grammar/src/index";
import type { Analysis } from "../../engine/analyze";
import { importLibvirt, LibvirtImportError } from "../../engine/interop/libvirt-import";
import { libvirtDomainXml } from "../../engine/interop/libvirt-export";
import { qemuCommand, qemuShellText } from "../../engine/interop/qemu-export";
import { importQemu, QemuSyntaxError } from "../../engine/interop/qemu-import";
import { XmlError } from "../../engine/interop/xml";
import type { Feature } from "../context";
import { COPY_LIBVIRT_XML, COPY_QEMU_COMMAND_LINE, EXPORT_REQUEST, IMPORT_REQUEST, MAX_IMPORT_CHARS, type ExportParams, type ImportParams, type InteropResult } from "../real-vms-protocol";

export const realVms: Feature = {
  register({ connection, workspace }) {
    connection.onRequest(EXPORT_REQUEST, (params: ExportParams): InteropResult => {
      const analysis = typeof params?.uri === "string" ? workspace.analysis(params.uri) : undefined;
      if (!analysis) return { error: "the document is not open in the vmtopo server" };
      const vms = analysis.vms;
      const name = params.vm ?? vmAround(analysis, params.position) ?? (vms.length === 1 ? vms[0].vm.name : undefined);
      const vm = vms.find((a) => a.vm.name === name);
      if (!vm) {
        if (params.vm !== undefined) return { error: `no vm '${params.vm}' in the document` };
        if (vms.length === 0) return { error: "the document declares no vm" };
        return { error: `choose a vm: ${vms.map((a) => a.vm.name).join(", ")}`, vms: vms.map((a) => a.vm.name) };
      }
      const text = params.target === "libvirt" ? libvirtDomainXml(vm.vm) : qemuShellText(qemuCommand(vm.vm));
      // Exported anyway, as `vmtopo export` does: QEMU's own refusal is the point of checking it.
      const errors = analysis.diagnostics.filter((d) => d.severity === "error").length;
      return errors > 0 ? { text, vm: vm.vm.name, errors } : { text, vm: vm.vm.name };
    });
    connection.onRequest(IMPORT_REQUEST, (params: ImportParams): InteropResult => {
      if (typeof params?.text !== "string") return { error: "no text to import" };
      // Untrusted input: a domain or a command line is kilobytes; refuse what cannot be one.
      if (params.text.length > MAX_IMPORT_CHARS) return { error: `${typeof params.name === "string" ? params.name : "the input"} is ${Math.round(params.text.length / 2 ** 20)} MiB: too large for a libvirt domain or a QEMU command line` };
      const name = typeof params.name === "string" ? params.name : "the clipboard";
      try {
        const imported = params.source === "libvirt" ? importLibvirt([{ name, xml: params.text }]) : importQemu(params.text, name);
        const design = "design" in imported ? imported.design : imported.designs[0];
        return { text: imported.text, vm: design.vm.name };
      } catch (error) {
        if (error instanceof XmlError) return { error: `${name}:${error.line}:${error.column}: malformed XML: ${error.reason}`, at: { line: error.line, column: error.column } };
        if (error instanceof QemuSyntaxError || error instanceof LibvirtImportError) return { error: error.message };
        throw error;
      }
    });
  },
};

/** The vm whose declaration holds the cursor, so that the palette command copies the VM being edited. */
function vmAround(analysis: Analysis, position: ExportParams["position"]): string | undefined {
  if (!position || typeof position.line !== "number" || typeof position.character !== "number") return undefined;
  const decl = analysis.parse.ast.declarations.find((d) => d.kind === "vm" && containsPosition(d.range, position));
  return decl?.kind === "vm" ? decl.name.text : undefined;
}

/** The lenses that copy a VM's QEMU command line and its libvirt domain. */
export function exportLenses(uri: string, vm: string, range: Range): CodeLens[] {
  return [
    { range, command: { title: "Copy QEMU command line", command: COPY_QEMU_COMMAND_LINE, arguments: [uri, vm] } },
    { range, command: { title: "Copy libvirt XML", command: COPY_LIBVIRT_XML, arguments: [uri, vm] } },
  ];
}
