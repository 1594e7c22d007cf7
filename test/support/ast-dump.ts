// A compact, readable rendering of the AST for fixtures: one node per line, indented.
// Values read as `size 4096 (4K)`; missing parts as `<missing>`.
import type * as A from "../../grammar/src/ast";
import type { Diagnostic } from "../../grammar/src/diagnostic";

export function dumpAst(file: A.VmtopoFile): string {
  const lines: string[] = [];
  const emit = (depth: number, text: string) => lines.push("  ".repeat(depth) + text);
  const attributes = (depth: number, list: A.Attribute[]) => list.forEach((a) => emit(depth, `${name(a.name)} = ${value(a.value)}`));
  const unknown = (depth: number, block: A.UnknownBlock) => {
    emit(depth, `unknown block ${name(block.keyword)}${block.name ? ` ${name(block.name)}` : ""}`);
    attributes(depth + 1, block.attributes);
  };

  for (const i of file.imports) emit(0, `import ${value(i.path)}`);
  for (const decl of file.declarations) {
    if (decl.kind === "host") {
      emit(0, `host ${name(decl.name)}`);
      for (const item of decl.items) {
        if (item.kind === "attribute") emit(1, `${name(item.name)} = ${value(item.value)}`);
        else if (item.kind === "iommu") {
          emit(1, "iommu");
          for (const i of item.items) {
            if (i.kind === "attribute") emit(2, `${name(i.name)} = ${value(i.value)}`);
            else if (i.kind === "unknown-block") unknown(2, i);
            else emit(2, `reserved ${name(i.name)} = ${value(i.value)}`);
          }
        } else if (item.kind === "host-vfio") {
          emit(1, "vfio");
          attributes(2, item.attributes);
        } else if (item.kind === "unknown-block") {
          unknown(1, item);
        } else {
          emit(1, "hugepages");
          item.pools.forEach((p) => emit(2, `${value(p.pageSize)} = ${value(p.count)}`));
        }
      }
    } else if (decl.kind === "vm") {
      emit(0, `vm ${name(decl.name)}${decl.host ? ` on ${name(decl.host)}` : ""}`);
      for (const item of decl.items) {
        if (item.kind === "attribute") emit(1, `${name(item.name)} = ${value(item.value)}`);
        else if (item.kind === "unknown-block") unknown(1, item);
        else if (item.kind === "numa") {
          emit(1, "numa");
          for (const entry of item.items) {
            if (entry.kind === "attribute") emit(2, `${name(entry.name)} = ${value(entry.value)}`);
            else if (entry.kind === "unknown-block") unknown(2, entry);
            else {
              emit(2, `node ${value(entry.id)}`);
              attributes(3, entry.attributes);
            }
          }
        } else {
          emit(1, `${item.deviceKind} ${name(item.name)}`);
          attributes(2, item.attributes);
        }
      }
    } else {
      emit(0, `scenario ${name(decl.name)} for ${name(decl.vm)}`);
      for (const step of decl.steps) {
        emit(1, stepText(step));
        if (step.kind === "hotplug") attributes(2, step.attributes);
      }
    }
  }
  return lines.join("\n");
}

function stepText(step: A.Step): string {
  switch (step.kind) {
    case "resize":
      return `resize ${name(step.device)} to ${value(step.size)}`;
    case "convert":
      return `convert ${value(step.target)} to ${step.to ?? "<missing>"}`;
    case "hotplug":
      return `hotplug vfio ${name(step.device)}`;
    case "unplug":
      return `unplug ${name(step.device)}`;
    case "migrate":
      return `migrate to ${name(step.host)} ${step.mode ?? "<missing>"}`;
    case "viommu-map":
      return `viommu-map ${name(step.device)} ${value(step.count)} x ${value(step.size)}`;
  }
}

function name(n: A.Name): string {
  return n.missing ? "<missing>" : n.text;
}

export function value(v: A.Value): string {
  switch (v.kind) {
    case "integer":
      return `int ${v.value ?? "<invalid>"}${v.text !== String(v.value) ? ` (${v.text})` : ""}`;
    case "size":
      return `size ${v.bytes ?? "<invalid>"} (${v.text})`;
    case "bandwidth":
      return `bandwidth ${v.bitsPerSecond ?? "<invalid>"} (${v.text})`;
    case "string":
      return `string ${JSON.stringify(v.value)}`;
    case "identifier":
      return `ident ${v.name}`;
    case "range":
      return `range ${value(v.start)} .. ${value(v.end)}`;
    case "list":
      return `list [${v.items.map(value).join(", ")}]`;
    case "missing":
      return "<missing>";
  }
}

/** `line:col-line:col CODE message`, 1-based as an editor shows positions. */
export function dumpDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics
    .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.code} ${d.message}`)
    .join("\n");
}

/** The AST without ranges: what must not change when only whitespace and layout change. */
export function withoutRanges(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === "range" || key === "keyword" || key === "toRange" || key === "modeRange" ? undefined : v)));
}
