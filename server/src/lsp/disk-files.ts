// Files that are not open in the editor, read from disk asynchronously so that the event
// loop never waits for a disk (or a FIFO, or a 1 GB file: the shared reader refuses those).
// The engine reads synchronously through a SourceReader; this cache answers it with what is
// already read, starts reading what is not, and tells its listeners when a read lands, so
// the documents that wanted it are analysed again. A file changed on disk is forgotten
// (the watcher says so) and read again on the next analysis that needs it; for clients
// without file watching, a file used after REVALIDATE_MS is read again in the background,
// and its listeners hear of it only if the content changed.
import { readSourceFile, type SourceRead } from "../files/read-source";
import { guard } from "./guard";

/** How long a file read from disk is used before it is read again (in the background). */
export const REVALIDATE_MS = 2_000;

export class DiskFiles {
  private readonly files = new Map<string, { read: SourceRead; at: number }>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly listeners: ((path: string) => void)[] = [];

  constructor(
    private readonly read: (path: string) => Promise<SourceRead> = (path) => readSourceFile(path),
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The file as read, or undefined while it is first read (a read starts if none runs). */
  get(path: string): SourceRead | undefined {
    const done = this.files.get(path);
    if (done && this.now() - done.at > REVALIDATE_MS && !this.reading.has(path)) this.start(path);
    if (done) return done.read;
    if (!this.reading.has(path)) this.start(path);
    return undefined;
  }

  /** Reads still running: for tests and for waiting before a one-off analysis. */
  get pending(): number {
    return this.reading.size;
  }

  forget(path: string): void {
    this.files.delete(path);
    if (this.reading.delete(path)) this.start(path);
  }

  onLoaded(listener: (path: string) => void): void {
    this.listeners.push(guard("a file-loaded listener", listener));
  }

  private start(path: string): void {
    const reading = this.read(path)
      .catch((error: unknown): SourceRead => ({ code: "VT005", reason: `cannot be read (${error instanceof Error ? error.message : String(error)})` }))
      .then((result) => {
        // A forget() during the read means the file changed meanwhile: read it again.
        if (this.reading.get(path) !== reading) return;
        this.reading.delete(path);
        const before = this.files.get(path)?.read;
        this.files.set(path, { read: result, at: this.now() });
        if (!before || !sameRead(before, result)) this.listeners.forEach((listener) => listener(path));
      });
    this.reading.set(path, reading);
  }
}

function sameRead(a: SourceRead, b: SourceRead): boolean {
  return "text" in a ? "text" in b && a.text === b.text : !("text" in b) && a.code === b.code && a.reason === b.reason;
}
