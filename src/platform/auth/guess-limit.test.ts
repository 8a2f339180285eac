import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountSubject, clientSubject, guessCounters, guessLimits } from './guess-limit.ts';

const limits = guessLimits(10);

test('an attempt counts against its account with its address, and against its address', () => {
  assert.deepEqual(limits, { perSubjectAndAddress: 10, perAddress: 100, windowSeconds: 60 });
  const counters = guessCounters('account:casey', '192.0.2.1', limits);
  assert.deepEqual(
    counters.map((c) => c.limit).sort((a, b) => a - b),
    [10, 100],
  );
  const sameAddress = guessCounters('account:other', '192.0.2.1', limits);
  const shared = counters.filter((c) => sameAddress.some((d) => d.key === c.key));
  assert.deepEqual(
    shared.map((c) => c.limit),
    [100],
    'only the address counter is shared between accounts',
  );
  const elsewhere = guessCounters('account:casey', '198.51.100.2', limits);
  assert.equal(counters.filter((c) => elsewhere.some((d) => d.key === c.key)).length, 0);
});

test('usernames count alike whatever their case and spaces, as sign-in matches them', () => {
  assert.equal(accountSubject(' CASEY '), accountSubject('casey'));
  assert.notEqual(clientSubject('AbC'), clientSubject('abc'), 'client ids are compared exactly');
});

test('keys are fixed-length digests: nothing a client sends is stored at its own length or in the clear', () => {
  for (const counter of guessCounters(`account:${'x'.repeat(10_000)}`, '192.0.2.1', limits)) {
    assert.match(counter.key, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!counter.key.includes('192'));
  }
});

test('counters come in one order, so concurrent attempts upsert them without deadlocking', () => {
  const keys = guessCounters('client:abc', '192.0.2.9', limits).map((c) => c.key);
  assert.deepEqual(keys, [...keys].sort());
});
