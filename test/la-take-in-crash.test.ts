/**
 * Crash consistency of the LA's take-in: the same snapshot collected again adds no change, and a
 * take-in killed (SIGKILL) half-way through applying its changes leaves the directory and the
 * queue as they were — all or nothing — and the next take-in completes it. (A skipped day is
 * covered by take-in.db.test.ts, "a missed day…", and la-end-to-end.test.ts, 61 days at once.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { openTestDatabase, testEngine, type TestDatabase } from './support/test-database.ts';
import { storeTestSnapshot } from './support/la-directory.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import { extractDocument } from '../src/la/directory/demo-directory.ts';
import { storeSnapshot } from '../src/la/collection/snapshot-store.ts';
import { takeInSnapshot } from '../src/la/directory/take-in.ts';
import { setLaSettings } from '../src/la/directory/directory-store.ts';

const LA = '825';
const NOW = new Date('2026-12-01T06:30:00Z');
const postgres = testEngine() === 'postgres';

const register = [
  ...generateRegister({ scale: 'demo', seed: 11, today: '2026-11-30', laCodes: [LA] }),
].filter((r) => r.status === 'ACTV' && r.laCode === LA);
/** The next day's register: ten settings renamed. */
const toRename = new Set(
  register
    .filter((r) => r.setting)
    .slice(0, 10)
    .map((r) => r.referenceNumber),
);
const renamed: Registration[] = register.map((r) =>
  toRename.has(r.referenceNumber)
    ? { ...r, setting: { ...r.setting!, name: `${r.setting!.name} (renamed)` } }
    : r,
);

async function count(db: TestDatabase['db'], table: 'la.change' | 'la.directory_record'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Everything a person or the public could see of LA 825: the queue, the directory, the take-in. */
async function state(db: TestDatabase['db']) {
  const changes = await db
    .selectFrom('la.change')
    .select(['reference_number', 'kind', 'review_state'])
    .orderBy('id')
    .execute();
  const records = await db
    .selectFrom('la.directory_record')
    .select(['reference_number', 'registration'])
    .orderBy('reference_number')
    .execute();
  const takeIn = await db.selectFrom('la.take_in').select('snapshot_id').executeTakeFirst();
  const snapshots = await db.selectFrom('la.snapshot').select(['id', 'state']).orderBy('id').execute();
  return {
    changes,
    records: records.map((r) => [r.reference_number, JSON.stringify(r.registration)]),
    takenIn: takeIn?.snapshot_id,
    snapshots,
  };
}

describe('LA take-in crash consistency', () => {
  let handle: TestDatabase;
  before(async () => {
    handle = await openTestDatabase();
  });
  after(() => handle.close());

  test('the same snapshot collected again adds no change', async () => {
    const { db } = handle;
    const first = await storeTestSnapshot(db, LA, '2026-11-30T05:30:00', register);
    assert.equal((await takeInSnapshot(db, first, { now: NOW, by: 'collector' })).kind, 'taken-in');
    const changes = await count(db, 'la.change');
    assert.ok(changes > 0);

    // The same document again: stored once, nothing to take in.
    const again = await storeSnapshot(db, {
      laCode: LA,
      sourceId: null,
      bytes: extractDocument(LA, '2026-11-30T05:30:00', register),
      collectedAt: NOW,
    });
    assert.deepEqual([again.snapshotId, again.isNew], [first, false]);
    assert.equal((await takeInSnapshot(db, first, { now: NOW, by: 'collector' })).kind, 'unchanged');
    // The register rebuilt unchanged (a new document, a later extract time): no change for a person.
    const rebuilt = await storeTestSnapshot(db, LA, '2026-11-30T07:00:00', register);
    const outcome = await takeInSnapshot(db, rebuilt, { now: NOW, by: 'collector' });
    assert.equal(outcome.kind, 'taken-in');
    assert.deepEqual(outcome.kind === 'taken-in' && outcome.counts, {});
    assert.equal(await count(db, 'la.change'), changes);
  });

  test(
    'SIGKILL half-way through applying: directory and queue as before, and the next take-in completes it',
    { skip: !postgres && 'PostgreSQL only: the killed take-in runs in a process of its own' },
    async () => {
      const { db } = handle;
      for (const table of ['la.change', 'la.directory_record', 'la.take_in', 'la.gone', 'la.snapshot'])
        await sql`delete from ${sql.table(table)}`.execute(db);
      await setLaSettings(db, LA, { autoApply: true }, 'test', NOW);
      const first = await storeTestSnapshot(db, LA, '2026-11-30T05:30:00', register);
      assert.equal((await takeInSnapshot(db, first, { now: NOW, by: 'collector' })).kind, 'taken-in');
      const next = await storeTestSnapshot(db, LA, '2026-12-01T05:30:00', renamed);
      const before = await state(db);

      // A test-only trigger: the take-in stops once it has begun writing the directory.
      await sql`
        create function la.test_stall() returns trigger language plpgsql as
        $$ begin perform pg_sleep(60); return null; end $$`.execute(db);
      await sql`
        create trigger test_stall after update on la.directory_record
        for each statement execute function la.test_stall()`.execute(db);
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/la-take-in-child.ts'], {
          env: {
            ...process.env,
            TAKE_IN_DATABASE_URL: handle.url!,
            TAKE_IN_SNAPSHOT: String(next),
            TAKE_IN_NOW: NOW.toISOString(),
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        let done = false;
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          child.once('exit', (_code, signal) => {
            done = true;
            resolve(signal);
          }),
        );
        // Wait (polling the server, not a clock) until the take-in is inside the trigger.
        let stalled: number | undefined;
        while (stalled === undefined && !done) {
          const { rows } = await sql<{ pid: number }>`
            select pid from pg_stat_activity where wait_event = 'PgSleep' and pid <> pg_backend_pid()`.execute(
            db,
          );
          stalled = rows[0]?.pid;
          if (stalled === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.ok(stalled, 'the take-in began writing the directory');
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        // The server would end the dead client's session when it next looks; end it now.
        await sql`select pg_terminate_backend(${stalled}::integer)`.execute(db);
        for (let i = 0; i < 600; i++) {
          const { rows } = await sql<{ n: number }>`
            select count(*)::integer as n from pg_stat_activity where pid = ${stalled}::integer`.execute(db);
          if (rows[0]!.n === 0) break;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        await sql`drop trigger test_stall on la.directory_record`.execute(db);
        await sql`drop function la.test_stall()`.execute(db);
      }

      assert.deepEqual(await state(db), before, 'nothing of the killed take-in is left');

      const outcome = await takeInSnapshot(db, next, { now: NOW, by: 'collector' });
      assert.equal(outcome.kind, 'taken-in', JSON.stringify(outcome));
      assert.deepEqual(outcome.kind === 'taken-in' && outcome.counts.changed, 10);
      const after = await state(db);
      assert.equal(after.takenIn, next);
      const names = new Map(
        after.records.map(([ref, json]) => [ref, (JSON.parse(json!) as Registration).setting?.name]),
      );
      for (const r of renamed) assert.equal(names.get(r.referenceNumber), r.setting?.name);
      assert.equal(
        after.changes.filter((c) => c.kind === 'changed' && c.review_state === 'auto-applied').length,
        10,
      );
    },
  );
});
