// "What is at this position": the chain of syntax nodes from the file down to the innermost
// node under a cursor, with the parts features ask for most (declaration, block, device,
// attribute, step, value, name, keyword) picked out. Pure AST work: no engine, no LSP types.
import type * as A from "../../../grammar/src/index";
import type { Context } from "../engine/schema";

/** What a name under the cursor stands for. */
export type NameRole =
  | "host" // `host NAME`
  | "vm" // `vm NAME`
  | "scenario" // `scenario NAME`
  | "device" // `vfio NAME`, `virtio-mem NAME`, `dimm NAME`, `hotplug vfio NAME`
  | "attribute" // `NAME = value`
  | "reserved" // `reserved NAME = range`
  | "host-ref" // `vm x on NAME`, `migrate to NAME`
  | "vm-ref" // `scenario s for NAME`
  | "device-ref"; // `resize NAME`, `unplug NAME`, `viommu-map NAME`

export interface NameAt {
  kind: "name";
  role: NameRole;
  name: A.Name;
  range: A.Range;
}

/** A keyword with a range of its own: `iommu`, `vfio`, `hugepages`, a device's kind, `shared`, `precopy`. */
export interface KeywordAt {
  kind: "keyword";
  text: string;
  range: A.Range;
}

export type Block = A.IommuBlock | A.HostVfioBlock | A.HugepagesBlock | A.Device | A.HotplugStep | A.UnknownBlock | A.NumaBlock | A.NumaNode;

export type LocatedNode =
  | A.VmtopoFile
  | A.Import
  | A.Declaration
  | A.IommuBlock
  | A.HostVfioBlock
  | A.HugepagesBlock
  | A.UnknownBlock
  | A.HugepagePool
  | A.ReservedRange
  | A.Device
  | A.NumaBlock
  | A.NumaNode
  | A.Step
  | A.Attribute
  | A.Value
  | NameAt
  | KeywordAt;

export interface Located {
  /** from the file (first) to the innermost node under the position (last) */
  path: LocatedNode[];
  innermost: LocatedNode;
  declaration?: A.Declaration;
  /** the innermost braces the position is in (a host's iommu/vfio/hugepages block, a device, a hotplug step) */
  block?: Block;
  device?: A.Device;
  step?: A.Step;
  attribute?: A.Attribute;
  /** the innermost value (a list item or range bound rather than the list or range) */
  value?: A.Value;
  name?: NameAt;
  keyword?: KeywordAt;
}

