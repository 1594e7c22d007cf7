// Quick fixes over the real protocol. Each row of the table is a fixture with one diagnostic,
// the fixes the server must offer for it (title, which one is preferred) and the text each
// fix produces. Every fix is applied as the editor would apply it, the result is sent back
// to the server, and the diagnostic must be gone with no new error in its place.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CodeAction, Diagnostic, WorkspaceEdit } from "vscode-languageserver-protocol";
import { sizeLiteral } from "../../server/src/lsp/size-literal";
import { applyEdits } from "../support/edits";
import { TestLspClient } from "../support/lsp-client";

let client: TestLspClient;
before(async () => {
  client = await TestLspClient.start();
});
after(async () => {
  await client.stop();
});

/** The result of a fix: the fixture with `from` (found exactly once) replaced by `to`. */
interface Replace {
  from: string;
  to: string;
}

interface FixRow {
  title: string;
  preferred?: true;
  result: Replace;
}

interface Row {
  what: string;
  code: string;
  fixture: string;
  fixes: FixRow[];
}

const replace = (from: string, to: string): Replace => ({ from, to });

const VMEM_128G = `vm v {
  memory = 4G
  maxmem = 132G
  virtio-mem vmem0 {
    size = 128G
    block-size = 2M
  }
  vfio nic0 {
    host = "0000:3b:00.0"
  }
}
`;

const VMEM_128G_HOST_IN_FILE = `host spr {
  qemu = "10.2"
  vfio {
    backend = type1
    dma-entry-limit = 65535
  }
}

vm v on spr {
  memory = 4G
  maxmem = 132G
  virtio-mem vmem0 {
    size = 128G // the device
    requested = 8G
  }
  vfio nic0 {
    host = "0000:3b:00.0"
  }
}
`;

const VMEM_ONE_LINE = `host h {
  qemu = "10.2"
}

vm v on h {
  memory = 4G
  maxmem = 68G
  virtio-mem big { size = 64G block-size = 1M }
  vfio nic0 { host = "0000:3b:00.0" }
}
`;

const TDX = `host spr {
  qemu = "10.2"
  kernel = "6.16"
}

vm td0 on spr {
  confidential = tdx
  memory = 16G
  vfio nic0 {
    host = "0000:3b:00.0"
  }
}
`;

const VMEM_4G = (attributes: string, scenario = "") => `vm v {
  memory = 4G
  maxmem = 8G
  virtio-mem vmem0 {
${attributes}
  }
}
${scenario}`;

const MEMLOCK = `host h {
  memory = 64G
  memlock = 8G
}

vm v on h {
  memory = 16G
  vfio nic0 {
    host = "0000:3b:00.0"
  }
}
`;

const MEMLOCK_STEP = `host h {
  memlock = 8GiB
}

vm v on h {
  memory = 4G
  maxmem = 20G
  virtio-mem vmem0 {
    size = 16G
  }
  vfio nic0 {
    host = "0000:3b:00.0"
  }
}

scenario grow for v {
  resize vmem0 to 8G
}
`;

const HOTPLUG = `vm v {
  memory = 4G
  maxmem = 132G
  virtio-mem vmem0 {
    size = 128G
  }
}

scenario plug for v {
  hotplug vfio nic0 {
    host = "0000:3b:00.0"
  }
}
`;

