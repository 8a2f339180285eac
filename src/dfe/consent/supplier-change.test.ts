import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideConsent, maySubmit, noConsentDetail } from './supplier-change.ts';

test('a consent is recorded for a school with no current supplier, or again by its current supplier', () => {
  assert.deepEqual(decideConsent('mis-a', undefined), { kind: 'record' });
  assert.deepEqual(decideConsent('mis-a', 'mis-a'), { kind: 'record' });
});

test("another supplier's consent for a school already served is held as a pending change of supplier", () => {
  assert.deepEqual(decideConsent('mis-b', 'mis-a'), { kind: 'pending-change', currentSupplier: 'mis-a' });
});

test("only the school's current supplier may send its figures; a 2020-contract client only while nobody holds the school", () => {
  const consenting = { clientId: 'mis-a', requiresConsent: true };
  const contract2020 = { clientId: 'mis-2020', requiresConsent: false };
  assert.equal(maySubmit(consenting, 'mis-a'), true);
  assert.equal(maySubmit(consenting, undefined), false);
  assert.equal(maySubmit(consenting, 'mis-b'), false);
  assert.equal(maySubmit(contract2020, undefined), true);
  assert.equal(maySubmit(contract2020, 'mis-a'), false);
  assert.match(noConsentDetail(contract2020, 'mis-a'), /Another supplier holds/);
  assert.match(noConsentDetail(consenting, undefined), /has not given this supplier consent/);
});
