// Every LSP feature of the server, one per file. A new feature adds one line here.
import type { Feature } from "../context";
import { diagnostics } from "./diagnostics";
import { mappingState } from "./mapping-state";

export const FEATURES: Feature[] = [
  diagnostics,
  mappingState,
];
