// Inlay hints: the figures a line leads to, written after it. After a `vfio` device, the
// mappings of its container at boot; after a scenario step, each container's mappings after
// it; after a virtio-mem `size`, its blocks; after a VM's `memory`, the split around 4 GiB.
// Off with `vmtopo.inlayHints.enabled = false`; the client is asked to refresh on changes.
import { InlayHintKind, type InlayHint } from "vscode-languageserver";
import type * as A from "../../../../grammar/src/index";
import type { Analysis } from "../../engine/analyze";
import { bytes, count } from "../../engine/format";
import type { VmAnalysis } from "../../engine/vm-analysis";
import type { Feature } from "../context";
import { bootContainerOf, mappings, scenarioOf, vmAnalysisOf } from "../figures";
import { touches } from "../locate";

export const inlayHints: Feature = {
  capabilities: { inlayHintProvider: true },
  register({ connection, workspace, settings, clientCapabilities }) {
    connection.languages.inlayHint.on(({ textDocument, range }) => {
      if (!settings.current.inlayHints.enabled) return [];
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? hintsIn(analysis, range) : [];
    });
    settings.onChange(() => {
      if (clientCapabilities().workspace?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh().catch(() => undefined);
    });
  },
};

export function hintsIn(analysis: Analysis, range: A.Range): InlayHint[] {
  const hints: InlayHint[] = [];
  const add = (position: A.Position, label: string, tooltip: string) => {
    if (touches(range, position)) hints.push({ position, label, kind: InlayHintKind.Type, paddingLeft: true, tooltip });
  };
  for (const decl of analysis.parse.ast.declarations) {
    if (decl.kind === "vm") {
      const vm = vmAnalysisOf(analysis, decl);
      if (vm) vmHints(decl, vm, add);
    } else if (decl.kind === "scenario") {
      const scenario = scenarioOf(analysis, decl);
      for (const step of scenario?.steps ?? []) {
        if (step.containers.length === 0) continue;
        add(
          step.step.range.end,
          step.containers.map((c) => `${c.id}: ${count(c.mappings)}`).join(", "),
          `DMA mappings per VFIO container after step ${step.index}${step.containers.map((c) => `\n- ${c.id} (${c.devices.map((d) => d.name).join(", ")}): ${mappings(c.mappings)}${c.limit === null ? "" : ` of ${count(c.limit)}`}`).join("")}`,
        );
      }
    }
  }
  return hints;
}

type Add = (position: A.Position, label: string, tooltip: string) => void;

function vmHints(decl: A.Vm, a: VmAnalysis, add: Add): void {
  const memory = decl.items.find((i): i is A.Attribute => i.kind === "attribute" && i.name.text === "memory");
  if (memory && memory.value.kind === "size" && memory.value.bytes === a.vm.memory && a.vm.machine !== "virt" && a.vm.memory > 0) {
    const { belowMemory, aboveMemory, relocatedAbove1T } = a.layout;
    const label = aboveMemory > 0 ? `${bytes(belowMemory)} below 4G + ${bytes(aboveMemory)} above${relocatedAbove1T ? " 1T" : ""}` : `${bytes(belowMemory)} below 4G`;
    add(memory.value.range.end, label, `boot RAM of vm '${a.vm.name}' as QEMU's ${a.vm.machine} machine lays it out`);
  }
  for (const item of decl.items) {
    if (item.kind !== "device" || item.name.missing) continue;
    if (item.deviceKind === "vfio") {
      const container = bootContainerOf(a, item.name.text);
      if (container) add(item.range.end, mappings(container.boot.mappings), `DMA mappings of container ${container.id} (${container.devices.map((d) => d.name).join(", ")}) at boot`);
    } else if (item.deviceKind === "virtio-mem") {
      const figures = a.virtioMem.find((f) => f.device.decl === item);
      const size = item.attributes.find((i) => i.name.text === "size");
      if (figures && size && size.value.kind !== "missing" && figures.device.blockSize > 0) {
        add(size.value.range.end, `${count(figures.blocks)} × ${bytes(figures.device.blockSize)} blocks`, `virtio-mem '${item.name.text}': ${count(figures.blocks)} blocks of ${bytes(figures.device.blockSize)}, ${count(figures.pluggedBlocks)} plugged at boot`);
      }
    }
  }
}
