/**
 * bench la-collect-national: an agent collecting all 153 LAs' extracts over SOAP (signed with an
 * X.509 certificate, RSA-SHA1) from edgate's regulator role on PostgreSQL: each document fetched,
 * read and checked, validated against Ofsted's v1.3 XSD, stored as a snapshot and taken in
 * (guarded, compared with yesterday's, the changes stored for review), as `edgate serve la` does
 * every day — against a baseline measured in the same run: the same signed requests, the same
 * bytes fetched, nothing read or stored.
 *
 * The regulator's server runs in a child process (support/la-collect-server.ts), so this process
 * is the collector alone: its peak RSS and CPU are the collector's; the server's are printed
 * beside them. Yesterday's collection (every LA's snapshot taken in) is made untimed in another
 * child, with the register, yesterday's extracts, a day's changes (2% of the registrations
 * renamed) and today's extracts.
 *
 * Targets: the whole collection ≤ 60 s; the collector's peak RSS ≤ 512 MB. The verdict line also
 * gives the ratio to the fetch-only baseline.
 *
 * BENCH_SCALE=national|demo (default national, ~90,000 registrations); BENCH_CONCURRENCY (LAs
 * collected at once, default 4, as the collector's default).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { addDays, londonDateOf } from '../src/platform/calendar.ts';
import { liveLocalAuthorities } from '../src/platform/reference.ts';
import { loadGeneratedRegister } from '../src/regulator/register/register-load.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { readyExtract } from '../src/regulator/extract/extract-store.ts';
import { addCertificate, authorise, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import { makeTestCertificate } from '../src/regulator/gateway/test-signing.ts';
import { addSource, findSource, openSource } from '../src/la/collection/sources.ts';
import { collectAll } from '../src/la/collection/collect-all.ts';
import { fetchOverSoap } from '../src/la/collection/collectors.ts';
import { storeSnapshot } from '../src/la/collection/snapshot-store.ts';
import { httpsTransport, type Transport } from '../src/la/collection/transport.ts';
import { onSnapshot } from '../src/la/la-role.ts';
import { freePort, startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { clusterCpuSeconds } from './support/cpu.ts';
import type { ServerMessage } from './support/la-collect-server.ts';

const TARGET_S = 60;
const TARGET_RSS_MB = 512;
/** Share of the registrations changed between yesterday's extracts and today's. */
const CHANGED_SHARE = 0.02;
const scale = process.env.BENCH_SCALE === 'demo' ? 'demo' : 'national';
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

if (process.env.BENCH_SETUP_URL) {
  // Untimed: the register, yesterday's extracts taken in by the LA (its snapshot per LA), a
  // day's changes, today's extracts.
  const handle = await openDatabase({ databaseUrl: process.env.BENCH_SETUP_URL, poolSize: 4 });
  const db = handle.db;
  await migrateEdgate(db);
  const today = process.env.BENCH_TODAY!;
  const yesterday = addDays(today, -1);
  const loaded = await loadGeneratedRegister(db, { scale, seed: 1, today: yesterday });
  const yesterdayAt = () => new Date(`${yesterday}T05:30:00Z`);
  await runExtracts(db, { extractDate: yesterday, now: yesterdayAt });
  const takeIn = onSnapshot(db, yesterdayAt);
  for (const { code } of liveLocalAuthorities()) {
    const stored = await storeSnapshot(db, {
      laCode: code,
      sourceId: null,
      bytes: gunzipSync((await readyExtract(db, code, yesterday))!.content),
      collectedAt: yesterdayAt(),
    });
    const outcome = await takeIn(stored.snapshotId);
    if (outcome.kind !== 'taken-in') throw new Error(`yesterday's ${code}: ${outcome.kind}`);
  }
  const changed = await sql<{ n: number }>`
    with changed as (
      update regulator.registration set provider_name = left(provider_name, 90) || ' (renamed)',
        last_change_date = ${today}::date, version = version + 1, updated_at = now()
      where reference_number in (
        select reference_number from regulator.registration tablesample bernoulli (${CHANGED_SHARE * 100}) repeatable (1))
      returning 1)
    select count(*)::int as n from changed`.execute(db);
  await runExtracts(db, { extractDate: today });
  console.log(
    `  ${scale} register: ${loaded.added.toLocaleString('en-GB')} registrations; yesterday's 153 extracts ` +
      `taken in; ${changed.rows[0]!.n.toLocaleString('en-GB')} renamed; today's 153 extracts built`,
  );
  await handle.close();
  process.exit(0);
}

