/**
 * Nothing acknowledged is ever lost: `edgate serve dfe` runs as its own process, suppliers post
 * submissions at it from several connections, and the process is killed with SIGKILL in the middle
 * of the load. Every submission that was answered 201 must be in the database afterwards, exactly
 * once and whole (each of its (date, session, year group) values present, or replaced by a newer
 * receipt), and a restarted server must answer for it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { upsertSchools } from '../src/dfe/schools/school-store.ts';
import { syntheticSubmission } from '../src/dfe/collection/synthetic-submission.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { addWorkingDays, isWorkingDay } from '../src/platform/working-days.ts';
import { testEngine, openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { freePort } from './support/postgres-cluster.ts';
import { apiCall, clientCredentialsToken } from './support/api-client.ts';

const root = path.resolve(import.meta.dirname, '..');
const SCHOOLS = 10;
const CONNECTIONS = 8;

let dir: string;
let ca: string;
let postgres: TestDatabase | undefined;
let credentials: { clientId: string; clientSecret: string };
const servers: ChildProcess[] = [];

/** The database the server uses, opened by this process only while no server holds PGlite's files. */
async function openShared(): Promise<DatabaseHandle> {
  if (postgres?.url) return openDatabase({ databaseUrl: postgres.url, poolSize: 2 });
  return openDatabase({ dataDir: path.join(dir, 'pglite') });
}

const call = (base: string, method: string, target: string, headers: Record<string, string>, body?: string) =>
  apiCall(base, ca, method, target, headers, body);

async function startServer(): Promise<{ process: ChildProcess; base: string }> {
  const port = await freePort();
  const base = `https://127.0.0.1:${port}`;
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['bin/edgate.js', 'serve', 'dfe'], {
    cwd: root,
    env: {
      ...env,
      ...(postgres?.url ? { DATABASE_URL: postgres.url } : {}),
      EDGATE_DATA_DIR: dir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      LOG_LEVEL: 'error',
      EDGATE_SEED_DEMO: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  servers.push(child);
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const ready = await call(base, 'GET', '/readyz', {}).catch(() => undefined);
    if (ready?.status === 200) return { process: child, base };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start');
}

const tokenFrom = (base: string) => clientCredentialsToken(base, ca, credentials, 'attendance.submit');

/** Today and the working day before (London): dates the server accepts whenever the test runs. */
function sendDates(): string[] {
  const today = londonDateOf(new Date());
  const latest = isWorkingDay(today) ? today : addWorkingDays(today, -1);
  return [addWorkingDays(latest, -1), latest];
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-kill-'));
  ca = (await loadTls({ dataDir: dir })).cert;
  if (testEngine() === 'postgres') postgres = await openTestDatabase();
  const handle = await openShared();
  try {
    await migrateEdgate(handle.db);
    await upsertSchools(
      handle.db,
      Array.from({ length: SCHOOLS }, (_, i) => ({
        urn: 200001 + i,
        name: `Synthetic School ${i + 1}`,
        laCode: '825',
        typeOfEstablishment: 'Academy converter',
        phaseOfEducation: 'Secondary',
        status: 'Open',
        street: null,
        town: 'Exampleton',
        postcode: null,
      })),
    );
    credentials = await createClient(handle.db, {
      name: '2020 MIS',
      scopes: ['attendance.submit'],
      requiresConsent: false,
    });
  } finally {
    await handle.close();
  }
});

after(async () => {
  for (const server of servers) if (server.exitCode === null) server.kill('SIGKILL');
  await postgres?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a server killed with SIGKILL under load has kept every submission it answered 201, whole and once', async () => {
  const first = await startServer();
  const token = await tokenFrom(first.base);
  const dates = sendDates();
  const acknowledged: { ref: string; urn: number }[] = [];
  let killed = false;
  let sent = 0;

  const supplier = async (connection: number) => {
    while (!killed) {
      const urn = 200001 + ((connection + sent) % SCHOOLS);
      const body = JSON.stringify(
        syntheticSubmission({
          urn,
          dates,
          yearGroups: ['7', '8', '9', '10'],
          pupilsPerYearGroup: 120,
          seed: sent++,
        }),
      );
      try {
        const answer = await call(
          first.base,
          'POST',
          '/attendances',
          { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        );
        if (answer.status === 201) {
          acknowledged.push({
            ref: (JSON.parse(answer.text) as { submissionRef: string }).submissionRef,
            urn,
          });
        } else if (!killed) {
          assert.fail(`answered ${answer.status}: ${answer.text}`);
        }
      } catch (error) {
        if (!killed) throw error; // a connection cut by the kill is expected, nothing else
      }
    }
  };
  const load = Array.from({ length: CONNECTIONS }, (_, i) => supplier(i));
  // Kill once a good number of submissions are through, while the others are in flight.
  while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 20));
  first.process.kill('SIGKILL');
  killed = true;
  await new Promise((r) => first.process.once('exit', r));
  await Promise.all(load);
  const answered = [...acknowledged];
  assert.ok(answered.length >= 40);

  const handle = await openShared();
  try {
    const refs = answered.map((a) => a.ref);
    const stored = await sql<{ ref: string; n: number; entries_stored: number; whole: number }>`
      select s.ref::text as ref, count(*) over (partition by s.ref)::integer as n, s.entries_stored,
        (select count(*)::integer from dfe.school_day d, jsonb_each(d.sessions) e
          where d.urn = s.urn and d.date = any(${dates}::date[])
            and (e.value->>'r') >= to_char(s.received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) as whole
      from dfe.submission s where s.ref::text = any(${refs}::text[])
    `.execute(handle.db);
    const byRef = new Map(stored.rows.map((row) => [row.ref, row]));
    for (const ref of refs) {
      const row = byRef.get(ref);
      assert.ok(row, `submission ${ref} was answered 201 and is missing`);
      assert.equal(row.n, 1, `submission ${ref} is stored once`);
      assert.equal(row.entries_stored, 2 * 2 * 4);
      // Its 16 values are there, or newer ones replaced them: nothing half-written.
      assert.equal(row.whole, 16, `submission ${ref} is whole`);
    }
  } finally {
    await handle.close();
  }

  // A server started again answers for a submission acknowledged before the kill.
  const second = await startServer();
  const sample = answered[answered.length - 1];
  assert.ok(sample);
  const outcome = await call(second.base, 'GET', `/submissions/${sample.ref}`, {
    authorization: `Bearer ${await tokenFrom(second.base)}`,
  });
  assert.equal(outcome.status, 200, outcome.text);
  assert.equal((JSON.parse(outcome.text) as { urn: number }).urn, sample.urn);
  second.process.kill('SIGTERM');
  await new Promise((r) => second.process.once('exit', r));
});
