// Over the real protocol: completion at the cursor (‸) offers what the language allows
// there, decided from the tokens before the cursor, so it works while the text is broken.
// Each row of a table is a fixture with one cursor, the labels it must offer and the labels
// it must not.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CompletionItem, CompletionList, TextEdit } from "vscode-languageserver-protocol";
import { marked } from "../support/markers";
import { TestLspClient } from "../support/lsp-client";

/** A client as VS Code is: snippets and Markdown documentation. */
let client: TestLspClient;
/** A minimal client: no snippets, plain-text documentation. */
let minimal: TestLspClient;
before(async () => {
  client = await TestLspClient.start({ textDocument: { completion: { completionItem: { snippetSupport: true, documentationFormat: ["markdown", "plaintext"] } } } });
  minimal = await TestLspClient.start();
});
after(async () => {
  await Promise.all([client.stop(), minimal.stop()]);
});

let documents = 0;

interface Options {
  /** the document is broken: do not wait for its analysis, ask at once */
  broken?: boolean;
  /** how completion was triggered: a typed trigger character (" " or "=") */
  trigger?: string;
  on?: TestLspClient;
  /** other open documents, by file name, that the fixture may import */
  files?: Record<string, string>;
}

/** The items offered at the single ‸ of `source`. */
async function complete(source: string, options: Options = {}): Promise<CompletionItem[]> {
  const lsp = options.on ?? client;
  const m = marked(source);
  assert.equal(m.cursors.length, 1, "one cursor per fixture");
  const dir = `file:///ws/completion-${++documents}`;
  for (const [name, text] of Object.entries(options.files ?? {})) await lsp.openAndWait(`${dir}/${name}`, text);
  const uri = `${dir}/main.vmtopo`;
  if (options.broken) await lsp.open(uri, m.text);
  else await lsp.openAndWait(uri, m.text);
  const context = options.trigger ? { triggerKind: 2, triggerCharacter: options.trigger } : { triggerKind: 1 };
  const result = await lsp.request<CompletionItem[] | CompletionList | null>("textDocument/completion", { textDocument: { uri }, position: m.cursors[0], context });
  return Array.isArray(result) ? result : (result?.items ?? []);
}

interface Row {
  where: string;
  fixture: string;
  offers: string[];
  omits?: string[];
  options?: Options;
}

async function check(row: Row): Promise<void> {
  const labels = (await complete(row.fixture, row.options)).map((i) => i.label);
  for (const label of row.offers) assert.ok(labels.includes(label), `${row.where}: expected '${label}' among ${JSON.stringify(labels)}`);
  for (const label of row.omits ?? []) assert.ok(!labels.includes(label), `${row.where}: did not expect '${label}' among ${JSON.stringify(labels)}`);
}

function table(rows: Row[]): void {
  for (const row of rows) test(row.where, () => check(row));
}

const HOST = `host spr {
  qemu = "10.1"
}
`;

