/**
 * The in-process tier: the same edgate app a server runs — the platform's HTTP stack, then each
 * role's plugin registered encapsulated exactly as `edgate serve` does (src/cli/serve.ts) — on a
 * fresh test database, answering through Fastify's `inject` without a socket. For route
 * behaviour (pages, JSON APIs, sign-in limits, CSRF, headers); test-server.ts puts the same app
 * behind real HTTPS where the transport is the point.
 *
 * Its client keeps cookies like a browser and signs in through the real form, CSRF token and all.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/platform/http/server.ts';
import type { TlsMaterial } from '../../src/platform/http/tls.ts';
import type { LogFormat } from '../../src/platform/http/request-log.ts';
import { startPageView } from '../../src/cli/start-page.ts';
import { createAccount } from '../../src/platform/auth/accounts.ts';
import { SecretBox } from '../../src/platform/auth/secret-box.ts';
import { SettingsReader } from '../../src/platform/settings.ts';
import type { RoleContext } from '../../src/platform/role.ts';
import { ACCOUNT_ROLES, ROLE_MODULES } from '../../src/edgate.ts';
import { mountPlatformPages } from '../../src/cli/serve.ts';
import { openTestDatabase, type TestDatabase } from './test-database.ts';
import { injectCall, type ApiAnswer, type ApiCall } from './api-client.ts';

export const TEST_PASSWORD = 'synthetic-test-password';

/** Tests run extracts themselves: no schedule. */
export const TEST_ROLE_CONFIG: {
  publicUrl: string;
  gatewayMaintenance: { from: string; to: string } | undefined;
  gatewayRequestsPerMinute: number;
  accessTokenLifetimeSeconds: number;
  extractTime: string;
  extractRetentionDays: number;
  extractSchedule: boolean;
  extractLeaseSeconds: number;
  collectSchedule: boolean;
  syncSchedule: boolean;
  webhookSender: boolean;
  /** The school role's trust for its receiver (a test DfE's certificate file; test-server.ts: its own). */
  receiverCaFile: string | undefined;
} = {
  publicUrl: 'https://127.0.0.1',
  gatewayMaintenance: undefined,
  gatewayRequestsPerMinute: 1000,
  accessTokenLifetimeSeconds: 3600,
  extractTime: '05:30',
  extractRetentionDays: 30,
  extractSchedule: false,
  // Nor the LA's daily collection or the school's sync: tests run them by hand.
  collectSchedule: false,
  syncSchedule: false,
  // Nor send the LA's webhook outbox.
  webhookSender: false,
  receiverCaFile: undefined,
  extractLeaseSeconds: 600,
};

export type TestRoleConfig = typeof TEST_ROLE_CONFIG;

/** A role's context from one flat test configuration: the public address and every role's settings. */
export function roleContextOf(values: TestRoleConfig) {
  return { config: { publicUrl: values.publicUrl }, settings: values };
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The same as `body`, as an ApiAnswer names it. */
  text: string;
  json<T = unknown>(): T;
}

