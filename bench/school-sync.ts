/**
 * bench school-sync: the school role's twice-daily sync of many schools to edgate's DfE role.
 *
 * The DfE role runs as production composes it (`edgate serve dfe`, its own process, HTTPS), on a
 * throwaway PostgreSQL cluster with default durability; the school role's sync runs in this
 * process against the same cluster (its own schema and pool), as a supplier's instance would.
 * BENCH_SCHOOLS (default 1,000, the issue's scale) synthetic schools, each with consent given (and
 * told to the DfE over HTTPS): 7 in 10 primaries (~275 pupils), 3 in 10 secondaries (~1,060), about
 * 510,000 pupils in all. Generating half a million pupils' marks would take minutes and gigabytes,
 * so each school's records are one of 20 generated schools' (deterministic: seeds 1–20), chosen
 * by its number; every school's send is still aggregated from those records at each sync, under
 * its own URN, exactly as the real source does from the school tables (less the read, which
 * bench/school-load measures). Each sync sends every school's window (today
 * and the previous 7 school days), through the outbox: aggregation from the school's records,
 * the body stored gzip, claimed, sent with its Idempotency-Key, the outcome recorded.
 *
 * Baseline, in the same run: the same schools' bodies prepared beforehand, POSTed by the same
 * client with the same concurrency (8) and a fresh key each — the least any sender must do.
 * BENCH_ROUNDS (default 3) rounds, each side going first in turn; medians count. CPU milliseconds
 * per school-day are printed for the sender (this process), the receiver (the DfE process) and
 * PostgreSQL.
 *
 * Target: the issue's rate — 1,000 schools × 8 school days in ≤ 60 s, i.e. ≥ 134 school-days/s —
 * and every send accepted without errors. The ratio to the baseline is printed for information:
 * the outbox costs two more commits per school (stored, claimed) and one to record the outcome,
 * each waiting for the WAL flush under default durability, which bare POSTs do not pay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { addDays, londonDateOf } from '../src/platform/calendar.ts';
import { upsertSchools } from '../src/dfe/schools/school-store.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { generateSchool, type SyntheticSchool } from '../src/school/synthetic-school.ts';
import { ReceiverClient } from '../src/school/sync/receiver-client.ts';
import { giveConsent } from '../src/school/sync/consent-store.ts';
import { syncSchools } from '../src/school/sync/sync.ts';
import { prepareSend, recordsSource } from '../src/school/sync/attendance-source.ts';
import { freePort, startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { clusterCpuSeconds, processTreeCpuSeconds } from './support/cpu.ts';

const SCHOOLS = Number(process.env.BENCH_SCHOOLS ?? 1000);
/** Generated schools whose records the benched schools share; the first 6 of each 20 are secondaries. */
const TEMPLATES = 20;
const SECONDARIES = 6;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 8;
/** School-days per second: 1,000 schools × 8 days in 60 s. */
const TARGET_RATE = (1000 * 8) / 60;
const log = (line: string) => console.log(`  ${line}`);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

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

