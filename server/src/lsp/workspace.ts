// The server's view of the files: open documents first, the disk for the rest, and one
// cached analysis per open document. Any change (an edit, a file changed on disk) bumps the
// generation, so an analysis is reused only while nothing it may depend on has changed.
// Analyses are incremental (engine/analysis-cache.ts): an edit re-parses and re-analyses
// only the declarations it touched. A document too large to analyse gets one diagnostic
// saying so (engine/too-large.ts). Imported files that are not open are read asynchronously
// (disk-files.ts): until one arrives the analysis is provisional and not published.
import type { TextDocuments } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { IncrementalAnalyzer } from "../engine/analysis-cache";
import type { Analysis } from "../engine/analyze";
import type { SourceReader } from "../engine/program";
import { buildSymbolIndex, type SymbolIndex } from "../engine/symbols";
import { isTooLarge, tooLargeAnalysis } from "../engine/too-large";
import { pathToUri, uriToPath } from "./convert";
import { DiskFiles } from "./disk-files";
import type { Settings } from "./settings";

interface Cached {
  generation: number;
  version: number;
  analysis: Analysis;
  symbols?: SymbolIndex;
  /** some imported file was still being read from disk: the analysis is provisional */
  awaitingFiles: boolean;
}

export class Workspace {
  private generation = 0;
  private readonly cache = new Map<string, Cached>();
  private readonly analyzer = new IncrementalAnalyzer();
  /** imported files not open in the editor */
  readonly disk = new DiskFiles();
  private missedFiles = false;

  constructor(
    readonly documents: TextDocuments<TextDocument>,
    private readonly settings: Settings,
  ) {}

  readonly reader: SourceReader = {
    read: (path) => {
      const open = this.documents.get(pathToUri(path));
      if (open) return open.getText();
      const read = this.disk.get(path);
      if (read === undefined) {
        this.missedFiles = true;
        return { code: "VT005", reason: "still being read" };
      }
      return "text" in read ? read.text : read;
    },
  };

  /** Something changed (`path`, if known, on disk or in the editor): every cached analysis may be stale. */
  invalidate(path?: string): void {
    this.generation++;
    if (path !== undefined) this.disk.forget(path);
  }

  /** The document's last analysis was provisional: an import was still being read. */
  awaitingFiles(uri: string): boolean {
    return this.cache.get(uri)?.awaitingFiles ?? false;
  }

  private entry(uri: string): Cached | undefined {
    const document = this.documents.get(uri);
    if (!document) return undefined;
    const cached = this.cache.get(uri);
    if (cached && cached.generation === this.generation && cached.version === document.version) return cached;
    const text = document.getText();
    const path = uriToPath(uri);
    const versions = { qemu: this.settings.current.defaultQemuVersion, kernel: this.settings.current.defaultKernelVersion };
    this.missedFiles = false;
    const analysis = isTooLarge(text) ? tooLargeAnalysis(text, path) : this.analyzer.analyze(text, path, this.reader, { versions });
    const fresh: Cached = { generation: this.generation, version: document.version, analysis, awaitingFiles: this.missedFiles };
    this.cache.set(uri, fresh);
    return fresh;
  }

  /** The analysis of an open document, computed at most once per change. */
  analysis(uri: string): Analysis | undefined {
    return this.entry(uri)?.analysis;
  }

  symbols(uri: string): SymbolIndex | undefined {
    const entry = this.entry(uri);
    if (!entry) return undefined;
    entry.symbols ??= buildSymbolIndex(entry.analysis.program);
    return entry.symbols;
  }

  /** Whether an open document is beyond what the server analyses (features answer nothing). */
  tooLarge(uri: string): boolean {
    const document = this.documents.get(uri);
    return document !== undefined && isTooLarge(document.getText());
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.analyzer.forget(uriToPath(uri));
  }

  /** Open documents whose analysis reads `path` (they import it, or they are it). */
  dependents(path: string): string[] {
    return this.documents.all().flatMap((d) => {
      const cached = this.cache.get(d.uri);
      return uriToPath(d.uri) === path || cached?.analysis.program.files.has(path) ? [d.uri] : [];
    });
  }
}
