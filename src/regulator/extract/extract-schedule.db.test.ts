import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { FakeClock } from '../../../test/support/fake-clock.ts';
import { openDatabase, type Database, type DatabaseHandle } from '../../platform/db/database.ts';
import {
  createJobScheduler,
  listJobRuns,
  type JobLog,
  type JobScheduler,
} from '../../platform/jobs/claimed-job.ts';
import { upsertRegistrations } from '../register/register-store.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { dailyExtractJob, EXTRACT_JOB } from './extract-schedule.ts';
import { extractsOfDate } from './extract-store.ts';

const TODAY = '2026-11-02';
const LAS = ['201', '805', '825'];
const silent: JobLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the daily extract run as a claimed job', () => {
  let handle: TestDatabase;
  let secondHandle: DatabaseHandle | undefined;
  const schedulers: JobScheduler[] = [];

  const instance = (db: Database, clock: FakeClock, instanceId: string) => {
    const scheduler = createJobScheduler({
      db,
      jobs: [
        dailyExtractJob(db, {
          time: '05:30',
          retentionDays: 30,
          laCodes: LAS,
          patienceMs: 0,
          retryPauseMs: 0,
        }),
      ],
      log: silent,
      now: clock.now,
      timers: clock.timers,
      instanceId,
    });
    schedulers.push(scheduler);
    return scheduler;
  };

  before(async () => {
    handle = await openTestDatabase();
    secondHandle = handle.url ? await openDatabase({ databaseUrl: handle.url, poolSize: 3 }) : undefined;
    await upsertRegistrations(handle.db, [
      ...generateRegister({ scale: 'demo', seed: 4, today: TODAY, laCodes: LAS }),
    ]);
  });
  after(async () => {
    await secondHandle?.close();
    await handle.close();
  });
  beforeEach(async () => {
    for (const scheduler of schedulers.splice(0)) scheduler.stop();
    await handle.db.deleteFrom('regulator.extract').execute();
    await handle.db.deleteFrom('platform.job_run').execute();
  });

  test('with two instances the 05:30 run happens once and builds each LA’s extract once', async () => {
    // 05:30 London is 05:30 UTC in November.
    const clock = new FakeClock(`${TODAY}T05:00:00Z`);
    const a = instance(handle.db, clock, 'instance-a');
    const b = instance((secondHandle ?? handle).db, clock, 'instance-b');
    a.start();
    b.start();
    await Promise.all([a.idle(), b.idle()]);
    assert.deepEqual(await extractsOfDate(handle.db, TODAY), [], 'nothing before the run time');

    clock.advanceTo(`${TODAY}T05:30:00Z`);
    await Promise.all([a.idle(), b.idle()]);
    const extracts = await extractsOfDate(handle.db, TODAY);
    assert.deepEqual(
      extracts.map((e) => [e.laCode, e.status, e.attempts]),
      LAS.map((la) => [la, 'ready', 1]),
    );
    const runs = await listJobRuns(handle.db, { name: EXTRACT_JOB });
    assert.deepEqual(
      runs.map((r) => [r.date, r.time, r.status, r.attempt]),
      [[TODAY, '05:30', 'succeeded', 1]],
    );
    assert.ok(
      extracts.every((e) => e.claimedBy === runs[0]?.claimedBy),
      'one instance built them all',
    );
  });

  test('a day left incomplete is a failed occurrence, and an instance started later that day builds what is missing', async () => {
    // Another builder holds 805's claim, so this morning's run cannot finish it.
    await handle.db
      .insertInto('regulator.extract')
      .values({
        extract_date: TODAY,
        la_code: '805',
        status: 'building',
        claimed_by: 'busy-instance',
        lease_until: sql<Date>`now() + interval '10 minutes'`,
      })
      .execute();
    const morning = instance(handle.db, new FakeClock(`${TODAY}T05:31:00Z`), 'instance-a');
    morning.start();
    await morning.idle();
    const [failed] = await listJobRuns(handle.db, { name: EXTRACT_JOB });
    assert.equal(failed?.status, 'failed');
    assert.match(
      failed?.error ?? '',
      /1 LA extract\(s\) for 2026-11-02 are not ready: 805 still being built by busy-instance/,
    );
    morning.stop();

    // That builder died; an instance started at 09:00 catches the day up.
    await handle.db
      .updateTable('regulator.extract')
      .set({ lease_until: sql<Date>`now() - interval '1 minute'` })
      .where('la_code', '=', '805')
      .execute();
    const restarted = instance(handle.db, new FakeClock(`${TODAY}T09:00:00Z`), 'instance-b');
    restarted.start();
    await restarted.idle();
    const [caughtUp] = await listJobRuns(handle.db, { name: EXTRACT_JOB });
    assert.deepEqual(
      [caughtUp?.status, caughtUp?.attempt, caughtUp?.claimedBy],
      ['succeeded', 2, 'instance-b'],
    );
    const extracts = await extractsOfDate(handle.db, TODAY);
    assert.ok(extracts.every((e) => e.status === 'ready'));
  });

  test('an instance started before 05:30 builds nothing for yesterday', async () => {
    const early = instance(handle.db, new FakeClock(`${TODAY}T04:00:00Z`), 'instance-a');
    early.start();
    await early.idle();
    assert.deepEqual(await listJobRuns(handle.db), []);
    assert.equal(early.nextRun(EXTRACT_JOB)?.toISOString(), `${TODAY}T05:30:00.000Z`);
  });
});
