import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everyElementRegistration } from '../../contracts/childcare-extract/feed-fixtures.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import type { Snapshot } from './detect-changes.ts';
import { guardSnapshot } from './snapshot-guard.ts';

function registrations(count: number, status: Registration['status'] = 'ACTV', from = 0): Registration[] {
  return Array.from({ length: count }, (_, i) => {
    const r = everyElementRegistration(`EY${String(500000 + from + i)}`);
    r.status = status;
    return r;
  });
}

const snapshot = (rs: Registration[], extractDateTime = '2026-11-02T05:30:46'): Snapshot => ({
  laCode: '825',
  extractDateTime,
  registrations: rs,
});

test('an ordinary day is applied', () => {
  const last = snapshot(registrations(100), '2026-11-01T05:30:12');
  assert.deepEqual(guardSnapshot(snapshot(registrations(100)), last), { action: 'apply' });
  assert.deepEqual(guardSnapshot(snapshot(registrations(3)), undefined), { action: 'apply' });
});

test('an empty snapshot is held, even as the first', () => {
  for (const last of [undefined, snapshot(registrations(10), '2026-11-01T05:30:00')]) {
    const verdict = guardSnapshot(snapshot([]), last);
    assert.equal(verdict.action, 'hold');
    assert.ok(verdict.action === 'hold', "verdict.action === 'hold'");
    assert.deepEqual(
      verdict.reasons.map((r) => r.code),
      ['empty'],
    );
    assert.equal(
      verdict.reasons[0]!.message,
      'The extract for LA 825 holds no registrations. Applying it would remove every registration from the directory.',
    );
  }
});

test('removing more than the share of live registrations is held; up to it, applied', () => {
  // 100 live and 50 inactive last time; inactive ones leaving do not count.
  const last = snapshot([...registrations(100), ...registrations(50, 'RESG', 100)], '2026-11-01T05:30:00');
  const keep = (n: number): Registration[] => registrations(n);
  assert.deepEqual(
    guardSnapshot(snapshot(keep(90)), last),
    { action: 'apply' },
    '10 of 100 is not more than 10%',
  );
  const verdict = guardSnapshot(snapshot(keep(89)), last);
  assert.ok(verdict.action === 'hold', "verdict.action === 'hold'");
  assert.deepEqual(verdict.reasons, [
    {
      code: 'removes-too-many',
      removed: 11,
      live: 100,
      message:
        'The extract would remove 11 registrations of the 100 active, proposed, suspended or exempt registrations in the last one applied (11%; at most 10% are removed without a person confirming).',
    },
  ]);
  // The share is configurable.
  assert.deepEqual(guardSnapshot(snapshot(keep(89)), last, { maxRemovedShare: 0.2 }), { action: 'apply' });
  assert.equal(guardSnapshot(snapshot(keep(99)), last, { maxRemovedShare: 0 }).action, 'hold');
  assert.throws(() => guardSnapshot(snapshot(keep(99)), last, { maxRemovedShare: 10 }), /between 0 and 1/);
});

test('becoming inactive is not removal', () => {
  const last = snapshot(registrations(10), '2026-11-01T05:30:00');
  assert.deepEqual(guardSnapshot(snapshot(registrations(10, 'CANC')), last), { action: 'apply' });
});

test('a snapshot older than the last applied is held (by ExtractDateTime, seconds and fractions optional)', () => {
  const last = snapshot(registrations(5), '2026-11-02T05:30:46.5');
  for (const older of ['2026-11-02T05:30:46', '2026-11-01T23:59', '2026-11-02T05:30:46.4999999']) {
    const verdict = guardSnapshot(snapshot(registrations(5), older), last);
    assert.ok(verdict.action === 'hold', older);
    assert.deepEqual(
      verdict.reasons.map((r) => r.code),
      ['older-than-applied'],
    );
    assert.match(verdict.reasons[0]!.message, /before the one last applied \(2026-11-02T05:30:46\.5\)/);
  }
  // The same extract collected again, or a later one, is fine.
  for (const same of ['2026-11-02T05:30:46.5', '2026-11-02T05:30:46.50', '2026-11-03T05:30']) {
    assert.deepEqual(guardSnapshot(snapshot(registrations(5), same), last), { action: 'apply' }, same);
  }
});

test('every reason that applies is given; an unreadable date is a reason too', () => {
  const last = snapshot(registrations(5), '2026-11-02T05:30:00');
  const verdict = guardSnapshot(snapshot(registrations(1), '02/11/2026 05:30'), last);
  assert.ok(verdict.action === 'hold', "verdict.action === 'hold'");
  assert.deepEqual(
    verdict.reasons.map((r) => r.code),
    ['unreadable-date', 'removes-too-many'],
  );
  assert.match(verdict.reasons[0]!.message, /'02\/11\/2026 05:30' cannot be read/);
  const stale = guardSnapshot(snapshot([], '2026-11-01T05:30:00'), last);
  assert.ok(stale.action === 'hold', "stale.action === 'hold'");
  assert.deepEqual(
    stale.reasons.map((r) => r.code),
    ['empty', 'older-than-applied'],
  );
});

test("another LA's snapshot is refused rather than compared", () => {
  const last = { ...snapshot(registrations(5)), laCode: '826' };
  assert.throws(
    () => guardSnapshot(snapshot(registrations(5)), last),
    /cannot guard LA 825's snapshot with LA 826's/,
  );
});