const ROWS: Row[] = [
  {
    what: "VT201: a 128 GiB virtio-mem at 2M blocks on type1 needs 4M (DOMAIN.md §7 figure 4)",
    code: "VT201",
    fixture: VMEM_128G,
    fixes: [
      { title: "Raise block-size of 'vmem0' to 4M", preferred: true, result: replace("block-size = 2M", "block-size = 4M") },
      { title: "Switch 'nic0' to backend = iommufd", result: replace(`host = "0000:3b:00.0"\n`, `host = "0000:3b:00.0"\n    backend = iommufd\n`) },
    ],
  },
  {
    what: "VT201: an absent block-size is inserted after size; the host in the file switches to iommufd",
    code: "VT201",
    fixture: VMEM_128G_HOST_IN_FILE,
    fixes: [
      { title: "Raise block-size of 'vmem0' to 4M", preferred: true, result: replace("    size = 128G // the device\n", "    size = 128G // the device\n    block-size = 4M\n") },
      { title: "Switch host 'spr' to backend = iommufd", result: replace("backend = type1", "backend = iommufd") },
    ],
  },
  {
    what: "VT201: a one-line block stays on one line; a host without a vfio block gets one",
    code: "VT201",
    fixture: VMEM_ONE_LINE,
    fixes: [
      // 64 GiB at 1 MiB: 65,536 blocks fail; at 2 MiB 32,768 pass.
      { title: "Raise block-size of 'big' to 2M", preferred: true, result: replace("block-size = 1M", "block-size = 2M") },
      { title: "Switch host 'h' to backend = iommufd", result: replace(`  qemu = "10.2"\n}`, `  qemu = "10.2"\n  vfio {\n    backend = iommufd\n  }\n}`) },
    ],
  },
  {
    what: "VT201: a 16 GiB TDX guest has no block size to raise; only iommufd helps (DOMAIN.md §7 figure 1)",
    code: "VT201",
    fixture: TDX,
    fixes: [{ title: "Switch host 'spr' to backend = iommufd", preferred: true, result: replace(`  kernel = "6.16"\n}`, `  kernel = "6.16"\n  vfio {\n    backend = iommufd\n  }\n}`) }],
  },
  {
    what: "VT105: requested rounded to the 2M blocks, the nearer one below preferred",
    code: "VT105",
    fixture: VMEM_4G("    size = 4G\n    requested = 1025M"),
    fixes: [
      { title: "Round requested down to 1G", preferred: true, result: replace("requested = 1025M", "requested = 1G") },
      { title: "Round requested up to 1026M", result: replace("requested = 1025M", "requested = 1026M") },
    ],
  },
  {
    what: "VT105: the nearer multiple is above; the MiB style is kept",
    code: "VT105",
    fixture: VMEM_4G("    size = 4G\n    requested = 1023.5MiB"),
    fixes: [
      { title: "Round requested down to 1022MiB", result: replace("requested = 1023.5MiB", "requested = 1022MiB") },
      { title: "Round requested up to 1GiB", preferred: true, result: replace("requested = 1023.5MiB", "requested = 1GiB") },
    ],
  },
  {
    what: "VT106: size rounded to the 2M blocks, the one within the device preferred",
    code: "VT106",
    fixture: VMEM_4G("    size = 1025M"),
    fixes: [
      { title: "Round size down to 1G", preferred: true, result: replace("size = 1025M", "size = 1G") },
      { title: "Round size up to 1026M", result: replace("size = 1025M", "size = 1026M") },
    ],
  },
  {
    what: "VT106: with 1G blocks, 2.5G becomes 2G or 3G",
    code: "VT106",
    fixture: VMEM_4G("    size = 2.5G\n    block-size = 1G"),
    fixes: [
      { title: "Round size down to 2G", preferred: true, result: replace("size = 2.5G", "size = 2G") },
      { title: "Round size up to 3G", result: replace("size = 2.5G", "size = 3G") },
    ],
  },
  {
    what: "VT404: a resize rounded to whole blocks",
    code: "VT404",
    fixture: VMEM_4G("    size = 4G", "\nscenario grow for v {\n  resize vmem0 to 1025M\n}\n"),
    fixes: [
      { title: "Round resize down to 1G", preferred: true, result: replace("to 1025M", "to 1G") },
      { title: "Round resize up to 1026M", result: replace("to 1025M", "to 1026M") },
    ],
  },
  {
    what: "VT404: a resize beyond the device is capped at its size",
    code: "VT404",
    fixture: VMEM_4G("    size = 4G", "\nscenario grow for v {\n  resize vmem0 to 8G\n}\n"),
    fixes: [{ title: "Resize to the device's size, 4G", preferred: true, result: replace("to 8G", "to 4G") }],
  },
  {
    what: "VT110: phys-bits raised to what the layout needs (DOMAIN.md §7 figure 6: 37 bits)",
    code: "VT110",
    fixture: "vm v {\n  memory = 4G\n  maxmem = 68G\n  phys-bits = 36\n}\n",
    fixes: [{ title: "Set phys-bits = 37", preferred: true, result: replace("phys-bits = 36", "phys-bits = 37") }],
  },
  {
    what: "VT110: a named CPU (40 bits) gets phys-bits inserted after maxmem",
    code: "VT110",
    fixture: "vm v {\n  memory = 4G\n  maxmem = 1024G\n  cpu = named\n}\n",
    fixes: [{ title: "Set phys-bits = 41", preferred: true, result: replace("  maxmem = 1024G\n", "  maxmem = 1024G\n  phys-bits = 41\n") }],
  },
  {
    what: "VT002: the suggested attribute name",
    code: "VT002",
    fixture: "vm v {\n  memory = 4G\n  maxmen = 8G\n}\n",
    fixes: [{ title: "Change to 'maxmem'", preferred: true, result: replace("maxmen", "maxmem") }],
  },
  {
    what: "VT005: the suggested host",
    code: "VT005",
    fixture: 'host spr {\n  qemu = "10.2"\n}\n\nvm v on sp {\n  memory = 4G\n}\n',
    fixes: [{ title: "Change to 'spr'", preferred: true, result: replace("on sp {", "on spr {") }],
  },
  {
    what: "VT005: the suggested device of a scenario step",
    code: "VT005",
    fixture: VMEM_4G("    size = 4G", "\nscenario grow for v {\n  resize vmem1 to 1G\n}\n"),
    fixes: [{ title: "Change to 'vmem0'", preferred: true, result: replace("resize vmem1", "resize vmem0") }],
  },
  {
    what: "VT203: memlock raised to what is pinned, rounded up to a whole GiB",
    code: "VT203",
    fixture: MEMLOCK,
    fixes: [{ title: "Raise memlock of host 'h' to 17G", preferred: true, result: replace("memlock = 8G", "memlock = 17G") }],
  },
  {
    what: "VT203: at a scenario step, for what that step pins (the GiB style kept)",
    code: "VT203",
    fixture: MEMLOCK_STEP,
    fixes: [{ title: "Raise memlock of host 'h' to 13GiB", preferred: true, result: replace("memlock = 8GiB", "memlock = 13GiB") }],
  },
  {
    what: "VT201 at a hot-plug: the VM's largest virtio-mem, or iommufd for the hot-plugged device",
    code: "VT201",
    fixture: HOTPLUG,
    fixes: [
      { title: "Raise block-size of 'vmem0' to 4M", preferred: true, result: replace("    size = 128G\n", "    size = 128G\n    block-size = 4M\n") },
      { title: "Switch 'nic0' to backend = iommufd", result: replace(`host = "0000:3b:00.0"\n`, `host = "0000:3b:00.0"\n    backend = iommufd\n`) },
    ],
  },
  {
    what: "VT201 in a CRLF file: the inserted line ends in CRLF too",
    code: "VT201",
    fixture: VMEM_128G.replace("    block-size = 2M\n", "").replace(/\n/g, "\r\n"),
    fixes: [
      { title: "Raise block-size of 'vmem0' to 4M", preferred: true, result: replace("size = 128G\r\n", "size = 128G\r\n    block-size = 4M\r\n") },
      { title: "Switch 'nic0' to backend = iommufd", result: replace(`host = "0000:3b:00.0"\r\n`, `host = "0000:3b:00.0"\r\n    backend = iommufd\r\n`) },
    ],
  },
  {
    what: "VT002: dma-entry-limit on an iommufd host does nothing: remove it",
    code: "VT002",
    fixture: "host h {\n  vfio {\n    backend = iommufd\n    dma-entry-limit = 100000\n  }\n}\nvm v on h {\n  memory = 4G\n}\n",
    fixes: [{ title: "Remove 'dma-entry-limit'", preferred: true, result: replace("    dma-entry-limit = 100000\n", "") }],
  },
  {
    what: "VT004: the value the message suggests (machine = q53 → q35)",
    code: "VT004",
    fixture: "vm v {\n  machine = q53\n  memory = 4G\n}\n",
    fixes: [{ title: "Change to 'q35'", preferred: true, result: replace("q53", "q35") }],
  },
  {
    what: "VT004: confidential = tdxx → tdx",
    code: "VT004",
    fixture: 'host h {\n  qemu = "10.2"\n}\nvm v on h {\n  confidential = tdxx\n  memory = 4G\n}\n',
    fixes: [{ title: "Change to 'tdx'", preferred: true, result: replace("tdxx", "tdx") }],
  },
  {
    what: "VT001: a lowercase unit gets the unit the lexer suggests",
    code: "VT001",
    fixture: "vm v {\n  memory = 4g\n}\n",
    fixes: [{ title: "Change to '4G'", preferred: true, result: replace("4g", "4G") }],
  },
  {
    what: "VT001: a missing `}` at the end of the file is inserted, one level out",
    code: "VT001",
    fixture: "vm v {\n  memory = 4G\n  virtio-mem m {\n    size = 1G\n  }\n",
    fixes: [{ title: "Insert the missing '}'", preferred: true, result: replace("    size = 1G\n  }\n", "    size = 1G\n  }\n}\n") }],
  },
  {
    what: "VT001: a missing `}` before the next declaration",
    code: "VT001",
    fixture: "vm a {\n  memory = 4G\n\nvm b {\n  memory = 4G\n}\n",
    fixes: [{ title: "Insert the missing '}'", preferred: true, result: replace("  memory = 4G\n\nvm b", "  memory = 4G\n}\n\nvm b") }],
  },
  {
    what: "VT104: block-size raised to the backend's 1G page (DOMAIN.md §2)",
    code: "VT104",
    fixture: "vm v {\n  memory = 4G\n  maxmem = 68G\n  page-size = 1G\n  virtio-mem m {\n    size = 64G\n    block-size = 2M\n  }\n}\n",
    fixes: [{ title: "Raise block-size of 'm' to 1G", preferred: true, result: replace("block-size = 2M", "block-size = 1G") }],
  },
];

