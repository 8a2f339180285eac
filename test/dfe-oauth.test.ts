/** The DfE role's token endpoint and JWKS, in-process (support/test-app.ts), as a MIS supplier's client uses them. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { ATTENDANCE_AUDIENCE } from '../src/dfe/dfe-role.ts';
import type { TestApp } from './support/test-app.ts';
import type { TestDatabase } from './support/test-database.ts';
import { startAttendanceApp } from './support/attendance-app.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';

let server: TestApp;
let database: TestDatabase;

const call = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
  server.call(method, target, headers, body);

before(async () => {
  server = await startAttendanceApp();
  database = server.handle;
});
after(() => server.close());

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
    issuer: server.baseUrl,
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
