// Files that are not open in the editor, read from disk asynchronously so that the event
// loop never waits for a disk (or a FIFO, or a 1 GB file: the shared reader refuses those).
// The engine reads synchronously through a SourceReader; this cache answers it with what is
// already read, starts reading what is not, and tells its listeners when a read lands, so
// the documents that wanted it are analysed again. A file changed on disk is forgotten
// (the watcher says so) and read again on the next analysis that needs it.
import { readSourceFile, type SourceRead } from "../files/read-source";
import { guard } from "./guard";

export class DiskFiles {
  private readonly files = new Map<string, SourceRead>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly listeners: ((path: string) => void)[] = [];

  constructor(private readonly read: (path: string) => Promise<SourceRead> = (path) => readSourceFile(path)) {}

  /** The file as read, or undefined while it is being read (a read starts if none runs). */
  get(path: string): SourceRead | undefined {
    const done = this.files.get(path);
    if (done) return done;
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
        this.files.set(path, result);
        this.listeners.forEach((listener) => listener(path));
      });
    this.reading.set(path, reading);
  }
}
