// A set of half-open intervals [start, end), kept sorted and merged. Every operation costs
// in the number of intervals, never in the number of pages or bytes they cover.
export type Interval = readonly [number, number];

export class IntervalSet {
  private constructor(private readonly items: Interval[]) {}

  static empty(): IntervalSet {
    return new IntervalSet([]);
  }

  static of(intervals: Iterable<Interval>): IntervalSet {
    let set = IntervalSet.empty();
    for (const interval of intervals) set = set.add(interval);
    return set;
  }

  get intervals(): readonly Interval[] {
    return this.items;
  }

  add([start, end]: Interval): IntervalSet {
    if (end <= start) return this;
    const out: Interval[] = [];
    let s = start;
    let e = end;
    let placed = false;
    for (const [a, b] of this.items) {
      if (b < s) out.push([a, b]);
      else if (a > e) {
        if (!placed) {
          out.push([s, e]);
          placed = true;
        }
        out.push([a, b]);
      } else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    if (!placed) out.push([s, e]);
    return new IntervalSet(out);
  }

  remove([start, end]: Interval): IntervalSet {
    if (end <= start) return this;
    const out: Interval[] = [];
    for (const [a, b] of this.items) {
      if (b <= start || a >= end) out.push([a, b]);
      else {
        if (a < start) out.push([a, start]);
        if (b > end) out.push([end, b]);
      }
    }
    return new IntervalSet(out);
  }

  /** Bytes of the set inside [start, end). */
  measureWithin([start, end]: Interval): number {
    let total = 0;
    for (const [a, b] of this.items) {
      const lo = Math.max(a, start);
      const hi = Math.min(b, end);
      if (hi > lo) total += hi - lo;
    }
    return total;
  }

  get size(): number {
    return this.items.reduce((sum, [a, b]) => sum + (b - a), 0);
  }

  /** True if [start, end) lies wholly inside the set. */
  covers([start, end]: Interval): boolean {
    return this.measureWithin([start, end]) === end - start;
  }
}
