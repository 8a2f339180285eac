import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConsentGiven } from './consent.ts';

const now = new Date('2026-11-20T10:00:00Z');

test('a consent names who gave it and when', () => {
  const read = readConsentGiven({ givenBy: '  A. Administrator ', givenAt: '2026-11-20T09:15:00Z' }, now);
  assert.deepEqual(read, {
    ok: true,
    consent: { givenBy: 'A. Administrator', givenAt: new Date('2026-11-20T09:15:00Z') },
  });
  const offset = readConsentGiven({ givenBy: 'B', givenAt: '2026-11-20T09:15:00+01:00' }, now);
  assert.equal(offset.ok && offset.consent.givenAt.toISOString(), '2026-11-20T08:15:00.000Z');
});

test('a consent without a person, with a bad time, or given in the future is refused with a reason', () => {
  const detail = (body: unknown) => {
    const read = readConsentGiven(body, now);
    return read.ok ? undefined : read.detail;
  };
  assert.match(detail(null) ?? '', /JSON object/);
  assert.match(detail({ givenAt: '2026-11-20T09:15:00Z' }) ?? '', /givenBy/);
  assert.match(detail({ givenBy: ' ', givenAt: '2026-11-20T09:15:00Z' }) ?? '', /givenBy/);
  assert.match(detail({ givenBy: 'x\u0007', givenAt: '2026-11-20T09:15:00Z' }) ?? '', /givenBy/);
  assert.match(detail({ givenBy: 'x'.repeat(201), givenAt: '2026-11-20T09:15:00Z' }) ?? '', /givenBy/);
  assert.match(detail({ givenBy: 'A', givenAt: '2026-11-20' }) ?? '', /givenAt/);
  assert.match(detail({ givenBy: 'A', givenAt: '2026-02-30T09:00:00Z' }) ?? '', /givenAt/);
  assert.match(detail({ givenBy: 'A', givenAt: '2026-11-20T10:06:00Z' }) ?? '', /future/);
  // A clock a few minutes fast is allowed.
  assert.equal(detail({ givenBy: 'A', givenAt: '2026-11-20T10:04:00Z' }), undefined);
});
