/**
 * bench gateway: 20 concurrent ISPP clients collecting the largest LA's extract over HTTPS for a
 * fixed time, against a baseline measured in the same run on the same server: the same stored
 * document sent as a plain static response, 64 KiB a write with its length known, as a static
 * file server sends it (support/gateway-server.ts, `GET /bench/static`).
 *
 * Targets (the SOAP phase): latency p50 ≤ 1.5× the static baseline's p50; the server's
 * event-loop delay p99 ≤ 50 ms; RSS flat, i.e. the last sample at most 10% (RSS_GROWTH_LIMIT)
 * above the average of the phase's first quarter. A phase with errors, timeouts or non-2xx
 * answers measures something else and fails the run. The server's idle event-loop delay is
 * printed first: on a shared machine it is the floor under every figure.
 *
 * PostgreSQL is a throwaway cluster with default durability, holding the national synthetic
 * register's largest LA only (its records are the same as in a full national load) and today's
 * extract for it. The server runs in a child process so autocannon, which parses every response
 * in this one, does not share its event loop; each of autocannon's connections binds its own
 * loopback address (127.0.1.N) so that, like 20 real clients, they do not share the gateway
 * route's per-address request limit. Each phase has a warm-up, then the child's event-loop
 * histogram, RSS samples and CPU clock are reset and the timed run starts.
 *
 * BENCH_ROUNDS (default 3) rounds of a baseline phase then a gateway phase; the verdict takes the
 * median round's p50 ratio, the median event-loop delay p99 and the worst round's RSS growth.
 * BENCH_SECONDS (default 20) per timed phase; BENCH_WARMUP_SECONDS (default 3);
 * BENCH_PROFILE=auto|1|0 (default auto: when a target fails, one more phase of each kind runs
 * under the V8 profiler and the report says where the server's time went, then a what-if phase
 * sends RegisterData made once at start, as the static route sends (support/gateway-whatif.ts)); BENCH_LOG_LEVEL for the
 * server (default error).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import {
  generateRegister,
  plannedRegisterSize,
} from '../src/contracts/childcare-extract/synthetic-register.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { readyExtract } from '../src/regulator/extract/extract-store.ts';
import { addCertificate, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import {
  buildGetLocalAuthorityChildcareRegisterRequest,
  makeTestCertificate,
  readRegisterData,
} from '../src/regulator/gateway/test-signing.ts';
import { freePort, startPostgresCluster } from '../test/support/postgres-cluster.ts';
import {
  STATIC_PATH,
  type ControlMessage,
  type PhaseReport,
  type ServerMessage,
} from './support/gateway-protocol.ts';
import { measureRequestCosts } from './support/gateway-costs.ts';
import { WHAT_IF_PATH } from './support/gateway-whatif.ts';
import { summariseProfile } from './support/gateway-profile.ts';

const CONNECTIONS = 20;
const SECONDS = positiveInt('BENCH_SECONDS', 20);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const WARMUP_SECONDS = positiveInt('BENCH_WARMUP_SECONDS', 3, 0);
const PROFILE = process.env.BENCH_PROFILE ?? 'auto';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'error';
const IDLE_SECONDS = 5;
const P50_RATIO_TARGET = 1.5;
const ELD_P99_TARGET_MS = 50;
/** "Flat": the last RSS sample at most 10% above the first quarter's average. */
const RSS_GROWTH_LIMIT = 0.1;
/** The signed request's Timestamp validity, the most the gateway accepts. */
const REQUEST_TTL_SECONDS = 600;
const OPTIONS = { scale: 'national', seed: 1 } as const;
const USERNAME = 'bench-ispp';
const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER_SCRIPT = path.join(import.meta.dirname, 'support', 'gateway-server.ts');

function positiveInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}: ${raw}`);
  return value;
}

// A replayed PasswordText request is accepted until its Timestamp expires; one body serves a
// phase only if the phase ends well inside that window.
if (WARMUP_SECONDS + SECONDS > REQUEST_TTL_SECONDS - 60) {
  throw new Error(`BENCH_WARMUP_SECONDS + BENCH_SECONDS must stay under ${REQUEST_TTL_SECONDS - 60}`);
}

const fmt = (n: number) => n.toLocaleString('en-GB');
const mib = (bytes: number) => bytes / 1024 / 1024;
const fixed = (n: number, digits = 1) => n.toFixed(digits);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

function log(message = ''): void {
  console.log(message ? `  ${message}` : '');
}

// ---------------------------------------------------------------------------------------------
// autocannon (CommonJS, no bundled types): only what this bench uses.

interface AutocannonClient {
  opts: { tlsOptions: Record<string, unknown> };
}

interface AutocannonOptions {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  duration: number;
  /** Seconds before a request with no answer counts as a timeout. */
  timeout: number;
  tlsOptions?: Record<string, unknown>;
  setupClient?: (client: AutocannonClient) => void;
}

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Histogram;
  requests: Histogram;
  throughput: Histogram;
}

type Autocannon = (
  options: AutocannonOptions,
  done: (error: Error | null, result: AutocannonResult) => void,
) => unknown;

const requireCjs = createRequire(import.meta.url);
const autocannon = requireCjs('autocannon') as Autocannon;
// autocannon keeps every response body as a string (`body += chunk`, for its expectBody and
// verifyBody options, unused here). For 10–12 MB bodies that decoding and concatenation is the
// client's largest cost and makes the client, not the server, what gets measured; byte counts
// and timings do not depend on it. BENCH_KEEP_BODIES=1 keeps autocannon as shipped.
if (process.env.BENCH_KEEP_BODIES !== '1') {
  const queue = requireCjs('autocannon/lib/pipelinedRequestsQueue.js') as {
    prototype: { addBody(data: Buffer): void };
  };
  queue.prototype.addBody = () => undefined;
}

function runLoad(options: AutocannonOptions): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// ---------------------------------------------------------------------------------------------
// The server child

interface ServerChild {
  process: ChildProcess;
  next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>>;
  send(message: ControlMessage): void;
  exited: Promise<number | null>;
}

function startServerChild(args: string[], nodeArgs: string[] = []): ServerChild {
  // The child's stdout (its log) goes to our stderr: our stdout is the report.
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', SERVER_SCRIPT, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 2, 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = <T extends ServerMessage['type']>(type: T) =>
    new Promise<Extract<ServerMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: ServerMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<ServerMessage, { type: T }>);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`the server child exited (${code}) while we waited for "${type}"`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return { process: child, next, send: (message) => child.send(message), exited };
}

// ---------------------------------------------------------------------------------------------
// HTTPS with the server's certificate verified, for the checks before timing.

function fetchVerified(
  url: string,
  ca: string,
  options: { method: string; body?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: options.method, ca, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

// ---------------------------------------------------------------------------------------------

interface Phase {
  result: AutocannonResult;
  report: PhaseReport;
  /** autocannon's CPU (this process) over the timed run. */
  clientCpuMs: number;
}

function describeResult(name: string, phase: Phase, bodyBytes: number): void {
  const { result, report } = phase;
  const completed = result.requests.total;
  const served = report.served;
  const cpuMs = report.cpuUserMs + report.cpuSystemMs;
  const codes = Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${code}×${fmt(count)}`)
    .join(' ');
  log(`${name}:`);
  log(
    `  ${fmt(completed)} responses in ${result.duration} s: ${fixed(result.requests.average)} req/s, ` +
      `${fixed(mib(result.throughput.average))} MB/s (${fixed(mib(bodyBytes), 2)} MB a response)`,
  );
  log(
    `  latency ms: p50 ${result.latency.p50}, p99 ${result.latency.p99}, ` +
      `mean ${fixed(result.latency.average)}, max ${result.latency.max}`,
  );
  log(
    `  errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}; status ${codes || '(none)'}`,
  );
  log(
    `  server: event-loop delay ms p50 ${report.eld.p50}, p99 ${report.eld.p99}, max ${report.eld.max}; ` +
      `CPU ${fmt(cpuMs)} ms (${fixed(cpuMs / report.elapsedMs, 2)} cores; ${fixed(cpuMs / Math.max(1, served), 1)} ms ` +
      `a response over ${fmt(served)} finished); ${report.connections} TLS connections from ` +
      `${report.clientAddresses} addresses`,
  );
  log(
    `  client (autocannon, this process): CPU ${fmt(phase.clientCpuMs)} ms ` +
      `(${fixed(phase.clientCpuMs / (result.duration * 1000), 2)} cores)`,
  );
}

