/** The token endpoint's defences: form bodies only (RFC 6749), and client-secret guessing limited like passwords. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../src/dfe/oauth/clients.ts';
import type { TestApp } from './support/test-app.ts';
import type { TestDatabase } from './support/test-database.ts';
import { startAttendanceApp } from './support/attendance-app.ts';

let server: TestApp;
let database: TestDatabase;
let app: TestApp['app'];

before(async () => {
  server = await startAttendanceApp();
  database = server.handle;
  app = server.app;
});
after(() => server.close());

const FORM = 'application/x-www-form-urlencoded';
const tokenRequest = (fields: Record<string, string>, contentType = FORM, remoteAddress = '192.0.2.1') =>
  app.inject({
    method: 'POST',
    url: '/oauth2/token',
    remoteAddress,
    headers: { 'content-type': contentType },
    payload: contentType.toLowerCase().startsWith(FORM)
      ? new URLSearchParams(fields).toString()
      : JSON.stringify(fields),
  });

test('the token endpoint takes form bodies only: JSON is invalid_request (RFC 6749 §4.4.2, §5.2)', async () => {
  const client = await createClient(database.db, { name: 'Form Only MIS', scopes: ['attendance.submit'] });
  const fields = {
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
  };
  for (const type of ['application/json', 'Application/JSON; charset=utf-8', 'text/plain']) {
    const answer = await tokenRequest(fields, type);
    assert.equal(answer.statusCode, 400, type);
    assert.equal(answer.json().error, 'invalid_request');
    assert.equal(answer.json().access_token, undefined);
    assert.equal(answer.headers['cache-control'], 'no-store');
  }
  const form = await tokenRequest(fields, 'Application/x-www-form-urlencoded; charset=UTF-8');
  assert.equal(form.statusCode, 200, form.body);
});

test('client-secret guesses are counted before hashing: past the limit the right secret is refused alike', async () => {
  const client = await createClient(database.db, { name: 'Guessed MIS', scopes: ['attendance.submit'] });
  const other = await createClient(database.db, { name: 'Neighbour MIS', scopes: ['attendance.submit'] });
  const attempt = (id: string, secret: string) =>
    tokenRequest(
      { grant_type: 'client_credentials', client_id: id, client_secret: secret },
      FORM,
      '192.0.2.7',
    );
  for (let i = 0; i < 10; i++) {
    const wrong = await attempt(client.clientId, `guess-${i}`);
    assert.equal(wrong.statusCode, 401);
  }
  const limited = await attempt(client.clientId, client.clientSecret);
  assert.equal(limited.statusCode, 401);
  assert.equal(limited.json().error, 'invalid_client');
  assert.equal(limited.body, (await attempt(client.clientId, 'one more guess')).body);
  assert.equal(
    (await attempt(other.clientId, other.clientSecret)).statusCode,
    200,
    'other clients are not held back',
  );
  const elsewhere = await tokenRequest(
    { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
    FORM,
    '198.51.100.9',
  );
  assert.equal(elsewhere.statusCode, 200, 'the client itself, from its own address, is not locked out');
});

test('a NUL in an attendance API path or query is refused in the attendance error format', async () => {
  const client = await createClient(database.db, {
    name: 'NUL MIS',
    scopes: ['attendance.submit', 'attendance.read'],
  });
  const token = (
    await tokenRequest({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    })
  ).json().access_token as string;
  for (const url of [
    '/provider/1%00',
    '/consents/%00',
    '/codes/attendance?date=2026-01-01%00',
    '/statistics/national?from=%00',
  ]) {
    const answer = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.statusCode, 400, url);
    assert.match(answer.json().code, /^VAL\d{3}$/, url);
  }
});
