// Every LSP feature of the server, one per file. A new feature adds one line here.
import type { Feature } from "../context";
import { completion } from "./completion";
import { semanticTokens } from "./semantic-tokens";
import { definition } from "./definition";
import { codeActions } from "./code-actions";
import { diagnostics } from "./diagnostics";
import { documentLinks } from "./document-links";
import { documentSymbols } from "./document-symbols";
import { folding } from "./folding-ranges";
import { formatting } from "./formatting";
import { mappingState } from "./mapping-state";
import { hover } from "./hover";
import { inlayHints } from "./inlay-hints";
import { codeLens } from "./code-lens";
import { realVms } from "./real-vms";
import { references } from "./references";
import { rename } from "./rename";
import { selectionRanges } from "./selection-ranges";
import { workspaceSymbols } from "./workspace-symbols";

export const FEATURES: Feature[] = [
  completion,
  semanticTokens,
  diagnostics,
  codeActions,
  mappingState,
  hover,
  inlayHints,
  codeLens,
  definition,
  references,
  rename,
  documentSymbols,
  workspaceSymbols,
  folding,
  selectionRanges,
  documentLinks,
  formatting,
  realVms,
];