function rssFigures(report: PhaseReport) {
  const samples = report.rss;
  const quarter = report.elapsedMs / 4;
  const firstQuarter = samples.filter(([t]) => t <= quarter).map(([, v]) => v);
  const firstQuarterAvg = firstQuarter.reduce((a, b) => a + b, 0) / firstQuarter.length;
  const start = samples[0]![1];
  const middle = samples[Math.floor(samples.length / 2)]![1];
  const end = samples.at(-1)![1];
  const max = Math.max(...samples.map(([, v]) => v));
  return {
    start,
    middle,
    end,
    max,
    firstQuarterAvg,
    growth: end / firstQuarterAvg - 1,
    count: samples.length,
  };
}

async function main(): Promise<void> {
  const today = londonDateOf(new Date());
  const { perLa } = plannedRegisterSize(OPTIONS);
  const [laCode, planned] = [...perLa].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
  console.log(
    `gateway: ${CONNECTIONS} HTTPS clients collecting LA ${laCode}'s extract (the largest of the ` +
      `${OPTIONS.scale} register, seed ${OPTIONS.seed}: ${fmt(planned)} registrations) for ${SECONDS} s, ` +
      `against the same document sent as a static response on the same server; warm-up ${WARMUP_SECONDS} s each\n`,
  );

  const cluster = await startPostgresCluster();
  const tlsDir = mkdtempSync(path.join(tmpdir(), 'edgate-bench-tls-'));
  let server: ServerChild | undefined;
  try {
    // ---- database: migrate, load one LA, build today's extract, one gateway account
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('create database edgate_bench');
    await admin.end();
    const url = new URL(cluster.url);
    url.pathname = '/edgate_bench';
    const databaseUrl = url.toString();
    const secretKey = randomBytes(32);
    const certificate = await makeTestCertificate('Bench ISPP client');
    let password: string;
    let gzipContent: Buffer;
    const handle = await openDatabase({ databaseUrl, poolSize: 2 });
    try {
      await migrateEdgate(handle.db);
      let startedAt = performance.now();
      const registrations = [...generateRegister({ ...OPTIONS, today, laCodes: [laCode] })];
      await handle.db.transaction().execute((trx) => upsertRegistrations(trx, registrations));
      log(
        `loaded ${fmt(registrations.length)} registrations in ${fixed((performance.now() - startedAt) / 1000, 2)} s`,
      );
      startedAt = performance.now();
      const run = await runExtracts(handle.db, { extractDate: today, laCodes: [laCode] });
      const outcome = run.outcomes[0];
      if (outcome?.outcome !== 'built')
        throw new Error(`the extract was not built: ${JSON.stringify(outcome)}`);
      log(
        `extract ${today} for LA ${laCode}: ${fmt(outcome.recordCount)} records, ` +
          `${fixed(mib(outcome.sizeBytes), 2)} MB XML, ${fixed(mib(outcome.gzipBytes), 2)} MB gzip ` +
          `(built in ${fixed((performance.now() - startedAt) / 1000, 2)} s)`,
      );
      const account = await createGatewayAccount(handle.db, new SecretBox(secretKey), {
        username: USERNAME,
        laCode,
      });
      password = account.password;
      await addCertificate(handle.db, USERNAME, certificate.pem);
      gzipContent = (await readyExtract(handle.db, laCode, today))!.content;
      // Steady state for the server: statistics fresh, nothing dirty to flush mid-run.
      await handle.pool!.query('vacuum analyze');
      await handle.pool!.query('checkpoint');
    } finally {
      await handle.close();
    }

    // ---- the server child
    const port = await freePort();
    const origin = `https://127.0.0.1:${port}`;
    const endpoint = `${origin}${GATEWAY_PATH}`;
    const tls = await loadTls({ dataDir: tlsDir }); // made here; the child reads the same files
    const serverArgs = [
      databaseUrl,
      String(port),
      tlsDir,
      secretKey.toString('base64'),
      laCode,
      today,
      LOG_LEVEL,
    ];
    server = startServerChild(serverArgs);
    const ready = await server.next('ready');
    if (ready.staticSha256 !== ready.storedSha256) {
      throw new Error('the static baseline is not the stored document (SHA-256 differs)');
    }

    const signedRequest = () =>
      buildGetLocalAuthorityChildcareRegisterRequest(laCode, {
        to: endpoint,
        username: USERNAME,
        password,
        passwordType: 'text',
        signer: { pem: certificate.pem, keyPem: certificate.keyPem },
        ttlSeconds: REQUEST_TTL_SECONDS,
      });
    const soapHeaders = { 'content-type': 'application/soap+xml; charset=utf-8' };

    // ---- before timing: both answers, with TLS verified against the server's certificate
    const staticCheck = await fetchVerified(`${origin}${STATIC_PATH}`, tls.cert, { method: 'GET' });
    if (staticCheck.status !== 200 || staticCheck.body.length !== ready.staticBytes) {
      throw new Error(`GET ${STATIC_PATH} answered ${staticCheck.status}, ${staticCheck.body.length} bytes`);
    }
    const firstBody = signedRequest();
    const soapCheck = await fetchVerified(endpoint, tls.cert, {
      method: 'POST',
      body: firstBody,
      headers: soapHeaders,
    });
    const soapText = soapCheck.body.toString('utf8');
    // As a client's XML reader sees it (entities resolved, CDATA joined).
    const registerData = readRegisterData(soapText);
    if (soapCheck.status !== 200 || !/<Code>Success<\/Code>/.test(soapText) || registerData === undefined) {
      throw new Error(`the gateway did not answer Success: ${soapCheck.status} ${soapText.slice(0, 600)}`);
    }
    if (registerData !== staticCheck.body.toString('utf8')) {
      throw new Error('RegisterData is not the document the static route sends');
    }
    // The same body again: replaying a PasswordText request inside its Timestamp is accepted.
    const replay = await fetchVerified(endpoint, tls.cert, {
      method: 'POST',
      body: firstBody,
      headers: soapHeaders,
    });
    if (!/<Code>Success<\/Code>/.test(replay.body.toString('utf8'))) {
      throw new Error(`a replayed request was refused: ${replay.body.toString('utf8').slice(0, 600)}`);
    }
    // Like for like: neither the checks nor autocannon send Accept-Encoding, so both answers are
    // uncompressed; a compressed one on either side would measure something else.
    for (const [what, headers] of [
      ['static', staticCheck.headers],
      ['gateway', soapCheck.headers],
    ] as const) {
      if (headers['content-encoding'] !== undefined) {
        throw new Error(`the ${what} answer is ${String(headers['content-encoding'])}-encoded`);
      }
    }
    const soapBytes = soapCheck.body.length;
    log(
      `checked over verified TLS: ${STATIC_PATH} sends the stored document (${fmt(ready.staticBytes)} bytes, ` +
        `SHA-256 as stored); the gateway answers Success with it in RegisterData (${fmt(soapBytes)} bytes ` +
        `in all, ×${fixed(soapBytes / ready.staticBytes, 3)}), and again for the same request replayed; ` +
        'both uncompressed (no Accept-Encoding sent, as in the timed runs)',
    );

    const costs = await measureRequestCosts({
      requestXml: firstBody,
      endpointUrl: endpoint,
      password,
      certificatePem: certificate.pem,
      gzipContent,
    });
    log(
      `one request's work measured alone (median of ${costs.rounds}, this process): ` +
        `parse + WS-Security verify ${costs.parseAndVerifyMs} ms; gunzip stream ${costs.gunzipStreamMs} ms; ` +
        `registerDataContent ${costs.contentMs} ms; whole reply body (gunzip + CDATA + envelope) ${costs.replyBodyMs} ms`,
    );
    log(`load average ${load()}`);
    log();

    // ---- the phases
    // Connection N binds 127.0.1.N: 20 clients from 20 addresses, as in production, so the route's
    // per-address limit (600 a minute) applies to each as it would to a real LA's client.
    // autocannon forces rejectUnauthorized: false whatever tlsOptions say (lib/httpClient.js),
    // so timed requests do not verify the certificate; the checks above did, over the same
    // loopback. Verification is per handshake, and connections are kept alive, so it would not
    // change the timings.
    let clientNumber = 0;
    const setupClient = (client: AutocannonClient) => {
      client.opts.tlsOptions = {
        ...client.opts.tlsOptions,
        localAddress: `127.0.1.${(clientNumber++ % CONNECTIONS) + 1}`,
      };
    };
    const urls = { static: `${origin}${STATIC_PATH}`, soap: endpoint, whatif: `${origin}${WHAT_IF_PATH}` };
    /** A fresh signed body for one phase (warm-up and timed run), seen to collect the extract first. */
    const checkedRequest = async (target: keyof typeof urls) => {
      const body = signedRequest();
      const check = await fetchVerified(urls[target], tls.cert, {
        method: 'POST',
        body,
        headers: soapHeaders,
      });
      if (
        check.status !== 200 ||
        check.body.length !== soapBytes ||
        !check.body.includes('<Code>Success</Code>')
      ) {
        throw new Error(`${urls[target]} answered ${check.status}, ${check.body.length} bytes`);
      }
      return body;
    };
    const loadOptions = (target: keyof typeof urls, duration: number, body?: string): AutocannonOptions => ({
      ...(target === 'static'
        ? { url: urls.static, method: 'GET' }
        : { url: urls[target], method: 'POST', body, headers: soapHeaders }),
      connections: CONNECTIONS,
      duration,
      timeout: 60,
      tlsOptions: { ca: tls.cert },
      setupClient,
    });
    const runPhase = async (
      name: string,
      target: keyof typeof urls,
      duration: number,
      profileTo?: string,
    ) => {
      const body = target === 'static' ? undefined : await checkedRequest(target);
      if (WARMUP_SECONDS > 0) await runLoad(loadOptions(target, WARMUP_SECONDS, body));
      // The warm-up's last requests were cut off; what the server still does for them is not this phase's.
      server!.send({ type: 'settle' });
      const settled = await server!.next('settled');
      if (!settled.idle) log(`(the server was still busy ${settled.waitedMs} ms after the warm-up)`);
      server!.send({ type: 'start-phase', name, profileTo });
      await server!.next('started');
      const clientCpu = process.cpuUsage();
      const result = await runLoad(loadOptions(target, duration, body));
      const cpu = process.cpuUsage(clientCpu);
      server!.send({ type: 'end-phase' });
      const { report } = await server!.next('phase');
      return { result, report, clientCpuMs: Math.round((cpu.user + cpu.system) / 1000) } satisfies Phase;
    };

    // The floor under the event-loop figures: the same server with no load at all. On a shared
    // machine other processes' CPU shows up here, and in every phase below.
    server.send({ type: 'start-phase', name: 'idle' });
    await server.next('started');
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    server.send({ type: 'end-phase' });
    const idle = (await server.next('phase')).report;
    log(
      `idle server (${IDLE_SECONDS} s, no load): event-loop delay ms p50 ${idle.eld.p50}, p99 ${idle.eld.p99}, ` +
        `max ${idle.eld.max}; RSS ${idle.rss.at(-1)![1]} MB`,
    );

    // Rounds alternate the baseline and the gateway, each ratio taken within its round: on a shared
    // machine a burst of other work then lands in one round, not on one side of the comparison.
    const clean = (r: AutocannonResult) => r.errors === 0 && r.timeouts === 0 && r.non2xx === 0;
    const rounds: {
      staticPhase: Phase;
      soapPhase: Phase;
      ratio: number;
      rss: ReturnType<typeof rssFigures>;
    }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const of = ROUNDS > 1 ? `, round ${round} of ${ROUNDS}` : '';
      const staticPhase = await runPhase(`static-${round}`, 'static', SECONDS);
      describeResult(
        `baseline${of}: GET ${STATIC_PATH} (the stored document as a static response)`,
        staticPhase,
        ready.staticBytes,
      );
      log(`load average ${load()}`);
      const soapPhase = await runPhase(`soap-${round}`, 'soap', SECONDS);
      describeResult(
        `gateway${of}: POST ${GATEWAY_PATH} (signed GetLocalAuthorityChildcareRegister)`,
        soapPhase,
        soapBytes,
      );
      log(`load average ${load()}`);
      const rss = rssFigures(soapPhase.report);
      log(
        `gateway RSS MB over the phase (${rss.count} samples, every 500 ms): start ${rss.start}, ` +
          `middle ${rss.middle}, end ${rss.end}, max ${rss.max}; first-quarter average ${fixed(rss.firstQuarterAvg)}; ` +
          `growth ${fixed(rss.growth * 100)}% (flat = ≤ ${RSS_GROWTH_LIMIT * 100}%); heap used at end ${soapPhase.report.heapUsedMb} MB`,
      );
      const ratio = soapPhase.result.latency.p50 / staticPhase.result.latency.p50;
      log(
        `round ${round}: p50 ${soapPhase.result.latency.p50} vs ${staticPhase.result.latency.p50} ms, ratio ${fixed(ratio, 2)}; ` +
          `event-loop delay p99 ${soapPhase.report.eld.p99} ms (static ${staticPhase.report.eld.p99} ms)`,
      );
      log();
      rounds.push({ staticPhase, soapPhase, ratio, rss });
    }

    const middle = <T>(values: T[], key: (v: T) => number): T =>
      [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!;
    // The median round by ratio stands for the run; event-loop delay is the median of its own;
    // RSS the worst round's, since growth in any round is a leak.
    const { staticPhase, soapPhase, ratio } = middle(rounds, (r) => r.ratio);
    const eldP99 = middle(rounds, (r) => r.soapPhase.report.eld.p99).soapPhase.report.eld.p99;
    const rss = rounds.reduce((worst, r) => (r.rss.growth > worst.rss.growth ? r : worst)).rss;
    const soap = soapPhase.result;
    const base = staticPhase.result;
    const idleEld = idle.eld.p99;
    const staticEld = middle(rounds, (r) => r.staticPhase.report.eld.p99).staticPhase.report.eld.p99;
    const checks = [
      {
        what: `p50 ratio ${fixed(ratio, 2)} ≤ ${P50_RATIO_TARGET} (median of ${ROUNDS}: ${rounds.map((r) => fixed(r.ratio, 2)).join(', ')})`,
        ok: ratio <= P50_RATIO_TARGET,
      },
      {
        what: `event-loop delay p99 ${eldP99} ms ≤ ${ELD_P99_TARGET_MS} ms (median of ${ROUNDS}: ${rounds.map((r) => r.soapPhase.report.eld.p99).join(', ')}; idle: ${idleEld} ms, static: ${staticEld} ms)`,
        ok: eldP99 <= ELD_P99_TARGET_MS,
      },
      {
        what: `RSS growth ${fixed(rss.growth * 100)}% ≤ ${RSS_GROWTH_LIMIT * 100}% (the worst round)`,
        ok: rss.growth <= RSS_GROWTH_LIMIT,
      },
      {
        what: 'every phase free of errors, timeouts and non-2xx',
        ok: rounds.every((r) => clean(r.soapPhase.result) && clean(r.staticPhase.result)),
      },
    ];
    log();
    for (const check of checks) log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.what}`);
    const pass = checks.every((check) => check.ok);

    // ---- where the server's time goes, when a target failed (or when asked)
    if (PROFILE === '1' || (PROFILE === 'auto' && !pass)) {
      // Kept after the run (their paths are printed) for a look in DevTools.
      const dir = mkdtempSync(path.join(tmpdir(), 'edgate-bench-prof-'));
      const seconds = Math.min(SECONDS, 10);
      log();
      log(`profiling the server (V8 sampling profiler, 1 ms) through one more phase of each, ${seconds} s…`);
      for (const target of ['static', 'soap'] as const) {
        const file = path.join(dir, `gateway-${target}.cpuprofile`);
        const profiled = await runPhase(`${target}-profiled`, target, seconds, file);
        const summary = summariseProfile(file);
        // Per response the server finished: cut-off responses cost too, but less.
        const served = Math.max(1, profiled.report.served);
        const each = (ms: number) => fixed(ms / served, 2).padStart(7);
        const share = (ms: number) => `${fixed((ms / summary.busyMs) * 100).padStart(5)}%`;
        log();
        log(
          `  ${target === 'static' ? `GET ${STATIC_PATH}` : 'SOAP'}: ${fmt(profiled.report.served)} responses ` +
            `finished, p50 ${profiled.result.latency.p50} ms under the profiler; main thread busy ` +
            `${fmt(summary.busyMs)} of ${fmt(summary.totalMs)} ms = ${each(summary.busyMs).trim()} ms a response ` +
            `(process CPU, all threads: ${fixed((profiled.report.cpuUserMs + profiled.report.cpuSystemMs) / served, 2)} ms)`,
        );
        log('  by area (self time; ms a response, share of busy):');
        for (const { area, selfMs } of summary.areas.slice(0, target === 'static' ? 6 : 12)) {
          log(`    ${each(selfMs)}  ${share(selfMs)}  ${area}`);
        }
        if (target === 'static') continue;
        log('  gateway steps (inclusive of what they call synchronously):');
        for (const { name, totalMs } of summary.steps)
          log(`    ${each(totalMs)}  ${share(totalMs)}  ${name}`);
        log('  top functions (self time):');
        for (const { name, selfMs } of summary.topFunctions.slice(0, 15)) {
          log(`    ${each(selfMs)}  ${share(selfMs)}  ${name}`);
        }
      }
      log(`  profiles kept for DevTools in ${dir}`);

      // The same reply sent as the static route sends it (support/gateway-whatif.ts), unprofiled.
      const whatIf = await runPhase('what-if', 'whatif', seconds);
      log();
      describeResult(
        `what-if: POST ${WHAT_IF_PATH} (the same request handled, RegisterData made at start; not in the verdict)`,
        whatIf,
        soapBytes,
      );
      log(
        `  p50 ratio to the static baseline: ${fixed(whatIf.result.latency.p50 / base.latency.p50, 2)} ` +
          `(the gateway as built: ${fixed(ratio, 2)})`,
      );
    }

    server.send({ type: 'stop' });
    await server.exited;
    server = undefined;

    log();
    console.log(
      `bench gateway: rps=${fixed(soap.requests.average)} p50_ms=${soap.latency.p50} p99_ms=${soap.latency.p99} ` +
        `static_p50_ms=${base.latency.p50} ratio=${fixed(ratio, 2)} target=${P50_RATIO_TARGET} ` +
        `eld_p99_ms=${eldP99} eld_target=${ELD_P99_TARGET_MS} rss_start_mb=${rss.start} rss_end_mb=${rss.end} ` +
        `rss_growth=${fixed(rss.growth * 100)}% rounds=${ROUNDS} ${pass ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    if (server) {
      server.process.kill();
      await server.exited;
    }
    cluster.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  }
}

await main();
