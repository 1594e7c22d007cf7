// The mapping-state webview's exports, on the extension host's side: a figure to save (SVG
// or PNG, after a save dialog) and the report as Markdown for the clipboard. The webview
// sends data; everything is checked here (view-export-checks.ts) before it is written, and
// files are written beside the target and renamed over it, so a failed write loses nothing.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { checkExport, checkMarkdown } from "./view-export-checks";

export const COPY_REPORT_MARKDOWN = "vmtopo.copyReportMarkdown";

/** Handles an export or copy message from the view; false when the message is neither. */
export function handleViewExportMessage(message: unknown, documentUri: string | undefined): boolean {
  const type = (message as { type?: unknown } | null)?.type;
  if (type === "export") {
    void saveFigure(message, documentUri);
    return true;
  }
  if (type === "copy-markdown") {
    const text = checkMarkdown(message);
    if (text === null) return true;
    void vscode.env.clipboard.writeText(text).then(() => vscode.window.setStatusBarMessage("vmtopo: report copied as Markdown", 4000));
    return true;
  }
  return false;
}

async function saveFigure(message: unknown, documentUri: string | undefined): Promise<void> {
  const checked = checkExport(message);
  if ("error" in checked) {
    void vscode.window.showWarningMessage(`vmtopo: cannot export this figure: ${checked.error}`);
    return;
  }
  const document = documentUri ? vscode.Uri.parse(documentUri) : undefined;
  const folder = document?.scheme === "file" ? vscode.Uri.joinPath(document, "..") : vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, checked.fileName) : undefined,
    filters: checked.format === "svg" ? { "SVG image": ["svg"] } : { "PNG image": ["png"] },
    saveLabel: "Export",
    title: `Export ${checked.fileName}`,
  });
  if (!target) return;
  const temporary = target.with({ path: `${target.path}.${randomBytes(6).toString("hex")}.tmp` });
  try {
    await vscode.workspace.fs.writeFile(temporary, checked.bytes);
    await vscode.workspace.fs.rename(temporary, target, { overwrite: true });
    vscode.window.setStatusBarMessage(`vmtopo: exported ${vscode.workspace.asRelativePath(target, false)}`, 4000);
  } catch (error) {
    await Promise.resolve(vscode.workspace.fs.delete(temporary)).catch(() => undefined);
    void vscode.window.showErrorMessage(`vmtopo: cannot write ${target.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