export interface TestClient {
  get(path: string, headers?: Record<string, string>): Promise<TestResponse>;
  post(
    path: string,
    body: string | Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  request(
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  /** Signs in through the real form (CSRF token and all). */
  signIn(username: string, password: string): Promise<TestResponse>;
  cookies: Map<string, string>;
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1]!;
}

/** `call` with a cookie jar: sends what the jar holds, keeps what the server sets, like a browser. */
export function withCookies(call: ApiCall, cookies: Map<string, string>): ApiCall {
  return async (method, target, headers = {}, body) => {
    const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const answer = await call(
      method,
      target,
      { ...(cookieHeader ? { cookie: cookieHeader } : {}), ...headers },
      body,
    );
    const setCookies = answer.headers['set-cookie'];
    for (const setCookie of Array.isArray(setCookies) ? setCookies : setCookies ? [setCookies] : []) {
      const [pair, ...attributes] = setCookie.split(';');
      const [name, value] = pair!.split('=');
      const expired = attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || !value;
      if (expired) cookies.delete(name!.trim());
      else cookies.set(name!.trim(), value.trim());
    }
    return answer;
  };
}

/** A client over `call` that keeps cookies like a browser: what a server sets, it sends back. */
export function cookieClient(call: ApiCall): TestClient {
  const cookies = new Map<string, string>();
  const jarCall = withCookies(call, cookies);
  const request = async (
    method: string,
    target: string,
    body?: string,
    headers: Record<string, string> = {},
  ) => asTestResponse(await jarCall(method, target, headers, body));
  const client: TestClient = {
    cookies,
    request,
    get: (target, headers) => request('GET', target, undefined, { accept: 'text/html', ...headers }),
    post: (target, body, headers) =>
      typeof body === 'string'
        ? request('POST', target, body, headers)
        : request('POST', target, new URLSearchParams(body).toString(), {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'text/html',
            ...headers,
          }),
    signIn: async (username, password) => {
      const page = await client.get('/login');
      return client.post('/login', { _csrf: csrfTokenIn(page.body), username, password, next: '/' });
    },
  };
  return client;
}

/** An `ApiCall` answer as a `TestResponse`, for tests that read both. */
export function asTestResponse(answer: ApiAnswer): TestResponse {
  return {
    status: answer.status,
    headers: answer.headers,
    body: answer.text,
    text: answer.text,
    json: answer.json,
  };
}

export interface TestAppOptions {
  now?: () => Date;
  signInAttemptsPerMinute?: number;
  /** Settings over TEST_ROLE_CONFIG, for every role (each reads its own). */
  config?: Partial<TestRoleConfig>;
  /** The roles whose plugins are registered, by module name (default: every role). */
  roles?: readonly string[];
  /** Another instance on an existing database (it is not closed with the app); default a fresh one. */
  handle?: TestDatabase;
  /** The sign-in accounts `casey` (caseworker) and `nobody` (dfe-analyst); default yes, with a fresh database. */
  accounts?: boolean;
  secretBox?: SecretBox;
  /** Given, the app serves HTTPS with it once listening (test-server.ts). */
  tls?: TlsMaterial;
  /** Log at info in this format to this stream (default: no log at all). */
  log?: { format: LogFormat; stream: NodeJS.WritableStream };
  /** As a local demo instance: the start page names the demo sign-ins. */
  demoCredentialsFile?: string;
}

export interface TestApp {
  app: FastifyInstance;
  handle: TestDatabase;
  secretBox: SecretBox;
  /** The public address the roles were told (tokens' issuer, the gateway's wsa:To). */
  baseUrl: string;
  /** One request into the app, in-process. */
  call: ApiCall;
  /** A fresh browser-like client, in-process. */
  client(): TestClient;
  close(): Promise<void>;
}

/**
 * Builds edgate's app as `edgate serve` does, on a fresh migrated database, without listening.
 * Each role's settings are its module's defaults (read from an empty environment), then
 * TEST_ROLE_CONFIG, then `options.config`: a new role needs nothing here to be assembled.
 */
export async function buildTestApp(options: TestAppOptions = {}): Promise<Omit<TestApp, 'call' | 'client'>> {
  const values = { ...TEST_ROLE_CONFIG, ...options.config };
  const ownsDatabase = options.handle === undefined;
  const handle = options.handle ?? (await openTestDatabase());
  const secretBox = options.secretBox ?? new SecretBox(randomBytes(32));
  const app = await createHttpServer({
    db: handle.db,
    tls: options.tls,
    logLevel: options.log ? 'info' : 'silent',
    logFormat: options.log?.format,
    logStream: options.log?.stream,
    now: options.now,
    signInAttemptsPerMinute: options.signInAttemptsPerMinute ?? 1000,
    startPage: startPageView(ROLE_MODULES, {
      roles: options.roles ?? ROLE_MODULES.map((m) => m.name),
      demoCredentialsFile: options.demoCredentialsFile,
    }),
  });
  // The platform's pages, as serve mounts them (src/cli/serve.ts).
  await mountPlatformPages(app, handle, ROLE_MODULES);
  const roles = options.roles ?? ROLE_MODULES.map((m) => m.name);
  for (const module of ROLE_MODULES.filter((m) => roles.includes(m.name))) {
    const plugin = module.plugin;
    if (!plugin) continue;
    const defaults: unknown = module.settings?.(new SettingsReader({}));
    const context: RoleContext = {
      handle,
      config: { publicUrl: values.publicUrl },
      settings: { ...(defaults as object), ...values },
      secretBox,
      now: options.now,
    };
    // Encapsulated, as src/cli/serve.ts registers it: a role's hooks and opt-outs stay inside it.
    await app.register(async (scope) => plugin(scope, context), { name: `role:${module.name}` } as object);
  }
  await app.ready();
  if (options.accounts ?? ownsDatabase) {
    for (const [username, roles] of [
      ['casey', ['caseworker']],
      ['nobody', ['dfe-analyst']],
    ] as const) {
      await createAccount(
        handle.db,
        { username, displayName: username, password: TEST_PASSWORD, roles: [...roles] },
        ACCOUNT_ROLES,
      );
    }
  }
  return {
    app,
    handle,
    secretBox,
    baseUrl: values.publicUrl,
    close: async () => {
      await app.close();
      if (ownsDatabase) await handle.close();
    },
  };
}

/** edgate's app in-process: `call` and `client()` inject requests into it. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const built = await buildTestApp(options);
  const call = injectCall(built.app, new URL(built.baseUrl).host);
  return { ...built, call, client: () => cookieClient(call) };
}