async function pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function main(): Promise<void> {
  const cluster = await startPostgresCluster();
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-bench-school-sync-'));
  const databaseUrl = `postgresql://postgres@/postgres?host=${encodeURIComponent(cluster.dir)}&port=${cluster.port}`;
  let server: ChildProcess | undefined;
  const handle = await openDatabase({ databaseUrl, poolSize: 10 });
  try {
    await migrateEdgate(handle.db);
    const now = new Date();
    const today = londonDateOf(now);
    const started = performance.now();
    const templates = Array.from({ length: TEMPLATES }, (_, i) =>
      generateSchool({
        seed: i + 1,
        phase: i < SECONDARIES ? 'secondary' : 'primary',
        today,
        marksFrom: addDays(today, -16),
        urn: 200_000 + i,
      }),
    );
    const schools = new Map<number, SyntheticSchool>();
    for (let i = 0; i < SCHOOLS; i++) schools.set(200_000 + i, templates[i % TEMPLATES]!);
    const pupils = [...schools.values()].reduce((n, school) => n + school.pupils.length, 0);
    await upsertSchools(
      handle.db,
      [...schools].map(([urn, { school }]) => ({
        urn,
        name: `${school.name} ${urn}`,
        laCode: '825',
        typeOfEstablishment: 'Community school',
        phaseOfEducation: school.phase === 'secondary' ? 'Secondary' : 'Primary',
        status: 'Open',
        street: null,
        town: 'Benchton',
        postcode: 'ZZ1 1ZZ',
      })),
    );
    const supplier = await createClient(handle.db, { name: 'Bench MIS', scopes: ['attendance.submit'] });
    log(
      `${SCHOOLS} schools (${pupils} pupils) on the records of ${TEMPLATES} generated in ${((performance.now() - started) / 1000).toFixed(1)} s; load average ${loadavg()}`,
    );

    // --- The DfE role, as production runs it -------------------------------------------------------
    const port = await freePort();
    const ca = (await loadTls({ dataDir: dir })).cert;
    const baseUrl = `https://127.0.0.1:${port}`;
    const running = spawn(process.execPath, ['bin/edgate.js', 'serve', 'dfe'], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        EDGATE_DATA_DIR: dir,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: baseUrl,
        LOG_LEVEL: 'warn',
        EDGATE_SEED_DEMO: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    server = running;
    let exited = false;
    running.once('exit', () => (exited = true));
    for (let i = 0; i < 600; i++) {
      if (exited) throw new Error('the DfE server exited on start');
      await new Promise((r) => setTimeout(r, 100));
      if ((await get(`${baseUrl}/readyz`, ca)) === 200) break;
    }

    const receiver = new ReceiverClient(
      {
        baseUrl,
        tokenUrl: `${baseUrl}/oauth2/token`,
        clientId: supplier.clientId,
        clientSecret: supplier.clientSecret,
        scope: 'attendance.submit',
        extraHeaders: {},
        appId: 'edgate-bench',
      },
      { ca, sessionId: randomUUID() },
    );
    for (const urn of schools.keys())
      await giveConsent(handle.db, receiver, { urn, givenBy: 'Bench administrator', now });
    const source = recordsSource((urn) => schools.get(urn));
    const prepared = [...schools.keys()].map((urn) =>
      Buffer.from(JSON.stringify(prepareSend(urn, schools.get(urn)!, now)!.body)),
    );
    const schoolDays = [...schools.keys()].reduce(
      (n, urn) => n + prepareSend(urn, schools.get(urn)!, now)!.dates.length,
      0,
    );
    log(`${schoolDays} school-days per sync (${(schoolDays / SCHOOLS).toFixed(1)} per school)`);

    type Sample = { seconds: number; sender: number; receiver: number; postgres: number; bad: number };
    const measure = async (run: () => Promise<number>): Promise<Sample> => {
      const cpu = process.cpuUsage();
      const receiverBefore = processTreeCpuSeconds(running.pid);
      const postgresBefore = clusterCpuSeconds(cluster.dir) ?? 0;
      const t = performance.now();
      const bad = await run();
      const seconds = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      return {
        seconds,
        sender: (used.user + used.system) / 1e6,
        receiver: processTreeCpuSeconds(running.pid) - receiverBefore,
        postgres: (clusterCpuSeconds(cluster.dir) ?? 0) - postgresBefore,
        bad,
      };
    };
    const baseline = () =>
      measure(async () => {
        let bad = 0;
        await pool(prepared, async (body) => {
          const outcome = await receiver.sendAttendance(body, randomUUID());
          if (outcome.kind !== 'accepted' || outcome.errors.length > 0) bad++;
        });
        return bad;
      });
    const sync = () =>
      measure(async () => {
        const results = await syncSchools(handle.db, {
          now: new Date(),
          receiver,
          source,
          slot: `bench ${randomUUID()}`,
          concurrency: CONCURRENCY,
        });
        return results.filter((r) => r.sends.length !== 1 || r.sends[0]!.state !== 'accepted').length;
      });

    await baseline(); // warm-up: token, connections, JIT
    const samples: { sync: Sample[]; baseline: Sample[] } = { sync: [], baseline: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? (['sync', 'baseline'] as const) : (['baseline', 'sync'] as const);
      for (const side of order) {
        const sample = side === 'sync' ? await sync() : await baseline();
        samples[side].push(sample);
        log(
          `round ${round} ${side} (load average after ${loadavg()}): ${sample.seconds.toFixed(2)} s, CPU s sender ${sample.sender.toFixed(2)}, receiver ${sample.receiver.toFixed(2)}, PostgreSQL ${sample.postgres.toFixed(2)}${sample.bad ? `, ${sample.bad} not accepted` : ''}`,
        );
      }
    }
    const stored = Number(
      (await sql<{ n: number }>`select count(*)::integer as n from dfe.submission`.execute(handle.db)).rows[0]
        ?.n,
    );
    log(`${stored} submissions stored at the DfE`);
    const m = (side: 'sync' | 'baseline', key: keyof Sample) => median(samples[side].map((s) => s[key]));
    const perDay = (side: 'sync' | 'baseline', key: 'sender' | 'receiver' | 'postgres') =>
      ((m(side, key) * 1000) / schoolDays).toFixed(2);
    const ratio = m('sync', 'seconds') / m('baseline', 'seconds');
    const bad = samples.sync.reduce((n, s) => n + s.bad, 0) + samples.baseline.reduce((n, s) => n + s.bad, 0);
    const rate = schoolDays / m('sync', 'seconds');
    const pass = rate >= TARGET_RATE && bad === 0;
    console.log(
      `bench school-sync: schools=${SCHOOLS} pupils=${pupils} school_days=${schoolDays} sync_s=${m('sync', 'seconds').toFixed(2)} ` +
        `baseline_s=${m('baseline', 'seconds').toFixed(2)} school_days_per_s=${rate.toFixed(0)} ` +
        `cpu_ms_per_school_day sender=${perDay('sync', 'sender')} (baseline ${perDay('baseline', 'sender')}) ` +
        `receiver=${perDay('sync', 'receiver')} postgres=${perDay('sync', 'postgres')} not_accepted=${bad} ` +
        `ratio=${ratio.toFixed(2)} target=school_days_per_s>=${TARGET_RATE.toFixed(0)} ${pass ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    await handle.close();
    if (server && server.exitCode === null) {
      const stopped = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
