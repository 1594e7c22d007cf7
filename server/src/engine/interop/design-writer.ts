// The .vmtopo text of an imported VM, shared by `import qemu` and `import libvirt`: a header
// comment naming the source and listing everything vmtopo does not model (never dropped
// silently), an optional host, and the VM with only the attributes that differ from the
// language's defaults, then formatted by the project's formatter.
import { format } from "../../../../grammar/src/index";
import { sizeLiteral } from "../format";

export type Attr = [name: string, value: string];

export interface ImportedVirtioMem {
  name: string;
  attrs: Attr[];
}

export interface ImportedDevice {
  kind: "virtio-mem" | "dimm" | "vfio";
  name: string;
  attrs: Attr[];
}

export interface ImportedVm {
  name: string;
  /** the host it runs on, when it is declared elsewhere */
  onHost?: string;
  attrs: Attr[];
  devices: ImportedDevice[];
  /** `numa { node ID { memory = … } }`, when the source declares NUMA nodes */
  numa?: { id: number; memory: string }[];
}

export interface ImportedHost {
  name: string;
  attrs: Attr[];
  /** `iommu { ... }` attributes */
  iommu?: Attr[];
  hugepages?: [pageSize: string, count: number][];
}

export interface ImportedDesign {
  /** where it came from, one line */
  source: string;
  /** `import "PATH"` lines: the file that declares the VM's host (`--host`) */
  imports?: string[];
  host?: ImportedHost;
  vm: ImportedVm;
  /** what vmtopo does not model, one line each */
  unmodelled: string[];
  /** assumptions the importer made, one line each */
  notes: string[];
  /** the heading of the `unmodelled` list */
  unmodelledHeading?: string;
}

export const size = (n: number) => sizeLiteral(n);

/** A name of the language ([A-Za-z_][A-Za-z0-9_-]*) from any id. */
export function identifier(id: string, fallback: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, "-").replace(/^[^A-Za-z_]+/, "");
  return cleaned === "" ? fallback : cleaned;
}

/** A string literal of the language. */
export const stringLiteral = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** One comment line: no line breaks, no control characters. */
const commentLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, " ");

export function designText(design: ImportedDesign): string {
  const out: string[] = [`// ${commentLine(design.source)}`];
  if (design.notes.length > 0) {
    out.push("//", "// Assumed by the importer:");
    for (const note of design.notes) out.push(`//   ${commentLine(note)}`);
  }
  if (design.unmodelled.length > 0) {
    out.push("//", `// ${design.unmodelledHeading ?? "Not modelled by vmtopo (kept here for reference, not analysed):"}`);
    for (const item of design.unmodelled) out.push(`//   ${commentLine(item)}`);
  }
  out.push("");
  for (const path of design.imports ?? []) out.push(`import ${stringLiteral(path)}`, "");
  if (design.host) {
    const h = design.host;
    out.push(`host ${h.name} {`);
    for (const [name, value] of h.attrs) out.push(`${name} = ${value}`);
    if (h.iommu && h.iommu.length > 0) {
      out.push("iommu {");
      for (const [name, value] of h.iommu) out.push(`${name} = ${value}`);
      out.push("}");
    }
    if (h.hugepages && h.hugepages.length > 0) {
      out.push("hugepages {");
      for (const [page, count] of h.hugepages) out.push(`${page} = ${count}`);
      out.push("}");
    }
    out.push("}", "");
  }
  const vm = design.vm;
  const host = vm.onHost ?? design.host?.name;
  out.push(`vm ${vm.name}${host ? ` on ${host}` : ""} {`);
  for (const [name, value] of vm.attrs) out.push(`${name} = ${value}`);
  if (vm.numa && vm.numa.length > 0) {
    out.push("numa {");
    for (const node of vm.numa) out.push(`node ${node.id} {`, `memory = ${node.memory}`, "}");
    out.push("}");
  }
  for (const device of vm.devices) {
    out.push("", `${device.kind} ${device.name} {`);
    for (const [name, value] of device.attrs) out.push(`${name} = ${value}`);
    out.push("}");
  }
  out.push("}", "");
  const text = out.join("\n");
  const formatted = format(text);
  // The writer builds valid text; should it not, the unformatted text still says everything.
  return formatted.text ?? text;
}
