// vmtopo's own additions to LSP, shared with the client.
export const MAPPING_STATE_REQUEST = "vmtopo/mappingState";
export const MAPPING_STATE_CHANGED = "vmtopo/mappingStateChanged";

export interface MappingStateParams {
  uri: string;
}

export const LIVE_REQUEST = "vmtopo/live";

export interface LiveParams {
  /** the design document */
  uri: string;
  /** the running QEMU's QMP socket (-qmp unix:PATH,server=on,wait=off) */
  socket: string;
  /** the design's VM that QEMU runs */
  vm: string;
  /** compare after this scenario's step `step` (its last step when absent); at boot when no scenario */
  scenario?: string;
  step?: number;
}
