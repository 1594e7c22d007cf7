// Recovery: files with several separate mistakes. Each fixture marks the lines that must
// carry a diagnostic with a trailing `//! CODE` comment and lists, in its first line, the
// declarations that must still be parsed: one diagnostic per mistake, nothing else lost.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { test } from "node:test";
import { parse } from "../../grammar/src/index";
import { fixtureFiles } from "../support/fixtures";

for (const file of fixtureFiles("recovery", ".vmtopo")) {
  test(`recovery: ${basename(file)}`, () => {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    const expected = lines.flatMap((line, index) => {
      const marker = /\/\/! (VT\d{3})\s*$/.exec(line);
      return marker ? [`${index + 1} ${marker[1]}`] : [];
    });
    const declarations = /^\/\/ declarations: (.*)$/.exec(lines[0])![1];

    const result = parse(text);
    const actual = result.diagnostics.map((d) => `${d.range.start.line + 1} ${d.code}`);
    assert.deepEqual(actual, expected, result.diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`).join("\n"));
    assert.equal(result.ast.declarations.map((d) => `${d.kind} ${d.name.text}`).join(", "), declarations);
  });
}
