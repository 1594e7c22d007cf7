// A set of half-open intervals [start, end), kept sorted, disjoint and merged, as a treap
// (a binary search tree balanced by random priorities) whose nodes carry aggregates of
// their subtree: interval count, bytes, lowest start, highest end and widest inner gap.
// Adding, removing and measuring cost O(log n) expected in the number of intervals n
// (plus the intervals an add swallows, each of which was added once), never in the pages
// or bytes they cover; a bounded summary for drawing costs O(limit · log n).
export type Interval = readonly [number, number];

class Node {
  left: Node | null = null;
  right: Node | null = null;
  /** intervals in this subtree */
  count = 1;
  /** bytes in this subtree */
  total: number;
  /** lowest start and highest end in this subtree */
  low: number;
  high: number;
  /** widest gap between two neighbouring intervals of this subtree (0 with one interval) */
  widestGap = 0;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly priority: number,
  ) {
    this.total = end - start;
    this.low = start;
    this.high = end;
  }
}

/** Recomputes a node's aggregates from its children's. */
function update(node: Node): Node {
  const { left, right } = node;
  let count = 1;
  let total = node.end - node.start;
  let widestGap = 0;
  node.low = node.start;
  node.high = node.end;
  if (left) {
    count += left.count;
    total += left.total;
    widestGap = Math.max(left.widestGap, node.start - left.high);
    node.low = left.low;
  }
  if (right) {
    count += right.count;
    total += right.total;
    widestGap = Math.max(widestGap, right.widestGap, right.low - node.end);
    node.high = right.high;
  }
  node.count = count;
  node.total = total;
  node.widestGap = widestGap;
  return node;
}

// Splitting by position, without recursion or allocation: the nodes of the search path are
// threaded onto a left and a right spine, then their aggregates recomputed bottom-up. The
// two halves land in `splitLeft` and `splitRight`.
let splitLeft: Node | null = null;
let splitRight: Node | null = null;
const searchPath: Node[] = [];

/**
 * Splits into the intervals that lie before `at` | the rest: by their end if `byEnd`, else
 * by their start; `touching` puts an interval whose bound equals `at` on the left.
 */
function split(root: Node | null, at: number, byEnd: boolean, touching: boolean): void {
  let leftTail: Node | null = null;
  let rightTail: Node | null = null;
  splitLeft = null;
  splitRight = null;
  searchPath.length = 0;
  let node = root;
  while (node) {
    searchPath.push(node);
    const bound = byEnd ? node.end : node.start;
    if (bound < at || (touching && bound === at)) {
      if (leftTail) leftTail.right = node;
      else splitLeft = node;
      leftTail = node;
      node = node.right;
    } else {
      if (rightTail) rightTail.left = node;
      else splitRight = node;
      rightTail = node;
      node = node.left;
    }
  }
  if (leftTail) leftTail.right = null;
  if (rightTail) rightTail.left = null;
  for (let i = searchPath.length - 1; i >= 0; i--) update(searchPath[i]);
}

/** Whether some interval touches or overlaps [start, end]: one walk to the first interval ending at or after `start`. */
function touchesAny(root: Node | null, start: number, end: number): boolean {
  let node = root;
  let first: Node | null = null;
  while (node) {
    if (node.end >= start) {
      first = node;
      node = node.left;
    } else node = node.right;
  }
  return first !== null && first.start <= end;
}

const insertPath: Node[] = [];

/**
 * Inserts an interval that touches none (the common fragmenting case): one walk down to
 * where its priority puts it, and a split of the subtree found there.
 */
function insertDisjoint(root: Node | null, fresh: Node): Node {
  insertPath.length = 0;
  let node = root;
  while (node && node.priority >= fresh.priority) {
    insertPath.push(node);
    node = fresh.start < node.start ? node.left : node.right;
  }
  split(node, fresh.start, true, false);
  fresh.left = splitLeft;
  fresh.right = splitRight;
  update(fresh);
  if (insertPath.length === 0) return fresh;
  const parent = insertPath[insertPath.length - 1];
  if (fresh.start < parent.start) parent.left = fresh;
  else parent.right = fresh;
  for (let i = insertPath.length - 1; i >= 0; i--) update(insertPath[i]);
  return root!;
}

/** Joins two trees, every interval of `a` lying before every interval of `b`. */
function join(a: Node | null, b: Node | null): Node | null {
  if (!a) return b;
  if (!b) return a;
  if (a.priority > b.priority) {
    a.right = join(a.right, b);
    return update(a);
  }
  b.left = join(a, b.left);
  return update(b);
}

function copy(node: Node | null): Node | null {
  if (!node) return null;
  const clone = new Node(node.start, node.end, node.priority);
  clone.left = copy(node.left);
  clone.right = copy(node.right);
  return update(clone);
}

/** Bytes of the subtree below `at`. */
function bytesBelow(node: Node | null, at: number): number {
  let sum = 0;
  while (node) {
    if (at <= node.start) node = node.left;
    else {
      const leftBytes = node.left ? node.left.total : 0;
      if (at < node.end) return sum + leftBytes + (at - node.start);
      sum += leftBytes + (node.end - node.start);
      node = node.right;
    }
  }
  return sum;
}

