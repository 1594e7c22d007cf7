// vmtopo's own additions to LSP, shared with the client.
export const MAPPING_STATE_REQUEST = "vmtopo/mappingState";
export const MAPPING_STATE_CHANGED = "vmtopo/mappingStateChanged";

export interface MappingStateParams {
  uri: string;
}
