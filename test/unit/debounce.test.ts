// The diagnostics debouncer, on a fake clock: a burst is coalesced into one run shortly after
// it pauses, and continuous requests still run at least every `maxWait`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MaxWaitDebouncer, type Clock } from "../../server/src/lsp/debounce";

class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }
}

test("a burst of requests runs once, the delay after the last one", () => {
  const clock = new FakeClock();
  const runs: number[] = [];
  const debouncer = new MaxWaitDebouncer<string>(() => runs.push(clock.now()), 20, 250, clock);
  for (let i = 0; i < 5; i++) {
    debouncer.schedule("a");
    clock.advance(5);
  }
  clock.advance(100);
  assert.deepEqual(runs, [20 + 20]);
});

test("requests every 1 ms for 2 s run at least every 250 ms", () => {
  const clock = new FakeClock();
  const runs: number[] = [];
  const debouncer = new MaxWaitDebouncer<string>(() => runs.push(clock.now()), 20, 250, clock);
  for (let t = 0; t < 2000; t++) {
    debouncer.schedule("a");
    clock.advance(1);
  }
  clock.advance(100);
  assert.deepEqual(runs, [250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
  const gaps = runs.slice(1).map((t, i) => t - runs[i]);
  assert.ok(gaps.every((gap) => gap <= 250), `gaps ${gaps}`);
});

test("keys are independent, and a cancelled key does not run", () => {
  const clock = new FakeClock();
  const runs: string[] = [];
  const debouncer = new MaxWaitDebouncer<string>((key) => runs.push(key), 20, 250, clock);
  debouncer.schedule("a");
  debouncer.schedule("b");
  debouncer.cancel("a");
  clock.advance(50);
  assert.deepEqual(runs, ["b"]);
});
