// A program: the entry file and every file it imports, their declarations in one namespace
// per kind (hosts, VMs, scenarios), with VT005 (unresolved), VT006 (duplicate) and VT008
// (import cycle). The engine reads files only through `SourceReader`, so the CLI gives it the
// disk and the language server gives it open documents first.
import { dirname, join, normalize } from "node:path/posix";
import { parse, type ParseResult } from "../../../grammar/src/index";
import type * as A from "../../../grammar/src/index";
import { suggest } from "./schema";
import { Sink } from "./sink";

/** Why a file cannot be imported: VT005 (it cannot be read) or VT009 (it is not a source vmtopo reads). */
export interface Unreadable {
  code: "VT005" | "VT009";
  /** one line, after "cannot import 'x' (path): ", e.g. "a FIFO (named pipe), not a regular file" */
  reason: string;
  /** nothing exists at the path (a quick fix can create the file) */
  missing?: boolean;
}

export interface SourceReader {
  /** the text of the file at this absolute, '/'-separated path, or undefined / why not if unreadable */
  read(path: string): string | Unreadable | undefined;
}

/** Absolute '/'-separated paths (POSIX or Windows drive) name files; anything else is a URI of an in-memory document. */
export function isFilePath(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:\//.test(path);
}

export interface SourceFile {
  path: string;
  text: string;
  parsed: ParseResult;
  sink: Sink;
  /** files this one imports, resolved */
  imports: string[];
  /** the import statement behind each entry of `imports` */
  importNodes: A.Import[];
}

export interface Declared<T> {
  decl: T;
  file: string;
}

export interface Program {
  entry: string;
  files: Map<string, SourceFile>;
  hosts: Map<string, Declared<A.Host>>;
  vms: Map<string, Declared<A.Vm>>;
  scenarios: Map<string, Declared<A.Scenario>>;
}

export function resolveImportPath(from: string, spec: string): string {
  return normalize(spec.startsWith("/") ? spec : join(dirname(from), spec));
}

/** `parseFile` lets the language server reuse the syntax trees of unchanged declarations. */
export function loadProgram(entry: string, reader: SourceReader, entryText?: string, parseFile: (path: string, text: string) => ParseResult = (_path, text) => parse(text)): Program {
  const program: Program = { entry, files: new Map(), hosts: new Map(), vms: new Map(), scenarios: new Map() };
  // The chain of files being visited, each with the import that leads to the next one.
  const visiting: { path: string; file: SourceFile; via?: A.Import }[] = [];
  const order: SourceFile[] = [];
  const reported = new Set<A.Import>();

  const visit = (path: string, text: string) => {
    const parsed = parseFile(path, text);
    const file: SourceFile = { path, text, parsed, sink: new Sink(path), imports: [], importNodes: [] };
    program.files.set(path, file);
    const frame: { path: string; file: SourceFile; via?: A.Import } = { path, file };
    visiting.push(frame);
    for (const imp of parsed.ast.imports) {
      if (imp.path.kind !== "string") continue;
      if (!isFilePath(path)) {
        // An untitled buffer or a remote URI has no folder to resolve imports against.
        file.sink.error("VT009", imp.path.range, `cannot import '${imp.path.value}': this document is not a file on disk (${path}), so its imports resolve against nothing`);
        continue;
      }
      if (!imp.path.value.endsWith(".vmtopo")) {
        file.sink.error("VT009", imp.path.range, `cannot import '${imp.path.value}': only .vmtopo files can be imported`);
        continue;
      }
      const target = resolveImportPath(path, imp.path.value);
      const start = visiting.findIndex((v) => v.path === target);
      if (start >= 0) {
        // Every import along the cycle is an error, so each file of the cycle shows it.
        frame.via = imp;
        const members = visiting.slice(start);
        const cycle = [...members.map((v) => shortName(v.path)), shortName(target)].join(" → ");
        for (const member of members) {
          if (member.via && member.via.path.kind === "string" && !reported.has(member.via)) {
            reported.add(member.via);
            member.file.sink.error("VT008", member.via.path.range, `import cycle: ${cycle}`);
          }
        }
        frame.via = undefined;
        continue;
      }
      frame.via = imp;
      file.imports.push(target);
      file.importNodes.push(imp);
      if (program.files.has(target)) continue;
      const imported = reader.read(target);
      if (imported === undefined) {
        file.sink.error("VT005", imp.path.range, `cannot read the imported file '${imp.path.value}' (${target})`, { missingFile: target });
        continue;
      }
      if (typeof imported !== "string") {
        file.sink.error(imported.code, imp.path.range, `cannot import '${imp.path.value}' (${target}): ${imported.reason}`, imported.missing ? { missingFile: target } : undefined);
        continue;
      }
      visit(target, imported);
      frame.via = undefined;
    }
    visiting.pop();
    // Imported files register first, so a clash is reported in the file that imports.
    order.push(file);
  };

  const text = entryText ?? reader.read(entry);
  visit(entry, typeof text === "string" ? text : "");
  for (const file of order) registerDeclarations(program, file);
  return program;
}