// ---- helpers ---------------------------------------------------------------------------

let documents = 0;
const freshUri = () => `file:///ws/fix-${++documents}.vmtopo`;

/** Applies an editor's text edits to `text` (non-overlapping, any order). */
function errorsByCode(diagnostics: Diagnostic[], except: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of diagnostics) if (d.severity === 1 && d.code !== except) counts.set(String(d.code), (counts.get(String(d.code)) ?? 0) + 1);
  return counts;
}

/** Opens `text`, returns its published diagnostics, the one with `code`, and the quick fixes for it. */
async function fixesFor(uri: string, text: string, code: string): Promise<{ diagnostics: Diagnostic[]; diagnostic: Diagnostic; actions: CodeAction[] }> {
  const { diagnostics } = await client.openAndWait(uri, text);
  const diagnostic = diagnostics.find((d) => d.code === code);
  assert.ok(diagnostic, `${code} expected, got ${JSON.stringify(diagnostics.map((d) => `${d.code} ${d.message}`))}`);
  const actions = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  return { diagnostics, diagnostic, actions };
}

/** Sends `text` as the new content of `uri` and returns the diagnostics published for it. */
async function republish(uri: string, text: string): Promise<Diagnostic[]> {
  const version = await client.change(uri, text);
  return (await client.diagnostics(uri, (p) => p.version === version)).diagnostics;
}

