/**
 * SIGKILL during a sync (PostgreSQL only: the killed sync runs in a process of its own on the same
 * database): the DfE stored the first school's send but the sync died before recording it. The
 * next run takes the send over once its lease is over and sends it with the same key; the DfE
 * replays its answer, so it holds one submission per key, and every school's figures arrive.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openTestDatabase, testEngine, type TestDatabase } from './support/test-database.ts';
import { startDfeReceiver, type DfeReceiver } from './support/dfe-receiver.ts';
import { ReceiverClient } from '../src/school/sync/receiver-client.ts';
import { giveConsent } from '../src/school/sync/consent-store.ts';
import { syncSchools } from '../src/school/sync/sync.ts';
import { recordsSource } from '../src/school/sync/attendance-source.ts';
import { generateSchool } from '../src/school/synthetic-school.ts';

const URNS = [100001, 100002];
const postgres = testEngine() === 'postgres';
let database: TestDatabase;
let dfe: DfeReceiver;
let dir: string;
let clock = new Date('2026-11-20T10:30:00Z');
/** Called once the DfE has stored a send, before its answer goes out: the moment to kill the sync. */
let answered: () => Promise<void> = async () => {};

before(async () => {
  if (!postgres) return;
  database = await openTestDatabase();
  dfe = await startDfeReceiver({
    handle: database,
    urns: URNS,
    now: () => clock,
    beforeListen: (app) =>
      // Before the answer is sent, so the sync can never record it, however quickly it would.
      app.addHook('onSend', async (request, _reply, payload) => {
        if (request.url === '/attendances') await answered();
        return payload;
      }),
  });
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-sync-kill-'));
  writeFileSync(path.join(dir, 'ca.pem'), dfe.ca);
});
after(async () => {
  if (!postgres) return;
  await dfe.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'SIGKILL during a sync: the next run finishes it, and the DfE holds one submission per key',
  { skip: !postgres && 'PostgreSQL only' },
  async () => {
    const receiver = () => new ReceiverClient(dfe.settings, { ca: dfe.ca, now: () => clock });
    for (const urn of URNS)
      await giveConsent(database.db, receiver(), { urn, givenBy: 'A. Administrator', now: clock });

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/school-sync-child.ts'], {
      env: {
        ...process.env,
        SYNC_DATABASE_URL: database.url!,
        SYNC_RECEIVER: JSON.stringify(dfe.settings),
        SYNC_CA_FILE: path.join(dir, 'ca.pem'),
        SYNC_URNS: URNS.join(','),
        SYNC_NOW: clock.toISOString(),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    // Killed once the DfE has stored the first send, before its answer leaves: the sync never hears.
    await new Promise<void>((resolve) => {
      answered = async () => {
        answered = async () => {};
        child.kill('SIGKILL');
        await exited;
        resolve();
      };
    });
    assert.equal(await exited, 'SIGKILL');
    const left = await database.db.selectFrom('school.submission').select(['state', 'urn']).execute();
    assert.deepEqual(
      left.map((r) => r.state),
      ['sending'],
      'the first school’s send, claimed and never recorded',
    );

    // The next sync, after the lease: the leftover with its key, then everyone's own send.
    clock = new Date('2026-11-20T13:30:00Z');
    const schools = new Map(
      URNS.map((urn, i) => [
        urn,
        generateSchool({
          seed: i + 1,
          phase: 'primary',
          pupils: 40,
          today: '2026-11-20',
          marksFrom: '2026-11-02',
          urn,
        }),
      ]),
    );
    const results = await syncSchools(database.db, {
      now: clock,
      receiver: receiver(),
      source: recordsSource((urn) => schools.get(urn)),
    });
    assert.ok(
      results.every((r) => r.sends.every((s) => s.state === 'accepted')),
      JSON.stringify(results),
    );
    const perKey = await sql<{ n: number }>`
    select count(*)::integer as n from dfe.submission group by idempotency_key having count(*) > 1
  `.execute(database.db);
    assert.deepEqual(perKey.rows, [], 'no key stored twice');
    const sends = await database.db.selectFrom('school.submission').select('idempotency_key').execute();
    const stored = await sql<{ n: number }>`select count(*)::integer as n from dfe.submission`.execute(
      database.db,
    );
    assert.equal(stored.rows[0]?.n, sends.length, 'one DfE submission per send');
    const days = await sql<{
      n: number;
    }>`select count(distinct urn)::integer as n from dfe.school_day`.execute(database.db);
    assert.equal(days.rows[0]?.n, URNS.length, 'every school’s figures arrived');
  },
);
