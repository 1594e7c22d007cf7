// "vmtopo: Attach to QEMU…": asks for a running QEMU's QMP socket, the design's VM it runs
// and the point of the design to compare with (boot or a scenario step), has the server
// compare (`vmtopo/live`, docs/lsp.md) and shows each difference (VT501) in the Problems
// panel, in a diagnostic collection of its own so that the next analysis does not erase it.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import type { Diagnostic as LspDiagnostic } from "vscode-languageclient";
import { ATTACH_QEMU, LIVE_REQUEST, MAPPING_STATE_REQUEST, type LiveParams, type MappingStateResult } from "./protocol";

interface LiveResult {
  vm: string;
  scenario: string | null;
  step: number | null;
  qemuVersion: string | null;
  notes: string[];
  diagnostics: { uri: string; diagnostics: LspDiagnostic[] }[];
}

interface ReportShape {
  vms?: { name: string }[];
  scenarios?: { name: string; vm: string; steps: { index: number; text: string }[] }[];
}

export function registerAttachQemu(context: vscode.ExtensionContext, client: LanguageClient): void {
  const collection = vscode.languages.createDiagnosticCollection("vmtopo live");
  let lastSocket = context.workspaceState.get<string>("vmtopo.live.socket") ?? "";
  context.subscriptions.push(
    collection,
    vscode.commands.registerCommand(ATTACH_QEMU, async (args?: Partial<LiveParams>) => {
      const document = vscode.window.activeTextEditor?.document;
      const uri = args?.uri ?? (document?.languageId === "vmtopo" ? document.uri.toString() : undefined);
      if (!uri) return void vscode.window.showErrorMessage("vmtopo: open the .vmtopo design of the VM first.");
      const socket = args?.socket ?? (await vscode.window.showInputBox({ title: "Attach to QEMU", prompt: "QEMU's QMP socket (-qmp unix:PATH,server=on,wait=off)", value: lastSocket, ignoreFocusOut: true }));
      if (!socket) return;
      lastSocket = socket;
      void context.workspaceState.update("vmtopo.live.socket", socket);
      const state = await client.sendRequest<MappingStateResult | null>(MAPPING_STATE_REQUEST, { uri });
      const report = (state?.report ?? {}) as ReportShape;
      const vm = args?.vm ?? (await pickVm(report));
      if (!vm) return;
      const point = args && "vm" in args ? { scenario: args.scenario, step: args.step } : await pickPoint(report, vm);
      if (!point) return;
      const params: LiveParams = { uri, socket, vm, ...(point.scenario !== undefined ? { scenario: point.scenario } : {}), ...(point.step !== undefined ? { step: point.step } : {}) };
      try {
        const result = await client.sendRequest<LiveResult>(LIVE_REQUEST, params);
        collection.clear();
        for (const entry of result.diagnostics) collection.set(vscode.Uri.parse(entry.uri), await client.protocol2CodeConverter.asDiagnostics(entry.diagnostics));
        const count = result.diagnostics.reduce((n, e) => n + e.diagnostics.length, 0);
        const when = result.step === null ? "at boot" : `after step ${result.step} of '${result.scenario}'`;
        const summary = `vmtopo: VM '${result.vm}' (QEMU ${result.qemuVersion ?? "?"}) ${when}: ${count === 0 ? "no difference from the design" : `${count} difference${count === 1 ? "" : "s"} (Problems panel)`}.`;
        void vscode.window.showInformationMessage([summary, ...result.notes].join(" "));
        return result;
      } catch (error) {
        void vscode.window.showErrorMessage(`vmtopo: cannot compare with QEMU: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
  );
}

async function pickVm(report: ReportShape): Promise<string | undefined> {
  const names = (report.vms ?? []).map((v) => v.name);
  if (names.length <= 1) return names[0] ?? (await vscode.window.showInputBox({ title: "Attach to QEMU", prompt: "The design's VM that QEMU runs" }));
  return vscode.window.showQuickPick(names, { title: "Attach to QEMU: the design's VM that QEMU runs" });
}

async function pickPoint(report: ReportShape, vm: string): Promise<{ scenario?: string; step?: number } | undefined> {
  const steps = (report.scenarios ?? []).filter((s) => s.vm === vm).flatMap((s) => s.steps.map((step) => ({ label: `${s.name} #${step.index}`, description: step.text, scenario: s.name, step: step.index })));
  if (steps.length === 0) return {};
  const picked = await vscode.window.showQuickPick([{ label: "at boot", description: "the VM as declared" }, ...steps], { title: "Attach to QEMU: compare with the design…" });
  if (!picked) return undefined;
  return "scenario" in picked ? { scenario: picked.scenario, step: picked.step } : {};
}
