/**
 * The HTTPS server, composed from small set-up steps: security headers, request ids and
 * logs, health and readiness, Prometheus metrics, OpenAPI, the web shell, then each role's
 * plugin. Roles bring their own routes; nothing here knows what a registration is.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import helmet from 'helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import { setUpWebShell, type StartPageView } from '../web/shell.ts';
import type { TlsMaterial } from './tls.ts';
import { setUpUnreadBodies } from './unread-body.ts';
import { logEachRequestOnce, prettyLogStream, type LogFormat } from './request-log.ts';

/** The most a body may be unless a scope's own parser says otherwise (the attendance API's 4 MB). */
export const BODY_LIMIT = 64 * 1024;

export interface HttpServerOptions {
  db: Database;
  tls?: TlsMaterial;
  logLevel?: string;
  /** JSON lines (production, a log collector) or one short line a person reads (development); default json. */
  logFormat?: LogFormat;
  /** Where log lines go; default standard output. */
  logStream?: NodeJS.WritableStream;
  sessionTtlHours?: number;
  signInAttemptsPerMinute?: number;
  publicUrl?: string;
  /** The public page at `/` (web/shell.ts). */
  startPage?: StartPageView;
  /** Serve /metrics only to this bearer token; no token, no /metrics (README: METRICS_TOKEN). */
  metricsToken?: string;
  now?: () => Date;
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const serverOptions: FastifyServerOptions & { https?: { key: string; cert: string } } = {
    logger: {
      level: options.logLevel ?? 'info',
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers.apikey',
        'req.headers["service-key"]',
      ],
      stream:
        options.logFormat === 'pretty'
          ? prettyLogStream(options.logStream)
          : (options.logStream ?? process.stdout),
    },
    // Fastify logs each request twice ("incoming request", "request completed"): one line instead.
    logController: new LogController({ disableRequestLogging: true }),
    // A client's own X-Request-Id is kept only when short and plain (it is logged and echoed).
    requestIdHeader: false,
    genReqId: (request) => clientRequestId(request.headers['x-request-id']) ?? randomUUID(),
    bodyLimit: BODY_LIMIT,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    trustProxy: false,
  };
  if (options.tls) serverOptions.https = { key: options.tls.key, cert: options.tls.cert };
  const app = Fastify(serverOptions);
  // No body is read unless the route's scope takes its content type. Fastify's default JSON and
  // text parsers would apply to every route of every role (the text one let a 1 MB body past the
  // gateway's 64 KB); without a parser, a type is refused with 415 before the body is read. The
  // web shell adds forms (pages, the OAuth token endpoint); each API scope adds its own types.
  app.removeAllContentTypeParsers();
  setUpUnreadBodies(app);
  trackHandlers(app);
  logEachRequestOnce(app);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await setUpSecurityHeaders(app);
  setUpHealth(app, options.db);
  setUpMetrics(app, options.metricsToken);
  await setUpOpenApi(app, options.publicUrl);
  // Before the shell, so that its own routes (sign-in) answer errors with the page too.
  setUpErrorPages(app);
  await app.register(setUpWebShell, {
    db: options.db,
    sessionTtlHours: options.sessionTtlHours ?? 8,
    signInAttemptsPerMinute: options.signInAttemptsPerMinute,
    publicUrl: options.publicUrl,
    startPage: options.startPage,
    now: options.now,
  });
  refuseNulInAddress(app); // after the shell's cookies, which its error page needs
  return app;
}

/** A client's X-Request-Id if it is 1–64 of `A-Z a-z 0-9 . _ -`, else undefined (one is generated). */
export function clientRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(header) ? header : undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set in a plugin whose routes check every path and query parameter against their contract. */
    checksOwnAddress?: true;
  }
}

/**
 * A NUL (`%00`) in a path or query string matches no record, and PostgreSQL refuses it in text
 * ("invalid byte sequence"): refused here with a 400, before any handler, for every route — as an
 * error page or JSON by the root error handler, or in a plugin's own format by its error handler —
 * except JSON API plugins (`useJsonApiSecurityHeaders`), which refuse such a parameter with their
 * contract's own error code.
 */
function refuseNulInAddress(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!/%00|\0/.test(request.url) || request.server.checksOwnAddress) return;
    throw Object.assign(new Error('The address of the request contains a NUL character (%00)'), {
      name: 'Bad Request',
      statusCode: 400,
      code: 'EDGATE_NUL_IN_ADDRESS',
    });
  });
}

/** Response methods helmet's middleware calls. */
interface HeaderRecorder {
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
}

/**
 * Helmet's headers for a JSON API answer, worked out once by helmet itself. @fastify/helmet builds
 * helmet's middleware again for every request, to put fresh CSP nonces in pages: ~5% of the
 * server's CPU for an attendance submission (bench/attendance-ingest). A JSON answer runs no script
 * and needs no nonce, so its headers never change. Decision 0007.
 */