describe("at the start of an item: the attributes not given yet, and the blocks", () => {
  table([
    {
      where: "in a host",
      fixture: `host spr {\n  ‸\n}\n`,
      offers: ["arch", "kernel", "qemu", "phys-bits", "memory", "memlock", "cap-ipc-lock", "migration-bandwidth", "iommu", "vfio", "hugepages"],
      omits: ["machine", "block-size", "vendor", "virtio-mem", "host", "vm", "resize"],
    },
    {
      where: "in a host, attributes and blocks given before or after the cursor are not offered again",
      fixture: `host spr {\n  qemu = "10.1"\n  ‸\n  iommu { vendor = amd-vi }\n  memlock = 1G\n}\n`,
      offers: ["kernel", "arch", "vfio", "hugepages"],
      omits: ["qemu", "memlock", "iommu"],
    },
    {
      where: "in an iommu block",
      fixture: `host spr {\n  iommu {\n    ‸\n  }\n}\n`,
      offers: ["vendor", "page-sizes", "address-width", "interrupt-remapping", "reserved"],
      omits: ["arch", "backend", "iommu"],
    },
    {
      where: "in a host's vfio block",
      fixture: `host spr {\n  vfio { backend = iommufd ‸ }\n}\n`,
      offers: ["dma-entry-limit", "accounting"],
      omits: ["backend", "migration", "superpages"],
    },
    {
      where: "in a hugepages block: the pools",
      fixture: `host spr {\n  hugepages {\n    1G = 8\n    ‸\n  }\n}\n`,
      offers: ["2M"],
      omits: ["1G", "arch"],
    },
    {
      where: "in a vm",
      fixture: `${HOST}vm td0 on spr {\n  memory = 16G\n  ‸\n}\n`,
      offers: ["machine", "accel", "maxmem", "confidential", "viommu", "balloon", "virtio-mem", "vfio", "dimm", "numa"],
      omits: ["memory", "arch", "block-size", "iommu", "hugepages"],
    },
    {
      where: "in a vm that has its numa block already",
      fixture: `${HOST}vm td0 on spr {\n  memory = 16G\n  numa { node 0 { memory = 16G } }\n  ‸\n}\n`,
      offers: ["dimm", "virtio-mem"],
      omits: ["numa", "memory"],
    },
    {
      where: "in a numa block: nodes",
      fixture: `vm td0 {\n  memory = 16G\n  numa {\n    node 0 { memory = 8G }\n    ‸\n  }\n}\n`,
      offers: ["node"],
      omits: ["memory", "machine", "numa"],
    },
    {
      where: "in a NUMA node",
      fixture: `vm td0 {\n  memory = 16G\n  numa {\n    node 0 { ‸ }\n  }\n}\n`,
      offers: ["memory"],
      omits: ["machine", "size", "node"],
    },
    {
      where: "in a virtio-mem device",
      fixture: `vm td0 {\n  memory = 16G\n  virtio-mem vmem0 {\n    size = 64G\n    ‸\n  }\n}\n`,
      offers: ["block-size", "requested", "memaddr", "dynamic-memslots", "unplugged-inaccessible", "node"],
      omits: ["size", "machine", "memory", "migration", "virtio-mem"],
    },
    {
      where: "in a vfio device",
      fixture: `vm td0 {\n  memory = 16G\n  vfio nic0 {\n    ‸\n  }\n}\n`,
      offers: ["host", "backend", "migration", "dirty-tracking", "behind-viommu", "coherent", "superpages"],
      omits: ["size", "block-size", "machine"],
    },
    {
      where: "in a dimm",
      fixture: `vm td0 {\n  memory = 16G\n  dimm d0 { ‸ }\n}\n`,
      offers: ["size", "memaddr", "backend", "page-size", "node"],
      omits: ["block-size", "machine"],
    },
    {
      where: "in the body of a hot-plugged device: a vfio device's attributes",
      fixture: `vm td0 {\n  memory = 16G\n}\nscenario s for td0 {\n  hotplug vfio nic9 {\n    ‸\n  }\n}\n`,
      offers: ["host", "backend", "migration"],
      omits: ["resize", "size", "machine"],
    },
    {
      where: "in a scenario: the steps",
      fixture: `vm td0 {\n  memory = 16G\n}\nscenario s for td0 {\n  ‸\n}\n`,
      offers: ["resize", "convert", "hotplug", "unplug", "migrate", "viommu-map"],
      omits: ["memory", "machine", "host"],
    },
    {
      where: "at the top level of an empty file",
      fixture: `‸`,
      offers: ["import", "host", "vm", "scenario"],
      omits: ["memory", "resize"],
    },
    {
      where: "at the top level after a declaration: no import (imports come first)",
      fixture: `${HOST}‸\n`,
      offers: ["host", "vm", "scenario"],
      omits: ["import", "qemu"],
    },
  ]);
});

