// A DOM for webview tests: happy-dom's document as the global `document` for the suite.
import { after, before } from "node:test";
import { Window } from "happy-dom";

export function useHappyDom(): void {
  let window: Window;
  before(() => {
    window = new Window({ url: "https://webview.invalid/" });
    Object.assign(globalThis, { document: window.document });
  });
  after(async () => {
    await window.happyDOM.close();
    delete (globalThis as { document?: unknown }).document;
  });
}
