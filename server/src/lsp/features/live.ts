// `vmtopo/live`: compares a running QEMU (over its QMP socket) with the design's prediction
// for one VM and answers the differences as VT501 diagnostics per document; the client shows
// them in a diagnostic collection of their own (client/src/attach-qemu.ts). Same comparison
// as `vmtopo live` (engine/interop/live-compare.ts).
import { DiagnosticSeverity, ResponseError, type Diagnostic } from "vscode-languageserver";
import { compareLive, liveDesign, LiveDesignError } from "../../engine/interop/live-compare";
import { buildReport } from "../../engine/report";
import { rulePage } from "../../files/rule-pages";
import { QmpClient, QmpError } from "../../qmp/qmp-client";
import { readLiveVm } from "../../qmp/read-live";
import type { Feature } from "../context";
import { pathToUri } from "../convert";
import { LIVE_REQUEST, type LiveParams } from "../protocol";

/** JSON-RPC's RequestFailed: the request was valid, the comparison could not be made. */
const REQUEST_FAILED = -32803;

export const live: Feature = {
  register({ connection, workspace, documents }) {
    connection.onRequest(LIVE_REQUEST, async (params: LiveParams) => {
      const analysis = workspace.analysis(params.uri);
      if (!analysis) throw new ResponseError(REQUEST_FAILED, `${params.uri} is neither open nor readable`);
      // The document version the design was read at: the view says when the design changed since.
      const version = documents.get(params.uri)?.version ?? null;
      let design;
      try {
        design = liveDesign(analysis, buildReport(analysis, params.scenario), params.vm, params.scenario, params.step);
      } catch (error) {
        if (error instanceof LiveDesignError) throw new ResponseError(REQUEST_FAILED, error.message);
        throw error;
      }
      let client: QmpClient | undefined;
      try {
        client = await QmpClient.connect(params.socket);
        const comparison = compareLive(design, await readLiveVm(client));
        const readAt = new Date().toISOString();
        const byUri = new Map<string, Diagnostic[]>();
        for (const d of comparison.differences) {
          const uri = pathToUri(d.file);
          const diagnostic: Diagnostic = { range: d.range, severity: DiagnosticSeverity.Warning, code: d.code, source: "vmtopo live", message: d.message };
          const href = rulePage(d.code);
          if (href) diagnostic.codeDescription = { href };
          byUri.set(uri, [...(byUri.get(uri) ?? []), diagnostic]);
        }
        return {
          uri: params.uri,
          vm: comparison.vm,
          scenario: comparison.scenario,
          step: comparison.step,
          qemuVersion: comparison.qemuVersion,
          notes: comparison.notes,
          live: comparison.live,
          // For the mapping-state view's "Live (QEMU)" column: the design's figures beside
          // QEMU's, each difference with its row (`subject`), when and where they were read.
          socket: params.socket,
          version,
          readAt,
          rows: comparison.rows,
          differences: comparison.differences,
          diagnostics: [...byUri].map(([uri, diagnostics]) => ({ uri, diagnostics })),
        };
      } catch (error) {
        if (error instanceof QmpError) throw new ResponseError(REQUEST_FAILED, `${params.socket}: ${error.message}`);
        throw error;
      } finally {
        client?.close();
      }
    });
  },
};
