// Export and import over LSP (`vmtopo/export`, `vmtopo/import`), behind the client's "Copy
// QEMU command line", "Copy libvirt XML", "Import libvirt domain…" and "Import QEMU command
// line…", and the "Copy QEMU command line" lens on each vm (added by code-lens.ts from here).
import type { CodeLens, Range } from "vscode-languageserver";
import { importLibvirt, LibvirtImportError } from "../../engine/interop/libvirt-import";
import { libvirtDomainXml } from "../../engine/interop/libvirt-export";
import { qemuCommand, qemuShellText } from "../../engine/interop/qemu-export";
import { importQemu, QemuSyntaxError } from "../../engine/interop/qemu-import";
import { XmlError } from "../../engine/interop/xml";
import type { Feature } from "../context";
import { COPY_QEMU_COMMAND_LINE, EXPORT_REQUEST, IMPORT_REQUEST, type ExportParams, type ImportParams, type InteropResult } from "../real-vms-protocol";

export const realVms: Feature = {
  register({ connection, workspace }) {
    connection.onRequest(EXPORT_REQUEST, (params: ExportParams): InteropResult => {
      const analysis = typeof params?.uri === "string" ? workspace.analysis(params.uri) : undefined;
      if (!analysis) return { error: "the document is not open in the vmtopo server" };
      const vms = analysis.vms;
      const vm = params.vm === undefined ? (vms.length === 1 ? vms[0] : undefined) : vms.find((a) => a.vm.name === params.vm);
      if (!vm) return { error: params.vm === undefined ? (vms.length === 0 ? "the document declares no vm" : `choose a vm: ${vms.map((a) => a.vm.name).join(", ")}`) : `no vm '${params.vm}' in the document` };
      return { text: params.target === "libvirt" ? libvirtDomainXml(vm.vm) : qemuShellText(qemuCommand(vm.vm)) };
    });
    connection.onRequest(IMPORT_REQUEST, (params: ImportParams): InteropResult => {
      if (typeof params?.text !== "string") return { error: "no text to import" };
      const name = typeof params.name === "string" ? params.name : "the clipboard";
      try {
        return { text: params.source === "libvirt" ? importLibvirt([{ name, xml: params.text }]).text : importQemu(params.text, name).text };
      } catch (error) {
        if (error instanceof XmlError) return { error: `${name}:${error.line}:${error.column}: malformed XML: ${error.reason}` };
        if (error instanceof QemuSyntaxError || error instanceof LibvirtImportError) return { error: error.message };
        throw error;
      }
    });
  },
};

/** The lens that copies a VM's QEMU command line. */
export function exportLenses(uri: string, vm: string, range: Range): CodeLens[] {
  return [{ range, command: { title: "Copy QEMU command line", command: COPY_QEMU_COMMAND_LINE, arguments: [uri, vm] } }];
}
