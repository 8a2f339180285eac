/**
 * bench attendance-ingest: the national morning burst of attendance submissions on one machine.
 *
 * edgate's DfE role runs as production composes it (`edgate serve dfe`, its own process, HTTPS,
 * PostgreSQL in a throwaway cluster with default durability) over the national synthetic schools
 * register (~22,000 schools). A supplier client that requires consent holds the consent of every
 * secondary school. 50 connections (autocannon, in a process of its own:
 * support/attendance-load.ts) POST /attendances with an ES256 bearer token for a fixed time; each
 * body is a realistic secondary school's send: today and the 7 working days before, 2 sessions ×
 * 8 year groups × 16 codes (8 school-days, 2,048 marks, 76 KB). Every answer must be 201 without
 * record errors; afterwards the stored submissions are counted.
 *
 * The limit, in the same run: PostgreSQL's pgbench running the very statement the API runs to
 * store a submission (`storeSubmissionQuery`, the same JSON, the same compressed body), over as
 * many URNs as the API run cycles through, with 10 clients (the server's pool), each submission
 * with a reference and a time of receipt of its own. Like the server, pgbench prepares the
 * statement once per connection and binds the values as parameters (`-M prepared`, each value a
 * `-D` variable), so PostgreSQL does the same work for both. Both reach PostgreSQL over its Unix
 * socket (BENCH_PG_TCP=1: TCP to 127.0.0.1).
 *
 * Targets: ≥ 2,000 school-days/s; ≥ 0.5× pgbench's school-days/s; p99 ≤ 250 ms.
 *
 * The server runs `--workers 2` (BENCH_WORKERS), one process per core, with 10 database connections
 * in all (5 each), as many as pgbench's clients. After one warm-up of each (BENCH_WARM_UP, 10 s),
 * BENCH_ROUNDS (default 5) rounds run the API and pgbench for BENCH_SECONDS (15) each, in turns
 * (API first in odd rounds, pgbench first in even ones), with the written tables vacuumed before
 * every phase and autovacuum off; each round gives a ratio, and the medians decide. CPU
 * milliseconds per submission are printed per process (server, PostgreSQL, the load generator):
 * on a shared machine they say where the work went better than rates do.
 * Anything not answered 201 without errors, or answered 201 and not stored, fails the bench.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { addWorkingDays, isWorkingDay } from '../src/platform/working-days.ts';
import { generateSchools } from '../src/dfe/schools/synthetic-schools.ts';
import { upsertSchools } from '../src/dfe/schools/school-store.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { SECONDARY_YEAR_GROUPS, syntheticSubmission } from '../src/dfe/collection/synthetic-submission.ts';
import { validateSubmission } from '../src/contracts/attendance/submission.ts';
import { acceptSubmission, storeSubmissionQuery } from '../src/dfe/collection/submission-store.ts';
import { findPostgresBinaries, freePort, startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { clusterCpuSeconds, processTreeCpuSeconds } from './support/cpu.ts';
import type { LoadPhase, LoadResult, LoadSetup } from './support/attendance-load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP ?? 10);
const CONNECTIONS = 50;
/** pgbench's clients, and the server's database connections in all. */
const PGBENCH_CLIENTS = 10;
const DAYS_PER_SEND = 8;
const PUPILS_PER_YEAR_GROUP = 150;
const BODIES = 600;
/** Server processes (BENCH_WORKERS, default 2: one per core of the machines this runs on). */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const TARGET_RATE = 2000;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 250;

interface CpuSnapshot {
  server: number;
  postgres: number;
}

function cpuSnapshot(serverPid: number | undefined, clusterDir: string): CpuSnapshot {
  return { server: processTreeCpuSeconds(serverPid), postgres: clusterCpuSeconds(clusterDir) ?? 0 };
}

