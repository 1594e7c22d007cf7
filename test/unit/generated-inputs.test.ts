// At least 10,000 random and mutated inputs: parsing and analysis never throw, never take
// over 100 ms, and every range lies inside the document; those that parse also format safely.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "../../grammar/src/index";
import { analyzeText } from "../../server/src/engine/analyze";
import { validCorpus } from "../support/corpus";
import { assertFiniteReport, assertFormatsSafely, assertRangesInside } from "../support/invariants";
import { mutate, Random, randomTokens, relayout, revalue, rng } from "../support/random";

const SEED = Number(process.env.VMTOPO_SEED ?? 20261121);
const INPUTS = 10_000;
const BUDGET_MS = 100;

test(`${INPUTS} generated inputs (seed ${SEED}) parse safely and quickly`, () => {
  const random = new Random(rng(SEED));
  const corpus = validCorpus();
  assert.ok(corpus.length >= 10, "the corpus of valid files to mutate is not empty");
  parse(corpus[0].text); // build the parser once before timing

  let formatted = 0;
  let slowest = 0;
  for (let i = 0; i < INPUTS; i++) {
    let text: string;
    if (random.chance(0.3)) {
      text = randomTokens(random, 1 + random.int(200));
    } else if (random.chance(0.3)) {
      text = random.pick(corpus).text;
      const edits = 1 + random.int(20);
      for (let e = 0; e < edits; e++) text = relayout(random, text);
    } else if (random.chance(0.4)) {
      text = random.pick(corpus).text;
      const edits = 1 + random.int(6);
      for (let e = 0; e < edits; e++) text = revalue(random, text);
    } else {
      text = random.pick(corpus).text;
      const edits = 1 + random.int(4);
      for (let e = 0; e < edits; e++) text = mutate(random, text);
    }
    let result;
    try {
      result = parse(text);
    } catch (error) {
      assert.fail(`input ${i} threw: ${String(error)}\n${JSON.stringify(text)}`);
    }
    const elapsed = parseTime(text);
    slowest = Math.max(slowest, elapsed);
    assert.ok(elapsed < BUDGET_MS, `input ${i} took ${elapsed.toFixed(1)} ms\n${JSON.stringify(text)}`);
    try {
      assertRangesInside(text);
      assertFiniteReport(text);
      if (!result.diagnostics.some((d) => d.code === "VT001")) {
        assertFormatsSafely(text);
        formatted++;
      }
    } catch (error) {
      throw new Error(`input ${i}: ${(error as Error).message}\n${JSON.stringify(text)}`);
    }
  }
  assert.ok(formatted > INPUTS / 20, `enough generated inputs parse to test the formatter (${formatted})`);
  console.log(`${INPUTS} inputs, ${formatted} formatted, slowest parse and analysis ${slowest.toFixed(1)} ms`);
});

/**
 * The input's own cost: timed again when over budget, keeping the fastest run, so that a
 * garbage-collection pause or a busy machine is not blamed on the input.
 */
function parseTime(text: string): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3 && best >= BUDGET_MS; attempt++) {
    const started = performance.now();
    analyzeText(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
