/** The DfE role's token endpoint and JWKS over real HTTPS, as a MIS supplier's client uses them. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../src/platform/http/server.ts';
import { loadTls, type TlsMaterial } from '../src/platform/http/tls.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { dfeRole, ATTENDANCE_AUDIENCE } from '../src/dfe/dfe-role.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { TEST_ROLE_CONFIG, roleContextOf } from './support/test-server.ts';
import { freePort } from './support/postgres-cluster.ts';
import { randomBytes } from 'node:crypto';

let database: TestDatabase;
let app: FastifyInstance;
let tls: TlsMaterial;
let dir: string;
let baseUrl: string;

const call = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
  new Promise<{ status: number; headers: Record<string, unknown>; json: () => Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request(`${baseUrl}${target}`, { method, ca: tls.cert, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(text) }),
        );
      });
      req.on('error', reject);
      req.end(body);
    },
  );

before(async () => {
  database = await openTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-dfe-'));
  tls = await loadTls({ dataDir: dir });
  const port = await freePort();
  baseUrl = `https://127.0.0.1:${port}`;
  app = await createHttpServer({ db: database.db, tls, logLevel: 'silent' });
  await dfeRole(app, {
    handle: database,
    ...roleContextOf({ ...TEST_ROLE_CONFIG, publicUrl: baseUrl }),
    secretBox: new SecretBox(randomBytes(32)),
  });
  await app.listen({ host: '127.0.0.1', port });
});
after(async () => {
  await app.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a supplier gets an ES256 access token with client credentials; it verifies against the published JWKS', async () => {
  const { clientId, clientSecret } = await createClient(database.db, {
    name: 'Synthetic MIS Ltd',
    scopes: ['attendance.submit'],
  });
  const response = await call(
    'POST',
    '/oauth2/token',
    {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    'grant_type=client_credentials&scope=attendance.submit',
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers['cache-control'], 'no-store');
  const token = response.json();
  assert.equal(token.token_type, 'Bearer');
  assert.equal(token.scope, 'attendance.submit');
  const jwks = (await call('GET', '/.well-known/jwks.json')).json() as unknown as JSONWebKeySet;
  const { payload, protectedHeader } = await jwtVerify(String(token.access_token), createLocalJWKSet(jwks), {
    issuer: baseUrl,
    audience: ATTENDANCE_AUDIENCE,
  });
  assert.equal(protectedHeader.alg, 'ES256');
  assert.ok(protectedHeader.kid);
  assert.equal(payload.client_id, clientId);
});

test('a wrong secret is invalid_client, 401 with WWW-Authenticate (RFC 6749 §5.2)', async () => {
  const response = await call(
    'POST',
    '/oauth2/token',
    { 'content-type': 'application/x-www-form-urlencoded' },
    'grant_type=client_credentials&client_id=nobody&client_secret=wrong',
  );
  assert.equal(response.status, 401);
  assert.match(String(response.headers['www-authenticate']), /^Basic/);
  assert.equal(response.json().error, 'invalid_client');
});
