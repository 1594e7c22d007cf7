// The interval set behind scenario simulation, checked against a plain bitmap over a small
// universe: adds, removes, measures and covers agree after every operation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { IntervalSet } from "../../server/src/engine/intervals";
import { Random, rng } from "../support/random";

test("adding merges touching and overlapping intervals", () => {
  const set = IntervalSet.of([[0, 4], [8, 12], [4, 6]]);
  assert.deepEqual(set.intervals, [[0, 6], [8, 12]]);
  set.add([5, 9]);
  assert.deepEqual(set.intervals, [[0, 12]]);
  assert.equal(set.size, 12);
});

test("removing splits an interval and keeps both sides", () => {
  const set = IntervalSet.of([[0, 100]]).remove([10, 20]);
  assert.deepEqual(set.intervals, [[0, 10], [20, 100]]);
  assert.equal(set.measureWithin([5, 25]), 10);
  assert.equal(set.covers([20, 100]), true);
  assert.equal(set.covers([9, 11]), false);
});

test("a clone does not share changes", () => {
  const original = IntervalSet.of([[0, 10]]);
  const copy = original.clone().add([20, 30]);
  assert.deepEqual(original.intervals, [[0, 10]]);
  assert.deepEqual(copy.intervals, [[0, 10], [20, 30]]);
});

test("2,000 random operations agree with a bitmap", () => {
  const random = new Random(rng(7));
  const universe = 300;
  const bitmap = new Uint8Array(universe);
  const set = IntervalSet.empty();
  for (let i = 0; i < 2000; i++) {
    const a = random.int(universe);
    const b = a + random.int(universe - a + 1);
    const adding = random.chance(0.6);
    if (adding) set.add([a, b]);
    else set.remove([a, b]);
    bitmap.fill(adding ? 1 : 0, a, b);
    const c = random.int(universe);
    const d = c + random.int(universe - c + 1);
    const expected = bitmap.slice(c, d).reduce((sum, bit) => sum + bit, 0);
    assert.equal(set.measureWithin([c, d]), expected, `measure [${c}, ${d}) after op ${i}`);
    assert.equal(set.covers([c, d]), expected === d - c);
    assert.equal(set.size, bitmap.reduce((sum, bit) => sum + bit, 0));
    const intervals = set.intervals;
    for (let k = 1; k < intervals.length; k++) assert.ok(intervals[k - 1][1] < intervals[k][0], "disjoint, sorted, not touching");
  }
});