/**
 * A set's changes as recorded (see interval-timeline.ts): flat triples of numbers, an op
 * (JOURNAL_ADD or JOURNAL_REMOVE) then start and end, so a long scenario's journal is one
 * array of numbers rather than two objects per change.
 */
export type IntervalJournal = number[];
export const JOURNAL_ADD = 1;
export const JOURNAL_REMOVE = 0;

export class IntervalSet {
  private root: Node | null = null;
  /** when set, every add and remove is appended here (see interval-timeline.ts); a clone has none */
  journal: IntervalJournal | null = null;
  /** xorshift32 state for priorities: deterministic, so runs are repeatable */
  private seed = 0x9e3779b9 | 0;

  static empty(): IntervalSet {
    return new IntervalSet();
  }

  static of(intervals: Iterable<Interval>): IntervalSet {
    const set = new IntervalSet();
    for (const interval of intervals) set.add(interval);
    return set;
  }

  clone(): IntervalSet {
    const copied = new IntervalSet();
    copied.root = copy(this.root);
    copied.seed = this.seed;
    return copied;
  }

  /** Makes this set equal to `other` (a copy: O(n)). */
  replaceWith(other: IntervalSet): this {
    this.root = copy(other.root);
    return this;
  }

  /** Every interval in order: O(n). */
  get intervals(): Interval[] {
    const out: Interval[] = [];
    const stack: Node[] = [];
    let node = this.root;
    while (node || stack.length > 0) {
      while (node) {
        stack.push(node);
        node = node.left;
      }
      node = stack.pop()!;
      out.push([node.start, node.end]);
      node = node.right;
    }
    return out;
  }

  /** Nodes on the longest root-to-leaf path: what one operation walks (tests and the bench check it stays O(log n)). */
  get height(): number {
    const heightOf = (node: Node | null): number => (node ? 1 + Math.max(heightOf(node.left), heightOf(node.right)) : 0);
    return heightOf(this.root);
  }

  get count(): number {
    return this.root ? this.root.count : 0;
  }

  get size(): number {
    return this.root ? this.root.total : 0;
  }

  private nextPriority(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x;
    return x >>> 0;
  }

  add([start, end]: Interval): this {
    if (end <= start) return this;
    this.journal?.push(JOURNAL_ADD, start, end);
    if (!touchesAny(this.root, start, end)) {
      this.root = insertDisjoint(this.root, new Node(start, end, this.nextPriority()));
      return this;
    }
    // before: intervals ending before `start`; touched: those touching or overlapping [start, end]
    split(this.root, start, true, false);
    const before = splitLeft;
    split(splitRight, end, false, true);
    const touched = splitLeft;
    const after = splitRight;
    const merged = new Node(touched ? Math.min(start, touched.low) : start, touched ? Math.max(end, touched.high) : end, this.nextPriority());
    this.root = join(join(before, merged), after);
    return this;
  }

  remove([start, end]: Interval): this {
    if (end <= start) return this;
    this.journal?.push(JOURNAL_REMOVE, start, end);
    // before: intervals ending at or before `start`; cut: those overlapping [start, end)
    split(this.root, start, true, true);
    const before = splitLeft;
    split(splitRight, end, false, false);
    const cut = splitLeft;
    const after = splitRight;
    let kept = before;
    if (cut && cut.low < start) kept = join(kept, new Node(cut.low, start, this.nextPriority()));
    if (cut && cut.high > end) kept = join(kept, new Node(end, cut.high, this.nextPriority()));
    this.root = join(kept, after);
    return this;
  }

  /** Bytes of the set inside [start, end): O(log n). */
  measureWithin([start, end]: Interval): number {
    const root = this.root;
    if (end <= start || !root || end <= root.low || start >= root.high) return 0;
    // The common question "how much of a section is shared" often spans the whole set: O(1).
    if (start <= root.low && end >= root.high) return root.total;
    return bytesBelow(root, end) - bytesBelow(root, start);
  }

  /**
   * At most about `limit` ranges for drawing: exact when the set holds at most `limit`
   * intervals; otherwise gaps narrower than 1/limit of the set's span are closed (there
   * are at most `limit` wider ones). O(limit · log n): only subtrees whose widest gap is
   * wide enough are visited.
   */
  displayRanges(limit = 256): { ranges: Interval[]; exact: boolean } {
    const root = this.root;
    if (!root || root.count <= limit) return { ranges: this.intervals, exact: true };
    const minGap = (root.high - root.low) / limit;
    const cuts: number[] = []; // pairs: the end before a kept gap, the start after it
    const visit = (node: Node | null): void => {
      if (!node || node.widestGap < minGap) return;
      visit(node.left);
      if (node.left && node.start - node.left.high >= minGap) cuts.push(node.left.high, node.start);
      if (node.right && node.right.low - node.end >= minGap) cuts.push(node.end, node.right.low);
      visit(node.right);
    };
    visit(root);
    const ranges: Interval[] = [];
    let from = root.low;
    for (let i = 0; i < cuts.length; i += 2) {
      ranges.push([from, cuts[i]]);
      from = cuts[i + 1];
    }
    ranges.push([from, root.high]);
    return { ranges, exact: false };
  }

  /** True if [start, end) lies wholly inside the set. */
  covers([start, end]: Interval): boolean {
    return this.measureWithin([start, end]) === end - start;
  }
}
