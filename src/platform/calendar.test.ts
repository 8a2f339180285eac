import { test } from 'node:test';
import assert from 'node:assert/strict';
import { londonDateOf } from './calendar.ts';

test('the London date follows BST: 23:30 UTC in summer is already the next day', () => {
  assert.equal(londonDateOf(new Date('2026-07-01T23:30:00Z')), '2026-07-02');
  assert.equal(londonDateOf(new Date('2026-07-01T22:59:59Z')), '2026-07-01');
});

test('in winter London is on UTC', () => {
  assert.equal(londonDateOf(new Date('2026-01-15T23:30:00Z')), '2026-01-15');
  assert.equal(londonDateOf(new Date('2026-01-16T00:00:00Z')), '2026-01-16');
});
