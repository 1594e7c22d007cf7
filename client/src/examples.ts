// `vmtopo.openExample`: a quick pick of the example topologies bundled with the extension
// (examples/*.vmtopo in its install folder), each described by its first comment line; opens
// the chosen one where it is installed, so that its imports resolve. With a file name as
// argument (e.g. from the walkthrough) it opens that example without asking.
import * as vscode from "vscode";

export const OPEN_EXAMPLE = "vmtopo.openExample";

interface ExamplePick extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

async function examples(extensionUri: vscode.Uri): Promise<ExamplePick[]> {
  const folder = vscode.Uri.joinPath(extensionUri, "examples");
  const entries = await vscode.workspace.fs.readDirectory(folder);
  const names = entries.filter(([name, type]) => type === vscode.FileType.File && name.endsWith(".vmtopo")).map(([name]) => name).sort();
  return Promise.all(
    names.map(async (name) => {
      const uri = vscode.Uri.joinPath(folder, name);
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const firstComment = /^\s*\/\/\s*(.+)$/m.exec(text)?.[1]?.trim() ?? "";
      return { label: name, detail: firstComment, uri };
    }),
  );
}

export function registerOpenExample(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_EXAMPLE, async (name?: unknown) => {
      const items = await examples(context.extensionUri);
      const chosen =
        typeof name === "string" && name !== ""
          ? items.find((item) => item.label === name || item.label === `${name}.vmtopo`)
          : await vscode.window.showQuickPick(items, { title: "Open a vmtopo example", placeHolder: "An example topology (opened from the extension's folder)", matchOnDetail: true });
      if (!chosen) {
        if (typeof name === "string" && name !== "") void vscode.window.showErrorMessage(`vmtopo: no example named '${name}'`);
        return;
      }
      await vscode.window.showTextDocument(chosen.uri, { preview: false });
    }),
  );
}
