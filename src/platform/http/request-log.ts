/**
 * The server's log: one line per request, written once the answer is sent (Fastify's own pair of
 * "incoming request" / "request completed" lines is turned off), as JSON for a log collector in
 * production or as a short human line in development. Never a secret: query values whose names
 * say they are secrets are replaced, and no header is logged.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';

export type LogFormat = 'json' | 'pretty';

/** Query parameters whose values are never logged (OAuth codes and tokens, API keys, passwords). */
const SECRET_QUERY_NAME =
  /(^|[_-])(token|key|apikey|secret|password|passwd|code|signature|sig|auth|session|csrf)$|^(api|service)key$/i;

/** The request's address as it may be logged: the path, and the query with secret values hidden. */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // an undecodable name is logged as sent
      }
      return eq >= 0 && SECRET_QUERY_NAME.test(decoded) ? `${name}=[hidden]` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}

/** One log line per request, at the route's own log level (health checks log only problems). */
export function logEachRequestOnce(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const entry = {
      method: request.method,
      url: loggableUrl(request.url),
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (status >= 500) request.log.error(entry, 'request');
    else request.log.info(entry, 'request');
  });
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino's own fields, not repeated after the message. */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId']);

function shown(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Object && 'message' in value) return JSON.stringify((value as Error).message);
  return JSON.stringify(value);
}

/** One pino JSON line as a person reads it: `08:15:02 INFO  GET /la/changes 200 12.5 ms`. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toLocaleTimeString(
    'en-GB',
    {
      timeZone: 'Europe/London',
      hour12: false,
    },
  );
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  if (entry.msg === 'request' && typeof entry.method === 'string') {
    return `${time} ${level} ${entry.method} ${String(entry.url)} ${String(entry.status)} ${String(entry.ms)} ms`;
  }
  const rest = Object.entries(entry)
    .filter(([name]) => !OWN_FIELDS.has(name))
    .map(([name, value]) =>
      name === 'err' && value instanceof Object && 'stack' in value
        ? `\n${String((value as { stack: unknown }).stack)}`
        : `${name}=${shown(value)}`,
    );
  return [time, level, String(entry.msg ?? ''), ...rest].join(' ').trimEnd();
}

/** A stream pino writes JSON lines to, writing them on to `out` as pretty lines. */
export function prettyLogStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const text = lines
        .filter((line) => line !== '')
        .map((line) => `${prettyLine(line)}\n`)
        .join('');
      if (text) out.write(text);
      done();
    },
  });
}
