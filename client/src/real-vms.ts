// "Copy QEMU command line", "Copy libvirt XML" (also the lenses on each vm), "Import libvirt
// domain…" and "Import QEMU command line…" (from a file or the clipboard): the server does
// the work (vmtopo/export, vmtopo/import); the client copies, asks for files, opens results.
import { commands, env, languages, Position, Range, Uri, window, workspace, type ExtensionContext } from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { COPY_LIBVIRT_XML, COPY_QEMU_COMMAND_LINE, EXPORT_REQUEST, IMPORT_REQUEST, MAX_IMPORT_CHARS, type ExportParams, type ImportParams, type InteropResult } from "./real-vms-protocol";

const WHAT: Record<ExportParams["target"], string> = { qemu: "QEMU command line", libvirt: "libvirt domain XML" };

export function registerRealVmCommands(context: ExtensionContext, client: LanguageClient): void {
  // From a lens: [uri, vm]. From the palette: the active editor, and the vm around its cursor,
  // else its only vm, else the one the user picks.
  const copy = (target: ExportParams["target"]) => async (uri?: string, vm?: string) => {
    const editor = window.activeTextEditor;
    const documentUri = uri ?? (editor?.document.languageId === "vmtopo" ? editor.document.uri.toString() : undefined);
    if (!documentUri) return void window.showErrorMessage("vmtopo: open a .vmtopo file first");
    const position = vm === undefined && editor?.document.uri.toString() === documentUri ? editor.selection.active : undefined;
    let result = await client.sendRequest<InteropResult>(EXPORT_REQUEST, { uri: documentUri, vm, target, position } satisfies ExportParams);
    if (result.vms) {
      const picked = await window.showQuickPick(result.vms, { placeHolder: `Copy the ${WHAT[target]} of which vm?` });
      if (picked === undefined) return;
      result = await client.sendRequest<InteropResult>(EXPORT_REQUEST, { uri: documentUri, vm: picked, target } satisfies ExportParams);
    }
    if (result.text === undefined) return void window.showErrorMessage(`vmtopo: ${result.error ?? "nothing to export"}`);
    await env.clipboard.writeText(result.text);
    const copied = `vmtopo: ${WHAT[target]} of vm '${result.vm}' copied`;
    if (result.errors) {
      const errors = `${result.errors} error${result.errors === 1 ? "" : "s"}`;
      window.showWarningMessage(`${copied}; the design has ${errors} (see Problems), so ${target === "qemu" ? "QEMU" : "libvirt"} will likely refuse it`);
    } else window.showInformationMessage(copied);
  };
  const open = async (params: ImportParams, file?: Uri) => {
    const result = await client.sendRequest<InteropResult>(IMPORT_REQUEST, params);
    if (result.text === undefined) {
      const message = `vmtopo: ${result.error ?? "nothing imported"}`;
      if (!file || !result.at) return void window.showErrorMessage(message);
      // Malformed input from a file: offer to show the place.
      const show = `Show in ${params.name}`;
      if ((await window.showErrorMessage(message, show)) !== show) return;
      const at = new Position(Math.max(0, result.at.line - 1), Math.max(0, result.at.column - 1));
      await window.showTextDocument(file, { selection: new Range(at, at) });
      return;
    }
    // An untitled document named after the VM ("web.vmtopo" in the workspace folder), not after
    // its first line (the import's header comment): Save proposes that name.
    const folder = workspace.workspaceFolders?.[0]?.uri;
    const free = async (fileName: string) => {
      const onDisk = folder ? Uri.joinPath(folder, fileName) : undefined;
      const alreadyOpen = workspace.textDocuments.some((d) => d.uri.path === (onDisk?.path ?? `/${fileName}`) || d.uri.path === fileName);
      return !alreadyOpen && !(onDisk && (await exists(onDisk)));
    };
    let fileName = `${result.vm ?? "imported"}.vmtopo`;
    for (let i = 2; !(await free(fileName)); i++) fileName = `${result.vm ?? "imported"}-${i}.vmtopo`;
    const untitled = folder ? Uri.joinPath(folder, fileName).with({ scheme: "untitled" }) : Uri.from({ scheme: "untitled", path: fileName });
    const document = await languages.setTextDocumentLanguage(await workspace.openTextDocument(untitled), "vmtopo");
    const editor = await window.showTextDocument(document);
    await editor.edit((edit) => edit.insert(document.positionAt(0), result.text ?? ""));
    // The editor guessed its indentation while empty; the design is indented as the formatter does.
    editor.options = { tabSize: 2, insertSpaces: true };
  };
  const fromFile = async (what: string, filters: Record<string, string[]>): Promise<{ text: string; name: string; file?: Uri } | undefined> => {
    const [file] = (await window.showOpenDialog({ title: `Import ${what}`, openLabel: "Import", canSelectMany: false, filters })) ?? [];
    if (!file) return undefined;
    const name = file.path.split("/").pop() || file.path;
    try {
      // The server refuses more (MAX_IMPORT_CHARS): do not read a huge file only to send it.
      if ((await workspace.fs.stat(file)).size > MAX_IMPORT_CHARS) return void window.showErrorMessage(`vmtopo: ${displayPath(file)} is larger than 16 MiB: not a libvirt domain or a QEMU command line`);
      return { text: new TextDecoder().decode(await workspace.fs.readFile(file)), name, file };
    } catch (error) {
      window.showErrorMessage(`vmtopo: cannot read ${displayPath(file)}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const fromFileOrClipboard = async (what: string, filters: Record<string, string[]>) => {
    const choice = await window.showQuickPick([`From a file…`, `From the clipboard`], { placeHolder: `Import ${what}` });
    if (choice === undefined) return undefined;
    if (choice === "From a file…") return fromFile(what, filters);
    const text = await env.clipboard.readText();
    // An empty clipboard would import as QEMU with no options (a default 128 MiB VM): say so instead.
    if (text.trim() === "") return void window.showErrorMessage(`vmtopo: the clipboard is empty; copy ${what} first`);
    return { text, name: "the clipboard" };
  };
  context.subscriptions.push(
    commands.registerCommand(COPY_QEMU_COMMAND_LINE, copy("qemu")),
    commands.registerCommand(COPY_LIBVIRT_XML, copy("libvirt")),
    commands.registerCommand("vmtopo.importLibvirtDomain", async () => {
      const input = await fromFileOrClipboard("a libvirt domain (virsh dumpxml)", { "libvirt domain": ["xml"], "all files": ["*"] });
      if (input) await open({ source: "libvirt", text: input.text, name: input.name }, input.file);
    }),
    commands.registerCommand("vmtopo.importQemuCommandLine", async () => {
      const input = await fromFileOrClipboard("a QEMU command line", { "command line": ["args", "sh", "txt"], "all files": ["*"] });
      if (input) await open({ source: "qemu", text: input.text, name: input.name }, input.file);
    }),
  );
}

async function exists(uri: Uri): Promise<boolean> {
  try {
    await workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function displayPath(file: Uri): string {
  return file.scheme === "file" ? file.fsPath : file.toString();
}