// ---- the table ---------------------------------------------------------------------------

describe("quick fixes: each one, applied, makes its diagnostic go away", () => {
  for (const row of ROWS) {
    test(row.what, async () => {
      const { actions } = await fixesFor(freshUri(), row.fixture, row.code);
      assert.deepEqual(
        actions.map((a) => a.title),
        row.fixes.map((f) => f.title),
      );
      for (const fix of row.fixes) {
        const uri = freshUri();
        const { diagnostics, diagnostic, actions } = await fixesFor(uri, row.fixture, row.code);
        const action = actions.find((a) => a.title === fix.title)!;
        assert.equal(action.kind, "quickfix");
        assert.deepEqual(action.diagnostics, [diagnostic]);
        assert.equal(action.isPreferred === true, fix.preferred === true, `${fix.title}: isPreferred`);
        const changes = (action.edit as WorkspaceEdit).changes!;
        assert.deepEqual(Object.keys(changes), [uri]);

        const fixed = applyEdits(row.fixture, changes[uri]);
        assert.equal(row.fixture.split(fix.result.from).length, 2, `'${fix.result.from}' occurs once in the fixture`);
        assert.equal(fixed, row.fixture.replace(fix.result.from, fix.result.to));

        const after = await republish(uri, fixed);
        assert.deepEqual(
          after.filter((d) => d.code === row.code).map((d) => d.message),
          [],
          `${fix.title} leaves ${row.code}`,
        );
        const before = errorsByCode(diagnostics, row.code);
        for (const [code, n] of errorsByCode(after, row.code)) assert.ok(n <= (before.get(code) ?? 0), `${fix.title} brings a new ${code}: ${JSON.stringify(after)}`);
      }
    });
  }
});

