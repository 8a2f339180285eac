import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  comparisonOf,
  isFresh,
  recentFailure,
  statisticsPaths,
  totalsOfAnswer,
  type CachedComparison,
} from './comparison.ts';

const totals = { possible: 100, present: 90, aea: 2, authorised: 5, unauthorised: 3, notCounted: 1 };

test('England is asked two months at a time, an LA in one request, covering every date once', () => {
  assert.deepEqual(statisticsPaths({ kind: 'england' }, '2026-08-01', '2026-11-20'), [
    'statistics/national?from=2026-08-01&to=2026-10-01',
    'statistics/national?from=2026-10-02&to=2026-11-20',
  ]);
  assert.deepEqual(statisticsPaths({ kind: 'england' }, '2026-08-01', '2026-08-01'), [
    'statistics/national?from=2026-08-01&to=2026-08-01',
  ]);
  assert.deepEqual(statisticsPaths({ kind: 'la', laCode: '825' }, '2026-08-01', '2027-07-31'), [
    'statistics/la/825?from=2026-08-01&to=2027-07-31',
  ]);
});

test('an answer’s days are added up; anything that is not a statistics answer gives nothing', () => {
  const day = { date: '2026-11-20', schools: 3, ...totals, attendanceRate: 0.92 };
  const sum = totalsOfAnswer({ days: [day, { ...day, date: '2026-11-19' }] });
  assert.equal(sum?.possible, 200);
  assert.equal(sum?.present, 180);
  assert.equal(totalsOfAnswer({ days: [] })?.possible, 0);
  for (const bad of [
    undefined,
    {},
    { days: 'x' },
    { days: [null] },
    { days: [{ ...day, date: 'soon' }] },
    { days: [{ ...day, possible: -1 }] },
    { days: [{ ...day, present: '90' }] },
  ])
    assert.equal(totalsOfAnswer(bad as Record<string, unknown> | undefined), undefined, JSON.stringify(bad));
});

test('cached figures are shown as they are within the hour for the same dates; after a failure they are stale, with the reason', () => {
  const fetchedAt = new Date('2026-11-20T10:30:00Z');
  const cached: CachedComparison = { area: '825', from: '2026-08-01', to: '2026-11-20', totals, fetchedAt };
  assert.ok(isFresh(cached, '2026-08-01', '2026-11-20', new Date('2026-11-20T11:29:00Z')));
  assert.ok(!isFresh(cached, '2026-08-01', '2026-11-20', new Date('2026-11-20T11:31:00Z')));
  assert.ok(!isFresh(cached, '2026-08-01', '2026-11-21', new Date('2026-11-20T10:31:00Z')));
  assert.ok(!isFresh(undefined, '2026-08-01', '2026-11-20', fetchedAt));
  const range = { from: '2026-08-01', to: '2026-11-21' };
  const stale = comparisonOf('825', cached, { ok: false, reason: 'down' }, range);
  assert.equal(stale.state, 'stale');
  assert.ok(stale.state === 'stale' && stale.to === '2026-11-20' && stale.reason === 'down');
  assert.equal(stale.state === 'stale' && stale.figures.attendanceRate, 0.92);
  assert.deepEqual(comparisonOf('825', undefined, { ok: false, reason: 'down' }, range), {
    state: 'none',
    area: '825',
    reason: 'down',
  });
  const now = new Date('2026-11-21T08:00:00Z');
  const current = comparisonOf('825', cached, { ok: true, totals, at: now }, range);
  assert.ok(current.state === 'current' && current.fetchedAt === now && current.to === '2026-11-21');
});

test('after the DfE could not answer, pages show that for 5 minutes before asking again', () => {
  const fetchedAt = new Date('2026-11-20T10:30:00Z');
  const failed = { at: new Date('2026-11-20T13:30:00Z'), reason: 'down' };
  const cached: CachedComparison = {
    area: '825',
    from: '2026-08-01',
    to: '2026-11-20',
    totals,
    fetchedAt,
    failed,
  };
  assert.equal(recentFailure(cached, new Date('2026-11-20T13:34:59Z')), 'down');
  assert.equal(recentFailure(cached, new Date('2026-11-20T13:35:00Z')), undefined);
  assert.equal(
    recentFailure({ ...cached, fetchedAt: new Date('2026-11-20T13:31:00Z') }, failed.at),
    undefined,
  );
  assert.equal(recentFailure({ ...cached, failed: undefined }, failed.at), undefined);
});