describe("after `name =`: the values of that attribute", () => {
  table([
    { where: "backend of a vfio device", fixture: `vm td0 {\n  vfio nic0 { backend = ‸ }\n}\n`, offers: ["type1", "iommufd"], omits: ["ram", "memfd"] },
    { where: "backend of a vm", fixture: `vm td0 {\n  backend = ‸\n}\n`, offers: ["ram", "memfd", "file"], omits: ["type1"] },
    { where: "backend of a host's vfio block", fixture: `host h {\n  vfio {\n    backend = ‸\n  }\n}\n`, offers: ["type1", "iommufd"] },
    { where: "an enum", fixture: `vm td0 {\n  confidential = ‸\n}\n`, offers: ["none", "sev", "sev-es", "sev-snp", "tdx", "cca"] },
    { where: "iommu vendor", fixture: `host h {\n  iommu { vendor = ‸ }\n}\n`, offers: ["intel-vtd", "amd-vi", "smmuv3", "virtio-iommu"] },
    { where: "a boolean", fixture: `vm td0 {\n  balloon = ‸\n}\n`, offers: ["on", "off"], omits: ["unlimited"] },
    { where: "memlock: unlimited or a size", fixture: `host h {\n  memlock = ‸\n}\n`, offers: ["unlimited", "16G"] },
    { where: "a size", fixture: `vm td0 {\n  memory = ‸\n}\n`, offers: ["4G", "16G"], omits: ["on", "unlimited"] },
    { where: "a virtio-mem block size", fixture: `vm td0 {\n  virtio-mem v { block-size = ‸ }\n}\n`, offers: ["2M", "128M"] },
    { where: "a page size", fixture: `vm td0 {\n  page-size = ‸\n}\n`, offers: ["4K", "2M", "1G"] },
    { where: "a bandwidth", fixture: `host h {\n  migration-bandwidth = ‸\n}\n`, offers: ["10Gbit", "25Gbit"], omits: ["16G"] },
    { where: "inside the list of page sizes", fixture: `host h {\n  iommu { page-sizes = [4K, ‸] }\n}\n`, offers: ["2M", "1G"] },
    { where: "the value typed so far is filtered by the client, not the server", fixture: `vm td0 {\n  machine = q‸\n}\n`, offers: ["q35", "pc", "virt"] },
    { where: "an unknown attribute: nothing", fixture: `vm td0 {\n  colour = ‸\n}\n`, offers: [], omits: ["on", "16G"] },
  ]);
});

