// vmtopo's LSP requests for meeting real VMs (export and import), shared with the client's
// copy in client/src/real-vms-protocol.ts (test/unit/real-vms-protocol.test.ts keeps them equal).
export const EXPORT_REQUEST = "vmtopo/export";
export const IMPORT_REQUEST = "vmtopo/import";
export const COPY_QEMU_COMMAND_LINE = "vmtopo.copyQemuCommandLine";
export const COPY_LIBVIRT_XML = "vmtopo.copyLibvirtXml";

export interface ExportParams {
  uri: string;
  /** the VM; may be left out when the document declares one */
  vm?: string;
  target: "qemu" | "libvirt";
}

export interface ImportParams {
  source: "qemu" | "libvirt";
  text: string;
  /** where the text came from, for the design's header comment */
  name: string;
}

/** The text, or why there is none. */
export interface InteropResult {
  text?: string;
  error?: string;
}
