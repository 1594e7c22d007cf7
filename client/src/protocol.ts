// vmtopo's own additions to LSP, as the client uses them. These mirror
// server/src/lsp/protocol.ts (and the code lens's command id); the client talks to the
// server over LSP only and never imports it. test/unit/client-protocol.test.ts keeps them equal.
import { COPY_LIBVIRT_XML, COPY_QEMU_COMMAND_LINE } from "./real-vms-protocol";

export const MAPPING_STATE_REQUEST = "vmtopo/mappingState";
export const MAPPING_STATE_CHANGED = "vmtopo/mappingStateChanged";
export const SHOW_MAPPING_STATE = "vmtopo.showMappingState";

/** Client-side commands the server may put in code lenses (`initializationOptions.clientCommands`). */
export const CLIENT_COMMANDS: readonly string[] = [SHOW_MAPPING_STATE, COPY_QEMU_COMMAND_LINE, COPY_LIBVIRT_XML];

export interface MappingStateParams {
  uri: string;
}

export interface MappingStateChangedParams {
  uri: string;
  version: number;
}

/** The server's answer: the report JSON of CLI.md (passed to the webview untouched). */
export interface MappingStateResult {
  uri: string;
  version: number | null;
  report: unknown;
}

export const LIVE_REQUEST = "vmtopo/live";
export const ATTACH_QEMU = "vmtopo.attachQemu";
export const REFRESH_LIVE_STATE = "vmtopo.refreshLiveState";
export const DETACH_QEMU = "vmtopo.detachQemu";

export interface LiveParams {
  uri: string;
  socket: string;
  vm: string;
  scenario?: string;
  step?: number;
}
