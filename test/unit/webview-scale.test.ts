// The mapping-state view at scale (issue 9): layout linear or n log n in regions and
// diagnostics. Measured in CPU time of this process (not wall time, which other work on a
// shared machine inflates) as a ratio between 10× more input: ≈ 10 when linear, ≈ 100 when
// quadratic; the bound leaves room for n log n and noise. The absolute budgets are in
// `npm run bench` (scripts/bench-webview.ts, in Chromium).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useHappyDom } from "../support/happy-dom";
import { groupRegions, layoutAxis, MAP_DETAIL_LIMIT, placeLabels, regionsOf, type Interval } from "../../webview/src/address-map";
import { fleetRows } from "../../webview/src/fleet";
import { stateAt } from "../../webview/src/state";
import { renderView } from "../../webview/src/view";
import { fleetReport, manyRegionsReport } from "../support/webview-scale";

function cpuMs(run: () => void): number {
  run(); // warm up
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const LINEAR_BOUND = 30;

function intervals(n: number): Interval[] {
  const out: Interval[] = [];
  let address = 0;
  for (let i = 0; i < n; i++) {
    const size = [4096, 2 ** 21, 2 ** 30, 2 ** 36][i % 4];
    out.push({ start: address, end: address + size, soft: i % 11 === 0 });
    address += size + (i % 7 === 0 ? 2 ** 40 : 0);
  }
  return out;
}

useHappyDom();

describe("the view grows linearly", () => {
  test("layoutAxis: 5,000 → 50,000 intervals", () => {
    const small = intervals(5_000);
    const large = intervals(50_000);
    const ratio = cpuMs(() => layoutAxis(large)) / cpuMs(() => layoutAxis(small));
    assert.ok(ratio < LINEAR_BOUND, `ratio ${ratio.toFixed(1)}`);
  });

  test("placeLabels: 5,000 → 50,000 labels all wanting the same place (one growing group)", () => {
    const ratio = cpuMs(() => placeLabels(new Array(50_000).fill(100), 30)) / cpuMs(() => placeLabels(new Array(5_000).fill(100), 30));
    assert.ok(ratio < LINEAR_BOUND, `ratio ${ratio.toFixed(1)}`);
  });

  test("regions and their grouping: 2,000 → 20,000 sections, with shared memory in every one", () => {
    const measure = (n: number) => {
      const { report } = manyRegionsReport(n, 0);
      const vm = { ...report.vms[0], confidential: "tdx" };
      const sharedRanges = vm.layout.sections.map((s) => ({ start: s.start, end: s.start + 4096 }));
      const state = { ...stateAt(report, vm, undefined, 0), sharedRanges };
      return cpuMs(() => groupRegions(regionsOf(vm, state)));
    };
    const ratio = measure(20_000) / measure(2_000);
    assert.ok(ratio < LINEAR_BOUND, `ratio ${ratio.toFixed(1)}`);
  });

  test("a map of 10,000 regions draws at most about MAP_DETAIL_LIMIT of them", () => {
    const { report } = manyRegionsReport(10_000, 0);
    const vm = report.vms[0];
    const grouped = groupRegions(regionsOf(vm, stateAt(report, vm, undefined, 0)));
    assert.ok(grouped.filter((r) => r.lane === "main").length <= MAP_DETAIL_LIMIT + 1);
    // Groups cover every region, in order, without overlap.
    const main = grouped.filter((r) => r.lane === "main").sort((a, b) => a.start - b.start);
    assert.equal(main[0].start, vm.layout.sections[0].start);
    assert.equal(main[main.length - 1].end, vm.layout.sections[vm.layout.sections.length - 1].end);
    for (let i = 1; i < main.length; i++) assert.ok(main[i - 1].end <= main[i].start);
    assert.match(main[0].detail, /^50 regions · /);
  });

  test("the whole view: 500 → 5,000 regions and diagnostics", () => {
    const render = (n: number) => {
      const { report, diagnostics } = manyRegionsReport(n);
      return cpuMs(() => renderView({ uri: "u", fileName: "f", version: 1, report, diagnostics }, { vm: null, scenario: {}, step: {} }));
    };
    const ratio = render(5_000) / render(500);
    assert.ok(ratio < LINEAR_BOUND, `ratio ${ratio.toFixed(1)}`);
  });

  test("the fleet's rows: 1,000 → 10,000 VMs", () => {
    // The engine's report of 100 VMs on 5 hosts, copied under new names (and hosts).
    const base = fleetReport(100).report;
    const copies = (times: number) => ({
      ...base,
      vms: Array.from({ length: times }, (_, k) => base.vms.map((vm) => ({ ...vm, name: `${vm.name}-${k}`, host: `${vm.host}-${k % 50}` }))).flat(),
      hosts: Array.from({ length: 50 }, (_, k) => base.hosts.map((h) => ({ ...h, name: `${h.name}-${k}` }))).flat(),
    });
    const small = copies(10);
    const large = copies(100);
    const ratio = cpuMs(() => fleetRows(large)) / cpuMs(() => fleetRows(small));
    assert.ok(ratio < LINEAR_BOUND, `ratio ${ratio.toFixed(1)}`);
  });
});
