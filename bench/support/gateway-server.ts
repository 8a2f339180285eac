/**
 * The server side of bench/gateway, in a process of its own so the load generator does not
 * share its core, its event loop or its RSS: edgate's HTTPS server with the regulator role (the
 * ISPP gateway as production composes it) plus one bench-only route on the same server,
 * `GET /bench/static`, that sends the same extract's stored document (gunzipped once, here at
 * start) as a plain static response, 64 KiB a write as a static file server does. That route is the baseline: same TLS, same Fastify hooks,
 * same process, nothing done per request. A third, `POST /bench/gateway-cached`
 * (gateway-whatif.ts), serves only the bench's diagnosis.
 *
 *   node --import tsx bench/support/gateway-server.ts \
 *     <databaseUrl> <port> <tlsDataDir> <secretKeyBase64> <laCode> <extractDate> [logLevel]
 *
 * Driven by its parent over IPC (ControlMessage in, ServerMessage out): `start-phase` resets
 * the event-loop delay histogram, the RSS samples and the CPU clock (and starts the V8 profiler
 * when asked); `end-phase` answers with a PhaseReport; `stop` closes the server and exits.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { createHttpServer } from '../../src/platform/http/server.ts';
import { loadTls } from '../../src/platform/http/tls.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { SecretBox } from '../../src/platform/auth/secret-box.ts';
import { regulatorRole } from '../../src/regulator/regulator-role.ts';
import { readyExtract } from '../../src/regulator/extract/extract-store.ts';
import { GATEWAY_PATH } from '../../src/regulator/gateway/gateway-routes.ts';
import { whatIfCachedGateway } from './gateway-whatif.ts';
import {
  SLICE_BYTES,
  STATIC_PATH,
  type ControlMessage,
  type PhaseReport,
  type ServerMessage,
} from './gateway-protocol.ts';

const [databaseUrl, portText, tlsDir, secretKey, laCode, extractDate, logLevel = 'error'] =
  process.argv.slice(2);
if (!databaseUrl || !portText || !tlsDir || !secretKey || !laCode || !extractDate || !process.send) {
  console.error(
    'usage (with an IPC channel): gateway-server.ts <databaseUrl> <port> <tlsDataDir> <secretKeyBase64> <laCode> <extractDate> [logLevel]',
  );
  process.exit(2);
}
const port = Number(portText);
const send = (message: ServerMessage) => process.send!(message);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;

// Default pool size (10), as the app gets it without DATABASE_POOL_SIZE.
const handle = await openDatabase({ databaseUrl });
const tls = await loadTls({ dataDir: tlsDir });
const app = await createHttpServer({ db: handle.db, tls, logLevel });
const publicUrl = `https://127.0.0.1:${port}`;
const box = SecretBox.fromBase64(secretKey);
await regulatorRole(app, {
  handle,
  // As test/support/test-server.ts, except: the per-account budget high enough never to refuse.
  config: { publicUrl },
  settings: {
    gatewayMaintenance: undefined,
    gatewayRequestsPerMinute: 1_000_000,
    extractTime: '05:30',
    extractRetentionDays: 30,
    extractSchedule: false,
    extractLeaseSeconds: 600,
  },
  secretBox: box,
});

// The baseline's bytes: the same stored extract the gateway streams, uncompressed once here.
const stored = await readyExtract(handle.db, laCode, extractDate);
if (!stored) throw new Error(`no ready extract for LA ${laCode} on ${extractDate}`);
const document = gunzipSync(stored.content);
// The baseline as a static file server sends a file: its length known, 64 KiB at a time (the
// highWaterMark of the fs streams @fastify/static sends from). Not one 10 MB write: Node's TLS then
// encrypts and buffers the whole body at once, which measured slower (p50 +35–100%), with
// event-loop delay p99 0.5–0.7 s and RSS +200 MB at 20 clients; that baseline would flatter the
// gateway.
const staticSlices: Buffer[] = [];
for (let at = 0; at < document.length; at += SLICE_BYTES) {
  staticSlices.push(document.subarray(at, at + SLICE_BYTES));
}
app.get(STATIC_PATH, async (_request, reply) =>
  reply.type('application/xml').header('content-length', document.length).send(Readable.from(staticSlices)),
);
await whatIfCachedGateway(app, {
  db: handle.db,
  box,
  endpointUrl: `${publicUrl}${GATEWAY_PATH}`,
  document,
  sliceBytes: SLICE_BYTES,
});
// On the raw server: a Fastify hook added here would not reach routes already in child scopes.
let served = 0;
let inFlight = 0;
app.server.on('request', (_request, response: { once(event: string, listener: () => void): void }) => {
  inFlight++;
  response.once('finish', () => served++);
  response.once('close', () => inFlight--);
});

/**
 * Resolves once nothing has been in flight for 200 ms: no open response, no pool client busy or
 * awaited (a request whose client went still verifies, reads or audits). False after 15 s.
 */
