// `vmtopo/mappingState`: the report JSON of CLI.md for a document (the webview's data).
import type { Feature } from "../context";
import { buildReport } from "../../engine/report";
import { MAPPING_STATE_REQUEST, type MappingStateParams } from "../protocol";

export const mappingState: Feature = {
  register({ connection, workspace, documents }) {
    connection.onRequest(MAPPING_STATE_REQUEST, (params: MappingStateParams) => {
      const analysis = workspace.analysis(params.uri);
      if (!analysis) return null;
      return { uri: params.uri, version: documents.get(params.uri)?.version ?? null, report: buildReport(analysis) };
    });
  },
};
