// The fleet overview: the view opens here when a file declares more than a few VMs. Hosts,
// each with its VMs: the verdict, and gauges of DMA mappings (the worst container against
// its entry limit), memlock (pinned at boot against the host's RLIMIT_MEMLOCK) and hugepages
// (the VM's hugetlb memory against the host's pool). A search box, verdict filters and
// sortable columns; selecting a VM opens its own view. `fleetRows` is pure (unit-tested).
import { gauge, type Gauge } from "./containers";
import { h } from "./dom";
import { bytes, count } from "./format";
import type { HostReport, Report, VmReport } from "./report-types";
import { defaultFleetSelection, type FleetSelection } from "./state";
import { renderVerdictBadge, VERDICT_RANK, VERDICT_SEVERITY, VERDICT_ICON } from "./verdict";

/** More VMs than this and the view opens on the overview instead of tabs. */
export const FLEET_THRESHOLD = 4;

export const isFleet = (report: Report): boolean => report.vms.length > FLEET_THRESHOLD;

export interface FleetRow {
  vm: VmReport;
  host: HostReport | undefined;
  /** the container closest to (or furthest over) its limit; null without a limited container */
  mappings: { gauge: Gauge; container: string; value: number } | null;
  /** null when the host's memlock is unlimited */
  memlock: { gauge: Gauge; value: number } | null;
  /** the VM's hugetlb memory against the host's pool for the same page size; null without hugetlb */
  hugepages: { gauge: Gauge; value: number; pool: number } | null;
}

function rowOf(vm: VmReport, host: HostReport | undefined): FleetRow {
  let mappings: FleetRow["mappings"] = null;
  for (const c of vm.containers) {
    const value = Math.max(c.worstCase?.mappings ?? 0, c.peak.mappings);
    if (c.limit === null) continue;
    const g = gauge(value, c.limit);
    if (!mappings || (g.ratio ?? 0) > (mappings.gauge.ratio ?? 0)) mappings = { gauge: g, container: c.id, value };
  }
  const pinned = vm.memlock.processBytes + vm.memlock.userBytes;
  const memlock = host && host.memlock !== null ? { gauge: gauge(pinned, host.memlock), value: pinned } : null;
  let hugepages: FleetRow["hugepages"] = null;
  for (const need of vm.hugetlb) {
    const pool = (host?.hugepages.find((p) => p.pageSize === need.pageSize)?.pages ?? 0) * need.pageSize;
    const g = pool > 0 ? gauge(need.bytes, pool) : { value: need.bytes, max: 0, ratio: Infinity, fill: 100, level: "over" as const, percentText: "no pool" };
    if (!hugepages || (g.ratio ?? 0) > (hugepages.gauge.ratio ?? 0)) hugepages = { gauge: g, value: need.bytes, pool };
  }
  return { vm, host, mappings, memlock, hugepages };
}

const ratioOf = (x: { gauge: Gauge } | null) => (x ? (x.gauge.ratio ?? 0) : -1);

const COMPARE: Record<FleetSelection["sort"], (a: FleetRow, b: FleetRow) => number> = {
  name: (a, b) => a.vm.name.localeCompare(b.vm.name),
  host: (a, b) => a.vm.host.localeCompare(b.vm.host) || a.vm.name.localeCompare(b.vm.name),
  verdict: (a, b) => VERDICT_RANK[a.vm.verdict.kind] - VERDICT_RANK[b.vm.verdict.kind] || a.vm.name.localeCompare(b.vm.name),
  // Gauges sort fullest first by default: that is what one looks for.
  mappings: (a, b) => ratioOf(b.mappings) - ratioOf(a.mappings) || a.vm.name.localeCompare(b.vm.name),
  memlock: (a, b) => ratioOf(b.memlock) - ratioOf(a.memlock) || a.vm.name.localeCompare(b.vm.name),
  hugepages: (a, b) => ratioOf(b.hugepages) - ratioOf(a.hugepages) || a.vm.name.localeCompare(b.vm.name),
};

