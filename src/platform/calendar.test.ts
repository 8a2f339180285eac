import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDays,
  daysBetween,
  formatLongDate,
  formatWeeksAndDays,
  isCalendarDate,
  londonDateOf,
} from './calendar.ts';

describe('isCalendarDate', () => {
  test('accepts real dates, including 29 February in a leap year', () => {
    for (const date of ['2026-03-03', '2024-02-29', '2000-02-29', '1999-12-31']) {
      assert.equal(isCalendarDate(date), true, date);
    }
  });

  test('rejects days that do not exist and other shapes', () => {
    for (const date of [
      '2026-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-3-3',
      '',
      '0050-01-01',
      '2026-03-03T00:00',
    ]) {
      assert.equal(isCalendarDate(date), false, date);
    }
  });
});

describe('addDays', () => {
  test('crosses month, year and leap-day boundaries', () => {
    assert.equal(addDays('2026-03-03', 41), '2026-04-13');
    assert.equal(addDays('2026-02-28', 1), '2026-03-01');
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2025-12-31', 1), '2026-01-01');
    assert.equal(addDays('2026-01-01', -1), '2025-12-31');
    assert.equal(addDays('2026-03-03', 0), '2026-03-03');
  });

  test('is not moved by the change to British Summer Time', () => {
    // Clocks go forward on 29 March 2026 and back on 25 October 2026.
    assert.equal(addDays('2026-03-28', 1), '2026-03-29');
    assert.equal(addDays('2026-03-29', 1), '2026-03-30');
    assert.equal(addDays('2026-10-25', 1), '2026-10-26');
  });

  test('throws on a bad date or a fractional day count', () => {
    assert.throws(() => addDays('2026-02-30', 1), RangeError);
    assert.throws(() => addDays('2026-03-03', 1.5), RangeError);
  });
});

describe('daysBetween', () => {
  test('counts whole days, signed', () => {
    assert.equal(daysBetween('2026-03-03', '2026-03-03'), 0);
    assert.equal(daysBetween('2026-03-03', '2026-04-13'), 41);
    assert.equal(daysBetween('2026-04-13', '2026-03-03'), -41);
    assert.equal(daysBetween('2025-12-31', '2026-12-31'), 365);
    assert.equal(daysBetween('2024-01-01', '2025-01-01'), 366);
    assert.equal(daysBetween('2026-03-28', '2026-03-30'), 2);
  });

  test('throws on a bad date', () => {
    assert.throws(() => daysBetween('2026-03-03', 'tomorrow'), RangeError);
  });
});

describe('formatLongDate', () => {
  test('writes the day without a leading zero and the month in full', () => {
    assert.equal(formatLongDate('2026-03-03'), '3 March 2026');
    assert.equal(formatLongDate('2025-12-25'), '25 December 2025');
    assert.equal(formatLongDate('2026-01-01'), '1 January 2026');
  });

  test('throws on a bad date', () => {
    assert.throws(() => formatLongDate('2026-02-30'), RangeError);
  });
});

describe('formatWeeksAndDays', () => {
  test('names weeks and days in plain words', () => {
    assert.equal(formatWeeksAndDays(42), '6 weeks');
    assert.equal(formatWeeksAndDays(43), '6 weeks and 1 day');
    assert.equal(formatWeeksAndDays(51), '7 weeks and 2 days');
    assert.equal(formatWeeksAndDays(7), '1 week');
    assert.equal(formatWeeksAndDays(1), '1 day');
    assert.equal(formatWeeksAndDays(5), '5 days');
  });
});

test('the London date follows BST: 23:30 UTC in summer is already the next day', () => {
  assert.equal(londonDateOf(new Date('2026-07-01T23:30:00Z')), '2026-07-02');
  assert.equal(londonDateOf(new Date('2026-07-01T22:59:59Z')), '2026-07-01');
});

test('in winter London is on UTC', () => {
  assert.equal(londonDateOf(new Date('2026-01-15T23:30:00Z')), '2026-01-15');
  assert.equal(londonDateOf(new Date('2026-01-16T00:00:00Z')), '2026-01-16');
});
