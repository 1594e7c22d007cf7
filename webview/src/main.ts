// The mapping-state view (issue 5) runs here, inside a VS Code webview. Until the server's
// `vmtopo/mappingState` request exists, it shows the state the host posts to it as text.
declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById("root") ?? document.body;

function render(state: unknown): void {
  const pre = document.createElement("pre");
  pre.textContent = state === undefined ? "No vmtopo document is active." : JSON.stringify(state, null, 2);
  root.replaceChildren(pre);
}

window.addEventListener("message", (event: MessageEvent<{ type: string; state?: unknown }>) => {
  if (event.data?.type !== "mappingState") return;
  vscode.setState(event.data.state);
  render(event.data.state);
});

render(vscode.getState() ?? undefined);
vscode.postMessage({ type: "ready" });
