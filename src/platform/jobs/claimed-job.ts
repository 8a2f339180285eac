/**
 * Scheduled jobs that run once per occurrence, whatever the number of instances.
 *
 * A job names its London times; every instance schedules every job, and at each occurrence (job,
 * London date, slot) the instances race to claim it in `platform.job_run`: an insert one of them
 * wins. The winner holds a lease (`claimed_until`), renewed while the job runs, and a fencing
 * number (`attempt`). When the holder dies its lease runs out and an instance that saw the claim
 * takes it over with the next attempt number; the stale holder's outcome is then refused, so it
 * cannot overwrite its successor's. An instance that starts after an occurrence was missed (down
 * at the time, or its run failed) runs the most recent one, not every one it missed.
 *
 * The clock (`now`) and the timers are passed in, so tests move time on instead of waiting for it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/database.ts';
import {
  jobTimes,
  latestOccurrence,
  mayClaim,
  nextOccurrence,
  occurrenceToCatchUp,
  type CatchUp,
  type ClaimStatus,
  type Occurrence,
} from './occurrences.ts';

export type { CatchUp, Occurrence } from './occurrences.ts';

export interface JobRunContext {
  name: string;
  occurrence: Occurrence;
  /** 1 for the first claim of this occurrence, more after a takeover or a retried failure. */
  attempt: number;
  instanceId: string;
  now: () => Date;
  /** Aborted when this instance has lost the claim (another took it over) or is stopping. */
  signal: AbortSignal;
}

export interface ClaimedJob {
  /** Unique among jobs: the claim's key. */
  name: string;
  /** 'HH:MM' London, one or more a day. */
  times: string[];
  /** Throws to record the occurrence as failed, with the error's message. */
  run(context: JobRunContext): Promise<void>;
  /** Which missed occurrence a starting instance runs; default 'latest'. */
  catchUp?: CatchUp;
}

/** setTimeout and clearTimeout, or a test's stand-ins. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** The process's timers, not keeping it alive by themselves. */
export const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Pino's (and Fastify's) logger, or anything with the same three methods. */
export interface JobLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Identifies this process in claims: readable, unique per process. */
export const JOB_INSTANCE_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export const DEFAULT_LEASE_SECONDS = 600;

// ---------------------------------------------------------------------------------------------
// Claims in the database

export interface Claim {
  name: string;
  occurrence: Occurrence;
  attempt: number;
  instanceId: string;
}

