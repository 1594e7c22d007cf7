// A set of half-open intervals [start, end), kept sorted, disjoint and merged. Operations
// cost in the number of intervals (binary search and one splice), never in the pages or
// bytes they cover; measuring uses prefix sums rebuilt once after a change.
export type Interval = readonly [number, number];

export class IntervalSet {
  private starts: number[] = [];
  private ends: number[] = [];
  private total = 0;
  /** prefix[i] = bytes in intervals 0..i-1; null after a change */
  private prefix: number[] | null = null;

  static empty(): IntervalSet {
    return new IntervalSet();
  }

  static of(intervals: Iterable<Interval>): IntervalSet {
    const set = new IntervalSet();
    for (const interval of intervals) set.add(interval);
    return set;
  }

  clone(): IntervalSet {
    const copy = new IntervalSet();
    copy.starts = [...this.starts];
    copy.ends = [...this.ends];
    copy.total = this.total;
    return copy;
  }

  get intervals(): Interval[] {
    return this.starts.map((s, i) => [s, this.ends[i]] as const);
  }

  get count(): number {
    return this.starts.length;
  }

  get size(): number {
    return this.total;
  }

  /** Index of the first interval whose end is at or after `at` (touching counts). */
  private firstEndingFrom(at: number): number {
    let low = 0;
    let high = this.ends.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.ends[mid] < at) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  add([start, end]: Interval): this {
    if (end <= start) return this;
    const first = this.firstEndingFrom(start);
    let last = first;
    let s = start;
    let e = end;
    let removed = 0;
    while (last < this.starts.length && this.starts[last] <= end) {
      s = Math.min(s, this.starts[last]);
      e = Math.max(e, this.ends[last]);
      removed += this.ends[last] - this.starts[last];
      last++;
    }
    this.starts.splice(first, last - first, s);
    this.ends.splice(first, last - first, e);
    this.total += e - s - removed;
    this.prefix = null;
    return this;
  }

  remove([start, end]: Interval): this {
    if (end <= start) return this;
    let first = this.firstEndingFrom(start);
    if (first < this.ends.length && this.ends[first] === start) first++;
    let last = first;
    const keptStarts: number[] = [];
    const keptEnds: number[] = [];
    while (last < this.starts.length && this.starts[last] < end) {
      const a = this.starts[last];
      const b = this.ends[last];
      this.total -= b - a;
      if (a < start) {
        keptStarts.push(a);
        keptEnds.push(start);
        this.total += start - a;
      }
      if (b > end) {
        keptStarts.push(end);
        keptEnds.push(b);
        this.total += b - end;
      }
      last++;
    }
    this.starts.splice(first, last - first, ...keptStarts);
    this.ends.splice(first, last - first, ...keptEnds);
    this.prefix = null;
    return this;
  }

  /** Bytes of the set inside [start, end). */
  measureWithin([start, end]: Interval): number {
    if (end <= start || this.starts.length === 0) return 0;
    const prefix = (this.prefix ??= this.buildPrefix());
    const first = this.firstEndingFrom(start + 1); // first interval ending after start
    let last = first;
    // the last interval starting before end, by binary search
    let low = first;
    let high = this.starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid] < end) low = mid + 1;
      else high = mid;
    }
    last = low; // exclusive
    if (last <= first) return 0;
    let total = prefix[last] - prefix[first];
    total -= Math.max(0, start - this.starts[first]);
    total -= Math.max(0, this.ends[last - 1] - end);
    return total;
  }

  /**
   * At most about `limit` ranges for drawing: exact when the set is small; otherwise gaps
   * narrower than 1/limit of the set's span are closed. O(number of intervals).
   */
  displayRanges(limit = 256): { ranges: Interval[]; exact: boolean } {
    const n = this.starts.length;
    if (n <= limit) return { ranges: this.intervals, exact: true };
    const minGap = (this.ends[n - 1] - this.starts[0]) / limit;
    const ranges: [number, number][] = [[this.starts[0], this.ends[0]]];
    for (let i = 1; i < n; i++) {
      const last = ranges[ranges.length - 1];
      if (this.starts[i] - last[1] < minGap) last[1] = this.ends[i];
      else ranges.push([this.starts[i], this.ends[i]]);
    }
    return { ranges, exact: false };
  }

  /** True if [start, end) lies wholly inside the set. */
  covers([start, end]: Interval): boolean {
    return this.measureWithin([start, end]) === end - start;
  }

  private buildPrefix(): number[] {
    const prefix = new Array<number>(this.starts.length + 1);
    prefix[0] = 0;
    for (let i = 0; i < this.starts.length; i++) prefix[i + 1] = prefix[i] + (this.ends[i] - this.starts[i]);
    return prefix;
  }
}