describe("right after a number: units only where they cannot change it", () => {
  table([
    { where: "bare digits: no unit (a bare integer is bytes; Enter must end the line)", fixture: `vm td0 {\n  max-ram-below-4g = 2‸\n}\n`, offers: [], omits: ["K", "M", "G", "T", "P", "E", "KiB", "GiB"] },
    { where: "a unit letter typed: that unit, spelt short or long", fixture: `vm td0 {\n  memory = 16G‸\n}\n`, offers: ["G", "GiB"], omits: ["M", "MiB", "Gbit"] },
    { where: "a bandwidth", fixture: `host h {\n  migration-bandwidth = 25G‸\n}\n`, offers: ["Gbit"], omits: ["G", "GiB", "Mbit"] },
    { where: "a count takes no unit", fixture: `host h {\n  iommu { address-width = 4‸ }\n}\n`, offers: [], omits: ["K", "G"] },
    { where: "a resize step", fixture: `vm v {\n  virtio-mem m { size = 8G }\n}\nscenario s for v {\n  resize m to 4G‸\n}\n`, offers: ["G", "GiB"], omits: ["M"] },
    { where: "a hugepage pool", fixture: `host h {\n  hugepages {\n    2M‸\n  }\n}\n`, offers: ["M", "MiB"], omits: ["G"] },
  ]);

  test("a unit replaces the number typed so far with the number and the unit", async () => {
    const items = await complete(`vm td0 {\n  memory = 16G‸\n}\n`);
    const gib = items.find((i) => i.label === "GiB")!;
    assert.deepEqual(gib.textEdit, { range: { start: { line: 1, character: 11 }, end: { line: 1, character: 14 } }, newText: "16GiB" });
    assert.equal(gib.filterText, "16GiB");
    assert.ok(items.every((i) => !i.preselect), "a unit is never preselected");
  });

  test("sizes come when asked for, never preselected, and the list is asked again as digits are typed", async () => {
    const m = marked(`vm td0 {\n  virtio-mem m {\n    requested = ‸\n  }\n}\n`);
    const uri = `file:///ws/completion-${++documents}/main.vmtopo`;
    await client.openAndWait(uri, m.text);
    const asked = await client.request<CompletionList>("textDocument/completion", { textDocument: { uri }, position: m.cursors[0], context: { triggerKind: 1 } });
    assert.equal(asked.isIncomplete, true, "incomplete: typing `2` makes the client ask again rather than keep `2G`");
    assert.ok(asked.items.some((i) => i.label === "0") && asked.items.some((i) => i.label === "16G"));
    assert.ok(asked.items.every((i) => !i.preselect), JSON.stringify(asked.items.filter((i) => i.preselect)));
    // the list that pops up after a typed space holds no number Enter could take
    const popped = await client.request<CompletionList>("textDocument/completion", { textDocument: { uri }, position: m.cursors[0], context: { triggerKind: 2, triggerCharacter: " " } });
    assert.deepEqual(popped.items.map((i) => i.label), []);
  });

  test("enum values still pop up after a typed space", async () => {
    const labels = (await complete(`vm td0 {\n  machine = ‸\n}\n`, { trigger: " " })).map((i) => i.label);
    assert.deepEqual(labels, ["q35", "pc", "virt"]);
  });

});

describe("references, across imported files", () => {
  const hosts = `host imported-host {\n}\nvm imported-vm {\n  memory = 1G\n}\n`;
  const vm = `${HOST}vm td0 on spr {
  memory = 16G
  virtio-mem vmem0 { size = 64G }
  virtio-mem vmem1 { size = 64G }
  vfio nic0 { }
  vfio gpu0 { }
}
`;
  table([
    {
      where: "after `vm NAME on`: the hosts, the built-in `default` and hosts of imported files",
      fixture: `import "hosts.vmtopo"\n${HOST}vm td0 on ‸ {\n  memory = 1G\n}\n`,
      offers: ["spr", "imported-host", "default"],
      omits: ["td0", "imported-vm"],
      options: { files: { "hosts.vmtopo": hosts } },
    },
    {
      where: "after `scenario NAME for`: the VMs, imported ones included",
      fixture: `import "hosts.vmtopo"\n${vm}scenario s for ‸ {\n}\n`,
      offers: ["td0", "imported-vm"],
      omits: ["spr", "imported-host", "vmem0"],
      options: { files: { "hosts.vmtopo": hosts } },
    },
    {
      where: "after `resize`: the VM's virtio-mem devices",
      fixture: `${vm}scenario s for td0 {\n  resize ‸\n}\n`,
      offers: ["vmem0", "vmem1"],
      omits: ["nic0", "gpu0", "td0"],
    },
    {
      where: "after `unplug`: the VM's vfio devices and those hot-plugged before, not those unplugged before",
      fixture: `${vm}scenario s for td0 {\n  hotplug vfio hp0 { }\n  unplug gpu0\n  unplug ‸\n  hotplug vfio later0 { }\n}\n`,
      offers: ["nic0", "hp0"],
      omits: ["gpu0", "later0", "vmem0"],
    },
    {
      where: "after `viommu-map`: the VM's vfio devices",
      fixture: `${vm}scenario s for td0 {\n  viommu-map ‸\n}\n`,
      offers: ["nic0", "gpu0"],
      omits: ["vmem0"],
    },
    {
      where: "after `convert`: ranges of the VM's boot RAM (16G on q35: 2 GiB below 4 GiB, 14 GiB above)",
      fixture: `${vm}scenario s for td0 {\n  convert ‸\n}\n`,
      offers: ["0 .. 256M", "0 .. 2G", "4G .. 18G"],
      omits: ["vmem0", "nic0"],
    },
    {
      where: "after `resize` and a typed space: the virtio-mem devices, nothing else",
      fixture: `${vm}scenario s for td0 {\n  resize ‸\n  resize vmem1 to 0\n}\n`,
      offers: ["vmem0", "vmem1"],
      omits: ["nic0", "gpu0", "resize", "convert"],
      options: { trigger: " " },
    },
    {
      where: "after `migrate to`: the hosts",
      fixture: `import "hosts.vmtopo"\n${vm}scenario s for td0 {\n  migrate to ‸\n}\n`,
      offers: ["spr", "imported-host", "default"],
      omits: ["td0"],
      options: { files: { "hosts.vmtopo": hosts } },
    },
    {
      where: "the devices of a VM declared in an imported file",
      fixture: `import "vms.vmtopo"\nscenario s for td0 {\n  resize ‸\n}\n`,
      offers: ["vmem0", "vmem1"],
      options: { files: { "vms.vmtopo": vm } },
    },
    { where: "after `migrate to HOST`: the mode", fixture: `${vm}scenario s for td0 {\n  migrate to spr ‸\n}\n`, offers: ["precopy", "postcopy"] },
    { where: "after `convert RANGE to`: shared or private", fixture: `${vm}scenario s for td0 {\n  convert 0 .. 256M to ‸\n}\n`, offers: ["shared", "private"] },
    { where: "after `vm NAME`: `on`", fixture: `vm td0 ‸`, offers: ["on"], options: { broken: true } },
    { where: "a new name is not completed", fixture: `vm ‸`, offers: [], omits: ["host", "vm", "spr"], options: { broken: true } },
  ]);
});

