// A DOM for webview tests: happy-dom's document (and the few window functions the view
// uses) as globals for the suite.
import { after, before } from "node:test";
import { Window } from "happy-dom";

const GLOBALS = ["document", "getComputedStyle", "XMLSerializer"] as const;

export function useHappyDom(): void {
  let window: Window;
  before(() => {
    window = new Window({ url: "https://webview.invalid/" });
    Object.assign(globalThis, { document: window.document, getComputedStyle: window.getComputedStyle.bind(window), XMLSerializer: window.XMLSerializer });
  });
  after(async () => {
    await window.happyDOM.close();
    for (const name of GLOBALS) delete (globalThis as Record<string, unknown>)[name];
  });
}
