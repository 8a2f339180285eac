/**
 * The load side of bench/gateway-hostile.ts, in its own process so that its work does not share
 * the server's event loop: CONNECTIONS clients post hostile envelopes (every shape in turn, and
 * a 1 MB text/plain body, which the gateway refuses unread) as fast as they are answered, while
 * a probe asks `/healthz` every PROBE_MS and times each answer. Prints one JSON line.
 *
 * argv: baseUrl, CA file, seconds, connections, mode (`hostile`, or `plain` for the baseline:
 * plain envelopes of the same size).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { GATEWAY_PATH } from '../../src/regulator/gateway/gateway-routes.ts';
import { HOSTILE_SHAPES, hostileEnvelope } from '../../src/regulator/gateway/hostile-envelopes.ts';

const [baseUrl = '', caFile = '', secondsArg = '10', connectionsArg = '4', mode = 'hostile'] =
  process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');
const seconds = Number(secondsArg);
const connections = Number(connectionsArg);
const PROBE_MS = 20;

const SOAP = 'application/soap+xml; charset=utf-8';
// The baseline: plain envelopes of the same size, the same number of clients.
const bodies: { type: string; body: Buffer }[] =
  mode === 'plain'
    ? [{ type: SOAP, body: Buffer.from(hostileEnvelope('plain')) }]
    : [
        ...HOSTILE_SHAPES.map((shape) => ({ type: SOAP, body: Buffer.from(hostileEnvelope(shape)) })),
        { type: 'text/plain', body: Buffer.alloc(1024 * 1024, 0x61) },
      ];

function send(
  agent: Agent,
  method: string,
  path: string,
  type?: string,
  body?: Buffer,
  localAddress?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        ca,
        ...(localAddress ? { localAddress } : {}),
        headers: body ? { 'content-type': type, 'content-length': String(body.length) } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const until = performance.now() + seconds * 1000;
let requests = 0;
let errors = 0;
const statuses: Record<string, number> = {};

async function client(index: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
  // Each client from its own loopback address, like separate LAs: the route's per-address limit
  // would otherwise answer most requests with a cheap 429.
  const localAddress = `127.0.${mode === 'plain' ? 1 : 2}.${index + 1}`;
  for (let i = index; performance.now() < until; i++) {
    const { type, body } = bodies[i % bodies.length]!;
    try {
      const status = await send(agent, 'POST', GATEWAY_PATH, type, body, localAddress);
      statuses[status] = (statuses[status] ?? 0) + 1;
      requests++;
    } catch {
      errors++;
    }
  }
  agent.destroy();
}

async function probe(): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
  const latencies: number[] = [];
  while (performance.now() < until) {
    const started = performance.now();
    const status = await send(agent, 'GET', '/healthz').catch(() => 0);
    if (status === 200) latencies.push(performance.now() - started);
    else errors++;
    await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
  }
  agent.destroy();
  return latencies;
}

const [latencies] = await Promise.all([probe(), ...Array.from({ length: connections }, (_, i) => client(i))]);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
console.log(
  JSON.stringify({
    requests,
    errors,
    statuses,
    healthz: { count: latencies.length, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN },
  }),
);