describe("in a broken document", () => {
  table([
    {
      where: "an unclosed virtio-mem block at the end of the file",
      fixture: `vm td0 {\n  memory = 16G\n  virtio-mem vmem0 {\n    size = 64G\n    ‸`,
      offers: ["block-size", "requested"],
      omits: ["size", "machine"],
      options: { broken: true },
    },
    {
      where: "an unclosed block followed by another declaration",
      fixture: `host spr {\n  iommu {\n    ‸\nvm td0 on spr {\n  memory = 1G\n}\n`,
      offers: ["vendor", "reserved"],
      omits: ["machine"],
      options: { broken: true },
    },
    {
      where: "after an unclosed block, the next declaration's context is its own",
      fixture: `host spr {\n  iommu {\n    vendor = \nvm td0 on spr {\n  ‸\n}\n`,
      offers: ["machine", "virtio-mem"],
      omits: ["vendor", "arch"],
      options: { broken: true },
    },
    {
      where: "a value missing before the cursor's item",
      fixture: `vm td0 {\n  memory =\n  ‸\n}\n`,
      offers: ["16G"],
      options: { broken: true },
    },
    {
      where: "a device left open before the next device: the next device's attributes",
      fixture: `vm td0 {\n  virtio-mem vmem0 {\n    size = 4G\n  vfio nic0 {\n    ‸\n  }\n}\n`,
      offers: ["migration", "superpages"],
      omits: ["block-size", "machine"],
      options: { broken: true },
    },
    {
      where: "a step left unfinished on the line before",
      fixture: `vm td0 {\n  memory = 1G\n  vfio nic0 { }\n}\nscenario s for td0 {\n  resize\n  ‸\n}\n`,
      offers: ["resize", "unplug"],
      omits: ["nic0"],
      options: { broken: true },
    },
    {
      where: "a word typed at the start of a line after an unclosed block: a declaration may be starting",
      fixture: `vm td0 {\n  memory = 1G\n\nsc‸`,
      offers: ["scenario", "machine"],
      options: { broken: true },
    },
    {
      where: "an unknown block is a block: its attributes do not leak into the host",
      fixture: `host spr {\n  numa { nodes = 2 }\n  ‸\n}\n`,
      offers: ["arch", "iommu"],
      options: { broken: true },
    },
    { where: "nothing inside a comment", fixture: `vm td0 {\n  // memory = ‸\n}\n`, offers: [], omits: ["16G", "machine"] },
    { where: "nothing inside a string", fixture: `host h {\n  qemu = "10‸"\n}\n`, offers: [], omits: ["K", "arch"] },
  ]);
});

