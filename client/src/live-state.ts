// The running QEMU each design is attached to ("vmtopo: Attach to QEMU…"): the server's last
// `vmtopo/live` answer per document, shared by the attach command (which sets, refreshes and
// clears it) and the mapping-state panel (which shows it beside the design).
import { EventEmitter, type Disposable, type Event } from "vscode";
import type { LiveView } from "../../webview/src/report-types";

/** What the mapping-state view receives of a `vmtopo/live` answer (the view's type; it checks it again). */
export type LiveSnapshot = LiveView;

export class LiveStates implements Disposable {
  private readonly states = new Map<string, LiveSnapshot>();
  private readonly changed = new EventEmitter<string>();
  /** fires with the document URI whose live state was set, refreshed or cleared */
  readonly onDidChange: Event<string> = this.changed.event;

  get(uri: string): LiveSnapshot | null {
    return this.states.get(uri) ?? null;
  }

  set(uri: string, snapshot: LiveSnapshot): void {
    this.states.set(uri, snapshot);
    this.changed.fire(uri);
  }

  clear(uri: string): void {
    if (this.states.delete(uri)) this.changed.fire(uri);
  }

  get attachedUris(): string[] {
    return [...this.states.keys()];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
