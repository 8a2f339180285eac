import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stalenessOf } from './staleness.ts';

test('stale only after more than one working day without a new snapshot', () => {
  // Friday 6 Nov 2026 07:00 London.
  const friday = new Date('2026-11-06T07:00:00Z');
  assert.equal(stalenessOf('825', friday, new Date('2026-11-06T18:00:00Z')).stale, false);
  // The weekend does not count: Monday is one working day on.
  assert.equal(stalenessOf('825', friday, new Date('2026-11-09T12:00:00Z')).stale, false);
  assert.equal(stalenessOf('825', friday, new Date('2026-11-10T12:00:00Z')).stale, true);
  assert.equal(stalenessOf('825', friday, new Date('2026-11-10T12:00:00Z')).workingDays, 2);
});

test('a bank holiday does not count either', () => {
  // Thursday 24 Dec 2026; Christmas Day and Boxing Day (Monday 28th, substitute) are not working days.
  const thursday = new Date('2026-12-24T07:00:00Z');
  assert.equal(stalenessOf('825', thursday, new Date('2026-12-29T09:00:00Z')).stale, false);
  assert.equal(stalenessOf('825', thursday, new Date('2026-12-30T09:00:00Z')).stale, true);
});

test('an LA that collects but never had a snapshot is stale', () => {
  assert.equal(stalenessOf('825', null, new Date()).stale, true);
});
