// Where every name is declared and where it is used, across a program's files: the data
// behind go to definition, find references, rename, outline and workspace symbols.
import type * as A from "../../../grammar/src/index";
import type { Position, Range } from "../../../grammar/src/index";
import type { Program } from "./program";

export type SymbolKind = "host" | "vm" | "scenario" | "device";

export interface SymbolDefinition {
  key: string;
  kind: SymbolKind;
  name: string;
  file: string;
  /** the name as declared */
  range: Range;
  /** the whole declaration */
  fullRange: Range;
  /** for a device: its VM (and, when hot-plugged, its scenario) */
  container?: string;
  detail: string;
}

export interface SymbolReference {
  key: string;
  kind: SymbolKind;
  name: string;
  file: string;
  range: Range;
}

export interface SymbolIndex {
  definitions: SymbolDefinition[];
  references: SymbolReference[];
}

export const deviceKey = (vm: string, device: string) => `device:${vm}/${device}`;
const hotplugKey = (vm: string, scenario: string, device: string) => `device:${vm}#${scenario}/${device}`;

export function buildSymbolIndex(program: Program): SymbolIndex {
  const definitions: SymbolDefinition[] = [];
  const references: SymbolReference[] = [];
  const vmDevices = new Map<string, Set<string>>();
  for (const { decl } of program.vms.values()) {
    vmDevices.set(decl.name.text, new Set(decl.items.flatMap((i) => (i.kind === "device" && !i.name.missing ? [i.name.text] : []))));
  }

  for (const file of program.files.values()) {
    const ref = (kind: SymbolKind, key: string, name: A.Name) => {
      if (!name.missing) references.push({ key, kind, name: name.text, file: file.path, range: name.range });
    };
    for (const decl of file.parsed.ast.declarations) {
      if (decl.name.missing) continue;
      if (decl.kind === "host") {
        definitions.push({ key: `host:${decl.name.text}`, kind: "host", name: decl.name.text, file: file.path, range: decl.name.range, fullRange: decl.range, detail: "host" });
      } else if (decl.kind === "vm") {
        definitions.push({ key: `vm:${decl.name.text}`, kind: "vm", name: decl.name.text, file: file.path, range: decl.name.range, fullRange: decl.range, detail: decl.host ? `vm on ${decl.host.text}` : "vm" });
        if (decl.host) ref("host", `host:${decl.host.text}`, decl.host);
        for (const item of decl.items) {
          if (item.kind !== "device" || item.name.missing) continue;
          definitions.push({
            key: deviceKey(decl.name.text, item.name.text),
            kind: "device",
            name: item.name.text,
            file: file.path,
            range: item.name.range,
            fullRange: item.range,
            container: decl.name.text,
            detail: item.deviceKind,
          });
        }
      } else {
        const vm = decl.vm.text;
        definitions.push({ key: `scenario:${decl.name.text}`, kind: "scenario", name: decl.name.text, file: file.path, range: decl.name.range, fullRange: decl.range, detail: `scenario for ${vm}` });
        ref("vm", `vm:${vm}`, decl.vm);
        const hotplugged = new Set<string>();
        const deviceRef = (name: A.Name) => ref("device", hotplugged.has(name.text) ? hotplugKey(vm, decl.name.text, name.text) : deviceKey(vm, name.text), name);
        for (const step of decl.steps) {
          switch (step.kind) {
            case "hotplug":
              if (step.device.missing) break;
              if (vmDevices.get(vm)?.has(step.device.text)) {
                deviceRef(step.device); // a clash (VT405), but still a use of that name
                break;
              }
              hotplugged.add(step.device.text);
              definitions.push({
                key: hotplugKey(vm, decl.name.text, step.device.text),
                kind: "device",
                name: step.device.text,
                file: file.path,
                range: step.device.range,
                fullRange: step.range,
                container: `${vm} (scenario ${decl.name.text})`,
                detail: "vfio (hot-plugged)",
              });
              break;
            case "resize":
            case "unplug":
            case "viommu-map":
              deviceRef(step.device);
              break;
            case "migrate":
              ref("host", `host:${step.host.text}`, step.host);
              break;
          }
        }
      }
    }
  }
  return { definitions, references };
}

function contains(range: Range, position: Position): boolean {
  const after = (a: Position, b: Position) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(position, range.start) && after(range.end, position);
}

/** The symbol whose declaration or use is under the cursor. */
export function symbolAt(index: SymbolIndex, file: string, position: Position): { key: string; kind: SymbolKind; name: string; range: Range } | undefined {
  const hit = [...index.definitions, ...index.references].find((s) => s.file === file && contains(s.range, position));
  return hit && { key: hit.key, kind: hit.kind, name: hit.name, range: hit.range };
}