describe("what an item inserts", () => {
  const items = (source: string, options?: Options) => complete(source, options);
  const edit = (item: CompletionItem | undefined) => (item?.textEdit as TextEdit | undefined)?.newText;

  test("an attribute inserts `name = ` and a snippet of its default, with its doc", async () => {
    const all = await items(`vm td0 {\n  virtio-mem vmem0 {\n    ‸\n  }\n}\n`);
    const blockSize = all.find((i) => i.label === "block-size");
    assert.equal(edit(blockSize), "block-size = ${1:2M}");
    assert.equal(blockSize?.insertTextFormat, 2);
    assert.deepEqual(blockSize?.documentation, { kind: "markdown", value: "hot(un)plug granularity.\n\nValue: `size`\n\nDefault: QEMU's default for the backend" });
    assert.equal(edit(all.find((i) => i.label === "requested")), "requested = ${1:0}");
    // Enums and booleans offer their values as a choice, the default first.
    assert.equal(edit(all.find((i) => i.label === "dynamic-memslots")), "dynamic-memslots = ${1|off,on|}");
  });

  test("blocks and devices are snippets", async () => {
    const host = await items(`host h {\n  ‸\n}\n`);
    // Multi-line items carry the file's indentation (a client that says nothing of
    // insertTextMode inserts them as they are).
    assert.equal(edit(host.find((i) => i.label === "iommu")), "iommu {\n    $0\n  }");
    const vm = await items(`vm td0 {\n  virtio-mem vmem0 { size = 1G }\n  ‸\n}\n`);
    // A fresh name: vmem0 is taken.
    assert.equal(edit(vm.find((i) => i.label === "virtio-mem")), "virtio-mem ${1:vmem1} {\n    size = ${2:16G}\n    $0\n  }");
    const iommu = await items(`host h {\n  iommu { ‸ }\n}\n`);
    assert.match(edit(iommu.find((i) => i.label === "reserved"))!, /^reserved \$\{1:name\} = /);
  });

  test("steps are snippets", async () => {
    const steps = await items(`vm v {\n  memory = 1G\n}\nscenario s for v {\n  ‸\n}\n`);
    const snippets = Object.fromEntries(steps.map((i) => [i.label, edit(i)]));
    assert.deepEqual(snippets, {
      resize: "resize ${1:device} to ${2:size}",
      convert: "convert ${1:0} .. ${2:256M} to ${3|shared,private|}",
      hotplug: "hotplug vfio ${1:name} {\n    $0\n  }",
      unplug: "unplug ${1:device}",
      migrate: "migrate to ${1:host} ${2|precopy,postcopy|}",
      "viommu-map": "viommu-map ${1:device} ${2:count} x ${3:4K}",
    });
  });

  test("a word being typed is replaced, hyphens included", async () => {
    const all = await items(`vm td0 {\n  virtio-mem vmem0 {\n    block-s‸\n  }\n}\n`, { broken: true });
    assert.deepEqual((all.find((i) => i.label === "block-size")?.textEdit as TextEdit | undefined)?.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 11 } });
  });

  test("a client without snippet support gets plain text and plain documentation", async () => {
    const all = await items(`vm td0 {\n  virtio-mem vmem0 {\n    ‸\n  }\n}\n`, { on: minimal });
    const blockSize = all.find((i) => i.label === "block-size");
    assert.equal(edit(blockSize), "block-size = 2M");
    assert.equal(blockSize?.insertTextFormat, undefined);
    assert.equal(typeof blockSize?.documentation, "string");
    assert.equal(edit(all.find((i) => i.label === "dynamic-memslots")), "dynamic-memslots = off");
  });

  test("multi-line items follow the file's indentation and the client's insertTextMode", async () => {
    // A client without snippets, in a file indented with tabs: tabs, and `}` under the line.
    const tabs = await items(`vm td0 {\n\tvfio nic0 {}\n\t‸\n}\n`, { on: minimal });
    assert.equal(edit(tabs.find((i) => i.label === "virtio-mem")), "virtio-mem vmem0 {\n\t\tsize = 16G\n\t\t\n\t}");
    // VS Code: snippets, may be told `asIs`; the item is indented and says so.
    const vscodeLike = await TestLspClient.start({
      textDocument: { completion: { insertTextMode: 2, completionItem: { snippetSupport: true, insertTextModeSupport: { valueSet: [1, 2] } } } },
    });
    // A client that adjusts indentation itself and cannot be told otherwise gets the item raw.
    const adjusting = await TestLspClient.start({ textDocument: { completion: { insertTextMode: 2, completionItem: { snippetSupport: true } } } });
    try {
      const source = `host h {\n    qemu = "9.0"\n    ‸\n}\n`;
      const told = (await items(source, { on: vscodeLike })).find((i) => i.label === "iommu");
      assert.equal(edit(told), "iommu {\n        $0\n    }");
      assert.equal(told?.insertTextMode, 1);
      const raw = (await items(source, { on: adjusting })).find((i) => i.label === "iommu");
      assert.equal(edit(raw), "iommu {\n\t$0\n}");
      assert.equal(raw?.insertTextMode, undefined);
    } finally {
      await Promise.all([vscodeLike.stop(), adjusting.stop()]);
    }
  });

  test("a declaration's snippet offers the declared names as a choice, at most 50 of a fleet's", async () => {
    const fleet = Array.from({ length: 60 }, (_, i) => `vm guest${i} {\n  memory = 1G\n}\n`).join("");
    const scenario = (await items(`${fleet}‸`)).find((i) => i.label === "scenario");
    const choice = /\$\{2\|([^|]*)\|\}/.exec(edit(scenario) ?? "")?.[1].split(",") ?? [];
    assert.equal(choice.length, 50, edit(scenario));
    assert.deepEqual(choice.slice(0, 2), ["guest0", "guest1"]);
  });

  test("a value right after `=` gets a space before it", async () => {
    const all = await items(`vm td0 {\n  vfio nic0 { backend =‸ }\n}\n`, { trigger: "=" });
    assert.equal(edit(all.find((i) => i.label === "type1")), " type1");
  });

  test("typing a space pops up only where a choice is due", async () => {
    assert.deepEqual(await items(`vm td0 {\n  memory = 16G ‸\n}\n`, { trigger: " " }), [], "after a value");
    assert.deepEqual(await items(`vm td0 {\n  memory = 16G\n  ‸\n}\n`, { trigger: " " }), [], "indenting a new line");
    assert.ok((await items(`vm td0 {\n  machine = ‸\n}\n`, { trigger: " " })).some((i) => i.label === "q35"), "after `=`");
    assert.deepEqual(await items(`vm td0 {\n  memory = ‸\n}\n`, { trigger: " " }), [], "after `=` of a size: no number Enter could take");
    assert.ok((await items(`${HOST}vm td0 on ‸`, { trigger: " ", broken: true })).some((i) => i.label === "spr"), "after `on`");
    assert.ok((await items(`host h {\n  hugepages { ‸ }\n}\n`, { trigger: " " })).some((i) => i.label === "2M"), "right after `{`");
  });
});