describe("several diagnostics on one value: the fix that clears them all comes first", () => {
  // 2M blocks under 1G pages (VT104) on a 128 GiB device next to a NIC on type1 (VT201):
  // 4M, 8M, … 512M would pass QEMU's start-up check but leave VT104, so they are no fix; 1G
  // clears both.
  const BOTH = `host h {
  qemu = "10.2"
  hugepages {
    1G = 256
  }
}
vm v on h {
  memory = 4G
  maxmem = 132G
  page-size = 1G
  virtio-mem m {
    size = 128G
    block-size = 2M
  }
  vfio nic0 {
    host = "0000:3b:00.0"
  }
}
`;

  test("VT104 and VT201 on block-size: 'Raise block-size of 'm' to 1G: clears VT104 and VT201', preferred, first", async () => {
    const uri = freshUri();
    const { diagnostics } = await client.openAndWait(uri, BOTH);
    const onValue = diagnostics.filter((d) => d.range.start.line === 12);
    assert.deepEqual(onValue.map((d) => d.code).sort(), ["VT104", "VT201"]);
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: onValue[0].range, context: { diagnostics: onValue } });
    assert.equal(actions[0].title, "Raise block-size of 'm' to 1G: clears VT104 and VT201");
    assert.equal(actions[0].isPreferred, true);
    assert.equal(actions.filter((a) => a.isPreferred).length, 1);
    assert.ok(!actions.some((a) => /to (4|8|16|32|64|128|256|512)M/.test(a.title)), `no block size that leaves VT104: ${actions.map((a) => a.title)}`);
    assert.deepEqual(actions[0].diagnostics!.map((d) => d.code).sort(), ["VT104", "VT201"]);
    const fixed = applyEdits(BOTH, actions[0].edit!.changes![uri]);
    const after = await republish(uri, fixed);
    assert.deepEqual(after.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`), []);
  });
});

describe("missing import, fix all", () => {
  test("an import of a missing file: a fix creates it (CreateFile), for clients that apply resource operations", async () => {
    const creating = await TestLspClient.start({ workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ["create"] } } });
    try {
      const uri = "file:///ws/create/main.vmtopo";
      const { diagnostics } = await creating.openAndWait(uri, 'import "hosts.vmtopo"\n\nvm v {\n  memory = 4G\n}\n');
      const diagnostic = diagnostics.find((d) => d.code === "VT005")!;
      const actions = await creating.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
      assert.deepEqual(actions.map((a) => a.title), ["Create 'hosts.vmtopo'"]);
      assert.deepEqual(actions[0].edit!.documentChanges, [{ kind: "create", uri: "file:///ws/create/hosts.vmtopo", options: { ignoreIfExists: true } }]);
      // as the editor would: the new file opens empty, and the import resolves
      await creating.openAndWait("file:///ws/create/hosts.vmtopo", "");
      const version = await creating.change(uri, 'import "hosts.vmtopo"\n\nvm v {\n  memory = 4G\n}\n');
      const after = await creating.diagnostics(uri, (p) => p.version === version);
      assert.deepEqual(after.diagnostics, []);
    } finally {
      await creating.stop();
    }
    // A client without resource operations is offered nothing it cannot apply.
    const { actions } = await fixesFor("file:///ws/create-not/main.vmtopo", 'import "hosts.vmtopo"\n', "VT005");
    assert.deepEqual(actions, []);
  });

  test("Fix all in file: every independent fix at once, only when asked for by kind", async () => {
    const uri = freshUri();
    const text = "vm v {\n  machine = q53\n  memory = 4g\n  maxmen = 8G\n}\n";
    const { diagnostics } = await client.openAndWait(uri, text);
    assert.deepEqual(diagnostics.map((d) => d.code).sort(), ["VT001", "VT002", "VT004"]);
    const quick = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics: [diagnostics[0]] } });
    assert.ok(!quick.some((a) => a.kind === "source.fixAll"), "not computed for the light bulb");
    const all = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics: [], only: ["source.fixAll"] } });
    assert.equal(all.length, 1);
    assert.equal(all[0].kind, "source.fixAll");
    assert.equal(all[0].title, "Fix all in file (3 fixes)");
    const fixed = applyEdits(text, all[0].edit!.changes![uri]);
    assert.equal(fixed, "vm v {\n  machine = q35\n  memory = 4G\n  maxmem = 8G\n}\n");
    assert.deepEqual(await republish(uri, fixed), []);
  });
});

describe("quick fixes across files and protocol details", () => {
  test("VT203 for a host declared in an imported file edits that file", async () => {
    const hostUri = "file:///ws/imported/hosts.vmtopo";
    const vmUri = "file:///ws/imported/vms.vmtopo";
    const hosts = "host h {\n  memlock = 4G\n}\n";
    const vms = 'import "hosts.vmtopo"\n\nvm v on h {\n  memory = 8G\n  vfio nic0 {\n    host = "0000:3b:00.0"\n  }\n}\n';
    await client.openAndWait(hostUri, hosts);
    const { diagnostic, actions } = await fixesFor(vmUri, vms, "VT203");
    assert.deepEqual(
      actions.map((a) => a.title),
      ["Raise memlock of host 'h' to 9G"],
    );
    assert.deepEqual(actions[0].diagnostics, [diagnostic]);
    const changes = actions[0].edit!.changes!;
    assert.deepEqual(Object.keys(changes), [hostUri]);
    const fixed = applyEdits(hosts, changes[hostUri]);
    assert.equal(fixed, "host h {\n  memlock = 9G\n}\n");
    // the importer is analysed again when the imported file changes
    const version = await client.change(hostUri, fixed);
    await client.diagnostics(hostUri, (p) => p.version === version);
    const republished = await client.diagnostics(vmUri, (p) => !p.diagnostics.some((d) => d.code === "VT203"));
    assert.deepEqual(republished.diagnostics, []);
  });

  test("the server announces quick fixes and honours `only`", async () => {
    const uri = freshUri();
    const { diagnostic } = await fixesFor(uri, "vm v {\n  memory = 4G\n  maxmen = 8G\n}\n", "VT002");
    const refactors = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: ["refactor"] } });
    assert.deepEqual(refactors, []);
    const quickfixes = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: ["quickfix"] } });
    assert.equal(quickfixes.length, 1);
  });

  test("a diagnostic the document no longer has gets no fix", async () => {
    const uri = freshUri();
    const { diagnostic } = await fixesFor(uri, VMEM_128G, "VT201");
    await republish(uri, VMEM_128G.replace("2M", "8M"));
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    assert.deepEqual(actions, []);
  });
});

describe("size literals: the shortest exact one", () => {
  const cases: [number, string, string?][] = [
    [0, "0"],
    [1023, "1023"],
    [1024, "1K"],
    [2 * 2 ** 20, "2M"],
    [1026 * 2 ** 20, "1026M"],
    [1024 * 2 ** 20, "1G"],
    [1.5 * 2 ** 30, "1.5G"],
    [512 * 2 ** 20, "512M"],
    [2 ** 30 + 4 * 2 ** 20, "1028M"],
    [64 * 2 ** 30, "64G"],
    [4 * 2 ** 40, "4T"],
    [1025, "1025"],
    [13 * 2 ** 30, "13GiB", "iB"],
  ];
  for (const [bytes, literal, suffix] of cases) {
    test(`${bytes} bytes → ${literal}`, () => assert.equal(sizeLiteral(bytes, suffix), literal));
  }
});