const cluster = await startPostgresCluster();
const dir = mkdtempSync(path.join(tmpdir(), 'edgate-bench-la-'));
let server: ReturnType<typeof spawn> | undefined;
try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('create database bench');
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = '/bench';
  const handle = await openDatabase({ databaseUrl: url.toString(), poolSize: 8 });
  const today = londonDateOf(new Date());
  let started = Date.now();
  const setup = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename], {
    env: { ...process.env, BENCH_SETUP_URL: url.toString(), BENCH_TODAY: today },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (setup.status !== 0) throw new Error('setting up the register failed');
  console.log(`  (made in ${((Date.now() - started) / 1000).toFixed(1)} s, untimed)`);

  const tls = await loadTls({ dataDir: dir });
  const port = await freePort();
  const baseUrl = `https://127.0.0.1:${port}`;
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const serverScript = path.join(import.meta.dirname, 'support', 'la-collect-server.ts');
  server = spawn(
    process.execPath,
    ['--import', 'tsx', serverScript, url.toString(), String(port), dir, key.toString('base64')],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const fromServer = (type: ServerMessage['type']) =>
    new Promise<ServerMessage>((resolve, reject) => {
      server!.once('exit', (code) => reject(new Error(`the regulator's server exited (${code})`)));
      const listener = (message: ServerMessage) => {
        if (message.type !== type) return;
        server!.off('message', listener);
        resolve(message);
      };
      server!.on('message', listener);
    });
  await fromServer('ready');

  const certificate = await makeTestCertificate('Bench Directories ISPP client');
  const account = await createGatewayAccount(handle.db, box, {
    username: 'bench-agent',
    agent: 'Bench Directories',
  });
  await addCertificate(handle.db, 'bench-agent', certificate.pem);
  const laCodes = liveLocalAuthorities().map((la) => la.code);
  for (const laCode of laCodes) {
    await authorise(handle.db, {
      organisation: 'Bench Directories',
      laCode,
      validFrom: '2020-01-01',
      by: 'bench',
    });
  }
  await addSource(handle.db, box, {
    name: 'Bench agent',
    kind: 'soap',
    endpointUrl: `${baseUrl}${GATEWAY_PATH}`,
    username: 'bench-agent',
    password: account.password,
    certificate: { format: 'pem', certificatePem: certificate.pem, keyPem: certificate.keyPem },
    laCodes,
    by: 'bench',
  });
  const plain = httpsTransport({ ca: tls.cert });

  // Baseline: the same signed requests and bytes, nothing read or stored.
  const source = await openSource((await findSource(handle.db, 'Bench agent'))!, box);
  started = performance.now();
  let baselineBytes = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < laCodes.length) {
        const result = await fetchOverSoap(source, laCodes[next++]!, plain, new Date());
        if (result.kind !== 'document') throw new Error(`baseline: ${result.kind} ${result.error}`);
        baselineBytes += result.bytes.length;
      }
    }),
  );
  const baselineS = (performance.now() - started) / 1000;
  const rssAfterBaseline = process.resourceUsage().maxRSS * 1024;
  console.log(
    `  baseline (fetch only): ${baselineS.toFixed(1)} s, ${mb(baselineBytes)} MB; ` +
      `peak RSS so far ${mb(rssAfterBaseline)} MB; load ${load()}`,
  );

  // Phase figures: time inside the transport (request to last byte) and inside take-in, summed
  // over the LAs collected at once; the rest of each LA's time is reading the envelope, checking,
  // validating and storing.
  let fetchMs = 0;
  let takeInMs = 0;
  const transport: Transport = async (request) => {
    const at = performance.now();
    try {
      return await plain(request);
    } finally {
      fetchMs += performance.now() - at;
    }
  };
  const takeIn = onSnapshot(handle.db);
  const outcomes = new Map<string, number>();
  let rssSamples = 0;
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssSamples++;
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }, 250);
  started = performance.now();
  const cpuStart = process.cpuUsage();
  const pgCpuStart = clusterCpuSeconds(cluster.dir);
  const results = await collectAll(handle.db, {
    now: new Date(),
    secretBox: box,
    transport,
    concurrency,
    onSnapshot: async (snapshotId) => {
      const at = performance.now();
      const outcome = await takeIn(snapshotId);
      takeInMs += performance.now() - at;
      outcomes.set(outcome.kind, (outcomes.get(outcome.kind) ?? 0) + 1);
    },
  });
  const collectS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const pgCpu = (clusterCpuSeconds(cluster.dir) ?? 0) - (pgCpuStart ?? 0);
  clearInterval(sampler);
  const collected = results.filter((r) => r.outcome === 'collected').length;
  const failures = results.filter((r) => r.outcome !== 'collected');
  for (const f of failures.slice(0, 5)) console.log(`  ${f.laCode}: ${f.outcome} ${f.error ?? ''}`);
  const changes = await handle.db
    .selectFrom('la.change')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('found_at', '>', new Date(Date.now() - collectS * 1000 - 1000))
    .groupBy('kind')
    .execute();
  const takenIn = outcomes.get('taken-in') ?? 0;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  server.send({ type: 'stop' });
  const stopped = await fromServer('stopped');
  const serverFigures = stopped.type === 'stopped' ? stopped : { cpuS: 0, peakRssMb: 0 };
  const ratio = collectS / baselineS;
  const pass =
    failures.length === 0 && takenIn === laCodes.length && collectS <= TARGET_S && rssMb <= TARGET_RSS_MB;
  const busy = (ms: number) =>
    `${(ms / 1000).toFixed(1)} s (${((ms / (collectS * 1000 * concurrency)) * 100).toFixed(0)}%)`;
  console.log(
    `  collect (fetch, read, check, validate, store, take in): ${collectS.toFixed(1)} s, ` +
      `${collected}/${laCodes.length} collected, ${takenIn} taken in ` +
      `(${changes.map((c) => `${c.kind} ${c.n}`).join(', ') || 'no changes'}): ` +
      `${collectS <= TARGET_S ? 'PASS' : 'FAIL'} (≤ ${TARGET_S} s)` +
      `\n  time of the ${concurrency} LAs at once: fetching ${busy(fetchMs)}, taking in ${busy(takeInMs)}, ` +
      `reading, checking, validating and storing ${busy(collectS * 1000 * concurrency - fetchMs - takeInMs)}` +
      `\n  CPU: collector ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, regulator's server ${serverFigures.cpuS.toFixed(1)} s ` +
      `(baseline included), PostgreSQL ${pgCpu.toFixed(1)} s` +
      `\n  collector's peak RSS ${rssMb.toFixed(0)} MB (sampled during collect ${mb(rssMax)} MB, ${rssSamples} samples): ` +
      `${rssMb <= TARGET_RSS_MB ? 'PASS' : 'FAIL'} (≤ ${TARGET_RSS_MB} MB); regulator's server ${serverFigures.peakRssMb.toFixed(0)} MB` +
      `\n  load average at end: ${load()}\n`,
  );
  await handle.close();
  console.log(
    `bench la-collect-national: scale=${scale} las=${laCodes.length} collected=${collected} taken_in=${takenIn} mb=${mb(baselineBytes)} ` +
      `baseline_s=${baselineS.toFixed(1)} collect_s=${collectS.toFixed(1)} ratio=${ratio.toFixed(2)} peak_rss_mb=${rssMb.toFixed(0)} ` +
      `server_rss_mb=${serverFigures.peakRssMb.toFixed(0)} target_s=${TARGET_S} ${pass ? 'PASS' : 'FAIL'}`,
  );
} finally {
  if (server && server.exitCode === null) server.kill();
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
