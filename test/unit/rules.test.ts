// Every diagnostic code, on fixtures: test/fixtures/rules/*.txt hold cases titled
// `VTnnn: what fires it` or `VTnnn near miss: what does not`. In a firing case, ⟦marks⟧
// give the exact ranges where VTnnn must be reported (and nowhere else); a near miss must
// not report VTnnn at all. `--- message` lines must each appear in the first VTnnn message.
// `--- file NAME` sections add files beside the fixture (for imports).
import assert from "node:assert/strict";
import { basename } from "node:path";
import { describe, test } from "node:test";
import { analyzeText } from "../../server/src/engine/analyze";
import { fixtureFiles, readCases } from "../support/fixtures";
import { marked } from "../support/markers";

const DIR = "/fixture";

for (const file of fixtureFiles("rules", ".txt")) {
  describe(`rules: ${basename(file)}`, () => {
    for (const c of readCases(file)) {
      const title = /^(VT\d{3})( near miss)?: /.exec(c.title);
      test(c.title, () => {
        assert.ok(title, `a case title starts with 'VTnnn:' or 'VTnnn near miss:' (${c.title})`);
        const code = title[1];
        const nearMiss = title[2] !== undefined;
        const { text, ranges } = marked(c.input);
        const others = new Map<string, string>();
        for (const [name, body] of c.sections) if (name.startsWith("file_")) others.set(`${DIR}/${name.slice(5)}`, body + "\n");
        const analysis = analyzeText(text, `${DIR}/main.vmtopo`, { read: (path) => others.get(path) });
        const found = analysis.diagnostics.filter((d) => d.code === code);
        const all = analysis.diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join("\n");
        assert.ok(!analysis.diagnostics.some((d) => d.code === "VT000"), all);
        if (nearMiss) {
          assert.deepEqual(found.map((d) => d.message), [], `near miss must not report ${code}:\n${all}`);
          return;
        }
        assert.ok(ranges.length > 0, "a firing case marks where the diagnostic goes");
        assert.deepEqual(
          found.map((d) => d.range),
          ranges,
          `${code} must be reported exactly at the marked ranges; got:\n${all}`,
        );
        for (const expected of (c.sections.get("message") ?? "").split("\n").filter(Boolean)) {
          assert.ok(found[0].message.includes(expected), `message of ${code} should contain "${expected}":\n${found[0].message}`);
        }
      });
    }
  });
}
