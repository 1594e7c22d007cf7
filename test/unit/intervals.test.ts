// The interval set behind scenario simulation, checked against a plain bitmap over a small
// universe: adds, removes, measures and covers agree after every operation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { IntervalTimeline } from "../../server/src/engine/interval-timeline";
import { IntervalSet, type Interval } from "../../server/src/engine/intervals";
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

/** The plain model: sorted, merged intervals of a bitmap. */
function intervalsOf(bitmap: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < bitmap.length; i++) {
    if (!bitmap[i]) continue;
    if (out.length > 0 && out[out.length - 1][1] === i) out[out.length - 1][1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

/** The drawing summary as first specified: walk every interval, close gaps under span/limit. */
function naiveDisplay(intervals: Interval[], limit: number): Interval[] {
  if (intervals.length <= limit) return intervals;
  const minGap = (intervals[intervals.length - 1][1] - intervals[0][0]) / limit;
  const ranges: [number, number][] = [[intervals[0][0], intervals[0][1]]];
  for (const [start, end] of intervals.slice(1)) {
    const last = ranges[ranges.length - 1];
    if (start - last[1] < minGap) last[1] = end;
    else ranges.push([start, end]);
  }
  return ranges;
}

test("20,000 random operations over a fragmented universe agree with the plain model: intervals, counts, sizes, measures and drawing summaries", () => {
  const random = new Random(rng(11));
  const universe = 4000;
  const bitmap = new Uint8Array(universe);
  const set = IntervalSet.empty();
  for (let i = 0; i < 20_000; i++) {
    // mostly short ranges, so that the set fragments into hundreds of intervals
    const a = random.int(universe);
    const b = Math.min(universe, a + (random.chance(0.9) ? 1 + random.int(4) : random.int(universe)));
    const adding = random.chance(0.55);
    if (adding) set.add([a, b]);
    else set.remove([a, b]);
    bitmap.fill(adding ? 1 : 0, a, b);
    if (i % 97 !== 0) continue;
    const expected = intervalsOf(bitmap);
    assert.deepEqual(set.intervals, expected, `intervals after op ${i}`);
    assert.equal(set.count, expected.length);
    assert.equal(set.size, expected.reduce((sum, [s, e]) => sum + e - s, 0));
    for (const limit of [1, 7, 64, 256]) assert.deepEqual(set.displayRanges(limit).ranges, naiveDisplay(expected, limit), `summary of ${limit} after op ${i}`);
    const c = random.int(universe);
    const d = c + random.int(universe - c + 1);
    assert.equal(set.measureWithin([c, d]), bitmap.slice(c, d).reduce((sum, bit) => sum + bit, 0));
  }
});

test("a drawing summary holds at most about `limit` ranges and covers the set", () => {
  const set = IntervalSet.empty();
  for (let page = 0; page < 10_000; page++) set.add([page * 3, page * 3 + 1]); // 10,000 separate intervals
  set.add([1_000_000, 1_000_005]);
  const { ranges, exact } = set.displayRanges(256);
  assert.equal(exact, false);
  assert.ok(ranges.length <= 257, `${ranges.length} ranges`);
  assert.deepEqual(ranges, [[0, 29_998], [1_000_000, 1_000_005]]);
});

test("a timeline replays each step's summary on demand, including steps that replaced the set", () => {
  const initial = IntervalSet.of([[0, 10]]);
  const timeline = new IntervalTimeline(initial, 256);
  initial.add([20, 30]); // step 0
  timeline.endStep(initial);
  timeline.endStep(initial); // step 1 changes nothing
  const replacement = IntervalSet.of([[100, 200]]); // step 2 swaps the set for another
  timeline.endStep(replacement);
  replacement.remove([150, 160]); // step 3
  timeline.endStep(replacement);
  timeline.finish();
  replacement.add([0, 1000]); // after the scenario: not recorded
  assert.deepEqual(timeline.rangesAfter(3), [[100, 150], [160, 200]]);
  assert.deepEqual(timeline.rangesAfter(0), [[0, 10], [20, 30]]);
  assert.strictEqual(timeline.rangesAfter(1), timeline.rangesAfter(0), "an unchanged step shares its predecessor's summary");
  assert.deepEqual(timeline.rangesAfter(2), [[100, 200]]);
});

test("operations cost in intervals, not in their number: after 100,000 fragmenting adds in any order the tree is O(log n) deep", () => {
  // Every add, remove and measure walks one root-to-leaf path (twice at most), so the height
  // bounds an operation's cost; a treap's expected height is about 3 log2 n.
  for (const order of ["ascending", "descending", "scattered"] as const) {
    const set = IntervalSet.empty();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const page = order === "ascending" ? i : order === "descending" ? n - 1 - i : (i * 7919) % n; // never touching
      set.add([page * 8192, page * 8192 + 4096]);
    }
    assert.equal(set.count, n);
    assert.ok(set.height <= 4 * Math.log2(n), `${order}: height ${set.height} for ${n} intervals`);
    for (let i = 0; i < n; i += 2) set.remove([i * 8192, i * 8192 + 4096]);
    assert.equal(set.count, n / 2);
    assert.ok(set.height <= 4 * Math.log2(n / 2), `${order}: height ${set.height} after removing half`);
  }
});
