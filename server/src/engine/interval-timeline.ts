// What an interval set looked like after each step of a scenario, for drawing, without
// keeping a copy per step: the set's changes are journalled as the steps run (O(1) each),
// and a step's bounded summary is computed only when someone asks for it, by replaying the
// journal once on a private copy. Checking a scenario never pays for its drawings; a
// report pays O(limit · log n) per step that changed the set, once.
import { IntervalSet, type Interval, type IntervalChange } from "./intervals";

type Entry = IntervalChange | { op: "replace"; set: IntervalSet };

export class IntervalTimeline {
  private readonly journal: Entry[] = [];
  /** journal length at the end of each step */
  private readonly stepEnds: number[] = [];
  private tracked: IntervalSet;
  /** the replay: a private copy brought up to `replayed` journal entries */
  private readonly replay: IntervalSet;
  private replayed = 0;
  private readonly summaries: Interval[][] = [];
  private last: Interval[];

  constructor(
    initial: IntervalSet,
    private readonly limit: number,
  ) {
    this.replay = initial.clone();
    this.last = this.replay.displayRanges(limit).ranges;
    this.tracked = initial;
    initial.journal = this.journal as IntervalChange[];
  }

  /** Marks the end of a step; `current` is the set now in use (a step may have replaced it). */
  endStep(current: IntervalSet): void {
    if (current !== this.tracked) {
      this.tracked.journal = null;
      this.journal.push({ op: "replace", set: current.clone() });
      current.journal = this.journal as IntervalChange[];
      this.tracked = current;
    }
    this.stepEnds.push(this.journal.length);
  }

  /** Stops journalling into the set (the scenario is over). */
  finish(): void {
    this.tracked.journal = null;
  }

  /** The bounded summary after step `index` (0-based); steps that changed nothing share their predecessor's. */
  rangesAfter(index: number): Interval[] {
    for (let step = this.summaries.length; step <= index; step++) {
      const end = this.stepEnds[step];
      if (end > this.replayed) {
        for (; this.replayed < end; this.replayed++) this.apply(this.journal[this.replayed]);
        this.last = this.replay.displayRanges(this.limit).ranges;
      }
      this.summaries.push(this.last);
    }
    return this.summaries[index];
  }

  private apply(entry: Entry): void {
    if ("set" in entry) this.replay.replaceWith(entry.set);
    else if (entry.op === "add") this.replay.add(entry.interval);
    else this.replay.remove(entry.interval);
  }
}
