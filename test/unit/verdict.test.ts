// One verdict per VM (server/src/engine/verdict.ts), as the report carries it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { buildReport } from "../../server/src/engine/report";
import { verdictHeadline } from "../../server/src/engine/verdict";
import { textReport } from "../../server/src/cli/report";

const verdicts = (text: string) => Object.fromEntries(buildReport(analyzeText(text)).vms.map((v) => [v.name, v.verdict]));

const tdx = (qemu: string) => `
host spr {
  qemu = "${qemu}"
  vfio { backend = type1 }
}
vm td0 on spr {
  confidential = tdx
  memory = 16G
  vfio nic0 { host = "0000:3b:00.0" }
}
`;

describe("a VM's verdict", () => {
  test("a plain VM starts", () => {
    assert.deepEqual(verdicts("vm v {\n  memory = 4G\n}\n"), { v: { kind: "starts" } });
  });

  test("VT201 on QEMU 10.2 is a refusal; on QEMU 10.1, which only warns, the VM starts with warnings", () => {
    const refused = verdicts(tdx("10.2")).td0;
    assert.equal(refused.kind, "refused");
    assert.equal(refused.code, "VT201");
    assert.match(refused.message!, /needs 4,228,024 DMA mappings/);
    const warned = verdicts(tdx("10.1")).td0;
    assert.equal(warned.kind, "starts-with-warnings");
    assert.equal(warned.code, "VT201");
  });

  test("the first reason is the first check QEMU runs, not the first line: VT104 (realize) before a later error", () => {
    const v = verdicts(`
vm v {
  memory = 4G
  maxmem = 20G
  page-size = 1G
  virtio-mem m0 {
    size = 8G
    block-size = 2M
    page-size = 1G
  }
}
`).v;
    assert.equal(v.kind, "refused");
    assert.equal(v.code, "VT104");
  });

  test("a VM that boots but whose scenario step fails: fails-in-scenario, with the scenario and the step", () => {
    const v = verdicts(`
vm v {
  memory = 4G
  maxmem = 20G
  virtio-mem m0 {
    size = 8G
  }
}

scenario grow for v {
  resize m0 to 100M
  resize m0 to 101M
}
`).v;
    assert.deepEqual({ ...v, message: undefined }, { kind: "fails-in-scenario", code: "VT404", message: undefined, scenario: "grow", step: 2 });
  });

  test("each VM of a fleet has its own verdict and its own diagnostics", () => {
    const report = buildReport(
      analyzeText(`
host h {
  hugepages {
    1G = 4
  }
}
vm ok on h {
  memory = 4G
}
vm big on h {
  memory = 8G
  page-size = 1G
}
`),
    );
    const [ok, big] = report.vms;
    assert.deepEqual(ok.verdict, { kind: "starts" });
    assert.deepEqual(ok.diagnostics, []);
    assert.equal(big.verdict.kind, "refused");
    assert.equal(big.verdict.code, "VT112");
    assert.deepEqual(big.diagnostics.map((d) => d.code), ["VT112"]);
  });

  test("the headline, the words every face shows", () => {
    assert.equal(verdictHeadline({ kind: "starts" }), "starts");
    assert.equal(verdictHeadline({ kind: "starts-with-warnings", code: "VT201", message: "m" }), "starts with warnings (VT201)");
    assert.equal(verdictHeadline({ kind: "refused", code: "VT104", message: "m" }), "refused by QEMU (VT104)");
    assert.equal(verdictHeadline({ kind: "fails-in-scenario", code: "VT404", message: "m", scenario: "grow", step: 2 }), "fails at step 2 of scenario grow (VT404)");
  });

  test("the CLI report says the verdict under each VM, with the first reason", () => {
    const text = textReport(buildReport(analyzeText(tdx("10.1"))));
    assert.match(text, /^vm td0 on spr: .*\n {2}⚠ starts with warnings \(VT201\): container c0 \(nic0\) needs 4,228,024 DMA mappings/);
    assert.match(textReport(buildReport(analyzeText("vm v {\n  memory = 4G\n}\n"))), /^vm v on default: .*\n {2}✓ starts\n/);
  });
});
