// `npm run bench`, the webview at scale (issue 9, deliverable 5): the built view
// (dist/webview.js and .css, `npm run build` first) in headless Chromium, fed the message the
// extension host posts. Figures: from the message to the page laid out (style and layout
// forced), for 1,000 and 10,000 regions (with as many diagnostics) and a fleet of 100 and
// 1,000 VMs; the 10k / 1k ratio shows the growth (≈ 10 when linear, ≈ 100 when quadratic).
import { existsSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { fleetReport, manyRegionsReport } from "../test/support/webview-scale";

type Row = [string, string, string];
type Payload = ReturnType<typeof manyRegionsReport>;

const CHROMIUM = "/usr/bin/chromium";

export async function webviewScale(): Promise<Row[]> {
  const root = new URL("../", import.meta.url);
  const script = new URL("dist/webview.js", root);
  if (!existsSync(CHROMIUM)) return [["webview at scale", `skipped: ${CHROMIUM} is missing`, ""]];
  if (!existsSync(script)) return [["webview at scale", "skipped: run npm run build first", ""]];
  const js = readFileSync(script, "utf8");
  const css = readFileSync(new URL("dist/webview.css", root), "utf8");
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    /** Median of fresh pages: message posted → view built, morphed and laid out. */
    const renderMs = async (payload: Payload, runs: number): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        await page.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><div id="root"></div></body></html>`);
        // Page functions as source text: tsx would otherwise wrap them in helpers the page lacks.
        await page.addScriptTag({ content: "window.acquireVsCodeApi = () => ({ postMessage() {}, getState: () => undefined, setState() {} });" });
        await page.addScriptTag({ content: js });
        const message = JSON.stringify({ type: "update", uri: "file:///scale.vmtopo", fileName: "scale.vmtopo", version: 1, ...payload });
        const ms = await page.evaluate(`(() => {
          const data = JSON.parse(${JSON.stringify(message)});
          const started = performance.now();
          window.dispatchEvent(new MessageEvent("message", { data }));
          void document.body.getBoundingClientRect().height; // style and layout, not only the DOM
          if (!document.querySelector("main#view[data-version='1']")) throw new Error("the view did not render");
          return performance.now() - started;
        })()`);
        samples.push(ms as number);
        await page.close();
      }
      return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    };
    const rows: Row[] = [];
    const regions1k = await renderMs(manyRegionsReport(1_000), 5);
    const regions10k = await renderMs(manyRegionsReport(10_000), 3);
    rows.push(["webview: 1,000 regions + 1,000 diagnostics", `${regions1k.toFixed(0)} ms median`, ""]);
    rows.push(["webview: 10,000 regions + 10,000 diagnostics", `${regions10k.toFixed(0)} ms median`, "budget 200 ms"]);
    rows.push(["webview: 10k / 1k regions time ratio", (regions10k / regions1k).toFixed(1), "linear ≈ 10"]);
    const started = performance.now();
    const fleet = fleetReport(1_000);
    const analysisMs = performance.now() - started;
    const fleet100 = await renderMs(fleetReport(100), 5);
    const fleet1000 = await renderMs(fleet, 3);
    rows.push(["webview: fleet of 100 VMs opens", `${fleet100.toFixed(0)} ms median`, ""]);
    rows.push(["webview: fleet of 1,000 VMs opens", `${fleet1000.toFixed(0)} ms median (+ ${analysisMs.toFixed(0)} ms engine)`, "budget 1,000 ms"]);
    return rows;
  } finally {
    await browser.close();
  }
}
