import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { FakeClock } from '../../../test/support/fake-clock.ts';
import { openDatabase, type Database, type DatabaseHandle } from '../db/database.ts';
import {
  claimOccurrence,
  completeOccurrence,
  createJobScheduler,
  listJobRuns,
  renewClaim,
  type ClaimedJob,
  type JobLog,
  type JobRunContext,
  type JobScheduler,
} from './claimed-job.ts';
import { nextOccurrence, type Occurrence } from './occurrences.ts';

const LEASE = 600;
const at = (iso: string) => new Date(iso);
const occurrence = (date: string, time: string, dueAt: string): Occurrence => ({
  date,
  time,
  dueAt: at(dueAt),
});
const MORNING = occurrence('2026-12-01', '08:30', '2026-12-01T08:30:00Z');

function recordingLog(): JobLog & { messages: string[] } {
  const messages: string[] = [];
  const record = (_details: object, message: string) => void messages.push(message);
  return { messages, info: record, warn: record, error: record };
}

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('claimed jobs', () => {
  let handle: TestDatabase;
  let secondHandle: DatabaseHandle | undefined;
  /** The second instance's database: its own pool on PostgreSQL, as a second process would have. */
  let second: Database;
  const schedulers: JobScheduler[] = [];

  before(async () => {
    handle = await openTestDatabase();
    secondHandle = handle.url ? await openDatabase({ databaseUrl: handle.url, poolSize: 3 }) : undefined;
    second = (secondHandle ?? handle).db;
  });
  after(async () => {
    await secondHandle?.close();
    await handle.close();
  });
  beforeEach(async () => {
    for (const scheduler of schedulers.splice(0)) scheduler.stop();
    await handle.db.deleteFrom('platform.job_run').execute();
  });

  const scheduler = (
    db: Database,
    jobs: ClaimedJob[],
    clock: FakeClock,
    instanceId: string,
    log = recordingLog(),
  ) => {
    const s = createJobScheduler({
      db,
      jobs,
      log,
      now: clock.now,
      timers: clock.timers,
      instanceId,
      leaseSeconds: LEASE,
    });
    schedulers.push(s);
    return s;
  };

  test('an occurrence is claimed once; a dead holder’s is taken over after its lease, and its late outcome is refused', async () => {
    const options = { now: at('2026-12-01T08:30:00Z'), leaseSeconds: LEASE, retryFailed: false };
    const a = await claimOccurrence(handle.db, 'sync', MORNING, { ...options, instanceId: 'a' });
    assert.ok(a.claimed);
    assert.equal(a.claim.attempt, 1);

    const b = await claimOccurrence(second, 'sync', MORNING, { ...options, instanceId: 'b' });
    assert.ok(!b.claimed);
    assert.equal(b.run.claimedBy, 'a');
    assert.equal(b.run.claimedUntil.toISOString(), '2026-12-01T08:40:00.000Z');

    const stillLive = await claimOccurrence(second, 'sync', MORNING, {
      ...options,
      now: at('2026-12-01T08:39:59Z'),
      instanceId: 'b',
    });
    assert.equal(stillLive.claimed, false, 'a live lease is left alone');

    const takeover = await claimOccurrence(second, 'sync', MORNING, {
      ...options,
      now: at('2026-12-01T08:40:00Z'),
      instanceId: 'b',
    });
    assert.ok(takeover.claimed);
    assert.equal(takeover.claim.attempt, 2);

    const stale = { status: 'failed', error: 'from the stale holder' } as const;
    assert.equal(await completeOccurrence(handle.db, a.claim, stale, at('2026-12-01T08:45:00Z')), false);
    assert.equal(await renewClaim(handle.db, a.claim, at('2026-12-01T08:45:00Z'), LEASE), false);
    assert.equal(
      await completeOccurrence(second, takeover.claim, { status: 'succeeded' }, at('2026-12-01T08:41:00Z')),
      true,
    );
    const [run] = await listJobRuns(handle.db, { name: 'sync' });
    assert.deepEqual(
      {
        ...run,
        dueAt: run?.dueAt.toISOString(),
        startedAt: run?.startedAt.toISOString(),
        finishedAt: run?.finishedAt?.toISOString(),
      },
      {
        name: 'sync',
        date: '2026-12-01',
        time: '08:30',
        dueAt: '2026-12-01T08:30:00.000Z',
        status: 'succeeded',
        attempt: 2,
        claimedBy: 'b',
        claimedUntil: at('2026-12-01T08:50:00Z'),
        startedAt: '2026-12-01T08:40:00.000Z',
        finishedAt: '2026-12-01T08:41:00.000Z',
        error: null,
      },
    );
    const after = await claimOccurrence(handle.db, 'sync', MORNING, {
      ...options,
      now: at('2026-12-02T00:00:00Z'),
      retryFailed: true,
      instanceId: 'a',
    });
    assert.equal(after.claimed, false, 'a succeeded occurrence is never claimed again');
  });

  test('a failure is recorded with its text; it is claimed again only when retrying failures', async () => {
    const options = { now: at('2026-12-01T08:30:00Z'), leaseSeconds: LEASE, instanceId: 'a' };
    const first = await claimOccurrence(handle.db, 'sync', MORNING, { ...options, retryFailed: false });
    assert.ok(first.claimed);
    await completeOccurrence(
      handle.db,
      first.claim,
      { status: 'failed', error: 'the far end said 503' },
      at('2026-12-01T08:31:00Z'),
    );
    const [failed] = await listJobRuns(handle.db);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.error, 'the far end said 503');
    assert.equal(failed?.finishedAt?.toISOString(), '2026-12-01T08:31:00.000Z');

    const later = { ...options, now: at('2026-12-01T09:00:00Z') };
    assert.equal(
      (await claimOccurrence(second, 'sync', MORNING, { ...later, retryFailed: false })).claimed,
      false,
    );
    const retry = await claimOccurrence(second, 'sync', MORNING, { ...later, retryFailed: true });
    assert.ok(retry.claimed);
    assert.equal(retry.claim.attempt, 2);
    const [running] = await listJobRuns(handle.db);
    assert.equal(running?.status, 'running');
    assert.equal(running?.error, null);
    assert.equal(running?.finishedAt, null);
  });

  test('two instances racing for the same occurrences run each exactly once', async () => {
    const clock = new FakeClock('2026-12-01T12:00:00Z');
    const ran: string[] = [];
    const job = (instance: string): ClaimedJob => ({
      name: 'collect',
      times: ['05:30'],
      run: async ({ occurrence: o }) => void ran.push(`${o.date} ${instance}`),
    });
    const a = scheduler(handle.db, [job('a')], clock, 'a');
    const b = scheduler(second, [job('b')], clock, 'b');
    const days = Array.from({ length: 10 }, (_, i) =>
      occurrence(`2026-11-${String(i + 10)}`, '05:30', `2026-11-${String(i + 10)}T05:30:00Z`),
    );
    const results = await Promise.all(
      days.flatMap((day) => [a.runOccurrence('collect', day), b.runOccurrence('collect', day)]),
    );
    assert.deepEqual(
      ran.map((r) => r.slice(0, 10)).sort(),
      days.map((d) => d.date),
      'every day ran once',
    );
    assert.equal(results.filter((r) => r === 'succeeded').length, days.length);
    assert.ok(
      results.every((r) => ['succeeded', 'done', 'held-elsewhere'].includes(r)),
      results.join(),
    );
    const runs = await listJobRuns(handle.db, { name: 'collect', limit: 100 });
    assert.equal(runs.length, days.length);
    assert.ok(runs.every((r) => r.status === 'succeeded' && r.attempt === 1));
  });

  test('two schedulers on one database: each occurrence runs once, morning and afternoon, day after day', async () => {
    const clock = new FakeClock('2026-12-01T07:00:00Z');
    const ran: string[] = [];
    const job = (instance: string): ClaimedJob => ({
      name: 'twice-daily',
      times: ['08:30', '13:30'],
      run: async ({ occurrence: o }) => void ran.push(`${o.date} ${o.time} ${instance}`),
    });
    const a = scheduler(handle.db, [job('a')], clock, 'a');
    const b = scheduler(second, [job('b')], clock, 'b');
    a.start();
    b.start();
    // Started at 07:00 after a quiet night: yesterday's 13:30 is caught up, once.
    await Promise.all([a.idle(), b.idle()]);
    assert.equal(a.nextRun('twice-daily')?.toISOString(), '2026-12-01T08:30:00.000Z');
    for (const until of ['2026-12-01T12:00:00Z', '2026-12-01T18:00:00Z', '2026-12-02T18:00:00Z']) {
      // Fire what is due; come back for timers the runs set (a look at a claim held by the other).
      for (let next = clock.nextTimer(); next && next <= at(until); next = clock.nextTimer()) {
        clock.advanceTo(next);
        await Promise.all([a.idle(), b.idle()]);
      }
      clock.advanceTo(until);
    }
    assert.deepEqual(
      ran.map((r) => r.slice(0, 16)),
      ['2026-11-30 13:30', '2026-12-01 08:30', '2026-12-01 13:30', '2026-12-02 08:30', '2026-12-02 13:30'],
    );
    const runs = await listJobRuns(handle.db, { name: 'twice-daily' });
    assert.equal(runs.length, 5);
    assert.ok(runs.every((r) => r.status === 'succeeded' && r.attempt === 1));
  });

  test('a crashed instance’s run is taken over when its lease runs out, and the stale holder is fenced off', async () => {
    const clock = new FakeClock('2026-12-01T05:00:00Z');
    const aStarted = deferred();
    const aRelease = deferred();
    const bStarted = deferred();
    const bRelease = deferred();
    const ran: string[] = [];
    const aLog = recordingLog();
    const a = scheduler(
      handle.db,
      [
        {
          name: 'morning-build',
          times: ['05:30'],
          catchUp: 'same-day',
          run: async () => {
            ran.push('a');
            aStarted.resolve();
            await aRelease.promise;
            throw new Error('the stale holder failed late');
          },
        },
      ],
      clock,
      'a',
      aLog,
    );
    const b = scheduler(
      second,
      [
        {
          name: 'morning-build',
          times: ['05:30'],
          catchUp: 'same-day',
          run: async () => {
            ran.push('b');
            bStarted.resolve();
            await bRelease.promise;
          },
        },
      ],
      clock,
      'b',
    );
    a.start();
    clock.advanceTo('2026-12-01T05:30:00Z');
    await aStarted.promise;
    b.start(); // b starts while a holds the claim: it looks again when a's lease runs out.
    await b.idle();
    assert.deepEqual(ran, ['a']);

    // a "crashes": its timers (and so its lease renewals) stop, its run never finishes in time.
    a.stop();
    clock.advanceTo('2026-12-01T05:39:59Z');
    await b.idle();
    assert.deepEqual(ran, ['a'], 'not before the lease runs out');
    clock.advanceTo('2026-12-01T05:40:01Z');
    await bStarted.promise;
    assert.deepEqual(ran, ['a', 'b']);

    // a comes back to life and finishes while b is still running the occurrence: refused.
    aRelease.resolve();
    await a.idle();
    assert.ok(aLog.messages.includes('scheduled job ran, but another instance had taken it over'));
    const [during] = await listJobRuns(handle.db, { name: 'morning-build' });
    assert.deepEqual([during?.status, during?.claimedBy, during?.error], ['running', 'b', null]);
    bRelease.resolve();
    await b.idle();
    const [run] = await listJobRuns(handle.db, { name: 'morning-build' });
    assert.equal(
      run?.status,
      'succeeded',
      'the stale holder’s failure did not overwrite the new holder’s success',
    );
    assert.equal(run?.attempt, 2);
    assert.equal(run?.claimedBy, 'b');
  });

  test('a live holder renews its lease, and learns through its signal when it was taken over', async () => {
    const clock = new FakeClock('2026-12-01T08:29:00Z');
    const release = deferred();
    let context: JobRunContext | undefined;
    const started = deferred();
    const a = scheduler(
      handle.db,
      [
        {
          name: 'sync',
          times: ['08:30'],
          catchUp: 'same-day',
          run: async (c) => {
            context = c;
            started.resolve();
            await release.promise;
          },
        },
      ],
      clock,
      'a',
    );
    a.start();
    clock.advanceTo('2026-12-01T08:30:00Z');
    await started.promise;
    // Renewed every third of the lease: at 08:50 the claim still runs to past 08:50.
    for (const minute of ['08:35', '08:40', '08:45', '08:50']) {
      clock.advanceTo(`2026-12-01T${minute}:00Z`);
      await a.settled();
    }
    const b = await claimOccurrence(second, 'sync', MORNING, {
      now: at('2026-12-01T08:50:00Z'),
      leaseSeconds: LEASE,
      retryFailed: false,
      instanceId: 'b',
    });
    assert.equal(b.claimed, false, 'a renewed lease is not taken over');
    if (!b.claimed) assert.ok(b.run.claimedUntil > at('2026-12-01T08:50:00Z'));

    // Force a takeover, as an instance with a clock far ahead would: a's next renewal is refused.
    const intruder = await claimOccurrence(second, 'sync', MORNING, {
      now: at('2026-12-01T10:00:00Z'),
      leaseSeconds: LEASE,
      retryFailed: false,
      instanceId: 'b',
    });
    assert.ok(intruder.claimed);
    assert.equal(context?.signal.aborted, false);
    clock.advanceTo('2026-12-01T09:00:00Z');
    await a.settled();
    assert.equal(context?.signal.aborted, true);
    release.resolve();
    await a.idle();
  });

  test('on start only the most recent missed occurrence runs: not a succeeded one, again a failed one', async () => {
    const ran: string[] = [];
    const job: ClaimedJob = {
      name: 'twice-daily',
      times: ['08:30', '13:30'],
      run: async ({ occurrence: o, attempt }) => void ran.push(`${o.date} ${o.time} #${attempt}`),
    };
    // Down from 29 November to 3 December 14:00: four days of missed slots, one run.
    const first = scheduler(handle.db, [job], new FakeClock('2026-12-03T14:00:00Z'), 'a');
    first.start();
    await first.idle();
    assert.deepEqual(ran, ['2026-12-03 13:30 #1']);
    first.stop();

    const again = scheduler(handle.db, [job], new FakeClock('2026-12-03T15:00:00Z'), 'b');
    again.start();
    await again.idle();
    assert.deepEqual(ran, ['2026-12-03 13:30 #1'], 'a succeeded occurrence is not run again on start');
    again.stop();

    await handle.db.updateTable('platform.job_run').set({ status: 'failed', error: 'boom' }).execute();
    const retry = scheduler(handle.db, [job], new FakeClock('2026-12-03T16:00:00Z'), 'c');
    retry.start();
    await retry.idle();
    assert.deepEqual(ran, ['2026-12-03 13:30 #1', '2026-12-03 13:30 #2'], 'a failed one is');
    const [run] = await listJobRuns(handle.db);
    assert.equal(run?.status, 'succeeded');
    assert.equal(run?.error, null);
  });

  test('a same-day job started before today’s time catches nothing up; after it, today’s', async () => {
    const ran: string[] = [];
    const job: ClaimedJob = {
      name: 'morning-build',
      times: ['05:30'],
      catchUp: 'same-day',
      run: async ({ occurrence: o }) => void ran.push(o.date),
    };
    const early = scheduler(handle.db, [job], new FakeClock('2026-12-03T05:29:00Z'), 'a');
    early.start();
    await early.idle();
    assert.deepEqual(ran, []);
    assert.equal(early.nextRun('morning-build')?.toISOString(), '2026-12-03T05:30:00.000Z');
    early.stop();
    const late = scheduler(handle.db, [job], new FakeClock('2026-12-03T05:31:00Z'), 'b');
    late.start();
    await late.idle();
    assert.deepEqual(ran, ['2026-12-03']);
  });

  test('a failing run is recorded as failed with its error; the next occurrence still runs', async () => {
    const clock = new FakeClock('2026-12-01T05:00:00Z');
    let calls = 0;
    const s = scheduler(
      handle.db,
      [
        {
          name: 'collect',
          times: ['05:30'],
          catchUp: 'same-day',
          run: async () => {
            calls++;
            if (calls === 1) throw new Error('the far end refused us');
          },
        },
      ],
      clock,
      'a',
    );
    s.start();
    await s.idle();
    clock.advanceTo('2026-12-01T05:30:00Z');
    await s.idle();
    clock.advanceTo('2026-12-02T05:30:00Z');
    await s.idle();
    const runs = await listJobRuns(handle.db, { name: 'collect' });
    assert.deepEqual(
      runs.map((r) => [r.date, r.status, r.error]),
      [
        ['2026-12-02', 'succeeded', null],
        ['2026-12-01', 'failed', 'the far end refused us'],
      ],
    );
    assert.equal(nextOccurrence(['05:30'], clock.now()).date, '2026-12-03');
    assert.equal(s.nextRun('collect')?.toISOString(), '2026-12-03T05:30:00.000Z');
  });

  test('an 01:30 job runs once on each day the clocks change, through the missing and the repeated hour', async () => {
    for (const [from, until, expected] of [
      // 29 March 2026: 01:00 GMT becomes 02:00 BST, so 01:30 never shows on the clock.
      [
        '2026-03-29T00:00:00Z',
        '2026-03-30T12:00:00Z',
        ['2026-03-29 2026-03-29T01:00:00.000Z', '2026-03-30 2026-03-30T00:30:00.000Z'],
      ],
      // 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 shows twice.
      [
        '2026-10-24T23:30:00Z',
        '2026-10-26T12:00:00Z',
        ['2026-10-25 2026-10-25T00:30:00.000Z', '2026-10-26 2026-10-26T01:30:00.000Z'],
      ],
    ] as const) {
      const clock = new FakeClock(from);
      const ran: string[] = [];
      const s = scheduler(
        handle.db,
        [
          {
            name: 'small-hours',
            times: ['01:30'],
            catchUp: 'same-day',
            run: async ({ occurrence: o, now }) => void ran.push(`${o.date} ${now().toISOString()}`),
          },
        ],
        clock,
        'a',
      );
      s.start();
      // Step through every timer, as the wall clock would, including the hourly re-arming.
      for (let next = clock.nextTimer(); next && next <= at(until); next = clock.nextTimer()) {
        clock.advanceTo(next);
        await s.idle();
      }
      assert.deepEqual(ran, expected);
      s.stop();
    }
  });

  test('runs are listed newest first, by job, limited', async () => {
    const base = { leaseSeconds: LEASE, retryFailed: false, instanceId: 'a' };
    for (const [name, date] of [
      ['a', '2026-12-01'],
      ['b', '2026-12-02'],
      ['a', '2026-12-03'],
    ] as const) {
      await claimOccurrence(handle.db, name, occurrence(date, '05:30', `${date}T05:30:00Z`), {
        ...base,
        now: at(`${date}T05:30:00Z`),
      });
    }
    assert.deepEqual(
      (await listJobRuns(handle.db)).map((r) => `${r.name} ${r.date}`),
      ['a 2026-12-03', 'b 2026-12-02', 'a 2026-12-01'],
    );
    assert.deepEqual(
      (await listJobRuns(handle.db, { name: 'a', limit: 1 })).map((r) => `${r.name} ${r.date}`),
      ['a 2026-12-03'],
    );
  });
});
