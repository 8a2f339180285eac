/**
 * The load generator of bench/attendance-ingest, in a process of its own (as a supplier's MIS is on
 * a machine of its own): autocannon posting the bench's bodies in turn over HTTPS with a bearer
 * token. Its heap holds nothing but autocannon and the bodies (kept outside the heap), so the
 * collections that its per-request buffers cause stay small; run inside the bench process, each
 * one marked the bench's whole world (the national schools register and the rest), which had
 * made the load generator's own CPU per request swing from 0.24 to 0.65 ms.
 *
 * Forked with `serialization: 'advanced'`; the bench sends one `setup` message, then a `load`
 * message per phase, and is answered with one `result` each. It exits when the bench disconnects.
 */
import { createRequire } from 'node:module';

export interface LoadSetup {
  type: 'setup';
  url: string;
  path: string;
  ca: string;
  headers: Record<string, string>;
  connections: number;
  bodies: Uint8Array[];
  /** An answer counts as clean only if it has this status and its body contains `cleanMarker`. */
  expectedStatus: number;
  cleanMarker: string;
}

export interface LoadPhase {
  type: 'load';
  seconds: number;
}

export interface LoadResult {
  type: 'result';
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Answered with the expected status but without the clean marker, or with another status. */
  notClean: number;
  latency: { p50: number; p99: number; max: number };
  /** This process's CPU milliseconds over the phase. */
  cpuMs: number;
}

// autocannon ships no types; its result is read through the fields used here.
interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

let setup: LoadSetup | undefined;
let bodies: Buffer[] = [];
let next = 0;

async function load(seconds: number): Promise<LoadResult> {
  if (!setup) throw new Error('load before setup');
  const { expectedStatus, cleanMarker } = setup;
  let notClean = 0;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: setup.url,
    connections: setup.connections,
    duration: seconds,
    // The server's certificate is self-signed: the bench trusts exactly it.
    tlsOptions: { ca: setup.ca },
    requests: [
      {
        method: 'POST',
        path: setup.path,
        headers: setup.headers,
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          body: bodies[next++ % bodies.length],
        }),
        onResponse: (status: number, body: string) => {
          if (status !== expectedStatus || !body.includes(cleanMarker)) notClean++;
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    type: 'result',
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    notClean,
    latency: result.latency,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (message: LoadSetup | LoadPhase) => {
  if (message.type === 'setup') {
    setup = message;
    bodies = message.bodies.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    process.send?.({ type: 'ready' });
    return;
  }
  load(message.seconds).then(
    (result) => process.send?.(result),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));
