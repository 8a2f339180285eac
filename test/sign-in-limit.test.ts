import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TEST_PASSWORD, type TestServer } from './support/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ signInAttemptsPerMinute: 3 });
});
after(() => server.close());

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