export interface JobRun {
  name: string;
  /** London date of the occurrence. */
  date: string;
  /** Its slot, 'HH:MM' London. */
  time: string;
  dueAt: Date;
  status: ClaimStatus;
  attempt: number;
  claimedBy: string;
  claimedUntil: Date;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

export type ClaimResult = { claimed: true; claim: Claim } | { claimed: false; run: JobRun };

export type JobOutcome = { status: 'succeeded' } | { status: 'failed'; error: string };

export interface ClaimOptions {
  instanceId: string;
  now: Date;
  leaseSeconds: number;
  /** Claim a failed occurrence again (a catch-up on start); otherwise only a dead holder's. */
  retryFailed: boolean;
}

const ERROR_LENGTH = 2000;

function toJobRun(row: {
  job_name: string;
  occurrence_date: string;
  slot: string;
  due_at: Date;
  status: ClaimStatus;
  attempt: number;
  claimed_by: string;
  claimed_until: Date;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
}): JobRun {
  return {
    name: row.job_name,
    date: row.occurrence_date,
    time: row.slot,
    dueAt: row.due_at,
    status: row.status,
    attempt: row.attempt,
    claimedBy: row.claimed_by,
    claimedUntil: row.claimed_until,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}

async function readRun(db: Database, name: string, occurrence: Occurrence): Promise<JobRun | undefined> {
  const row = await db
    .selectFrom('platform.job_run')
    .selectAll()
    .where('job_name', '=', name)
    .where('occurrence_date', '=', occurrence.date)
    .where('slot', '=', occurrence.time)
    .executeTakeFirst();
  return row && toJobRun(row);
}

/**
 * Claims an occurrence for this instance: the first claim is an insert only one instance wins;
 * a later one (a dead holder's, or a failure being retried) raises `attempt` where it is still
 * the attempt this instance read, so of two instances taking over at once one wins.
 */
export async function claimOccurrence(
  db: Database,
  name: string,
  occurrence: Occurrence,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const claimedUntil = new Date(options.now.getTime() + options.leaseSeconds * 1000);
  const inserted = await db
    .insertInto('platform.job_run')
    .values({
      job_name: name,
      occurrence_date: occurrence.date,
      slot: occurrence.time,
      due_at: occurrence.dueAt,
      status: 'running',
      attempt: 1,
      claimed_by: options.instanceId,
      claimed_until: claimedUntil,
      started_at: options.now,
    })
    .onConflict((oc) => oc.columns(['job_name', 'occurrence_date', 'slot']).doNothing())
    .returning('attempt')
    .executeTakeFirst();
  if (inserted)
    return { claimed: true, claim: { name, occurrence, attempt: 1, instanceId: options.instanceId } };

  const current = await readRun(db, name, occurrence);
  if (!current) throw new Error(`${name}: the claim of ${occurrence.date} ${occurrence.time} vanished`);
  if (!mayClaim(current, options.now, options.retryFailed)) return { claimed: false, run: current };
  const taken = await db
    .updateTable('platform.job_run')
    .set({
      status: 'running',
      attempt: current.attempt + 1,
      claimed_by: options.instanceId,
      claimed_until: claimedUntil,
      started_at: options.now,
      finished_at: null,
      error: null,
    })
    .where('job_name', '=', name)
    .where('occurrence_date', '=', occurrence.date)
    .where('slot', '=', occurrence.time)
    .where('attempt', '=', current.attempt)
    .returning('attempt')
    .executeTakeFirst();
  if (taken)
    return {
      claimed: true,
      claim: { name, occurrence, attempt: taken.attempt, instanceId: options.instanceId },
    };
  const winner = await readRun(db, name, occurrence);
  return { claimed: false, run: winner ?? current };
}

const whereHeld = (claim: Claim) => (db: Database) =>
  db
    .updateTable('platform.job_run')
    .where('job_name', '=', claim.name)
    .where('occurrence_date', '=', claim.occurrence.date)
    .where('slot', '=', claim.occurrence.time)
    .where('attempt', '=', claim.attempt)
    .where('claimed_by', '=', claim.instanceId)
    .where('status', '=', 'running');

/** Extends the holder's lease; false when it is no longer the holder (taken over, or finished). */
export async function renewClaim(
  db: Database,
  claim: Claim,
  now: Date,
  leaseSeconds: number,
): Promise<boolean> {
  const result = await whereHeld(claim)(db)
    .set({ claimed_until: new Date(now.getTime() + leaseSeconds * 1000) })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records the outcome; refused (false) when another instance has taken the occurrence over since. */
export async function completeOccurrence(
  db: Database,
  claim: Claim,
  outcome: JobOutcome,
  now: Date,
): Promise<boolean> {
  const result = await whereHeld(claim)(db)
    .set({
      status: outcome.status,
      finished_at: now,
      error: outcome.status === 'failed' ? outcome.error.slice(0, ERROR_LENGTH) : null,
    })
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The most recent occurrences first (of one job, or of all). */
export async function listJobRuns(
  db: Database,
  options: { name?: string; limit?: number } = {},
): Promise<JobRun[]> {
  let query = db
    .selectFrom('platform.job_run')
    .selectAll()
    .orderBy('due_at', 'desc')
    .orderBy('job_name')
    .limit(Math.min(Math.max(1, options.limit ?? 50), 1000));
  if (options.name !== undefined) query = query.where('job_name', '=', options.name);
  return (await query.execute()).map(toJobRun);
}

// ---------------------------------------------------------------------------------------------
// The scheduler

export interface JobSchedulerOptions {
  db: Database;
  jobs: ClaimedJob[];
  log: JobLog;
  now?: () => Date;
  timers?: Timers;
  instanceId?: string;
  /** How long a claim protects a run from takeover; renewed every third of it while the run lasts. */
  leaseSeconds?: number;
}

/** What became of one attempt at an occurrence, as this instance saw it. */
export type AttemptResult =
  | 'succeeded'
  | 'failed'
  /** Another instance holds a live claim: this one comes back when its lease runs out. */
  | 'held-elsewhere'
  /** Already succeeded, or failed and not to be retried now. */
  | 'done'
  /** Ran, but another instance took the occurrence over meanwhile: the outcome was refused. */
  | 'fenced'
  | 'stopped'
  /** The database could not be asked; tried again in a minute while it is the latest occurrence. */
  | 'error';

export interface JobScheduler {
  /** Arms every job's timer and catches up each job's most recent missed occurrence. */
  start(): void;
  /** Disarms every timer and aborts runs in progress (their outcome is still recorded if they finish). */
  stop(): void;
  /** When this instance will next try the job. */
  nextRun(name: string): Date | undefined;
  /** Claims and runs one occurrence now (one at a time per job within this instance). */
  runOccurrence(
    name: string,
    occurrence: Occurrence,
    options?: { retryFailed?: boolean },
  ): Promise<AttemptResult>;
  /** Resolves once nothing this scheduler started is still going. */
  idle(): Promise<void>;
  /** Resolves once no claim, lease renewal or outcome is being written; runs may still be going (tests). */
  settled(): Promise<void>;
}

/** Timers are re-armed at least this often, so a clock change or a suspended machine is noticed. */
const MAX_WAIT_MS = 3_600_000;
/** After a holder's lease ends, how long before looking again: lets a just-finished holder record. */
const TAKEOVER_MARGIN_MS = 1_000;
const RETRY_AFTER_ERROR_MS = 60_000;

interface JobState {
  job: ClaimedJob;
  times: string[];
  next?: Occurrence;
  timer?: unknown;
  /** Runs of this job within this instance, one after another. */
  chain: Promise<unknown>;
}

export function createJobScheduler(options: JobSchedulerOptions): JobScheduler {
  const { db, log } = options;
  const now = options.now ?? (() => new Date());
  const timers = options.timers ?? systemTimers;
  const instanceId = options.instanceId ?? JOB_INSTANCE_ID;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const states = new Map<string, JobState>();
  for (const job of options.jobs) {
    if (states.has(job.name)) throw new Error(`${job.name}: two jobs have this name`);
    states.set(job.name, { job, times: jobTimes(job.name, job.times), chain: Promise.resolve() });
  }
  const pending = new Set<unknown>();
  const inFlight = new Set<Promise<unknown>>();
  const steps = new Set<Promise<unknown>>();
  const controllers = new Set<AbortController>();
  let started = false;
  let stopped = false;

  const later = (callback: () => void, ms: number) => {
    const handle = timers.set(() => {
      pending.delete(handle);
      if (!stopped) callback();
    }, ms);
    pending.add(handle);
    return handle;
  };
  const track = <T>(work: Promise<T>, into = inFlight): Promise<T> => {
    into.add(work);
    void work.finally(() => into.delete(work)).catch(() => undefined);
    return work;
  };
  const drain = async (...sets: Set<Promise<unknown>>[]) => {
    while (sets.some((set) => set.size > 0)) await Promise.allSettled(sets.flatMap((set) => [...set]));
  };

  const arm = (state: JobState, after: Date) => {
    state.next = nextOccurrence(state.times, after);
    wait(state);
  };
  const wait = (state: JobState) => {
    const ms = (state.next?.dueAt.getTime() ?? 0) - now().getTime();
    state.timer = later(() => wake(state), Math.min(Math.max(0, ms), MAX_WAIT_MS));
  };
  const wake = (state: JobState) => {
    const at = now();
    if (!state.next || at < state.next.dueAt) return wait(state);
    // Late (a suspended machine, a clock put forward): only the latest due occurrence runs.
    const due = latestOccurrence(state.times, at);
    void enqueue(state, due, false);
    arm(state, due.dueAt);
  };

  const enqueue = (state: JobState, occurrence: Occurrence, retryFailed: boolean): Promise<AttemptResult> => {
    const result = state.chain.then(() => attempt(state, occurrence, retryFailed));
    state.chain = result.catch(() => undefined);
    return track(result);
  };

  /** Comes back to an occurrence later, unless a newer one of the job is due by then. */
  const comeBack = (state: JobState, occurrence: Occurrence, ms: number) => {
    later(() => {
      if (latestOccurrence(state.times, now()).dueAt.getTime() > occurrence.dueAt.getTime()) return;
      void enqueue(state, occurrence, false);
    }, ms);
  };

  const attempt = async (
    state: JobState,
    occurrence: Occurrence,
    retryFailed: boolean,
  ): Promise<AttemptResult> => {
    const { job } = state;
    const where = { job: job.name, date: occurrence.date, time: occurrence.time };
    if (stopped) return 'stopped';
    let result: ClaimResult;
    try {
      result = await track(
        claimOccurrence(db, job.name, occurrence, { instanceId, now: now(), leaseSeconds, retryFailed }),
        steps,
      );
    } catch (error) {
      log.error({ ...where, err: error }, 'scheduled job could not be claimed; trying again in a minute');
      comeBack(state, occurrence, RETRY_AFTER_ERROR_MS);
      return 'error';
    }
    if (!result.claimed) {
      if (result.run.status !== 'running') return 'done';
      const ms = result.run.claimedUntil.getTime() - now().getTime() + TAKEOVER_MARGIN_MS;
      comeBack(state, occurrence, Math.max(TAKEOVER_MARGIN_MS, ms));
      return 'held-elsewhere';
    }
    const { claim } = result;
    const controller = new AbortController();
    controllers.add(controller);
    let heartbeat: unknown;
    const beat = () => {
      heartbeat = later(
        () => {
          void track(renewClaim(db, claim, now(), leaseSeconds), steps).then(
            (held) => {
              if (held) return beat();
              log.warn(
                { ...where, attempt: claim.attempt },
                'scheduled job was taken over by another instance',
              );
              controller.abort(new Error(`${job.name}: taken over by another instance`));
            },
            (error: unknown) => {
              log.warn({ ...where, err: error }, 'scheduled job’s lease could not be renewed; trying again');
              beat();
            },
          );
        },
        (leaseSeconds * 1000) / 3,
      );
    };
    beat();
    const startedAt = now();
    log.info({ ...where, attempt: claim.attempt }, 'scheduled job started');
    let outcome: JobOutcome;
    try {
      await job.run({
        name: job.name,
        occurrence,
        attempt: claim.attempt,
        instanceId,
        now,
        signal: controller.signal,
      });
      outcome = { status: 'succeeded' };
    } catch (error) {
      outcome = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
    } finally {
      if (heartbeat !== undefined) {
        timers.clear(heartbeat);
        pending.delete(heartbeat);
      }
      controllers.delete(controller);
    }
    const ms = now().getTime() - startedAt.getTime();
    let recorded: boolean;
    try {
      recorded = await track(completeOccurrence(db, claim, outcome, now()), steps);
    } catch (error) {
      log.error({ ...where, err: error }, 'scheduled job’s outcome could not be recorded');
      return outcome.status;
    }
    if (!recorded) {
      log.warn(
        { ...where, attempt: claim.attempt, ms },
        'scheduled job ran, but another instance had taken it over',
      );
      return 'fenced';
    }
    if (outcome.status === 'succeeded')
      log.info({ ...where, attempt: claim.attempt, ms }, 'scheduled job finished');
    else log.error({ ...where, attempt: claim.attempt, ms, error: outcome.error }, 'scheduled job failed');
    return outcome.status;
  };

  return {
    start() {
      if (started || stopped) return;
      started = true;
      const at = now();
      for (const state of states.values()) {
        arm(state, at);
        const missed = occurrenceToCatchUp(state.times, at, state.job.catchUp ?? 'latest');
        if (missed) void enqueue(state, missed, true);
      }
    },
    stop() {
      stopped = true;
      for (const handle of pending) timers.clear(handle);
      pending.clear();
      for (const controller of controllers) controller.abort(new Error('the scheduler is stopping'));
    },
    nextRun: (name) => states.get(name)?.next?.dueAt,
    runOccurrence(name, occurrence, runOptions) {
      const state = states.get(name);
      if (!state) return Promise.reject(new Error(`no scheduled job is called ${JSON.stringify(name)}`));
      return enqueue(state, occurrence, runOptions?.retryFailed ?? false);
    },
    idle: () => drain(inFlight, steps),
    settled: () => drain(steps),
  };
}