const JSON_API_HEADERS: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const recorder: HeaderRecorder = {
    setHeader: (name, value) => (headers[name.toLowerCase()] = value),
    removeHeader: () => undefined,
  };
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  })(
    // helmet reads nothing from the request; its middleware type wants Node's request and response.
    {} as Parameters<ReturnType<typeof helmet>>[0],
    recorder as unknown as Parameters<ReturnType<typeof helmet>>[1],
    () => undefined,
  );
  return Object.freeze(headers);
})();

/**
 * For a plugin of JSON API routes: its answers get `JSON_API_HEADERS`. Each of its routes opts out
 * of @fastify/helmet with the route option `helmet: false` (hooks cannot set it for them).
 */
export function useJsonApiSecurityHeaders(app: FastifyInstance): void {
  // Such a plugin validates its parameters and answers in its own contract (refuseNulInAddress).
  app.decorate('checksOwnAddress', true);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(JSON_API_HEADERS);
    done();
  });
}

async function setUpSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  });
  // Opt-in per route (sign-in, APIs): `config: { rateLimit: {...} }`.
  await app.register(fastifyRateLimit, { global: false });
}

function setUpHealth(app: FastifyInstance, db: Database): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(db);
      return { status: 'ready', database: 'ok' };
    } catch (error) {
      reply.code(503);
      return { status: 'not ready', database: (error as Error).message };
    }
  });
}

/**
 * Prometheus metrics. They describe the service's traffic, so they are not public: served only
 * when a token is configured, to `Authorization: Bearer <token>` (Prometheus' `authorization`).
 */
function setUpMetrics(app: FastifyInstance, token: string | undefined): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'edgate_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.decorate('metrics', registry);
  app.addHook('onResponse', async (request, reply) => {
    duration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });
  if (token === undefined) return;
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    const presented = createHash('sha256')
      .update(request.headers.authorization ?? '')
      .digest();
    if (!timingSafeEqual(presented, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="edgate metrics"')
        .send({ statusCode: 401, error: 'Unauthorized', message: 'Metrics need the metrics token' });
    }
    reply.header('cache-control', 'no-store').type(registry.contentType);
    return registry.metrics();
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
    /**
     * Resolves when no route handler is running. `close()` waits for connections, not handlers: a
     * handler whose client hung up keeps going, and must finish before the database is closed.
     */
    handlersDone(): Promise<void>;
  }
}

function trackHandlers(app: FastifyInstance): void {
  let running = 0;
  let idle: (() => void)[] = [];
  app.decorate('handlersDone', () =>
    running === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve)),
  );
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    // Only async handlers: a callback-style one signals its end through the reply, not a promise.
    if (handler.constructor.name !== 'AsyncFunction') return;
    route.handler = async function tracked(this: FastifyInstance, request, reply) {
      running++;
      try {
        return await handler.call(this, request, reply);
      } finally {
        if (--running === 0) {
          for (const resolve of idle) resolve();
          idle = [];
        }
      }
    };
  });
}

async function setUpOpenApi(app: FastifyInstance, publicUrl?: string): Promise<void> {
  await app.register(fastifySwagger, {
    // Only routes that say which API they belong to (their tags): pages and their forms are for
    // browsers, not API clients, and say none.
    hideUntagged: true,
    openapi: {
      info: {
        title: 'edgate',
        version: '0.1.0',
        description:
          'Administrative and integration APIs of edgate. Authenticate with HTTP Basic as an edgate account.',
      },
      servers: publicUrl ? [{ url: publicUrl }] : [],
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (POST /oauth2/token)' },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
}

function setUpErrorPages(app: FastifyInstance): void {
  const wantsHtml = (accept: string | undefined) => (accept ?? '').includes('text/html');
  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    if (wantsHtml(request.headers.accept)) {
      return reply.view('message.njk', {
        pageTitle: 'Page not found',
        paragraphs: ['If you typed the web address, check it is correct.'],
      });
    }
    return { statusCode: 404, error: 'Not Found', message: `No route ${request.method} ${request.url}` };
  });
  app.setErrorHandler(
    async (error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      reply.code(status);
      if (wantsHtml(request.headers.accept)) {
        return reply.view('message.njk', {
          pageTitle:
            status >= 500
              ? 'Sorry, there is a problem with the service'
              : 'There is a problem with the request',
          paragraphs: [
            status >= 500
              ? `Try again later. Quote reference ${request.id} if you report it.`
              : error.message,
          ],
        });
      }
      return {
        statusCode: status,
        error: status >= 500 ? 'Internal Server Error' : error.name,
        message: status >= 500 ? `Internal error; reference ${request.id}` : error.message,
      };
    },
  );
}
