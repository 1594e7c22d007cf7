// The language server's incremental analysis: the same engine as `analyzeText`, remembering
// between calls what each unit computed. A unit is a top-level declaration: a host's model,
// a VM's model and figures, a scenario's replay. The syntax trees of unchanged declarations
// are kept by the incremental parser (the same objects while they do not move), so a unit is
// found again by its declaration, and reused when its inputs (its file, its host, the
// defaults; for a scenario, its VM and every answer it got about other VMs and hosts) are
// the same. Pure: keyed by text, no LSP, no file system (the reader is passed in).
import type { ParseResult } from "../../../grammar/src/index";
import { analyzeWith, type Analysis, type EngineOptions, type Reuse, type Unit } from "./analyze";
import { IncrementalParser } from "./incremental-parse";
import type { SourceReader } from "./program";
import { Sink } from "./sink";

interface Remembered extends Unit<unknown> {
  inputs: readonly unknown[];
  /** the line its declaration started on when computed */
  line: number | undefined;
}

/**
 * A declaration that moved by whole lines keeps its syntax nodes, moved in place, and with
 * them every range the unit took from them. What cannot move with it is a line number
 * written into a message ("the first is on line 12"): such a unit is computed again.
 */
function movable(unit: Remembered, line: number | undefined): boolean {
  return unit.line === line || !unit.diagnostics.some((d) => /\bline \d/.test(d.message) || d.related?.some((r) => /\bline \d/.test(r.message)));
}

function startLine(key: object): number | undefined {
  return (key as { range?: { start?: { line?: number } } }).range?.start?.line;
}

export class IncrementalAnalyzer implements Reuse {
  private readonly parsers = new Map<string, IncrementalParser>();
  private units = new WeakMap<object, Remembered>();

  analyze(text: string, path: string, reader: SourceReader, options: EngineOptions = {}): Analysis {
    return analyzeWith(this, text, path, reader, options);
  }

  /** Forget a file's parse state (its document was closed). */
  forget(path: string): void {
    this.parsers.delete(path);
  }

  parse(path: string, text: string): ParseResult {
    let parser = this.parsers.get(path);
    if (!parser) this.parsers.set(path, (parser = new IncrementalParser()));
    return parser.parse(text);
  }

  unit<T>(key: object, inputs: readonly unknown[], file: string, compute: (sink: Sink) => T, valid?: (value: T) => boolean): Unit<T> {
    const remembered = this.units.get(key);
    const line = startLine(key);
    if (remembered && sameInputs(remembered.inputs, inputs) && movable(remembered, line) && (!valid || valid(remembered.value as T))) {
      remembered.line = line;
      return remembered as Unit<T>;
    }
    const sink = new Sink(file);
    const unit: Remembered = { value: compute(sink), diagnostics: sink.diagnostics, inputs, line };
    this.units.set(key, unit);
    return unit as Unit<T>;
  }
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
