import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';

test('a hashed password verifies, a wrong one does not, and the hash reveals nothing', async () => {
  const hash = await hashPassword('correct horse battery staple');
  assert.match(hash, /^scrypt\$16384\$8\$1\$/);
  assert.ok(!hash.includes('horse'));
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
  assert.equal(await verifyPassword('anything', 'not-a-hash'), false);
});

test('two hashes of the same password differ (salted)', async () => {
  assert.notEqual(await hashPassword('same password here'), await hashPassword('same password here'));
});

test('short passwords are refused with a reason', () => {
  assert.match(passwordProblem('short') ?? '', /at least 12/);
  assert.equal(passwordProblem('a long enough passphrase'), undefined);
});

test('a flood of hashing leaves libuv threads free: a gzip asked for after eight hashes is not queued behind them', async () => {
  const { gzip } = await import('node:zlib');
  const order: string[] = [];
  const hashes = Array.from({ length: 8 }, (_, i) =>
    hashPassword(`flood password ${i}`).then(() => order.push('hash')),
  );
  const zipped = new Promise<void>((resolve, reject) =>
    gzip(Buffer.from('an extract download'), (error) => {
      if (error) reject(error);
      order.push('gzip');
      resolve();
    }),
  );
  await Promise.all([...hashes, zipped]);
  assert.equal(order[0], 'gzip', `finished in the order ${order.join(', ')}`);
});