/** Whether a VM matches the search: its name, host, machine, verdict or a diagnostic's code (case-insensitive words, all must match). */
function matches(vm: VmReport, words: string[]): boolean {
  if (words.length === 0) return true;
  const haystack = [vm.name, vm.host, vm.machine, vm.confidential, vm.verdict.kind, vm.verdict.code ?? "", ...vm.diagnostics.map((d) => d.code)].join(" ").toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** The rows the overview shows, filtered and sorted: O(n log n) in the VMs. */
export function fleetRows(report: Report, selection: FleetSelection = defaultFleetSelection()): FleetRow[] {
  const hosts = new Map(report.hosts.map((h) => [h.name, h]));
  const words = selection.query.toLowerCase().split(/\s+/).filter(Boolean);
  const rows = report.vms
    .filter((vm) => (selection.verdict === "all" || vm.verdict.kind === selection.verdict) && matches(vm, words))
    .map((vm) => rowOf(vm, hosts.get(vm.host)));
  const compare = COMPARE[selection.sort] ?? COMPARE.host;
  rows.sort(selection.descending ? (a, b) => compare(b, a) : compare);
  return rows;
}

/** Rows grouped by host, hosts in the order of their first row (so the sort decides). */
export function byHost(rows: FleetRow[]): { host: string; report: HostReport | undefined; rows: FleetRow[] }[] {
  const groups = new Map<string, { host: string; report: HostReport | undefined; rows: FleetRow[] }>();
  for (const row of rows) {
    const group = groups.get(row.vm.host) ?? { host: row.vm.host, report: row.host, rows: [] };
    group.rows.push(row);
    groups.set(row.vm.host, group);
  }
  return [...groups.values()];
}

function miniGauge(label: string, g: Gauge, text: string): HTMLElement {
  return h(
    "span",
    { class: "fleet-gauge" },
    h(
      "span",
      { class: ["gauge", "mini", `level-${g.level}`], role: "meter", "aria-label": label, "aria-valuemin": 0, "aria-valuemax": g.max ?? undefined, "aria-valuenow": g.value, "aria-valuetext": text },
      h("span", { class: ["gauge-fill", g.value > 0 ? "nonzero" : ""], style: { width: `${g.fill}%` } }),
    ),
    h("span", { class: ["fleet-figure", `level-${g.level}`] }, text),
  );
}

const COLUMNS: { key: FleetSelection["sort"]; title: string }[] = [
  { key: "name", title: "VM" },
  { key: "verdict", title: "Verdict" },
  { key: "mappings", title: "DMA mappings" },
  { key: "memlock", title: "Memlock" },
  { key: "hugepages", title: "Hugepages" },
];

function cells(row: FleetRow): HTMLElement[] {
  const vm = row.vm;
  const m = row.mappings;
  const unlimited = vm.containers.length > 0 && !m;
  return [
    h("td", { class: "fleet-name" }, h("button", { type: "button", class: "fleet-vm", "data-action": "select-vm", "data-vm": vm.name, "aria-label": `vm ${vm.name}: open its view` }, vm.name)),
    h("td", {}, renderVerdictBadge(vm)),
    h(
      "td",
      {},
      m
        ? miniGauge(`DMA mappings of vm ${vm.name}, container ${m.container}`, m.gauge, `${count(m.value)} of ${count(m.gauge.max!)}`)
        : h("span", { class: "muted" }, unlimited ? "no entry limit" : vm.containers.length === 0 ? "no VFIO" : "—"),
    ),
    h(
      "td",
      {},
      row.memlock
        ? miniGauge(`Memlock of vm ${vm.name}`, row.memlock.gauge, `${bytes(row.memlock.value)} of ${bytes(row.memlock.gauge.max!)}`)
        : h("span", { class: "muted" }, vm.memlock.processBytes + vm.memlock.userBytes > 0 ? `${bytes(vm.memlock.processBytes + vm.memlock.userBytes)}, unlimited` : "nothing pinned"),
    ),
    h(
      "td",
      {},
      row.hugepages
        ? miniGauge(`Hugepages of vm ${vm.name}`, row.hugepages.gauge, row.hugepages.pool > 0 ? `${bytes(row.hugepages.value)} of ${bytes(row.hugepages.pool)}` : `${bytes(row.hugepages.value)}, no pool`)
        : h("span", { class: "muted" }, "no hugetlb"),
    ),
  ];
}

function hostRow(group: ReturnType<typeof byHost>[number], onHost: VmReport[]): HTMLElement {
  const host = group.report;
  const facts: string[] = [`${count(onHost.length)} VM${onHost.length === 1 ? "" : "s"}`];
  let over = false;
  if (host) {
    facts.push(host.memlock === null ? "memlock unlimited" : `memlock ${bytes(host.memlock)} per process`);
    for (const pool of host.hugepages) {
      const need = onHost.reduce((sum, vm) => sum + (vm.hugetlb.find((x) => x.pageSize === pool.pageSize)?.bytes ?? 0), 0);
      over ||= need > pool.pages * pool.pageSize;
      facts.push(`${bytes(pool.pageSize)} pages: ${bytes(need)} of ${bytes(pool.pages * pool.pageSize)} pool${need > pool.pages * pool.pageSize ? " — over" : ""}`);
    }
  }
  const refused = onHost.filter((vm) => VERDICT_SEVERITY[vm.verdict.kind] === "error").length;
  if (refused > 0) facts.push(`${count(refused)} refused or failing`);
  return h(
    "tr",
    { class: "fleet-host", "data-key": `host:${group.host}` },
    h("th", { colspan: COLUMNS.length, scope: "colgroup" }, h("span", { class: "fleet-host-name" }, `host ${group.host}`), h("span", { class: ["muted", over ? "level-over" : ""] }, ` · ${facts.join(" · ")}`)),
  );
}

export function renderFleetOverview(report: Report, selection: FleetSelection = defaultFleetSelection()): HTMLElement {
  const rows = fleetRows(report, selection);
  const kinds = ["refused", "fails-in-scenario", "starts-with-warnings", "starts"] as const;
  const tally = new Map<string, number>(kinds.map((k) => [k, 0]));
  for (const vm of report.vms) tally.set(vm.verdict.kind, (tally.get(vm.verdict.kind) ?? 0) + 1);
  const words: Record<string, string> = { all: "All", refused: "refused", "fails-in-scenario": "fail in a scenario", "starts-with-warnings": "with warnings", starts: "start" };
  const filter = (key: string, n: number) => {
    const severity = key === "all" ? null : VERDICT_SEVERITY[key as (typeof kinds)[number]];
    return h(
      "button",
      { type: "button", class: ["filter-chip", severity ? `verdict-${severity}` : ""], "data-key": `filter:${key}`, "data-action": "fleet-verdict", "data-verdict": key, "aria-pressed": String(selection.verdict === key) },
      severity ? h("span", { class: "verdict-icon", "aria-hidden": "true" }, VERDICT_ICON[severity]) : null,
      ` ${count(n)} ${words[key]}`,
    );
  };
  const hostCount = new Set(report.vms.map((vm) => vm.host)).size;
  const head = h(
    "tr",
    {},
    COLUMNS.map((c) => {
      const active = selection.sort === c.key;
      return h(
        "th",
        { scope: "col", "aria-sort": active ? (selection.descending ? "descending" : "ascending") : undefined, "data-key": `col:${c.key}` },
        h("button", { type: "button", class: "fleet-sort", "data-action": "fleet-sort", "data-sort": c.key, "aria-label": `Sort by ${c.title}` }, c.title, active ? h("span", { "aria-hidden": "true" }, selection.descending ? " ▴" : " ▾") : null),
      );
    }),
  );
  const vmsOn = new Map<string, VmReport[]>();
  for (const vm of report.vms) vmsOn.set(vm.host, [...(vmsOn.get(vm.host) ?? []), vm]);
  const body = byHost(rows).flatMap((group) => [hostRow(group, vmsOn.get(group.host) ?? []), ...group.rows.map((row) => h("tr", { class: "fleet-vm-row", "data-key": `vm:${row.vm.name}` }, cells(row)))]);
  return h(
    "section",
    { class: "fleet", "aria-labelledby": "fleet-heading", "data-key": "fleet" },
    h("h2", { id: "fleet-heading" }, `${count(report.vms.length)} VMs on ${count(hostCount)} host${hostCount === 1 ? "" : "s"}`),
    h(
      "div",
      { class: "fleet-controls", "data-key": "fleet-controls" },
      h("input", { type: "search", class: "fleet-search", "data-key": "fleet-search", "data-action": "fleet-query", placeholder: "Search VMs, hosts, codes…", "aria-label": "Search VMs by name, host, verdict or diagnostic code", value: selection.query }),
      h("div", { class: "filter-chips", role: "group", "aria-label": "Show VMs by verdict", "data-key": "filters" }, filter("all", report.vms.length), kinds.filter((k) => tally.get(k)! > 0).map((k) => filter(k, tally.get(k)!))),
    ),
    h("p", { class: "muted small", role: "status", "data-key": "fleet-count" }, rows.length === report.vms.length ? `Showing all ${count(rows.length)} VMs.` : `Showing ${count(rows.length)} of ${count(report.vms.length)} VMs.`),
    h("div", { class: "fleet-scroll", "data-key": "fleet-scroll" }, h("table", { class: "fleet-table", "data-key": "fleet-table" }, h("thead", {}, head), h("tbody", {}, body))),
    rows.length === 0 ? h("p", { class: "empty", "data-key": "fleet-none" }, "No VM matches.") : null,
  );
}
