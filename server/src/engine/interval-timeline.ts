// What an interval set looked like after each step of a scenario, for drawing, without
// keeping a copy per step: the set's changes are journalled as the steps run (O(1) each),
// and a step's bounded summary is computed only when someone asks for it, by replaying the
// journal once on a private copy. Checking a scenario never pays for its drawings; a
// report pays O(limit · log n) per step that changed the set, once.
import { IntervalSet, JOURNAL_ADD, type Interval, type IntervalJournal } from "./intervals";

export class IntervalTimeline {
  /** the tracked sets' changes, as IntervalSet journals them (op, start, end triples) */
  private readonly journal: IntervalJournal = [];
  /** a step that put another set in place: the copy to continue from, by step index */
  private readonly replacements = new Map<number, IntervalSet>();
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
    initial.journal = this.journal;
  }

  /** Marks the end of a step; `current` is the set now in use (a step may have replaced it). */
  endStep(current: IntervalSet): void {
    if (current !== this.tracked) {
      this.tracked.journal = null;
      this.replacements.set(this.stepEnds.length, current.clone());
      current.journal = this.journal;
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
      const replacement = this.replacements.get(step);
      if (end > this.replayed || replacement) {
        for (; this.replayed < end; this.replayed += 3) {
          const interval: Interval = [this.journal[this.replayed + 1], this.journal[this.replayed + 2]];
          if (this.journal[this.replayed] === JOURNAL_ADD) this.replay.add(interval);
          else this.replay.remove(interval);
        }
        // The step ended on another set: its changes went to the old one, then it was swapped.
        if (replacement) this.replay.replaceWith(replacement);
        this.last = this.replay.displayRanges(this.limit).ranges;
      }
      this.summaries.push(this.last);
    }
    return this.summaries[index];
  }
}
