// The outline: hosts with their blocks, VMs with their devices, scenarios with their steps.
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import type * as A from "../../../../grammar/src/index";
import type { Feature } from "../context";

const symbol = (name: string, detail: string, kind: SymbolKind, range: A.Range, selectionRange: A.Range, children: DocumentSymbol[] = []): DocumentSymbol => ({
  name: name || "(missing)",
  detail,
  kind,
  range,
  selectionRange,
  children,
});

function attributeSymbols(attributes: A.Attribute[]): DocumentSymbol[] {
  return attributes.filter((a) => !a.name.missing).map((a) => symbol(a.name.text, "", SymbolKind.Property, a.range, a.name.range));
}

function unknownSymbol(block: A.UnknownBlock): DocumentSymbol {
  return symbol(`${block.keyword.text}${block.name ? ` ${block.name.text}` : ""}`, "unknown block", SymbolKind.Namespace, block.range, block.keyword.range, attributeSymbols(block.attributes));
}

function stepName(step: A.Step): string {
  switch (step.kind) {
    case "resize":
      return `resize ${step.device.text}`;
    case "convert":
      return `convert to ${step.to ?? "?"}`;
    case "hotplug":
      return `hotplug ${step.device.text}`;
    case "unplug":
      return `unplug ${step.device.text}`;
    case "migrate":
      return `migrate to ${step.host.text}`;
    case "viommu-map":
      return `viommu-map ${step.device.text}`;
  }
}

function numaSymbols(numa: A.NumaBlock): DocumentSymbol[] {
  return numa.items.map((entry) =>
    entry.kind === "attribute"
      ? symbol(entry.name.text, "", SymbolKind.Property, entry.range, entry.name.range)
      : entry.kind === "unknown-block"
        ? unknownSymbol(entry)
        : symbol(`node ${entry.id.kind === "integer" ? entry.id.text : "?"}`, "", SymbolKind.Object, entry.range, entry.keyword, attributeSymbols(entry.attributes)),
  );
}

export function outline(file: A.VmtopoFile): DocumentSymbol[] {
  return file.declarations.map((decl) => {
    if (decl.kind === "host") {
      const children = decl.items.map((item) => {
        if (item.kind === "attribute") return symbol(item.name.text, "", SymbolKind.Property, item.range, item.name.range);
        if (item.kind === "unknown-block") return unknownSymbol(item);
        const name = item.kind === "host-vfio" ? "vfio" : item.kind;
        const inner =
          item.kind === "iommu"
            ? item.items.map((i) =>
                i.kind === "unknown-block" ? unknownSymbol(i) : symbol(i.kind === "reserved" ? `reserved ${i.name.text}` : i.name.text, "", i.kind === "reserved" ? SymbolKind.Constant : SymbolKind.Property, i.range, i.name.range),
              )
            : item.kind === "host-vfio"
              ? attributeSymbols(item.attributes)
              : [];
        return symbol(name, "", SymbolKind.Namespace, item.range, item.keyword, inner);
      });
      return symbol(decl.name.text, "host", SymbolKind.Class, decl.range, decl.name.range, children);
    }
    if (decl.kind === "vm") {
      const children = decl.items.map((item) =>
        item.kind === "attribute"
          ? symbol(item.name.text, "", SymbolKind.Property, item.range, item.name.range)
          : item.kind === "unknown-block"
            ? unknownSymbol(item)
            : item.kind === "numa"
              ? symbol("numa", "", SymbolKind.Namespace, item.range, item.keyword, numaSymbols(item))
              : symbol(item.name.text, item.deviceKind, SymbolKind.Object, item.range, item.name.range, attributeSymbols(item.attributes)),
      );
      return symbol(decl.name.text, decl.host ? `on ${decl.host.text}` : "vm", SymbolKind.Module, decl.range, decl.name.range, children);
    }
    const steps = decl.steps.map((step, i) => symbol(`${i + 1}. ${stepName(step)}`, "", SymbolKind.Event, step.range, step.range));
    return symbol(decl.name.text, `for ${decl.vm.text}`, SymbolKind.Function, decl.range, decl.name.range, steps);
  });
}

export const documentSymbols: Feature = {
  capabilities: { documentSymbolProvider: true },
  register({ connection, workspace }) {
    connection.onDocumentSymbol(({ textDocument }) => {
      const analysis = workspace.analysis(textDocument.uri);
      return analysis ? outline(analysis.parse.ast) : null;
    });
  },
};
