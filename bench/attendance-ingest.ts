/**
 * bench attendance-ingest: the national morning burst of attendance submissions on one machine.
 *
 * edgate's DfE role runs as production composes it (`edgate serve dfe`, its own process, HTTPS,
 * PostgreSQL in a throwaway cluster with default durability) over the national synthetic schools
 * register (~22,000 schools). A supplier client that requires consent holds the consent of every
 * secondary school. 50 connections (autocannon) POST /attendances with an ES256 bearer token for a
 * fixed time; each body is a realistic secondary school's send: today and the 7 working days
 * before, 2 sessions × 8 year groups × 16 codes (8 school-days, 2,048 marks, ~90 KB). Every
 * answer must be 201 without record errors; afterwards the stored submissions are counted.
 *
 * The limit, in the same run: PostgreSQL's pgbench running the very statement the API runs to
 * store a submission (compiled from `storeSubmissionStatement`, the same JSON, the same gzip
 * size), over as many URNs as the API run cycles through, with 10 clients (the server's pool).
 *
 * Targets: ≥ 2,000 school-days/s; ≥ 0.5× pgbench's school-days/s; p99 ≤ 250 ms.
 *
 * BENCH_SECONDS (default 20) sets each measured phase; a 5-second warm-up comes before each.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrations.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { addWorkingDays, isWorkingDay } from '../src/platform/working-days.ts';
import { generateSchools } from '../src/attendance/schools/synthetic-schools.ts';
import { upsertSchools } from '../src/attendance/schools/school-store.ts';
import { createClient } from '../src/attendance/oauth/clients.ts';
import {
  SECONDARY_YEAR_GROUPS,
  syntheticSubmission,
} from '../src/attendance/collection/synthetic-submission.ts';
import { validateSubmission } from '../src/attendance/collection/submission.ts';
import { schoolDaysOf } from '../src/attendance/collection/school-day.ts';
import { storeSubmissionStatement } from '../src/attendance/collection/submission-store.ts';
import { findPostgresBinaries, freePort, startPostgresCluster } from '../test/support/postgres-cluster.ts';

// autocannon ships no types; its result is read through the fields used here.
const require = createRequire(import.meta.url);
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
}
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  setupRequest: (request: Record<string, unknown>) => Record<string, unknown>;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = require('autocannon') as Autocannon;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARM_UP_SECONDS = 5;
const CONNECTIONS = 50;
const PGBENCH_CLIENTS = 10;
const DAYS_PER_SEND = 8;
const PUPILS_PER_YEAR_GROUP = 150;
const BODIES = 600;
/** Server processes (BENCH_WORKERS, default 2: one per core of the machines this runs on). */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const TARGET_RATE = 2000;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 250;

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Today (London) and the working days before it, 8 dates in all, oldest first. */
function sendDates(now: Date): string[] {
  const today = londonDateOf(now);
  const dates: string[] = [];
  let date = isWorkingDay(today) ? today : addWorkingDays(today, -1);
  while (dates.length < DAYS_PER_SEND) {
    dates.unshift(date);
    date = addWorkingDays(date, -1);
  }
  return dates;
}

