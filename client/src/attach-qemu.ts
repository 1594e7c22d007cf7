// "vmtopo: Attach to QEMU…": asks for a running QEMU's QMP socket, the design's VM it runs
// and the point of the design to compare with (boot or a scenario step), has the server
// compare (`vmtopo/live`, docs/lsp.md) and shows each difference (VT501) in the Problems
// panel, in a diagnostic collection of its own so that the next analysis does not erase it,
// and in the mapping-state view beside the design's step (live-state.ts). "Refresh Live QEMU
// State" reads QEMU again (after a qom-set, say); "Detach from QEMU" clears both.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import type { Diagnostic as LspDiagnostic } from "vscode-languageclient";
import type { LiveSnapshot, LiveStates } from "./live-state";
import { ATTACH_QEMU, DETACH_QEMU, LIVE_REQUEST, MAPPING_STATE_REQUEST, REFRESH_LIVE_STATE, SHOW_MAPPING_STATE, type LiveParams, type MappingStateResult } from "./protocol";

interface LiveResult extends LiveSnapshot {
  diagnostics: { uri: string; diagnostics: LspDiagnostic[] }[];
}

interface ReportShape {
  vms?: { name: string }[];
  scenarios?: { name: string; vm: string; steps: { index: number; text: string }[] }[];
}

/** vmtopo.liveAttached: the palette offers Refresh and Detach while a design is attached. */
const ATTACHED_CONTEXT = "vmtopo.liveAttached";

export function registerAttachQemu(context: vscode.ExtensionContext, client: LanguageClient, states: LiveStates): void {
  const collection = vscode.languages.createDiagnosticCollection("vmtopo live");
  let lastSocket = context.workspaceState.get<string>("vmtopo.live.socket") ?? "";
  /** One attachment at a time: the design, the socket, the VM and the point compared with. */
  let attached: LiveParams | undefined;

  /** Reads QEMU and compares (`vmtopo/live`); shows the differences and hands the view its column. */
  async function compare(params: LiveParams, { announce }: { announce: boolean }): Promise<LiveResult | undefined> {
    try {
      const result = await client.sendRequest<LiveResult>(LIVE_REQUEST, params);
      if (attached && attached.uri !== params.uri) states.clear(attached.uri);
      attached = params;
      void vscode.commands.executeCommand("setContext", ATTACHED_CONTEXT, true);
      collection.clear();
      for (const entry of result.diagnostics) collection.set(vscode.Uri.parse(entry.uri), await client.protocol2CodeConverter.asDiagnostics(entry.diagnostics));
      const { vm, scenario, step, qemuVersion, socket, readAt, version, rows, differences, notes } = result;
      states.set(params.uri, { vm, scenario, step, qemuVersion, socket, readAt, version, rows, differences, notes });
      if (announce) {
        const count = result.diagnostics.reduce((n, e) => n + e.diagnostics.length, 0);
        const when = result.step === null ? "at boot" : `after step ${result.step} of '${result.scenario}'`;
        const summary = `vmtopo: VM '${result.vm}' (QEMU ${result.qemuVersion ?? "?"}) ${when}: ${count === 0 ? "no difference from the design" : `${count} difference${count === 1 ? "" : "s"} (Problems panel)`}.`;
        void vscode.window.showInformationMessage([summary, ...result.notes].join(" "));
      }
      return result;
    } catch (error) {
      void vscode.window.showErrorMessage(`vmtopo: cannot compare with QEMU: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

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
      const result = await compare(params, { announce: true });
      // The mapping-state view shows the running VM beside the design's step.
      if (result) await vscode.commands.executeCommand(SHOW_MAPPING_STATE, uri, result.vm);
      return result;
    }),
    vscode.commands.registerCommand(REFRESH_LIVE_STATE, async () => {
      if (!attached) return void vscode.window.showInformationMessage("vmtopo: not attached to a QEMU (vmtopo: Attach to QEMU…).");
      return compare(attached, { announce: false });
    }),
    vscode.commands.registerCommand(DETACH_QEMU, () => {
      if (!attached) return;
      states.clear(attached.uri);
      attached = undefined;
      collection.clear();
      void vscode.commands.executeCommand("setContext", ATTACHED_CONTEXT, false);
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
