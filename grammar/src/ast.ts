// The typed syntax tree of a .vmtopo file. Every node and every name carries its source
// range, so that every later layer (engine diagnostics, hover, rename) can point at text.
// Parts that a broken document lacks are present but marked `missing`, so consumers never
// meet `undefined` where the grammar promises a node.

/** 0-based line and UTF-16 character, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

interface NodeBase {
  range: Range;
}

/** A name as written; `missing` when the parser had to recover without one. */
export interface Name extends NodeBase {
  text: string;
  missing?: true;
}

// ---- values ----------------------------------------------------------------------------

/** A count, or bytes where the attribute is a size. `value` is null when not representable (VT004 raised). */
export interface IntegerValue extends NodeBase {
  kind: "integer";
  text: string;
  value: number | null;
}

/** A size in bytes; `bytes` is null when not representable or not whole (VT004 raised). */
export interface SizeValue extends NodeBase {
  kind: "size";
  text: string;
  bytes: number | null;
  /** the unit as written: K, KiB, KB, ... */
  unit: string;
}

/** Bits per second (units are powers of 1000). */
export interface BandwidthValue extends NodeBase {
  kind: "bandwidth";
  text: string;
  bitsPerSecond: number | null;
  unit: string;
}

export interface StringValue extends NodeBase {
  kind: "string";
  /** the source text, quotes included */
  text: string;
  /** the decoded contents */
  value: string;
}

/** A bare word: an enum value, `on`/`off`, `unlimited`, a reference. */
export interface IdentifierValue extends NodeBase {
  kind: "identifier";
  name: string;
}

export type Scalar = IntegerValue | SizeValue;

export interface RangeValue extends NodeBase {
  kind: "range";
  start: Scalar | MissingValue;
  end: Scalar | MissingValue;
}

export interface ListValue extends NodeBase {
  kind: "list";
  items: Value[];
}

/** Placeholder for a value the parser could not find (a VT001 was raised). */
export interface MissingValue extends NodeBase {
  kind: "missing";
}

export type Value =
  | IntegerValue
  | SizeValue
  | BandwidthValue
  | StringValue
  | IdentifierValue
  | RangeValue
  | ListValue
  | MissingValue;

// ---- declarations ----------------------------------------------------------------------

export interface Attribute extends NodeBase {
  kind: "attribute";
  name: Name;
  value: Value;
}

export interface Import extends NodeBase {
  kind: "import";
  path: StringValue | MissingValue;
}

export interface Host extends NodeBase {
  kind: "host";
  name: Name;
  items: HostItem[];
}

export type HostItem = Attribute | IommuBlock | HostVfioBlock | HugepagesBlock | UnknownBlock;

/** `word { ... }` or `word NAME { ... }` where no such block belongs: parsed whole, reported as VT002. */
export interface UnknownBlock extends NodeBase {
  kind: "unknown-block";
  keyword: Name;
  name?: Name;
  attributes: Attribute[];
}

export interface IommuBlock extends NodeBase {
  kind: "iommu";
  keyword: Range;
  items: (Attribute | ReservedRange | UnknownBlock)[];
}

export interface ReservedRange extends NodeBase {
  kind: "reserved";
  name: Name;
  value: Value;
}

/** The host's unnamed `vfio { ... }` block. */
export interface HostVfioBlock extends NodeBase {
  kind: "host-vfio";
  keyword: Range;
  attributes: Attribute[];
}

export interface HugepagesBlock extends NodeBase {
  kind: "hugepages";
  keyword: Range;
  pools: HugepagePool[];
}

/** `2M = 512` inside `hugepages { }`: free pages of that size. */
export interface HugepagePool extends NodeBase {
  kind: "hugepage-pool";
  pageSize: Value;
  count: Value;
}

export type DeviceKind = "virtio-mem" | "vfio" | "dimm";

export interface Vm extends NodeBase {
  kind: "vm";
  name: Name;
  /** `on HOST`; absent means the built-in host `default` */
  host?: Name;
  items: VmItem[];
}

export type VmItem = Attribute | Device | NumaBlock | UnknownBlock;

/**
 * `numa { node 0 { memory = 8G } node 1 { memory = 8G } }`: the guest's NUMA nodes, as
 * QEMU's `-numa node,nodeid=N,memdev=...` options (one RAM backend per node).
 */
export interface NumaBlock extends NodeBase {
  kind: "numa";
  keyword: Range;
  /** nodes in source order; attributes and unknown blocks only where the user misplaced them (VT002) */
  items: (NumaNode | Attribute | UnknownBlock)[];
}

/** `node N { memory = SIZE }`: one NUMA node, `N` its node id (`nodeid=`). */
export interface NumaNode extends NodeBase {
  kind: "numa-node";
  keyword: Range;
  /** the node id as written (an integer, or missing) */
  id: Value;
  attributes: Attribute[];
}

export interface Device extends NodeBase {
  kind: "device";
  deviceKind: DeviceKind;
  keyword: Range;
  name: Name;
  attributes: Attribute[];
}

export interface Scenario extends NodeBase {
  kind: "scenario";
  name: Name;
  vm: Name;
  steps: Step[];
}

export interface ResizeStep extends NodeBase {
  kind: "resize";
  device: Name;
  size: Value;
}

export interface ConvertStep extends NodeBase {
  kind: "convert";
  target: Value;
  to: "shared" | "private" | null;
  toRange: Range;
}

export interface HotplugStep extends NodeBase {
  kind: "hotplug";
  device: Name;
  attributes: Attribute[];
}

export interface UnplugStep extends NodeBase {
  kind: "unplug";
  device: Name;
}

export interface MigrateStep extends NodeBase {
  kind: "migrate";
  host: Name;
  mode: "precopy" | "postcopy" | null;
  modeRange: Range;
}

export interface ViommuMapStep extends NodeBase {
  kind: "viommu-map";
  device: Name;
  count: Value;
  size: Value;
}

export type Step = ResizeStep | ConvertStep | HotplugStep | UnplugStep | MigrateStep | ViommuMapStep;
export type StepKind = Step["kind"];

export type Declaration = Host | Vm | Scenario;

export interface VmtopoFile extends NodeBase {
  kind: "file";
  imports: Import[];
  /** hosts, VMs and scenarios in source order */
  declarations: Declaration[];
}
