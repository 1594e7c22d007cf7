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
  /** Time passing inside a callback (work being done), without firing timers. */
  spend(ms: number): void {
    this.time += ms;
  }
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = Math.max(this.time, end); // a callback may have spent time past `end`
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

test("the deadline allows for the work: runs of 60 ms under continuous requests still end at least every 250 ms", () => {
  const clock = new FakeClock();
  const ends: number[] = [];
  const debouncer = new MaxWaitDebouncer<string>(
    () => {
      clock.spend(60);
      ends.push(clock.now());
    },
    20,
    250,
    clock,
  );
  for (let t = 0; t < 2000; t++) {
    debouncer.schedule("a");
    clock.advance(1);
  }
  const gaps = ends.slice(1).map((t, i) => t - ends[i]);
  assert.ok(ends.length >= 8, `ends ${ends}`);
  assert.ok(gaps.every((gap) => gap <= 250), `gaps between the ends of runs: ${gaps}`);
});

test("slow work never makes runs back to back: the head start is at most half the max-wait", () => {
  const clock = new FakeClock();
  const starts: number[] = [];
  const debouncer = new MaxWaitDebouncer<string>(
    () => {
      starts.push(clock.now());
      clock.spend(400);
    },
    20,
    250,
    clock,
  );
  for (let t = 0; t < 3000; t++) {
    debouncer.schedule("a");
    clock.advance(1);
  }
  const idle = starts.slice(1).map((t, i) => t - (starts[i] + 400));
  assert.ok(idle.every((gap) => gap >= 125), `idle time between runs: ${idle}`);
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