/** CPU milliseconds per submission, by process, between two snapshots and over a load phase. */
function cpuPerSubmission(
  before: CpuSnapshot,
  after: CpuSnapshot,
  load: LoadResult,
  submissions: number,
): string {
  const per = (ms: number) => (ms / Math.max(submissions, 1)).toFixed(2);
  const ms = (key: keyof CpuSnapshot) => per((after[key] - before[key]) * 1000);
  return `CPU ms per submission: server ${ms('server')}, PostgreSQL ${ms('postgres')}, load generator ${per(load.cpuMs)}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

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

/**
 * A parameter as pgbench binds it: PostgreSQL's text form of what the server sends. pgbench
 * (`-M prepared`) sends variables as text parameters of a prepared statement, as pg does.
 */
function parameterText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'string') return value;
  throw new Error(`no text form for ${typeof value}`);
}

async function main(): Promise<void> {
  // Durability as shipped (fsync, synchronous_commit); room for the WAL a write-heavy burst makes,
  // as a DBA would give it, so checkpoints are not forced every half-minute (1 GB by default).
  const cluster = await startPostgresCluster({
    settings: { max_wal_size: '8GB', checkpoint_timeout: '15min' },
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-bench-attendance-'));
  // The DfE role and its database on one machine talk over PostgreSQL's Unix socket, as libpq and
  // pg do by default there; pgbench uses the same. BENCH_PG_TCP=1 goes over TCP to 127.0.0.1 instead.
  const databaseUrl = process.env.BENCH_PG_TCP
    ? cluster.url
    : `postgresql://postgres@/postgres?host=${encodeURIComponent(cluster.dir)}&port=${cluster.port}`;
  let server: ChildProcess | undefined;
  let generator: ChildProcess | undefined;
  try {
    // --- The world: the national schools register, a supplier, consents ---------------------------
    const handle = await openDatabase({ databaseUrl });
    await migrateEdgate(handle.db);
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

    // --- The limit's script: pgbench running the same statement ------------------------------------
    // The URN is a placeholder the script replaces with a pgbench variable.
    const accepted = acceptSubmission(
      { raw: bodies[0] ?? Buffer.alloc(0), clientId, receivedAt: new Date() },
      { ...check, submission: { ...check.submission, urn: 999_001 } },
    );
    const ref = accepted.ref;
    const statement = storeSubmissionQuery(handle.db, accepted);
    const parameters = statement.parameters;
    // Each parameter becomes a pgbench variable (-D), bound to the prepared statement as the server
    // binds its own: PostgreSQL parses and plans the statement once per connection in both.
    const variables: string[] = [];
    const text = statement.sql
      .replace(/\$(\d+)/g, (_m, n: string) => {
        const value = parameters[Number(n) - 1];
        if (value === ref) return 'gen_random_uuid()::text';
        // Each submission is received at its own time, as the API's are: with one time for all,
        // the indexes on (urn, received_at) and (client_id, received_at) would hold one long run
        // of equal keys, which PostgreSQL stores and extends more cheaply (deduplication).
        if (value === accepted.receivedAt) return 'now()';
        if (value === 999_001) return ':urn';
        if (value === null || value === undefined) return 'null';
        variables.push('-D', `p${n}=${parameterText(value)}`);
        return `:p${n}`;
      })
      .replace(/\s+/g, ' ');
    // As many URNs as the API cycles through, so updates and inserts mix alike: schools of their
    // own, with the client's consent, as the statement checks both.
    const pgbenchSchools = Math.min(BODIES, secondary.length);
    await sql`
      insert into dfe.school (urn, name, la_code, type_of_establishment, phase_of_education, status)
      select 900000 + i, 'Bench school ' || i, '825', 'Academy converter', 'Secondary', 'Open'
      from generate_series(0, ${pgbenchSchools - 1}::integer) i
      on conflict (urn) do nothing
    `.execute(handle.db);
    await sql`
      insert into dfe.consent (client_id, urn, given_by, given_at, recorded_at, recorded_by)
      select ${clientId}, 900000 + i, 'Synthetic administrator', now(), now(), 'bench'
      from generate_series(0, ${pgbenchSchools - 1}::integer) i
      on conflict (client_id, urn) do nothing
    `.execute(handle.db);
    const script = path.join(dir, 'store-submission.sql');
    writeFileSync(script, `\\set urn random(900000, ${900000 + pgbenchSchools - 1})\n${text};\n`);
    const found = findPostgresBinaries();
    if (!found) throw new Error('PostgreSQL binaries not found');
    // initdb may be a link on PATH; pgbench sits beside the real one.
    const bin = path.dirname(realpathSync(path.join(found, 'initdb')));
    const pgbench = (seconds: number) => {
      const run = spawnSync(
        path.join(bin, 'pgbench'),
        [
          '-n',
          '-M',
          'prepared',
          '-c',
          String(PGBENCH_CLIENTS),
          '-j',
          '2',
          '-T',
          String(seconds),
          ...variables,
          '-f',
          script,
          databaseUrl,
        ],
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
    const submissions = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from dfe.submission`.execute(handle.db)).rows[0]?.n,
      );

    // --- The server, as production runs it ------------------------------------------------------
    const port = await freePort();
    // Made here, found and used by the server: the bench trusts exactly this certificate.
    const ca = (await loadTls({ dataDir: dir })).cert;
    const baseUrl = `https://127.0.0.1:${port}`;
    // BENCH_PROFILE=DIR writes the server's CPU profiles there.
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
    const running = spawn(
      process.execPath,
      [...profile, 'bin/edgate.js', 'serve', 'dfe', '--workers', String(WORKERS)],
      {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          EDGATE_DATA_DIR: dir,
          PORT: String(port),
          HOST: '127.0.0.1',
          PUBLIC_URL: baseUrl,
          LOG_LEVEL: 'warn',
          EDGATE_SEED_DEMO: 'false',
          // As many connections to PostgreSQL in all as pgbench has clients: like for like.
          DATABASE_POOL_SIZE:
            process.env.DATABASE_POOL_SIZE ?? String(Math.max(1, Math.round(PGBENCH_CLIENTS / WORKERS))),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    server = running;
    let exited = false;
    running.once('exit', () => (exited = true));
    for (let i = 0; i < 600; i++) {
      if (exited) throw new Error('the server exited on start');
      await new Promise((r) => setTimeout(r, 100));
      if ((await get(`${baseUrl}/readyz`, ca)) === 200) break;
    }
    // Both workers listening, not only the first.
    await new Promise((r) => setTimeout(r, 2000));
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

    // The load generator: a process of its own, sent the bodies once and a message per phase.
    const loader = fork(path.join(import.meta.dirname, 'support', 'attendance-load.ts'), [], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_LOAD_FLAGS?.split(' ').filter(Boolean) ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    generator = loader;
    const answer = <T>(): Promise<T> =>
      new Promise((resolve, reject) => {
        const exited = () => reject(new Error('the load generator exited'));
        loader.once('exit', exited);
        loader.once('message', (message) => {
          loader.off('exit', exited);
          resolve(message as T);
        });
      });
    const ready = answer<{ type: 'ready' }>();
    loader.send({
      type: 'setup',
      url: baseUrl,
      path: '/attendances',
      ca,
      headers,
      connections: CONNECTIONS,
      bodies,
      expectedStatus: 201,
      cleanMarker: '"errors":[]',
    } satisfies LoadSetup);
    await ready;
    const load = (seconds: number) => {
      const result = answer<LoadResult>();
      loader.send({ type: 'load', seconds } satisfies LoadPhase);
      return result;
    };

    // --- Rounds: the API and the limit in turn; medians decide ------------------------------------
    // Autovacuum is off during the rounds, and the written tables are vacuumed before every phase
    // (untimed): a background vacuum of the growing submissions table (~1 s of CPU) would otherwise
    // fall into one phase and not the other. A DBA vacuums after a bulk load; so does the bench.
    await sql`alter system set autovacuum = off`.execute(handle.db);
    await sql`select pg_reload_conf()`.execute(handle.db);
    const vacuum = () =>
      sql`vacuum (analyze) dfe.submission, dfe.school_day, dfe.school, dfe.consent`.execute(handle.db);
    await vacuum();
    log(`warm-up ${WARM_UP_SECONDS} s each`);
    await load(WARM_UP_SECONDS);
    pgbench(WARM_UP_SECONDS);

    let problems = 0;
    const apiPhase = async (round: number) => {
      await vacuum();
      const before = await submissions();
      log(
        `round ${round}: edgate, ${CONNECTIONS} connections for ${SECONDS} s (load ${loadavg()[0]?.toFixed(1)})`,
      );
      const cpuBefore = cpuSnapshot(running.pid, cluster.dir);
      const result = await load(SECONDS);
      const cpuAfter = cpuSnapshot(running.pid, cluster.dir);
      const stored = (await submissions()) - before;
      const accepted = result.ok;
      const rate = (accepted * DAYS_PER_SEND) / SECONDS;
      log(
        `round ${round}: edgate ${accepted} answered 201 (${result.non2xx} other, ${result.errors} errors, ` +
          `${result.notClean} not clean), ${stored} stored; ${rate.toFixed(0)} school-days/s; ` +
          `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
      );
      log(`round ${round}: edgate ${cpuPerSubmission(cpuBefore, cpuAfter, result, stored)}`);
      // Requests cut off at the end of a phase may be stored unanswered; never the other way round.
      problems += result.notClean + result.errors + Math.max(0, accepted - stored);
      return { rate, p50: result.latency.p50, p99: result.latency.p99 };
    };
    const limitPhase = async (round: number) => {
      await vacuum();
      const limitBefore = await submissions();
      const pgBefore = cpuSnapshot(undefined, cluster.dir);
      log(
        `round ${round}: pgbench, ${PGBENCH_CLIENTS} clients for ${SECONDS} s (load ${loadavg()[0]?.toFixed(1)})`,
      );
      const limit = pgbench(SECONDS);
      const pgAfter = cpuSnapshot(undefined, cluster.dir);
      // Every pgbench transaction must have stored a submission, or it measured a statement doing nothing.
      const limitStored = (await submissions()) - limitBefore;
      if (limitStored < limit.tps * SECONDS * 0.95)
        throw new Error(
          `pgbench stored ${limitStored} submissions in ${Math.round(limit.tps * SECONDS)} transactions`,
        );
      const limitRate = limit.tps * DAYS_PER_SEND;
      const postgresMs = ((pgAfter.postgres - pgBefore.postgres) * 1000) / Math.max(limitStored, 1);
      log(
        `round ${round}: pgbench ${limit.tps.toFixed(1)} submissions/s, ${limitRate.toFixed(0)} school-days/s, ` +
          `${limit.failed} failed, latency average ${limit.latency} ms; PostgreSQL ${postgresMs.toFixed(2)} CPU ms per submission`,
      );
      return limitRate;
    };

    const rounds: { rate: number; p50: number; p99: number; limitRate: number; ratio: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // API first in odd rounds, the limit first in even ones: a machine speeding up or slowing
      // down over a round favours neither side.
      let api: Awaited<ReturnType<typeof apiPhase>>;
      let limitRate: number;
      if (round % 2 === 1) {
        api = await apiPhase(round);
        limitRate = await limitPhase(round);
      } else {
        limitRate = await limitPhase(round);
        api = await apiPhase(round);
      }
      rounds.push({ ...api, limitRate, ratio: api.rate / limitRate });
      log(`round ${round}: ratio ${(api.rate / limitRate).toFixed(2)}`);
    }
    await handle.close();

    const rate = median(rounds.map((r) => r.rate));
    const p50 = median(rounds.map((r) => r.p50));
    const p99 = median(rounds.map((r) => r.p99));
    const limitRate = median(rounds.map((r) => r.limitRate));
    const ratio = median(rounds.map((r) => r.ratio));
    const pass = rate >= TARGET_RATE && ratio >= TARGET_RATIO && p99 <= TARGET_P99_MS && problems === 0;
    console.log(
      `bench attendance-ingest: school_days_per_s=${rate.toFixed(0)} p50_ms=${p50} p99_ms=${p99} ` +
        `pgbench_school_days_per_s=${limitRate.toFixed(0)} problems=${problems} workers=${WORKERS} ` +
        `ratio=${ratio.toFixed(2)} target=${TARGET_RATIO} (and >=${TARGET_RATE}/s, p99<=${TARGET_P99_MS}ms) ` +
        `${pass ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    // Disconnected, the load generator exits by itself (writing its profile when asked for one).
    if (generator?.connected) generator.disconnect();
    setTimeout(() => generator?.kill(), 5000).unref();
    if (server && server.exitCode === null) {
      const stopped = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 15_000))]);
      server.kill('SIGKILL');
    }
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
