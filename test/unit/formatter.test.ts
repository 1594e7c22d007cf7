// The formatter: each case in test/fixtures/format/*.txt gives an input and its formatted
// text; every example and every case also formats idempotently, keeps its comments and
// leaves its AST unchanged.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, test } from "node:test";
import { format } from "../../grammar/src/index";
import { exampleFiles } from "../support/corpus";
import { fixtureFiles, readCases, updating, writeCases } from "../support/fixtures";
import { assertFormatsSafely } from "../support/invariants";

for (const file of fixtureFiles("format", ".txt")) {
  const cases = readCases(file);
  describe(`formatter: ${basename(file)}`, () => {
    for (const c of cases) {
      test(c.title, () => {
        const formatted = assertFormatsSafely(c.input);
        if (updating) c.sections.set("formatted", formatted.replace(/\n$/, ""));
        else assert.equal(formatted, (c.sections.get("formatted") ?? "") + "\n");
      });
    }
  });
  if (updating) process.on("exit", () => writeCases(file, cases));
}

describe("formatter: examples", () => {
  for (const path of exampleFiles()) {
    test(`${basename(path)} is already formatted and formats safely`, () => {
      const text = readFileSync(path, "utf8");
      assert.equal(assertFormatsSafely(text), text, "the examples are kept in canonical format");
    });
  }
});

describe("formatter: refusals", () => {
  test("a file with syntax errors is not formatted, and its errors are returned", () => {
    const result = format("host h {\n  qemu \"10.1\"\n}\n");
    assert.equal(result.text, null);
    assert.deepEqual(result.diagnostics.map((d) => [d.code, d.range.start.line]), [["VT001", 1]]);
  });

  test("Windows line endings are kept", () => {
    assert.equal(format("host h { qemu = \"1\" }\r\n").text, "host h {\r\n  qemu = \"1\"\r\n}\r\n");
  });
});
