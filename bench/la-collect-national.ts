/**
 * bench la-collect-national: an agent collecting all 153 LAs' extracts over SOAP (signed with an
 * X.509 certificate, RSA-SHA1) from edgate's regulator role on PostgreSQL, reading each document
 * with the feed's reader, checking it and storing it as a snapshot — against a baseline measured
 * in the same run: the same signed requests, the same bytes fetched, nothing read or stored.
 *
 * Targets: the whole collection ≤ 60 s; peak RSS ≤ 512 MB (the regulator's server runs in this
 * process too, so the figure is the collector's and the server's together: an upper bound).
 * The verdict line also gives the ratio to the fetch-only baseline.
 *
 * BENCH_SCALE=national|demo (default national, ~90,000 registrations); BENCH_CONCURRENCY (LAs
 * collected at once, default 4, as the collector's default).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { createHttpServer } from '../src/platform/http/server.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { liveLocalAuthorities } from '../src/platform/reference.ts';
import { loadGeneratedRegister } from '../src/regulator/register/register-load.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { regulatorRole } from '../src/regulator/regulator-role.ts';
import { addCertificate, authorise, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import { makeTestCertificate } from '../src/regulator/gateway/test-signing.ts';
import { addSource, findSource, openSource } from '../src/la/collection/sources.ts';
import { collectAll } from '../src/la/collection/collect-all.ts';
import { fetchOverSoap } from '../src/la/collection/collectors.ts';
import { httpsTransport } from '../src/la/collection/transport.ts';
import { freePort, startPostgresCluster } from '../test/support/postgres-cluster.ts';

const TARGET_S = 60;
const TARGET_RSS_MB = 512;
const scale = process.env.BENCH_SCALE === 'demo' ? 'demo' : 'national';
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);

if (process.env.BENCH_SETUP_URL) {
  const handle = await openDatabase({ databaseUrl: process.env.BENCH_SETUP_URL, poolSize: 4 });
  await migrateEdgate(handle.db);
  const today = process.env.BENCH_TODAY!;
  const loaded = await loadGeneratedRegister(handle.db, { scale, seed: 1, today });
  await runExtracts(handle.db, { extractDate: today });
  console.log(
    `  ${scale} register: ${loaded.added.toLocaleString('en-GB')} registrations, 153 extracts built`,
  );
  await handle.close();
  process.exit(0);
}

const cluster = await startPostgresCluster();
const dir = mkdtempSync(path.join(tmpdir(), 'edgate-bench-la-'));
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
  // The register and its extracts are made in a child process, so this one's peak RSS is the
  // collector's and the server's only.
  const setup = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename], {
    env: { ...process.env, BENCH_SETUP_URL: url.toString(), BENCH_TODAY: today },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (setup.status !== 0) throw new Error('setting up the register failed');
  console.log(`  (made in ${((Date.now() - started) / 1000).toFixed(1)} s, untimed)`);

  const tls = await loadTls({ dataDir: dir });
  const app = await createHttpServer({ db: handle.db, tls, logLevel: 'error' });
  const port = await freePort();
  const baseUrl = `https://127.0.0.1:${port}`;
  const box = new SecretBox(randomBytes(32));
  await regulatorRole(app, {
    handle,
    config: { publicUrl: baseUrl },
    settings: {
      extractTime: '05:30',
      extractRetentionDays: 30,
      extractLeaseSeconds: 600,
      extractSchedule: false,
      gatewayMaintenance: undefined,
      gatewayRequestsPerMinute: 100_000,
    },
    secretBox: box,
  });
  await app.listen({ host: '127.0.0.1', port });

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
  const transport = httpsTransport({ ca: tls.cert });

  // Baseline: the same signed requests and bytes, nothing read or stored.
  const source = await openSource((await findSource(handle.db, 'Bench agent'))!, box);
  started = performance.now();
  let baselineBytes = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < laCodes.length) {
        const result = await fetchOverSoap(source, laCodes[next++]!, transport, new Date());
        if (result.kind !== 'document') throw new Error(`baseline: ${result.kind} ${result.error}`);
        baselineBytes += result.bytes.length;
      }
    }),
  );
  const baselineS = (performance.now() - started) / 1000;
  console.log(
    `  baseline (fetch only): ${baselineS.toFixed(1)} s, ${(baselineBytes / 1024 / 1024).toFixed(0)} MB`,
  );

  started = performance.now();
  const cpuStart = process.cpuUsage();
  const results = await collectAll(handle.db, { now: new Date(), secretBox: box, transport, concurrency });
  const collectS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const collected = results.filter((r) => r.outcome === 'collected').length;
  const failures = results.filter((r) => r.outcome !== 'collected');
  for (const f of failures.slice(0, 5)) console.log(`  ${f.laCode}: ${f.outcome} ${f.error ?? ''}`);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const ratio = collectS / baselineS;
  const pass = failures.length === 0 && collectS <= TARGET_S && rssMb <= TARGET_RSS_MB;
  console.log(
    `  collect (fetch, read, check, store): ${collectS.toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, server included), ` +
      `${collected}/${laCodes.length} collected: ${collectS <= TARGET_S ? 'PASS' : 'FAIL'} (≤ ${TARGET_S} s)` +
      `\n  peak RSS ${rssMb.toFixed(0)} MB (collector and server): ${rssMb <= TARGET_RSS_MB ? 'PASS' : 'FAIL'} (≤ ${TARGET_RSS_MB} MB)` +
      `\n  load average at end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
  );
  await app.close();
  await handle.close();
  console.log(
    `bench la-collect-national: scale=${scale} las=${laCodes.length} collected=${collected} mb=${(baselineBytes / 1024 / 1024).toFixed(0)} ` +
      `baseline_s=${baselineS.toFixed(1)} collect_s=${collectS.toFixed(1)} ratio=${ratio.toFixed(2)} peak_rss_mb=${rssMb.toFixed(0)} ` +
      `target_s=${TARGET_S} ${pass ? 'PASS' : 'FAIL'}`,
  );
} finally {
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
