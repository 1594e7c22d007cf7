// The parser, construct by construct: each case in test/fixtures/parser/*.txt gives an input,
// the AST it must produce and the diagnostics (with ranges) it must raise.
import assert from "node:assert/strict";
import { basename } from "node:path";
import { describe, test } from "node:test";
import { parse } from "../../grammar/src/index";
import { dumpAst, dumpDiagnostics } from "../support/ast-dump";
import { fixtureFiles, readCases, updating, writeCases } from "../support/fixtures";

for (const file of fixtureFiles("parser", ".txt")) {
  const cases = readCases(file);
  describe(`parser: ${basename(file)}`, () => {
    for (const c of cases) {
      test(c.title, () => {
        const result = parse(c.input);
        const ast = dumpAst(result.ast);
        const diagnostics = dumpDiagnostics(result.diagnostics);
        if (updating) {
          c.sections.set("ast", ast);
          c.sections.set("diagnostics", diagnostics);
          return;
        }
        assert.equal(ast, c.sections.get("ast") ?? "", "AST");
        assert.equal(diagnostics, c.sections.get("diagnostics") ?? "", "diagnostics");
      });
    }
  });
  if (updating) process.on("exit", () => writeCases(file, cases));
}
