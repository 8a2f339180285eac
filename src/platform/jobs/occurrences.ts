/**
 * When a claimed job is due, and whether an instance may claim an occurrence: pure rules over
 * the instant passed in. An occurrence is a job's slot ('HH:MM', London) on a London date;
 * croner (Europe/London) turns a slot into instants, so the clock changes are its business:
 * on the day the clocks go forward a 01:30 slot falls in the missing hour and is due once, at
 * 02:00 BST; on the day they go back it is due once, at the first 01:30 (BST).
 */
import { Cron } from 'croner';
import { londonDateOf } from '../calendar.ts';

export const JOB_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface Occurrence {
  /** The London date the slot belongs to, 'YYYY-MM-DD'. */
  date: string;
  /** The slot, 'HH:MM' London, as the job names it. */
  time: string;
  /** The instant it is due. */
  dueAt: Date;
}

/** Which missed occurrence a starting instance runs: the latest one, or only one of today (London). */
export type CatchUp = 'latest' | 'same-day';

/** The job's slots, checked, without repeats and in order; a bad one is refused naming the job. */
export function jobTimes(name: string, times: readonly string[]): string[] {
  if (times.length === 0) throw new Error(`${name}: a job needs at least one time (HH:MM, London)`);
  for (const time of times) {
    if (!JOB_TIME.test(time))
      throw new Error(`${name}: time must be HH:MM (London), not ${JSON.stringify(time)}`);
  }
  return [...new Set(times)].sort();
}

const slotCrons = new Map<string, Cron>();

/** A croner pattern per slot, without a callback: it only computes instants, it schedules nothing. */
function cronOf(time: string): Cron {
  let cron = slotCrons.get(time);
  if (!cron) {
    const [hours, minutes] = time.split(':').map(Number);
    cron = new Cron(`0 ${minutes} ${hours} * * *`, { timezone: 'Europe/London' });
    slotCrons.set(time, cron);
  }
  return cron;
}

function occurrenceAt(time: string, dueAt: Date): Occurrence {
  return { date: londonDateOf(dueAt), time, dueAt };
}

/** The first occurrence strictly after `after`. */
export function nextOccurrence(times: readonly string[], after: Date): Occurrence {
  let best: Occurrence | undefined;
  for (const time of times) {
    const dueAt = cronOf(time).nextRun(after);
    if (!dueAt) throw new Error(`no next occurrence of ${time} after ${after.toISOString()}`);
    if (!best || dueAt < best.dueAt) best = occurrenceAt(time, dueAt);
  }
  if (!best) throw new Error('a job needs at least one time');
  return best;
}

/** The most recent occurrence due at or before `now`. */
export function latestOccurrence(times: readonly string[], now: Date): Occurrence {
  let best: Occurrence | undefined;
  for (const time of times) {
    // croner's previousRuns excludes its reference; slots are whole minutes, so one due in the
    // last minute (including exactly now) is the next run after a minute ago.
    const recent = cronOf(time).nextRun(new Date(now.getTime() - 60_000));
    const dueAt = recent && recent <= now ? recent : cronOf(time).previousRuns(1, now)[0];
    if (dueAt && (!best || dueAt > best.dueAt)) best = occurrenceAt(time, dueAt);
  }
  if (!best) throw new Error('a job needs at least one time');
  return best;
}

/**
 * The occurrence a starting instance should make sure of: only the most recent one (one missed
 * day's or slot's work is done by the next, so catching up every missed occurrence would repeat
 * it), and with 'same-day' only when it is today's in London.
 */
export function occurrenceToCatchUp(
  times: readonly string[],
  now: Date,
  catchUp: CatchUp,
): Occurrence | undefined {
  const latest = latestOccurrence(times, now);
  if (catchUp === 'same-day' && latest.date !== londonDateOf(now)) return undefined;
  return latest;
}

export type ClaimStatus = 'running' | 'succeeded' | 'failed';

export interface ClaimState {
  status: ClaimStatus;
  /** The holder's lease: until then nobody else runs it. */
  claimedUntil: Date;
}

/**
 * Whether an instance may claim an occurrence in this state (undefined: nobody has). A running
 * occurrence is taken over only once its holder's lease has run out (the holder died or hangs);
 * a failed one only when retrying failures (a catch-up on start), so instances do not all retry
 * the same failure in turn; a succeeded one never.
 */
export function mayClaim(state: ClaimState | undefined, now: Date, retryFailed: boolean): boolean {
  if (!state) return true;
  switch (state.status) {
    case 'running':
      return state.claimedUntil.getTime() <= now.getTime();
    case 'failed':
      return retryFailed;
    case 'succeeded':
      return false;
  }
}