function before(a: A.Position, b: A.Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** start ≤ position ≤ end: a cursor just after a word is still on it. */
export function touches(range: A.Range, position: A.Position): boolean {
  return !before(position, range.start) && !before(range.end, position);
}

/** start ≤ position < end. */
export function inside(range: A.Range, position: A.Position): boolean {
  return !before(position, range.start) && before(position, range.end);
}

/** The candidate under the position; one that starts there beats one that ends there. */
function pick<T extends { range: A.Range }>(candidates: readonly (T | undefined | null | false)[], position: A.Position): T | undefined {
  const present = candidates.filter((c): c is T => !!c && !isMissing(c));
  return present.find((c) => inside(c.range, position)) ?? present.find((c) => touches(c.range, position));
}

function isMissing(node: { range: A.Range }): boolean {
  return ("missing" in node && node.missing === true) || ("kind" in node && node.kind === "missing");
}

const name = (role: NameRole, n: A.Name | undefined): NameAt | undefined => (n && !n.missing ? { kind: "name", role, name: n, range: n.range } : undefined);
const keyword = (text: string, range: A.Range): KeywordAt => ({ kind: "keyword", text, range });

/** The innermost node path at `position` (0-based line, UTF-16 character). */
export function locate(file: A.VmtopoFile, position: A.Position): Located {
  const path: LocatedNode[] = [file];
  const into = (node: LocatedNode | undefined): boolean => {
    if (!node) return false;
    path.push(node);
    return true;
  };

  const value = (v: A.Value) => {
    into(v);
    if (v.kind === "range") value2(pick([v.start, v.end], position));
    else if (v.kind === "list") value2(pick(v.items, position));
  };
  const value2 = (v: A.Value | undefined) => v && value(v);
  const attribute = (a: A.Attribute) => {
    into(a);
    const hit = pick<NameAt | A.Value>([name("attribute", a.name), a.value], position);
    if (hit?.kind === "name") into(hit);
    else if (hit) value(hit);
  };
  const attributes = (list: readonly A.Attribute[]) => {
    const a = pick(list, position);
    if (a) attribute(a);
  };

  /** `word { ... }` where no block belongs (VT002): its words are not names of anything. */
  const unknownBlock = (b: A.UnknownBlock) => {
    into(b);
    if (touches(b.keyword.range, position)) return void into(keyword(b.keyword.text, b.keyword.range));
    if (b.name && !b.name.missing && touches(b.name.range, position)) return;
    attributes(b.attributes);
  };

  const host = (h: A.Host) => {
    const hit = pick<NameAt | A.HostItem>([name("host", h.name), ...h.items], position);
    if (!hit) return;
    if (hit.kind === "name") return void into(hit);
    if (hit.kind === "attribute") return attribute(hit);
    if (hit.kind === "unknown-block") return unknownBlock(hit);
    into(hit);
    if (hit.kind === "iommu") {
      if (touches(hit.keyword, position)) return void into(keyword("iommu", hit.keyword));
      const item = pick<A.Attribute | A.ReservedRange | A.UnknownBlock>(hit.items, position);
      if (item?.kind === "attribute") attribute(item);
      else if (item?.kind === "unknown-block") unknownBlock(item);
      else if (item) {
        into(item);
        const part = pick<NameAt | A.Value>([name("reserved", item.name), item.value], position);
        if (part?.kind === "name") into(part);
        else if (part) value(part);
      }
    } else if (hit.kind === "host-vfio") {
      if (touches(hit.keyword, position)) return void into(keyword("vfio", hit.keyword));
      attributes(hit.attributes);
    } else {
      if (touches(hit.keyword, position)) return void into(keyword("hugepages", hit.keyword));
      const pool = pick(hit.pools, position);
      if (pool) {
        into(pool);
        value2(pick([pool.pageSize, pool.count], position));
      }
    }
  };

  const vm = (v: A.Vm) => {
    const hit = pick<NameAt | A.VmItem>([name("vm", v.name), name("host-ref", v.host), ...v.items], position);
    if (!hit) return;
    if (hit.kind === "name") return void into(hit);
    if (hit.kind === "attribute") return attribute(hit);
    if (hit.kind === "unknown-block") return unknownBlock(hit);
    into(hit);
    if (hit.kind === "numa") {
      if (touches(hit.keyword, position)) return void into(keyword("numa", hit.keyword));
      const entry = pick(hit.items, position);
      if (entry?.kind === "attribute") return attribute(entry);
      if (entry?.kind === "unknown-block") return unknownBlock(entry);
      if (!entry) return;
      into(entry);
      if (touches(entry.keyword, position)) return void into(keyword("node", entry.keyword));
      if (touches(entry.id.range, position)) return value(entry.id);
      return attributes(entry.attributes);
    }
    const part = pick<NameAt | KeywordAt>([keyword(hit.deviceKind, hit.keyword), name("device", hit.name)], position);
    if (part) into(part);
    else attributes(hit.attributes);
  };

  const step = (s: A.Step) => {
    into(s);
    switch (s.kind) {
      case "resize": {
        const hit = pick<NameAt | A.Value>([name("device-ref", s.device), s.size], position);
        if (hit?.kind === "name") into(hit);
        else value2(hit);
        return;
      }
      case "convert": {
        if (s.to !== null && touches(s.toRange, position) && !touches(s.target.range, position)) return void into(keyword(s.to, s.toRange));
        if (touches(s.target.range, position)) value(s.target);
        return;
      }
      case "hotplug": {
        const part = name("device", s.device);
        if (part && touches(part.range, position)) return void into(part);
        attributes(s.attributes);
        return;
      }
      case "unplug":
        into(pick([name("device-ref", s.device)], position));
        return;
      case "migrate": {
        const hit = pick<NameAt | KeywordAt>([name("host-ref", s.host), s.mode !== null ? keyword(s.mode, s.modeRange) : undefined], position);
        into(hit);
        return;
      }
      case "viommu-map": {
        const hit = pick<NameAt | A.Value>([name("device-ref", s.device), s.count, s.size], position);
        if (hit?.kind === "name") into(hit);
        else value2(hit);
        return;
      }
    }
  };

  const scenario = (sc: A.Scenario) => {
    const hit = pick<NameAt | A.Step>([name("scenario", sc.name), name("vm-ref", sc.vm), ...sc.steps], position);
    if (!hit) return;
    if (hit.kind === "name") into(hit);
    else step(hit);
  };

  const top = pick<A.Import | A.Declaration>([...file.imports, ...file.declarations], position);
  if (top) {
    into(top);
    if (top.kind === "import") value2(pick([top.path], position));
    else if (top.kind === "host") host(top);
    else if (top.kind === "vm") vm(top);
    else scenario(top);
  }
  return summarize(path);
}

function summarize(path: LocatedNode[]): Located {
  const located: Located = { path, innermost: path[path.length - 1] };
  for (const node of path) {
    switch (node.kind) {
      case "host":
      case "vm":
      case "scenario":
        located.declaration = node;
        break;
      case "iommu":
      case "host-vfio":
      case "hugepages":
      case "unknown-block":
      case "numa":
      case "numa-node":
        located.block = node;
        break;
      case "device":
        located.device = node;
        located.block = node;
        break;
      case "resize":
      case "convert":
      case "unplug":
      case "migrate":
      case "viommu-map":
        located.step = node;
        break;
      case "hotplug":
        located.step = node;
        located.block = node;
        break;
      case "attribute":
        located.attribute = node;
        break;
      case "name":
        located.name = node;
        break;
      case "keyword":
        located.keyword = node;
        break;
      case "integer":
      case "size":
      case "bandwidth":
      case "string":
      case "identifier":
      case "range":
      case "list":
      case "missing":
        located.value = node;
        break;
    }
  }
  return located;
}

/** The attribute table (engine/schema.ts) that applies where the position is, if any. */
export function attributeContext(located: Located): Context | undefined {
  const block = located.block;
  if (block) {
    switch (block.kind) {
      case "iommu":
        return "iommu";
      case "host-vfio":
        return "host-vfio";
      case "hugepages":
      case "unknown-block":
      case "numa":
        return undefined;
      case "numa-node":
        return "numa-node";
      case "device":
        return block.deviceKind;
      case "hotplug":
        return "vfio";
    }
  }
  const declaration = located.declaration;
  if (declaration?.kind === "host") return "host";
  if (declaration?.kind === "vm") return "vm";
  return undefined;
}
