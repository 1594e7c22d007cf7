// vmtopo's LSP requests for meeting real VMs (export and import), shared with the client's
// copy in client/src/real-vms-protocol.ts (test/unit/real-vms-protocol.test.ts keeps them equal).
export const EXPORT_REQUEST = "vmtopo/export";
export const IMPORT_REQUEST = "vmtopo/import";
export const COPY_QEMU_COMMAND_LINE = "vmtopo.copyQemuCommandLine";
export const COPY_LIBVIRT_XML = "vmtopo.copyLibvirtXml";
/** Largest text the server imports: libvirt domains and QEMU command lines are kilobytes. */
export const MAX_IMPORT_CHARS = 16 * 2 ** 20;

export interface ExportParams {
  uri: string;
  /** the VM; when left out, the one declared around `position`, else the document's only one */
  vm?: string;
  /** the cursor (0-based line and UTF-16 character), when `vm` is left out */
  position?: { line: number; character: number };
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
  /** export: the VM exported; import: the VM imported (the client names the new document after it) */
  vm?: string;
  /** export: the VMs to choose from, when the document declares several and none was named */
  vms?: string[];
  /** import: where malformed input went wrong, 1-based (the client offers to show it) */
  at?: { line: number; column: number };
  /** export: the number of error diagnostics of the VM's document (exported anyway, as the CLI does) */
  errors?: number;
}
