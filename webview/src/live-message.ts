// The view's check of a `live` message (the running QEMU beside the design). What comes by
// postMessage is untrusted: the host passes the language server's answer on, and a name or
// message in it comes from the user's files or from QEMU. The message is rebuilt from the
// fields checked here, each of its type and within bounds; anything else is refused whole.
import type { LiveDifference, LiveFigure, LiveRow, LiveView, Position, Range, SourceRef } from "./report-types";

/** Bounds: a real VM has a few dozen rows; these only stop a flood. */
const MAX_ROWS = 10_000;
const MAX_NOTES = 1_000;
const MAX_TEXT = 4_096;
const MAX_UINTEGER = 2 ** 31 - 1;

type Refused = { refused: string };
export type LiveMessage = { type: "live"; uri: string; live: LiveView | null };

class Invalid extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function text(v: unknown, what: string, allowEmpty = false): string {
  if (typeof v !== "string" || v.length > MAX_TEXT || (!allowEmpty && v.length === 0)) throw new Invalid(`${what} must be a string of 1 to ${MAX_TEXT} characters`);
  return v;
}

function textOrNull(v: unknown, what: string): string | null {
  return v === null ? null : text(v, what);
}

/** A byte figure: a safe integer, as every figure the engine reports. */
function figureNumber(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new Invalid(`${what} must be a non-negative safe integer`);
  return v as number;
}

function uinteger(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_UINTEGER) throw new Invalid(`${what} must be a non-negative integer`);
  return v as number;
}

function list<T>(v: unknown, what: string, max: number, item: (x: unknown, i: number) => T): T[] {
  if (!Array.isArray(v) || v.length > max) throw new Invalid(`${what} must be a list of at most ${max}`);
  return v.map(item);
}

function position(v: unknown, what: string): Position {
  if (!isObject(v)) throw new Invalid(`${what} must be a position`);
  return { line: uinteger(v.line, `${what}.line`), character: uinteger(v.character, `${what}.character`) };
}

function range(v: unknown, what: string): Range {
  if (!isObject(v)) throw new Invalid(`${what} must be a range`);
  const start = position(v.start, `${what}.start`);
  const end = position(v.end, `${what}.end`);
  if (start.line > end.line || (start.line === end.line && start.character > end.character)) throw new Invalid(`${what} starts after it ends`);
  return { start, end };
}

function source(v: unknown, what: string): SourceRef | null {
  if (v === null) return null;
  if (!isObject(v)) throw new Invalid(`${what} must be a source reference or null`);
  return { file: text(v.file, `${what}.file`), range: range(v.range, `${what}.range`) };
}

function figure(v: unknown, what: string): LiveFigure | null {
  if (v === null) return null;
  if (!isObject(v)) throw new Invalid(`${what} must be a figure or null`);
  switch (v.kind) {
    case "range": {
      const start = figureNumber(v.start, `${what}.start`);
      const end = figureNumber(v.end, `${what}.end`);
      if (end < start) throw new Invalid(`${what} ends before it starts`);
      return { kind: "range", start, end };
    }
    case "bytes":
    case "address":
      return { kind: v.kind, value: figureNumber(v.value, `${what}.value`) };
    case "present":
      return { kind: "present" };
    default:
      throw new Invalid(`${what}.kind must be range, bytes, address or present`);
  }
}

const GROUPS = new Set(["ram", "virtio-mem", "vfio"]);
const SEVERITIES = new Set(["error", "warning", "information", "hint"]);

function row(v: unknown, i: number): LiveRow {
  const what = `rows[${i}]`;
  if (!isObject(v)) throw new Invalid(`${what} must be an object`);
  if (typeof v.group !== "string" || !GROUPS.has(v.group)) throw new Invalid(`${what}.group must be ram, virtio-mem or vfio`);
  const checked: LiveRow = {
    key: text(v.key, `${what}.key`),
    group: v.group as LiveRow["group"],
    label: text(v.label, `${what}.label`),
    design: figure(v.design, `${what}.design`),
    live: figure(v.live, `${what}.live`),
    source: source(v.source, `${what}.source`),
  };
  if (v.device !== undefined) checked.device = text(v.device, `${what}.device`);
  if (v.note !== undefined) checked.note = text(v.note, `${what}.note`);
  return checked;
}

function difference(v: unknown, i: number): LiveDifference {
  const what = `differences[${i}]`;
  if (!isObject(v)) throw new Invalid(`${what} must be an object`);
  if (typeof v.severity !== "string" || !SEVERITIES.has(v.severity)) throw new Invalid(`${what}.severity must be error, warning, information or hint`);
  return {
    code: text(v.code, `${what}.code`),
    severity: v.severity as LiveDifference["severity"],
    message: text(v.message, `${what}.message`),
    range: range(v.range, `${what}.range`),
    file: text(v.file, `${what}.file`),
    subject: text(v.subject, `${what}.subject`),
  };
}

function liveView(v: unknown): LiveView {
  if (!isObject(v)) throw new Invalid("live must be an object or null");
  const scenario = textOrNull(v.scenario, "live.scenario");
  const step = v.step === null ? null : uinteger(v.step, "live.step");
  if ((scenario === null) !== (step === null)) throw new Invalid("live.scenario and live.step come together");
  const readAt = text(v.readAt, "live.readAt");
  if (Number.isNaN(Date.parse(readAt))) throw new Invalid("live.readAt must be a date");
  const rows = list(v.rows, "live.rows", MAX_ROWS, row);
  const keys = new Set(rows.map((r) => r.key));
  if (keys.size !== rows.length) throw new Invalid("live.rows: each key once");
  const differences = list(v.differences, "live.differences", MAX_ROWS, difference);
  const orphan = differences.find((d) => !keys.has(d.subject));
  if (orphan) throw new Invalid(`live.differences: subject ${JSON.stringify(orphan.subject.slice(0, 60))} is no row`);
  return {
    vm: text(v.vm, "live.vm"),
    scenario,
    step,
    qemuVersion: textOrNull(v.qemuVersion, "live.qemuVersion"),
    socket: text(v.socket, "live.socket"),
    readAt,
    version: v.version === null ? null : uinteger(v.version, "live.version"),
    rows,
    differences,
    notes: list(v.notes, "live.notes", MAX_NOTES, (n, i) => text(n, `live.notes[${i}]`)),
  };
}

/** A `live` message, rebuilt from its checked fields; or why it is refused. */
export function parseLiveMessage(raw: unknown): LiveMessage | Refused {
  if (!isObject(raw) || raw.type !== "live") return { refused: "not a live message" };
  try {
    return { type: "live", uri: text(raw.uri, "uri"), live: raw.live === null ? null : liveView(raw.live) };
  } catch (error) {
    if (error instanceof Invalid) return { refused: error.message };
    // A getter that throws, a proxy: whatever it was, it is not a live message.
    return { refused: "unreadable message" };
  }
}