/**
 * VT010: an import of a file that has errors says so on the import line, with related
 * information pointing at each error (the first few), so a broken or foreign file cannot be
 * imported silently. Files are visited imports first, so an error deep in a chain of imports
 * shows at every link of it. Run after the analysis, so engine errors count as well.
 */
export function summariseImportedErrors(program: Program): void {
  const done = new Set<string>();
  const errorsOf = (file: SourceFile) => [...file.parsed.diagnostics, ...file.sink.diagnostics].filter((d) => d.severity === "error");
  const visit = (file: SourceFile) => {
    if (done.has(file.path)) return;
    done.add(file.path);
    file.imports.forEach((target, i) => {
      const imported = program.files.get(target);
      if (!imported) return;
      visit(imported);
      const errors = errorsOf(imported);
      if (errors.length === 0) return;
      errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
      const first = errors[0];
      const node = file.importNodes[i];
      const plural = errors.length === 1 ? "an error" : `${errors.length} errors`;
      file.sink.error(
        "VT010",
        node.path.range,
        `the imported file '${shortName(target)}' has ${plural}; the first, line ${first.range.start.line + 1}: ${first.code} ${first.message}`,
        undefined,
        errors.slice(0, MAX_RELATED).map((d) => ({ file: target, range: d.range, message: `${d.code} ${d.message}` })),
      );
    });
  };
  const entry = program.files.get(program.entry);
  if (entry) visit(entry);
}

const MAX_RELATED = 20;

function shortName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function registerDeclarations(program: Program, file: SourceFile): void {
  for (const decl of file.parsed.ast.declarations) {
    if (decl.name.missing) continue;
    const table = (decl.kind === "host" ? program.hosts : decl.kind === "vm" ? program.vms : program.scenarios) as Map<string, Declared<A.Declaration>>;
    const existing = table.get(decl.name.text);
    if (existing) {
      const where = existing.file === file.path ? `line ${existing.decl.name.range.start.line + 1}` : `${shortName(existing.file)}:${existing.decl.name.range.start.line + 1}`;
      file.sink.error("VT006", decl.name.range, `${decl.kind} '${decl.name.text}' is already declared (${where})`, undefined, [
        { file: existing.file, range: existing.decl.name.range, message: `the first '${decl.name.text}'` },
      ]);
      continue;
    }
    table.set(decl.name.text, { decl, file: file.path });
  }
}

/** "unknown host 'sp'; did you mean 'spr'?" */
export function unresolved(kind: string, name: string, known: Iterable<string>): { message: string; suggestion?: string } {
  const guess = suggest(name, known);
  return { message: `unknown ${kind} '${name}'${guess ? `; did you mean '${guess}'?` : ""}`, suggestion: guess };
}
