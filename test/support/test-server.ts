/**
 * An edgate server over real HTTPS on a free port, with a fresh test database, and a small
 * client that trusts exactly its self-signed certificate (TLS is verified, not switched off)
 * and keeps cookies like a browser.
 */
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/platform/http/server.ts';
import { loadTls } from '../../src/platform/http/tls.ts';
import { createAccount } from '../../src/platform/auth/accounts.ts';
import { regulatorRole } from '../../src/regulator/regulator-role.ts';
import { laRole } from '../../src/la/la-role.ts';
import { openTestDatabase, type TestDatabase } from './test-database.ts';
import { freePort } from './postgres-cluster.ts';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/platform/auth/secret-box.ts';
import { ACCOUNT_ROLES } from '../../src/edgate.ts';

export interface TestServer {
  app: FastifyInstance;
  secretBox: SecretBox;
  handle: TestDatabase;
  baseUrl: string;
  ca: string;
  client(): TestClient;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
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
} = {
  publicUrl: 'https://127.0.0.1',
  gatewayMaintenance: undefined,
  gatewayRequestsPerMinute: 1000,
  accessTokenLifetimeSeconds: 3600,
  extractTime: '05:30',
  extractRetentionDays: 30,
  extractSchedule: false,
  extractLeaseSeconds: 600,
};

/** A role's context from one flat test configuration: the public address and every role's settings. */
export function roleContextOf(values: typeof TEST_ROLE_CONFIG) {
  return { config: { publicUrl: values.publicUrl }, settings: values };
}

export async function startTestServer(
  options: {
    now?: () => Date;
    signInAttemptsPerMinute?: number;
    config?: Partial<typeof TEST_ROLE_CONFIG>;
    /** Also serve the LA role (collection, directory, ORUK API) beside the regulator's, on the same database. */
    la?: boolean;
  } = {},
): Promise<TestServer> {
  const handle = await openTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-tls-'));
  const tls = await loadTls({ dataDir: dir });
  const app = await createHttpServer({
    db: handle.db,
    tls,
    logLevel: 'silent',
    now: options.now,
    signInAttemptsPerMinute: options.signInAttemptsPerMinute ?? 1000,
  });
  // The gateway checks the signed wsa:To against the public address, which includes the port:
  // take a free port first so the address is known before the routes are built.
  const port = await freePort();
  const baseUrl = `https://127.0.0.1:${port}`;
  const secretBox = new SecretBox(randomBytes(32));
  await regulatorRole(app, {
    handle,
    now: options.now,
    ...roleContextOf({ ...TEST_ROLE_CONFIG, ...options.config, publicUrl: baseUrl }),
    secretBox,
  });
  if (options.la)
    await laRole(app, {
      handle,
      now: options.now,
      config: { publicUrl: baseUrl },
      settings: {
        collectSchedule: false,
        collectLeaseSeconds: 900,
        collectRetry: { attempts: 1, baseDelayMs: 0 },
        gatewayCa: undefined,
        orukRequestsPerMinute: 100_000,
      },
      secretBox,
    });
  await app.listen({ host: '127.0.0.1', port });

  for (const [username, roles] of [
    ['casey', ['caseworker']],
    ['nobody', ['dfe-analyst']],
  ] as const) {
    await createAccount(
      handle.db,
      {
        username,
        displayName: username,
        password: TEST_PASSWORD,
        roles: [...roles],
      },
      ACCOUNT_ROLES,
    );
  }

  const client = () => testClient(baseUrl, tls.cert);

  return {
    app,
    secretBox,
    handle,
    baseUrl,
    ca: tls.cert,
    client,
    close: async () => {
      await app.close();
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1]!;
}

/** A client of an edgate server at `baseUrl` that trusts exactly `ca` and keeps cookies like a browser. */
export function testClient(baseUrl: string, ca: string): TestClient {
  const cookies = new Map<string, string>();
  const request = (method: string, target: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<TestResponse>((resolve, reject) => {
      const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const req = httpsRequest(
        `${baseUrl}${target}`,
        {
          method,
          ca,
          headers: {
            ...(cookieHeader ? { cookie: cookieHeader } : {}),
            ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            for (const setCookie of res.headers['set-cookie'] ?? []) {
              const [pair, ...attributes] = setCookie.split(';');
              const [name, value] = pair!.split('=');
              const expired = attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
              if (expired) cookies.delete(name!.trim());
              else cookies.set(name!.trim(), value!.trim());
            }
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text,
              json: () => JSON.parse(text),
            });
          });
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  const c: TestClient = {
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
      const page = await c.get('/login');
      return c.post('/login', { _csrf: csrfTokenIn(page.body), username, password, next: '/' });
    },
  };
  return c;
}
