/**
 * The FID (Family Information Directory) REST face of the gateway: `GET /fid/json` and
 * `GET /fid/xml`, the day's extract of one LA, chosen by headers as the 2024 service had it:
 *
 *   APIKEY       the gateway account's API key (issued with the account, stored hashed).
 *   service-key  required and non-empty, but not a secret edgate checks: the real FID issued it
 *                per subscribing service, not per caller, so a value every client shares would
 *                add nothing to the per-account API key. Missing → the same 401 as a bad key.
 *   LACode       the 3-digit DfE LA code.
 *
 * Who may collect what, maintenance and availability are decided exactly as for SOAP
 * (decideCollection). Answers: 200 with the document, streamed (`/fid/xml` is the stored bytes,
 * passed through gzipped when the client accepts gzip; `/fid/json` is fid-document.ts's shape);
 * otherwise `{ status, code, message }` with 401, 400, 403, 429, 503 (+ Retry-After) or 500 (with
 * an incident id that is also logged). Every request, refused ones included, writes one audit
 * row once the response has gone: outcome, bytes of body sent (after any gzip), duration, address.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import { extractSummary, readyExtract } from '../extract/extract-store.ts';
import { readExtract } from '../../contracts/childcare-extract/extract-reader.ts';
import { decideCollection, type GatewayAccount, type MaintenanceWindow } from './collection-rules.ts';
import { accountByApiKey, authorisationsOf, recordAudit, type AuditEntry } from './gateway-store.ts';
import { AccountRateLimiter } from './gateway-service.ts';
import { FID_JSON_CONTENT_TYPE, fidJsonChunks } from '../../contracts/childcare-extract/fid-document.ts';

export const FID_JSON_PATH = '/fid/json';
export const FID_XML_PATH = '/fid/xml';
export const FID_XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

export interface FidRouteOptions {
  db: Database;
  now: () => Date;
  maintenance?: MaintenanceWindow;
  /** Requests one account may make per minute (per instance), as on the SOAP side. */
  requestsPerMinute: number;
  log: FastifyBaseLogger;
}

/** The body of every non-200 answer. */
export interface FidError {
  status: number;
  code:
    | 'AuthenticationFailed'
    | 'BadRequest'
    | 'InvalidLocalAuthorityCode'
    | 'TooManyRequests'
    | 'LocalAuthorityAccessInvalid'
    | 'ServiceUnavailablePeriod'
    | 'ServiceMaintenanceOutage'
    | 'GeneralSystemFailure';
  message: string;
}

type Channel = 'fid-json' | 'fid-xml';

/** The same operation as the SOAP one; the audit's channel tells them apart. */
const OPERATION = 'GetLocalAuthorityChildcareRegister';

/** One message for a missing key, an unknown key and a missing service-key: nothing to probe. */
const AUTH_FAILED =
  'Authentication failed: send your account’s API key in the APIKEY header and your service key in the service-key header.';

/** A hint only: extracts are built early each morning, usually within minutes. */
const NOT_READY_RETRY_SECONDS = 300;

/** Coalesce JSON chunks (one registration each, ~2 KB) into fewer, larger writes. */
const WRITE_BYTES = 64 * 1024;

const londonTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Seconds from `now` until the next London wall-clock `HH:MM` (at least 1). */
export function secondsUntilLondonTime(now: Date, time: string): number {
  const [h = 0, m = 0, s = 0] = londonTime.format(now).split(':').map(Number);
  const [th = 0, tm = 0] = time.split(':').map(Number);
  const seconds = (th * 3600 + tm * 60 - (h * 3600 + m * 60 + s) + 86_400) % 86_400;
  return Math.max(1, seconds);
}

/** True when Accept-Encoding names gzip with a non-zero q. */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function headerOf(request: FastifyRequest, name: string): string {
  const value = request.headers[name];
  return typeof value === 'string' ? value.trim() : '';
}

function* bufferedUtf8(chunks: Iterable<string>): Generator<Buffer> {
  let pending = '';
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= WRITE_BYTES) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending !== '') yield Buffer.from(pending, 'utf8');
}

type AuditBase = Omit<AuditEntry, 'outcome' | 'bytes' | 'durationMs'>;