async function settle(): Promise<boolean> {
  const pool = handle.pool!;
  let quiet = 0;
  for (let waited = 0; waited < 15_000; waited += 50) {
    const busy = inFlight > 0 || pool.waitingCount > 0 || pool.totalCount > pool.idleCount;
    quiet = busy ? 0 : quiet + 1;
    if (quiet >= 4) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
let connections = 0;
const addresses = new Set<string>();
app.server.on('secureConnection', (socket: { remoteAddress?: string }) => {
  connections++;
  if (socket.remoteAddress) addresses.add(socket.remoteAddress);
});

await app.listen({ host: '127.0.0.1', port });

const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
let phase: { name: string; started: number; cpu: NodeJS.CpuUsage; rss: [number, number][] } | undefined;
let profiler: { session: Session; to: string } | undefined;
const sampler = setInterval(() => {
  if (phase) phase.rss.push([Math.round(performance.now() - phase.started), mb(process.memoryUsage.rss())]);
}, 500);

process.on('message', (message: ControlMessage) => {
  void (async () => {
    if (message.type === 'settle') {
      const started = performance.now();
      const idle = await settle();
      send({ type: 'settled', waitedMs: Math.round(performance.now() - started), idle });
      return;
    }
    if (message.type === 'start-phase') {
      if (message.profileTo) {
        const session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        // 1 ms sampling keeps the profiler's own cost small next to requests of tens of ms.
        await session.post('Profiler.setSamplingInterval', { interval: 1000 });
        await session.post('Profiler.start');
        profiler = { session, to: message.profileTo };
      }
      eld.reset();
      addresses.clear();
      connections = 0;
      served = 0;
      phase = { name: message.name, started: performance.now(), cpu: process.cpuUsage(), rss: [] };
      phase.rss.push([0, mb(process.memoryUsage.rss())]);
      send({ type: 'started' });
      return;
    }
    if (message.type === 'end-phase') {
      if (!phase) throw new Error('end-phase without start-phase');
      const cpu = process.cpuUsage(phase.cpu);
      const elapsedMs = performance.now() - phase.started;
      phase.rss.push([Math.round(elapsedMs), mb(process.memoryUsage.rss())]);
      const report: PhaseReport = {
        name: phase.name,
        elapsedMs: Math.round(elapsedMs),
        eld: {
          p50: ms(eld.percentile(50)),
          p99: ms(eld.percentile(99)),
          max: ms(eld.max),
          mean: ms(eld.mean),
        },
        rss: phase.rss,
        heapUsedMb: mb(process.memoryUsage().heapUsed),
        cpuUserMs: Math.round(cpu.user / 1000),
        cpuSystemMs: Math.round(cpu.system / 1000),
        served,
        connections,
        clientAddresses: addresses.size,
      };
      phase = undefined;
      if (profiler) {
        const { profile } = await profiler.session.post('Profiler.stop');
        profiler.session.disconnect();
        writeFileSync(profiler.to, JSON.stringify(profile));
        report.profile = profiler.to;
        profiler = undefined;
      }
      send({ type: 'phase', report });
      return;
    }
    clearInterval(sampler);
    eld.disable();
    await settle();
    await app.close();
    await handle.close();
    process.disconnect();
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});

send({
  type: 'ready',
  staticBytes: document.length,
  staticSha256: createHash('sha256').update(document).digest('hex'),
  storedSha256: stored.sha256 ?? '',
  gzipBytes: stored.content.length,
});
