/**
 * Two edgate instances on one database: a sign-in made on one is honoured by the other, and a
 * change made through one is seen by the other. On PostgreSQL each instance has its own pool,
 * as two processes would; on PGlite they share the one embedded database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../src/platform/http/server.ts';
import { loadTls, type TlsMaterial } from '../src/platform/http/tls.ts';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { regulatorRole } from '../src/regulator/regulator-role.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { csrfTokenIn, TEST_PASSWORD, TEST_ROLE_CONFIG, roleContextOf } from './support/test-server.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { randomBytes } from 'node:crypto';
import { ACCOUNT_ROLES } from '../src/edgate.ts';

interface Instance {
  app: FastifyInstance;
  url: string;
}

describe('two instances on one database', () => {
  let database: TestDatabase;
  let secondHandle: DatabaseHandle | undefined;
  let tls: TlsMaterial;
  let dir: string;
  const instances: Instance[] = [];

  const fetchPage = (instance: Instance, method: string, target: string, cookie: string, body?: string) =>
    new Promise<{ status: number; body: string; setCookie: string[] }>((resolve, reject) => {
      const req = request(
        `${instance.url}${target}`,
        {
          method,
          ca: tls.cert,
          headers: {
            accept: 'text/html',
            cookie,
            ...(body
              ? {
                  'content-type': 'application/x-www-form-urlencoded',
                  'content-length': Buffer.byteLength(body),
                }
              : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text, setCookie: res.headers['set-cookie'] ?? [] }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  before(async () => {
    database = await openTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-two-'));
    tls = await loadTls({ dataDir: dir });
    secondHandle = database.url ? await openDatabase({ databaseUrl: database.url, poolSize: 3 }) : undefined;
    for (const handle of [database, secondHandle ?? database]) {
      const app = await createHttpServer({ db: handle.db, tls, logLevel: 'silent' });
      await regulatorRole(app, {
        handle,
        ...roleContextOf(TEST_ROLE_CONFIG),
        secretBox: new SecretBox(randomBytes(32)),
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      instances.push({
        app,
        url: `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      });
    }
    await createAccount(
      database.db,
      {
        username: 'casey',
        displayName: 'Casey',
        password: TEST_PASSWORD,
        roles: ['caseworker'],
      },
      ACCOUNT_ROLES,
    );
    await upsertRegistrations(database.db, [
      ...generateRegister({ scale: 'demo', seed: 2, today: '2026-11-01', laCodes: ['825'] }),
    ]);
  });
  after(async () => {
    for (const instance of instances) await instance.app.close();
    await secondHandle?.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a session started on one instance works on the other, and a change on one shows on the other', async () => {
    const [first, second] = instances as [Instance, Instance];
    const loginPage = await fetchPage(first, 'GET', '/login', '');
    const csrfCookie = loginPage.setCookie.map((c) => c.split(';')[0]).join('; ');
    const signIn = await fetchPage(
      first,
      'POST',
      '/login',
      csrfCookie,
      new URLSearchParams({
        _csrf: csrfTokenIn(loginPage.body),
        username: 'casey',
        password: TEST_PASSWORD,
        next: '/',
      }).toString(),
    );
    assert.equal(signIn.status, 303);
    const session = signIn.setCookie.find((c) => c.startsWith('__Host-edgate-session='))!.split(';')[0]!;

    const search = await fetchPage(second, 'GET', '/regulator/registrations?status=ACTV', session);
    assert.equal(search.status, 200, 'the second instance knows the session');
    const ref = /\/regulator\/registrations\/([A-Z0-9]+)"/.exec(search.body)![1]!;

    const form = await fetchPage(second, 'GET', `/regulator/registrations/${ref}/status`, session);
    const changed = await fetchPage(
      second,
      'POST',
      `/regulator/registrations/${ref}/status/confirm`,
      session,
      new URLSearchParams({
        _csrf: csrfTokenIn(form.body),
        version: '1',
        kind: 'resign',
        reason: 'Retiring',
      }).toString(),
    );
    assert.equal(changed.status, 303);
    const seenOnFirst = await fetchPage(first, 'GET', `/regulator/registrations/${ref}`, session);
    assert.match(seenOnFirst.body, /Retiring/);
  });
});
