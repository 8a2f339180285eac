/**
 * For the LA directory's tests: snapshots stored from registrations as the collection stores them,
 * and an in-process server with the LA role and signed-in sessions through `app.inject`.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Database } from '../../src/platform/db/database.ts';
import { createHttpServer } from '../../src/platform/http/server.ts';
import { createAccount } from '../../src/platform/auth/accounts.ts';
import { SecretBox } from '../../src/platform/auth/secret-box.ts';
import { ACCOUNT_ROLES } from '../../src/edgate.ts';
import { laRole } from '../../src/la/la-role.ts';
import type { LaSettings } from '../../src/la/la-settings.ts';
import type { Registration } from '../../src/contracts/childcare-extract/registration.ts';
import { extractDocument } from '../../src/la/directory/demo-directory.ts';
import { storeSnapshot } from '../../src/la/collection/snapshot-store.ts';
import { openTestDatabase, type TestDatabase } from './test-database.ts';

let collected = 0;

/** A day nursery active since 2020, the smallest registration a take-in reads in full. */
export function nursery(ref: string, laCode = '825', name = `Nursery ${ref}`): Registration {
  return {
    referenceNumber: ref,
    laCode,
    provisionType: 'CCN',
    provider: {
      name: `Provider ${ref}`,
      address: { addressLine1: '1 High Street', town: 'Aylesbury', postcode: 'HP20 1AA' },
    },
    setting: { name, address: { addressLine1: '2 Mill Lane', town: 'Aylesbury', postcode: 'HP19 8FF' } },
    status: 'ACTV',
    statusHistory: [{ status: 'ACTV', changeDate: '2020-01-06' }],
    registers: [],
    childcarePeriods: ['ALYR'],
    ageBands: [],
    inspections: [],
    notices: [],
    lastChangeDate: '2020-01-06',
  };
}

/** A snapshot of `registrations` stored as the collection would, state `received`. */
export async function storeTestSnapshot(
  db: Database,
  laCode: string,
  extractDateTime: string,
  registrations: readonly Registration[],
): Promise<number> {
  const stored = await storeSnapshot(db, {
    laCode,
    sourceId: null,
    bytes: extractDocument(laCode, extractDateTime, registrations),
    collectedAt: new Date(Date.UTC(2026, 11, 1) + collected++ * 60_000),
  });
  if (stored.state !== 'received') throw new Error(`test snapshot not received: ${stored.problem}`);
  return stored.snapshotId;
}

export const PASSWORD = 'synthetic-test-password';

export interface LaTestApp {
  app: FastifyInstance;
  handle: TestDatabase;
  secretBox: SecretBox;
  close(): Promise<void>;
}

export async function startLaApp(
  options: { now?: () => Date; settings?: Partial<LaSettings> } = {},
): Promise<LaTestApp> {
  const handle = await openTestDatabase();
  const secretBox = new SecretBox(randomBytes(32));
  const app = await createHttpServer({
    db: handle.db,
    logLevel: 'silent',
    now: options.now,
    signInAttemptsPerMinute: 1000,
  });
  await laRole(app, {
    handle,
    config: { publicUrl: 'https://127.0.0.1' },
    settings: {
      collectSchedule: false,
      collectLeaseSeconds: 900,
      collectRetry: { attempts: 1, baseDelayMs: 0 },
      gatewayCa: undefined,
      orukRequestsPerMinute: 100_000,
      // Tests send the webhook's outbox themselves (deliverDue), when they mean to.
      webhookSender: false,
      ...options.settings,
    },
    secretBox,
    now: options.now,
  });
  await app.ready();
  const accounts: [string, string[], string | undefined][] = [
    ['officer-825', ['la-officer'], '825'],
    ['officer-826', ['la-officer'], '826'],
    ['admin', ['admin'], undefined],
    ['casey', ['caseworker'], undefined],
  ];
  for (const [username, roles, laCode] of accounts)
    await createAccount(
      handle.db,
      { username, displayName: username, password: PASSWORD, roles, ...(laCode ? { laCode } : {}) },
      ACCOUNT_ROLES,
    );
  return {
    app,
    handle,
    secretBox,
    close: async () => {
      await app.close();
      await handle.close();
    },
  };
}

/** A browser's session over app.inject: cookies kept, the CSRF token read from pages. */
export interface Session {
  get(url: string): Promise<LightMyRequestResponse>;
  /** A form post; `_csrf` is added from the last page unless given. */
  post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Any request with the session's cookies (a multipart upload, a request without its token). */
  send(
    method: 'POST',
    url: string,
    payload: Buffer | string,
    headers: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  csrf: string;
}

function cookiesOf(response: LightMyRequestResponse, jar: Map<string, string>) {
  for (const c of response.cookies as { name: string; value: string }[]) jar.set(c.name, c.value);
}

export async function signIn(app: FastifyInstance, username: string): Promise<Session> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const headers = () => ({ cookie: cookie(), 'sec-fetch-site': 'same-origin', accept: 'text/html' });
  const login = await app.inject({ method: 'GET', url: '/login' });
  cookiesOf(login, jar);
  const token = /name="_csrf" value="([^"]+)"/.exec(login.body)![1]!;
  const signedIn = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username, password: PASSWORD, _csrf: token, next: '/' }).toString(),
  });
  if (signedIn.statusCode !== 303) throw new Error(`sign-in of ${username} failed: ${signedIn.statusCode}`);
  cookiesOf(signedIn, jar);
  const session: Session = {
    csrf: '',
    async get(url) {
      const response = await app.inject({ method: 'GET', url, headers: headers() });
      const found = /name="_csrf" value="([^"]+)"/.exec(response.body);
      if (found) session.csrf = found[1]!;
      return response;
    },
    async post(url, form) {
      return app.inject({
        method: 'POST',
        url,
        headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: session.csrf, ...form }).toString(),
      });
    },
    async send(method, url, payload, extra) {
      return app.inject({ method, url, headers: { ...headers(), ...extra }, payload });
    },
  };
  await session.get('/logout-confirm'); // a page with a form: the session's CSRF token
  return session;
}
