// "Copy QEMU command line", "Copy libvirt XML" (also the lens on each vm), "Import libvirt
// domain…" and "Import QEMU command line…" (from a file or the clipboard): the server does
// the work (vmtopo/export, vmtopo/import); the client copies, asks for files, opens results.
import { commands, env, Uri, window, workspace, type ExtensionContext } from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { COPY_LIBVIRT_XML, COPY_QEMU_COMMAND_LINE, EXPORT_REQUEST, IMPORT_REQUEST, type ExportParams, type ImportParams, type InteropResult } from "./real-vms-protocol";

export function registerRealVmCommands(context: ExtensionContext, client: LanguageClient): void {
  const copy = (target: ExportParams["target"]) => async (uri?: string, vm?: string) => {
    const documentUri = uri ?? window.activeTextEditor?.document.uri.toString();
    if (!documentUri) return void window.showErrorMessage("vmtopo: open a .vmtopo file first");
    const result = await client.sendRequest<InteropResult>(EXPORT_REQUEST, { uri: documentUri, vm, target } satisfies ExportParams);
    if (result.text === undefined) return void window.showErrorMessage(`vmtopo: ${result.error ?? "nothing to export"}`);
    await env.clipboard.writeText(result.text);
    window.showInformationMessage(target === "qemu" ? "vmtopo: QEMU command line copied" : "vmtopo: libvirt domain XML copied");
  };
  const open = async (params: ImportParams) => {
    const result = await client.sendRequest<InteropResult>(IMPORT_REQUEST, params);
    if (result.text === undefined) return void window.showErrorMessage(`vmtopo: ${result.error ?? "nothing imported"}`);
    const document = await workspace.openTextDocument({ language: "vmtopo", content: result.text });
    await window.showTextDocument(document);
  };
  const fromFile = async (filters: Record<string, string[]>): Promise<{ text: string; name: string } | undefined> => {
    const [file] = (await window.showOpenDialog({ canSelectMany: false, filters })) ?? [];
    if (!file) return undefined;
    return { text: new TextDecoder().decode(await workspace.fs.readFile(file)), name: Uri.parse(file.toString()).path.split("/").pop() ?? "file" };
  };
  const fromFileOrClipboard = async (what: string, filters: Record<string, string[]>) => {
    const choice = await window.showQuickPick([`From a file…`, `From the clipboard`], { placeHolder: `Import ${what}` });
    if (choice === undefined) return undefined;
    if (choice === "From the clipboard") return { text: await env.clipboard.readText(), name: "the clipboard" };
    return fromFile(filters);
  };
  context.subscriptions.push(
    commands.registerCommand(COPY_QEMU_COMMAND_LINE, copy("qemu")),
    commands.registerCommand(COPY_LIBVIRT_XML, copy("libvirt")),
    commands.registerCommand("vmtopo.importLibvirtDomain", async () => {
      const input = await fromFileOrClipboard("a libvirt domain (virsh dumpxml)", { "libvirt domain": ["xml"], "all files": ["*"] });
      if (input) await open({ source: "libvirt", ...input });
    }),
    commands.registerCommand("vmtopo.importQemuCommandLine", async () => {
      const input = await fromFileOrClipboard("a QEMU command line", { "command line": ["args", "sh", "txt"], "all files": ["*"] });
      if (input) await open({ source: "qemu", ...input });
    }),
  );
}