export async function fidRoutes(app: FastifyInstance, options: FidRouteOptions): Promise<void> {
  const { db, log } = options;
  const limiter = new AccountRateLimiter(options.requestsPerMinute);

  /** Writes the audit row once the response has finished or the client has gone. */
  const auditWhenDone = (
    reply: FastifyReply,
    started: number,
    entry: Omit<AuditEntry, 'bytes' | 'durationMs'>,
    bytes: () => number,
  ): void => {
    reply.raw.once('close', () => {
      const interrupted = !reply.raw.writableFinished;
      const detail = interrupted ? `${entry.detail ?? ''} (interrupted)`.trim() : entry.detail;
      recordAudit(db, {
        ...entry,
        ...(detail !== undefined ? { detail } : {}),
        bytes: bytes(),
        durationMs: performance.now() - started,
      }).catch((error: unknown) =>
        log.error({ err: error, requestId: entry.requestId }, 'FID audit not written'),
      );
    });
  };

  const sendError = (
    reply: FastifyReply,
    started: number,
    error: FidError,
    audit: Omit<AuditEntry, 'bytes' | 'durationMs'>,
    headers: Record<string, string> = {},
  ): FastifyReply => {
    const body = JSON.stringify(error);
    auditWhenDone(reply, started, audit, () => Buffer.byteLength(body));
    return reply
      .code(error.status)
      .headers({ 'content-type': FID_JSON_CONTENT_TYPE, 'cache-control': 'no-store', ...headers })
      .send(body);
  };

  /** Streams a 200 body through `stages`, counting the bytes that leave. */
  const sendDocument = (
    request: FastifyRequest,
    reply: FastifyReply,
    started: number,
    source: Iterable<Buffer>,
    stages: NodeJS.ReadWriteStream[],
    headers: Record<string, string>,
    audit: Omit<AuditEntry, 'bytes' | 'durationMs'>,
  ): FastifyReply => {
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const out = new PassThrough();
    pipeline([Readable.from(source), ...stages, counter, out]).catch((error: unknown) =>
      request.log.warn({ err: error }, 'FID reply interrupted'),
    );
    auditWhenDone(reply, started, audit, () => bytes);
    return reply
      .code(200)
      .headers({ 'cache-control': 'no-store', vary: 'accept-encoding', ...headers })
      .send(out);
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply, channel: Channel) => {
    const started = performance.now();
    const now = options.now();
    const laCode = headerOf(request, 'lacode');
    const base: AuditBase = {
      requestId: request.id,
      clientAddress: request.ip,
      channel,
      operation: OPERATION,
      ...(laCode !== '' ? { laCode } : {}),
    };
    const refuse = (
      error: FidError,
      outcome: string,
      extra: { account?: GatewayAccount; detail?: string } = {},
      headers: Record<string, string> = {},
    ) => sendError(reply, started, error, { ...base, ...extra, outcome }, headers);
    const authFailed = (outcome: string) =>
      refuse(
        { status: 401, code: 'AuthenticationFailed', message: AUTH_FAILED },
        outcome,
        {},
        {
          'www-authenticate': 'APIKEY realm="fid"',
        },
      );
    const failure = (error: unknown, account?: GatewayAccount) => {
      const incident = randomUUID();
      log.error({ err: error, incident, requestId: request.id }, 'FID gateway failure');
      return refuse(
        {
          status: 500,
          code: 'GeneralSystemFailure',
          message: `An internal error occurred. Quote incident ${incident}.`,
        },
        'GeneralSystemFailure',
        { ...(account ? { account } : {}), detail: `incident ${incident}` },
      );
    };

    const apiKey = headerOf(request, 'apikey');
    if (apiKey === '') return authFailed('refused:missing-api-key');
    if (headerOf(request, 'service-key') === '') return authFailed('refused:missing-service-key');
    let account: GatewayAccount | undefined;
    try {
      account = await accountByApiKey(db, apiKey);
    } catch (error) {
      return failure(error);
    }
    if (!account) return authFailed('refused:unknown-api-key');
    const who = { account };

    if (!limiter.allow(account.id, now.getTime())) {
      return refuse(
        {
          status: 429,
          code: 'TooManyRequests',
          message: 'Too many requests from this account: try again in a minute.',
        },
        'refused:rate-limit',
        who,
        { 'retry-after': '60' },
      );
    }
    if (!/^\d{3}$/.test(laCode)) {
      return refuse(
        {
          status: 400,
          code: 'InvalidLocalAuthorityCode',
          message: 'Send the 3-digit DfE local authority code in the LACode header (e.g. 825).',
        },
        'refused:bad-la-code',
        who,
      );
    }

    try {
      const authorisations = account.kind === 'agent' ? await authorisationsOf(db, account.organisation) : [];
      const extractDate = londonDateOf(now);
      // Only the summary until access is granted: no reason to read an LA's document to refuse it.
      const summary = await extractSummary(db, laCode, extractDate);
      const decision = decideCollection({
        account,
        laCode,
        authorisations,
        now,
        maintenance: options.maintenance,
        extractReady: summary?.status === 'ready',
      });
      const unavailable = (description: string) =>
        refuse(
          { status: 503, code: 'ServiceUnavailablePeriod', message: description },
          'ServiceUnavailablePeriod',
          { ...who, detail: description },
          { 'retry-after': String(NOT_READY_RETRY_SECONDS) },
        );
      switch (decision.code) {
        case 'ServiceMaintenanceOutage': {
          const message = decision.description ?? 'The service is in maintenance.';
          return refuse(
            { status: 503, code: decision.code, message },
            decision.code,
            { ...who, detail: message },
            {
              'retry-after': String(secondsUntilLondonTime(now, options.maintenance?.to ?? '00:00')),
            },
          );
        }
        case 'LocalAuthorityAccessInvalid': {
          const message =
            decision.description ?? 'This account may not collect that local authority’s extract.';
          return refuse({ status: 403, code: decision.code, message }, decision.code, {
            ...who,
            detail: message,
          });
        }
        case 'ServiceUnavailablePeriod':
          return unavailable(decision.description ?? 'The extract is not ready yet. Try again later.');
        case 'GeneralSystemFailure':
          return failure(
            new Error(decision.description ?? 'collection rules answered GeneralSystemFailure'),
            account,
          );
        case 'Success':
          break;
      }
      const stored = await readyExtract(db, laCode, extractDate);
      // Ready a moment ago but gone now (replaced or pruned): as if not built.
      if (!stored)
        return unavailable(
          `Today's extract (${extractDate}) for local authority ${laCode} is not ready yet.`,
        );

      const success = {
        ...base,
        ...who,
        outcome: 'Success',
        detail: `extract ${extractDate} sha256 ${stored.sha256}`,
      };
      const gzip = acceptsGzip(request.headers['accept-encoding']);
      if (channel === 'fid-xml') {
        // The stored bytes are already gzip: pass them through, or inflate for clients without gzip.
        return sendDocument(
          request,
          reply,
          started,
          [stored.content],
          gzip ? [] : [createGunzip()],
          { 'content-type': FID_XML_CONTENT_TYPE, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
          success,
        );
      }
      // Read the whole document back before answering, so a problem is a 500, not a cut-off 200.
      const extract = await readExtract(
        Readable.from([stored.content]).pipe(createGunzip()),
        `extract ${laCode} ${extractDate}`,
      );
      return sendDocument(
        request,
        reply,
        started,
        bufferedUtf8(fidJsonChunks(extract.header, extract.registrations)),
        gzip ? [createGzip({ level: 4 })] : [],
        { 'content-type': FID_JSON_CONTENT_TYPE, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
        success,
      );
    } catch (error) {
      return failure(error, account);
    }
  };

  await app.register(async (scope) => {
    // Errors raised before a handler runs (the per-address rate limit) answer in the same format.
    scope.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
      const started = performance.now() - reply.elapsedTime;
      const channel: Channel = request.routeOptions.url === FID_XML_PATH ? 'fid-xml' : 'fid-json';
      const status = error.statusCode ?? 500;
      const audit = {
        requestId: request.id,
        clientAddress: request.ip,
        channel,
        operation: OPERATION,
        ...(typeof request.headers.lacode === 'string' ? { laCode: request.headers.lacode } : {}),
        outcome: `refused:http-${status}`,
      };
      if (status === 429) {
        return sendError(
          reply,
          started,
          {
            status,
            code: 'TooManyRequests',
            message: 'Too many requests from this address: try again in a minute.',
          },
          audit,
          { 'retry-after': String(reply.getHeader('retry-after') ?? 60) },
        );
      }
      if (status >= 400 && status < 500) {
        return sendError(reply, started, { status, code: 'BadRequest', message: error.message }, audit);
      }
      const incident = randomUUID();
      log.error({ err: error, incident, requestId: request.id }, 'FID gateway failure');
      return sendError(
        reply,
        started,
        {
          status: 500,
          code: 'GeneralSystemFailure',
          message: `An internal error occurred. Quote incident ${incident}.`,
        },
        { ...audit, outcome: 'GeneralSystemFailure', detail: `incident ${incident}` },
      );
    });

    const config = { rateLimit: { max: 600, timeWindow: '1 minute' } };
    const schema = (summary: string) => ({ tags: ['fid'], summary });
    scope.get(
      FID_JSON_PATH,
      { config, schema: schema("Today's extract of one LA as FID JSON") },
      (request, reply) => handle(request, reply, 'fid-json'),
    );
    scope.get(
      FID_XML_PATH,
      { config, schema: schema("Today's extract of one LA as XML") },
      (request, reply) => handle(request, reply, 'fid-xml'),
    );
  });
}
