// Coalesces bursts of work per key (a document's URI): the work runs `delayMs` after the
// last request, but never later than `maxWaitMs` after the first request of the burst, so
// continuous typing still gets feedback at a steady pace. What the user sees is the end of
// the work (the publication), so the deadline allows for the work itself: it starts early by
// the last run's duration (at most half the max-wait). The clock is injectable for tests.

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Pending {
  /** when the burst's first request came */
  since: number;
  timer: unknown;
}

export class MaxWaitDebouncer<K> {
  private readonly pending = new Map<K, Pending>();
  /** how long the last run of each key took */
  private readonly lastDuration = new Map<K, number>();

  constructor(
    private readonly run: (key: K) => void,
    private readonly delayMs: number,
    private readonly maxWaitMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  schedule(key: K): void {
    const now = this.clock.now();
    const previous = this.pending.get(key);
    if (previous) this.clock.clearTimeout(previous.timer);
    const since = previous?.since ?? now;
    const head = Math.min(this.lastDuration.get(key) ?? 0, this.maxWaitMs / 2);
    const wait = Math.max(0, Math.min(this.delayMs, since + this.maxWaitMs - head - now));
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(key);
      const started = this.clock.now();
      try {
        this.run(key);
      } finally {
        this.lastDuration.set(key, this.clock.now() - started);
      }
    }, wait);
    this.pending.set(key, { since, timer });
  }

  cancel(key: K): void {
    const previous = this.pending.get(key);
    if (previous) this.clock.clearTimeout(previous.timer);
    this.pending.delete(key);
    this.lastDuration.delete(key);
  }
}
