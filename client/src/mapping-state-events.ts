// One subscription to the server's `vmtopo/mappingStateChanged`, shared by every part of the
// client that listens for it. vscode-languageclient keeps a single handler per notification
// method (a second `client.onNotification` for the same method replaces the first), so the
// language status item and the mapping-state panel both subscribe here instead.
import { EventEmitter, type Disposable, type Event } from "vscode";
import type { BaseLanguageClient } from "vscode-languageclient";
import { MAPPING_STATE_CHANGED } from "./protocol";

/** `vmtopo/mappingStateChanged`: the analysis of `uri` at `version` has been published. */
export interface MappingStateChanged {
  uri: string;
  version: number | null;
}

const emitters = new WeakMap<BaseLanguageClient, EventEmitter<MappingStateChanged>>();

/** The event of `client`'s `vmtopo/mappingStateChanged` notifications (registered once per client). */
export function mappingStateChanges(client: BaseLanguageClient, disposables: Disposable[]): Event<MappingStateChanged> {
  let emitter = emitters.get(client);
  if (!emitter) {
    const created = new EventEmitter<MappingStateChanged>();
    emitter = created;
    emitters.set(client, created);
    disposables.push(created, client.onNotification(MAPPING_STATE_CHANGED, (params: MappingStateChanged) => created.fire(params)), {
      dispose: () => emitters.delete(client),
    });
  }
  return emitter.event;
}
