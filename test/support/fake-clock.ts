/**
 * A clock and timers that move only when a test says so: for schedulers (src/platform/jobs/),
 * so no test waits for the wall clock. `advanceTo` fires every timer due by then, in order,
 * with the clock set to each timer's instant as it fires.
 */
import type { Timers } from '../../src/platform/jobs/claimed-job.ts';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

export class FakeClock {
  private current: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  readonly now = (): Date => new Date(this.current);

  readonly timers: Timers = {
    set: (callback, ms) => {
      const seq = ++this.seq;
      this.pending.set(seq, { at: this.current + Math.max(0, ms), seq, callback });
      return seq;
    },
    clear: (handle) => {
      this.pending.delete(handle as number);
    },
  };

  /** When the earliest timer is due, if any. */
  nextTimer(): Date | undefined {
    const first = this.earliest();
    return first && new Date(first.at);
  }

  /** Moves the clock to `to`, firing each timer due by then; timers they set are fired too if due. */
  advanceTo(to: Date | string): void {
    const target = new Date(to).getTime();
    for (let next = this.earliest(); next && next.at <= target; next = this.earliest()) {
      this.pending.delete(next.seq);
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = Math.max(this.current, target);
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending.values())
      if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    return best;
  }
}