function get(url: string, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpsRequest(url, { ca }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

function postForm(url: string, ca: string, form: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

/** A SQL literal for pgbench's script: the statement's parameters written in. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
  if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  throw new Error(`no literal for ${typeof value}`);
}

async function main(): Promise<void> {
  const cluster = await startPostgresCluster();
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-bench-attendance-'));
  let server: ChildProcess | undefined;
  try {
    // --- The world: the national schools register, a supplier, consents ---------------------------
    const handle = await openDatabase({ databaseUrl: cluster.url });
    await migrateToLatest(handle.db);
    const schools = generateSchools({ scale: 'national', seed: 1 });
    await handle.db.transaction().execute((trx) => upsertSchools(trx, schools));
    const secondary = schools.filter((s) => s.phaseOfEducation === 'Secondary');
    const { clientId, clientSecret } = await createClient(handle.db, {
      name: 'Bench MIS',
      scopes: ['attendance.submit'],
    });
    await sql`
      insert into dfe.consent (client_id, urn, given_by, given_at, recorded_at, recorded_by)
      select ${clientId}, urn, 'Synthetic administrator', now(), now(), 'bench'
      from dfe.school where phase_of_education = 'Secondary'
    `.execute(handle.db);
    log(`${schools.length} schools, ${secondary.length} secondary with consent`);

    // --- Bodies: one send per secondary school in turn -------------------------------------------
    const dates = sendDates(new Date());
    const bodies: Buffer[] = [];
    for (let i = 0; i < BODIES; i++) {
      const school = secondary[i % secondary.length];
      if (!school) throw new Error('no secondary schools');
      const body = syntheticSubmission({
        urn: school.urn,
        dates,
        yearGroups: SECONDARY_YEAR_GROUPS,
        pupilsPerYearGroup: PUPILS_PER_YEAR_GROUP,
        seed: i,
      });
      bodies.push(Buffer.from(JSON.stringify(body)));
    }
    const sample = JSON.parse(bodies[0]?.toString() ?? '{}') as unknown;
    const check = validateSubmission(sample, { receivedAt: new Date(), urnExists: () => true });
    if (check.kind !== 'accepted' || check.errors.length > 0) throw new Error('the bench body is not clean');
    const marks = check.submission.entries.reduce((n, e) => n + e.attendances.length, 0);
    log(
      `bodies: ${DAYS_PER_SEND} school-days (${dates[0]} to ${dates.at(-1)}), ${check.submission.entries.length} entries, ` +
        `${marks} marks, ${Math.round((bodies[0]?.length ?? 0) / 1024)} KB`,
    );

    // --- The server, as production runs it ------------------------------------------------------
    const port = await freePort();
    // Made here, found and used by the server: the bench trusts exactly this certificate.
    const ca = (await loadTls({ dataDir: dir })).cert;
    const baseUrl = `https://127.0.0.1:${port}`;
    // BENCH_PROFILE=DIR writes the server's CPU profile there.
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
    server = spawn(
      process.execPath,
      [...profile, 'bin/edgate.js', 'serve', 'dfe', '--workers', String(WORKERS)],
      {
        env: {
          ...process.env,
          DATABASE_URL: cluster.url,
          EDGATE_DATA_DIR: dir,
          PORT: String(port),
          HOST: '127.0.0.1',
          PUBLIC_URL: baseUrl,
          LOG_LEVEL: 'warn',
          EDGATE_SEED_DEMO: 'false',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    let exited = false;
    server.once('exit', () => (exited = true));
    for (let i = 0; i < 600; i++) {
      if (exited) throw new Error('the server exited on start');
      await new Promise((r) => setTimeout(r, 100));
      if ((await get(`${baseUrl}/readyz`, ca)) === 200) break;
    }
    const tokenAnswer = JSON.parse(
      await postForm(
        `${baseUrl}/oauth2/token`,
        ca,
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          scope: 'attendance.submit',
        }).toString(),
      ),
    ) as { access_token?: string };
    if (!tokenAnswer.access_token) throw new Error(`no token: ${JSON.stringify(tokenAnswer)}`);
    const headers = {
      authorization: `Bearer ${tokenAnswer.access_token}`,
      'content-type': 'application/json',
    };

    let next = 0;
    let bad = 0;
    const load = (seconds: number) =>
      autocannon({
        url: baseUrl,
        connections: CONNECTIONS,
        duration: seconds,
        // Our certificate is self-signed for 127.0.0.1: the bench trusts exactly it.
        tlsOptions: { ca },
        requests: [
          {
            method: 'POST',
            path: '/attendances',
            headers,
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
            onResponse: (status: number, body: string) => {
              if (status !== 201 || !body.includes('"errors":[]')) bad++;
            },
          } as AutocannonRequest,
        ],
      });

    log(`warm-up ${WARM_UP_SECONDS} s`);
    await load(WARM_UP_SECONDS);
    const before = Number(
      (await sql<{ n: string }>`select count(*) as n from dfe.submission`.execute(handle.db)).rows[0]?.n,
    );
    bad = 0;
    log(`edgate: ${CONNECTIONS} connections for ${SECONDS} s (load ${loadavg()[0]?.toFixed(1)})`);
    const result = await load(SECONDS);
    const after = Number(
      (await sql<{ n: string }>`select count(*) as n from dfe.submission`.execute(handle.db)).rows[0]?.n,
    );
    const accepted = result['2xx'];
    const edgateRate = (accepted * DAYS_PER_SEND) / SECONDS;
    log(
      `edgate: ${accepted} submissions answered 201 (${result.non2xx} other, ${result.errors} errors, ${bad} not clean), ` +
        `${after - before} stored; ${edgateRate.toFixed(0)} school-days/s; ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    server.kill('SIGTERM');
    await new Promise((r) => server?.once('exit', r));
    server = undefined;

    // --- The limit: pgbench running the same statement --------------------------------------------
    const receivedAt = new Date();
    const ref = randomUUID();
    const statement = storeSubmissionStatement({
      ref,
      clientId,
      school: { urn: 999_001, laCode: '825', phaseOfEducation: 'Secondary' },
      receivedAt,
      idempotencyKey: undefined,
      bodySha256: createHash('sha256')
        .update(bodies[0] ?? '')
        .digest(),
      bodyGzip: gzipSync(bodies[0] ?? '', { level: 1 }),
      response: { submissionRef: ref, errors: [] },
      entriesReceived: check.submission.entries.length,
      days: schoolDaysOf(check.submission.entries, ref, receivedAt),
      clientAppId: undefined,
      clientSessionId: undefined,
    }).compile(handle.db);
    const parameters = statement.parameters;
    let text = statement.sql.replace(/\$(\d+)/g, (_m, n: string) => {
      const value = parameters[Number(n) - 1];
      if (value === ref) return 'gen_random_uuid()::text';
      if (value === 999_001) return ':urn';
      return literal(value);
    });
    text = text.replace(/\s+/g, ' ');
    const script = path.join(dir, 'store-submission.sql');
    // The same number of URNs the API cycled through, so updates and inserts mix alike.
    writeFileSync(
      script,
      `\\set urn random(900000, ${900000 + Math.min(BODIES, secondary.length) - 1})\n${text};\n`,
    );
    await handle.close();
    const found = findPostgresBinaries();
    if (!found) throw new Error('PostgreSQL binaries not found');
    // initdb may be a link on PATH; pgbench sits beside the real one.
    const bin = path.dirname(realpathSync(path.join(found, 'initdb')));
    const pgbench = (seconds: number) => {
      const run = spawnSync(
        path.join(bin, 'pgbench'),
        ['-n', '-c', String(PGBENCH_CLIENTS), '-j', '2', '-T', String(seconds), '-f', script, cluster.url],
        { encoding: 'utf8' },
      );
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout)?.[1];
      const failed = /number of failed transactions: (\d+)/.exec(run.stdout)?.[1];
      if (!tps) throw new Error(`pgbench failed: ${String(run.error ?? '')} ${run.stderr} ${run.stdout}`);
      return {
        tps: Number(tps),
        failed: Number(failed ?? 0),
        latency: /latency average = ([\d.]+) ms/.exec(run.stdout)?.[1],
      };
    };
    pgbench(WARM_UP_SECONDS);
    log(`pgbench: ${PGBENCH_CLIENTS} clients for ${SECONDS} s (load ${loadavg()[0]?.toFixed(1)})`);
    const limit = pgbench(SECONDS);
    const limitRate = limit.tps * DAYS_PER_SEND;
    log(
      `pgbench: ${limit.tps.toFixed(1)} submissions/s, ${limitRate.toFixed(0)} school-days/s, ` +
        `${limit.failed} failed, latency average ${limit.latency} ms`,
    );

    const ratio = edgateRate / limitRate;
    const lost = after - before < accepted;
    const pass =
      edgateRate >= TARGET_RATE &&
      ratio >= TARGET_RATIO &&
      result.latency.p99 <= TARGET_P99_MS &&
      bad === 0 &&
      result.non2xx === 0 &&
      !lost;
    console.log(
      `bench attendance-ingest: school_days_per_s=${edgateRate.toFixed(0)} p50_ms=${result.latency.p50} ` +
        `p99_ms=${result.latency.p99} pgbench_school_days_per_s=${limitRate.toFixed(0)} non_201=${result.non2xx + bad} ` +
        `ratio=${ratio.toFixed(2)} target=${TARGET_RATIO} (and >=${TARGET_RATE}/s, p99<=${TARGET_P99_MS}ms) ${pass ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    server?.kill('SIGKILL');
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
