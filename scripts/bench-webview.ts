// `npm run bench`, the webview at scale (issue 9, deliverable 5): the built view
// (dist/webview.js and .css, `npm run build` first) in headless Chromium, fed the message the
// extension host posts. Figures: from the message to the page laid out (style and layout
// forced), for 1,000 and 10,000 regions (with as many diagnostics) and a fleet of 100 and
// 1,000 VMs; the 10k / 1k ratio shows the growth (≈ 10 when linear, ≈ 100 when quadratic).
// Each figure is given as wall time and as the renderer's CPU time (Chromium's
// SystemInfo.getProcessInfo, clock-tick resolution): on a shared, loaded machine the wall
// time includes waiting for a core, the CPU time does not.
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
    const cdp = await browser.newBrowserCDPSession();
    const rendererCpuMs = async () => {
      const { processInfo } = (await cdp.send("SystemInfo.getProcessInfo")) as { processInfo: { type: string; cpuTime: number }[] };
      return processInfo.filter((p) => p.type === "renderer").reduce((sum, p) => sum + p.cpuTime * 1000, 0);
    };
    const cpuSamples = new Map<Payload, number[]>();
    /** Median of fresh pages: message posted → view built, morphed and laid out. */
    const renderMs = async (payload: Payload, runs: number): Promise<number> => {
      const samples: number[] = [];
      const cpu: number[] = [];
      cpuSamples.set(payload, cpu);
      for (let i = 0; i < runs; i++) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        await page.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><div id="root"></div></body></html>`);
        // Page functions as source text: tsx would otherwise wrap them in helpers the page lacks.
        await page.addScriptTag({ content: "window.acquireVsCodeApi = () => ({ postMessage() {}, getState: () => undefined, setState() {} });" });
        await page.addScriptTag({ content: js });
        const message = JSON.stringify({ type: "update", uri: "file:///scale.vmtopo", fileName: "scale.vmtopo", version: 1, ...payload });
        await page.evaluate(`window.__message = JSON.parse(${JSON.stringify(message)}); undefined`);
        const cpuBefore = await rendererCpuMs();
        const ms = await page.evaluate(`(() => {
          const data = window.__message;
          const started = performance.now();
          window.dispatchEvent(new MessageEvent("message", { data }));
          void document.body.getBoundingClientRect().height; // style and layout, not only the DOM
          if (!document.querySelector("main#view[data-version='1']")) throw new Error("the view did not render");
          return performance.now() - started;
        })()`);
        cpu.push((await rendererCpuMs()) - cpuBefore);
        samples.push(ms as number);
        await page.close();
      }
      return median(samples);
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const cpuOf = (payload: Payload) => `, CPU ${median(cpuSamples.get(payload)!).toFixed(0)} ms`;
    const rows: Row[] = [];
    const payload1k = manyRegionsReport(1_000);
    const payload10k = manyRegionsReport(10_000);
    const regions1k = await renderMs(payload1k, 5);
    const regions10k = await renderMs(payload10k, 5);
    rows.push(["webview: 1,000 regions + 1,000 diagnostics", `${regions1k.toFixed(0)} ms median${cpuOf(payload1k)}`, ""]);
    rows.push(["webview: 10,000 regions + 10,000 diagnostics", `${regions10k.toFixed(0)} ms median${cpuOf(payload10k)}`, "budget 200 ms"]);
    rows.push(["webview: 10k / 1k regions CPU ratio", (median(cpuSamples.get(payload10k)!) / Math.max(1, median(cpuSamples.get(payload1k)!))).toFixed(1), "quadratic ≈ 100; grouped ≈ 1–10"]);
    const started = performance.now();
    const fleet = fleetReport(1_000);
    const analysisMs = performance.now() - started;
    const fleetSmall = fleetReport(100);
    const fleet100 = await renderMs(fleetSmall, 5);
    const fleet1000 = await renderMs(fleet, 5);
    rows.push(["webview: fleet of 100 VMs opens", `${fleet100.toFixed(0)} ms median${cpuOf(fleetSmall)}`, ""]);
    rows.push(["webview: fleet of 1,000 VMs opens", `${fleet1000.toFixed(0)} ms median${cpuOf(fleet)} (the engine's analysis before it: ${analysisMs.toFixed(0)} ms)`, "budget 1,000 ms"]);
    return rows;
  } finally {
    await browser.close();
  }
}
