import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, startTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { hashPassword } from '../src/platform/auth/password.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';

const LIMIT = 3;
let server: TestApp;
before(async () => {
  server = await startTestApp({ signInAttemptsPerMinute: LIMIT });
  for (const [username, roles] of [
    ['api-user', ['caseworker']],
    ['api-other', ['caseworker']],
    ['api-analyst', ['dfe-analyst']],
    ['api-disabled', ['caseworker']],
    ['api-flooded', ['caseworker']],
    ['api-spread', ['caseworker']],
  ] as const) {
    await createAccount(
      server.handle.db,
      {
        username,
        displayName: username,
        password: TEST_PASSWORD,
        roles: [...roles],
      },
      ACCOUNT_ROLES,
    );
  }
  await server.handle.db
    .updateTable('platform.account')
    .set({ disabled_at: new Date() })
    .where('username', '=', 'api-disabled')
    .execute();
});
after(() => server.close());

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  accept: 'application/json',
});

/** A second instance of the server on the same database, answering in-process. */
async function secondInstance(): Promise<FastifyInstance> {
  return (await buildTestApp({ handle: server.handle, signInAttemptsPerMinute: LIMIT })).app;
}

test('repeated wrong passwords for one account are slowed down; other accounts are not affected', async () => {
  const client = server.client();
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await client.signIn('casey', `guess number ${i}`)).status);
  assert.deepEqual(statuses, [401, 401, 401, 429]);
  const blocked = await client.signIn('casey', TEST_PASSWORD);
  assert.equal(blocked.status, 429, 'even the right password waits out the limit');
  assert.equal(client.cookies.has('__Host-edgate-session'), false);
  const other = await server.client().signIn('nobody', TEST_PASSWORD);
  assert.equal(other.status, 303);
});

test('the admin API answers every failure alike: 401 with the same body and challenge', async () => {
  const client = server.client();
  const answers = [
    await client.request('GET', '/api/regulator/registrations', undefined, { accept: 'application/json' }),
    await client.request(
      'GET',
      '/api/regulator/registrations',
      undefined,
      basic('no-such-user', TEST_PASSWORD),
    ),
    await client.request(
      'GET',
      '/api/regulator/registrations',
      undefined,
      basic('api-user', 'wrong password!'),
    ),
    // The right password of an account the API is not for must not tell a guesser it was right.
    await client.request(
      'GET',
      '/api/regulator/registrations',
      undefined,
      basic('api-analyst', TEST_PASSWORD),
    ),
    await client.request(
      'GET',
      '/api/regulator/registrations',
      undefined,
      basic('api-disabled', TEST_PASSWORD),
    ),
  ];
  for (const answer of answers) {
    assert.equal(answer.status, 401, answer.body);
    assert.equal(answer.body, answers[0]!.body);
    assert.equal(answer.headers['www-authenticate'], answers[0]!.headers['www-authenticate']);
  }
  const right = await client.request(
    'GET',
    '/api/regulator/registrations',
    undefined,
    basic('api-user', TEST_PASSWORD),
  );
  assert.equal(right.status, 200);
});

test('admin API password guesses are counted: past the limit even the right password gets the same 401', async () => {
  const client = server.client();
  const guess = (password: string) =>
    client.request('GET', '/api/regulator/registrations', undefined, basic('api-flooded', password));
  const wrong: number[] = [];
  for (let i = 0; i < LIMIT; i++) wrong.push((await guess(`guess number ${i}`)).status);
  assert.deepEqual(wrong, [401, 401, 401]);
  const limited = await guess(TEST_PASSWORD);
  assert.equal(limited.status, 401);
  assert.equal(limited.body, (await guess('another guess')).body);
  // The web form shares the count: a guesser cannot switch doors.
  assert.equal((await server.client().signIn('api-flooded', TEST_PASSWORD)).status, 429);
  // Another account from the same address is not held back.
  const other = await client.request(
    'GET',
    '/api/regulator/registrations',
    undefined,
    basic('api-other', TEST_PASSWORD),
  );
  assert.equal(other.status, 200);
});

test('guesses are counted in the database: another instance on it refuses the right password too', async () => {
  const second = await secondInstance();
  try {
    const client = server.client();
    for (let i = 0; i < LIMIT; i++) {
      const answer = await client.request(
        'GET',
        '/api/regulator/registrations',
        undefined,
        basic('api-spread', `guess ${i}`),
      );
      assert.equal(answer.status, 401);
    }
    const elsewhere = await second.inject({
      method: 'GET',
      url: '/api/regulator/registrations',
      headers: basic('api-spread', TEST_PASSWORD),
      remoteAddress: '127.0.0.1',
    });
    assert.equal(elsewhere.statusCode, 401);
  } finally {
    await second.close();
  }
});

test('once limited, a flood of guesses costs no password hashing', async () => {
  const second = await secondInstance();
  try {
    const flood = (count: number, username: string) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          second.inject({
            method: 'GET',
            url: '/api/regulator/registrations',
            headers: basic(username, `flood guess ${i}`),
            remoteAddress: '10.9.8.7',
          }),
        ),
      );
    // The address's own limit (10 × the per-account one) is used up first.
    await flood(LIMIT * 10, 'flood-target');
    const attempts = 20;
    const cpu = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
    const hashingStarted = process.cpuUsage();
    await Promise.all(Array.from({ length: attempts }, () => hashPassword('cost of one hash, measured')));
    const hashing = cpu(process.cpuUsage(hashingStarted));
    const floodStarted = process.cpuUsage();
    const answers = await flood(attempts, 'flood-target');
    const flooding = cpu(process.cpuUsage(floodStarted));
    assert.ok(answers.every((a) => a.statusCode === 401));
    // As many limited guesses as hashes must cost well under the hashes (a generous CPU bound: the
    // embedded database runs its statements in this process too).
    assert.ok(
      flooding < hashing / 2,
      `${attempts} limited guesses used ${flooding} ms of CPU, ${attempts} hashes ${hashing} ms`,
    );
  } finally {
    await second.close();
  }
});
