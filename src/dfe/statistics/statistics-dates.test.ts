import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRangeOf, londonMidnight, monitorWindow } from './statistics-dates.ts';

const rules = { today: '2026-11-20', defaultDays: 28, maximumDays: 62 };

describe('date ranges of a statistics request', () => {
  test('by default the last four weeks to today', () => {
    assert.deepEqual(dateRangeOf({}, rules), { ok: true, from: '2026-10-24', to: '2026-11-20' });
    assert.deepEqual(dateRangeOf({ from: '', to: '' }, rules), {
      ok: true,
      from: '2026-10-24',
      to: '2026-11-20',
    });
  });

  test('from alone runs to today; to alone reaches back the default length', () => {
    assert.deepEqual(dateRangeOf({ from: '2026-11-02' }, rules), {
      ok: true,
      from: '2026-11-02',
      to: '2026-11-20',
    });
    assert.deepEqual(dateRangeOf({ to: '2026-10-31' }, rules), {
      ok: true,
      from: '2026-10-04',
      to: '2026-10-31',
    });
    assert.deepEqual(dateRangeOf({ from: '2026-11-03', to: '2026-11-03' }, rules), {
      ok: true,
      from: '2026-11-03',
      to: '2026-11-03',
    });
  });

  test('a malformed date is VAL128, a reversed or too long range VAL131', () => {
    assert.equal(dateRangeOf({ from: '2026-02-30' }, rules).ok, false);
    assert.deepEqual(dateRangeOf({ to: '20/11/2026' }, rules), {
      ok: false,
      code: 'VAL128',
      detail: 'to must be a date, YYYY-MM-DD',
    });
    assert.equal((dateRangeOf({ from: ['2026-11-01'] }, rules) as { code?: string }).code, 'VAL128');
    assert.equal((dateRangeOf({ from: '2026-11-21' }, rules) as { code?: string }).code, 'VAL131');
    assert.equal(
      (dateRangeOf({ from: '2026-09-19', to: '2026-11-20' }, rules) as { code?: string }).code,
      'VAL131',
    );
    assert.equal(dateRangeOf({ from: '2026-09-20', to: '2026-11-20' }, rules).ok, true, '62 days is allowed');
  });
});

describe('London days', () => {
  test('a London date begins at midnight GMT in winter and 23:00 UTC the day before in summer', () => {
    assert.equal(londonMidnight('2026-11-20').toISOString(), '2026-11-20T00:00:00.000Z');
    assert.equal(londonMidnight('2026-06-15').toISOString(), '2026-06-14T23:00:00.000Z');
    // The clocks go back at 02:00 BST on 25 October 2026: that day still begins in summer time.
    assert.equal(londonMidnight('2026-10-25').toISOString(), '2026-10-24T23:00:00.000Z');
    assert.equal(londonMidnight('2026-10-26').toISOString(), '2026-10-26T00:00:00.000Z');
    assert.equal(londonMidnight('2026-03-29').toISOString(), '2026-03-29T00:00:00.000Z');
    assert.equal(londonMidnight('2026-03-30').toISOString(), '2026-03-29T23:00:00.000Z');
  });

  test('the monitor counts today and the six days before it, in London', () => {
    const window = monitorWindow(new Date('2026-06-15T22:30:00Z'));
    assert.equal(window.today, '2026-06-15');
    assert.equal(window.todayFrom.toISOString(), '2026-06-14T23:00:00.000Z');
    assert.equal(window.weekFromDate, '2026-06-09');
    assert.equal(window.weekFrom.toISOString(), '2026-06-08T23:00:00.000Z');
    assert.equal(monitorWindow(new Date('2026-06-15T23:30:00Z')).today, '2026-06-16');
  });
});
