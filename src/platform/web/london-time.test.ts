import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClockTime, formatLondonTime, formatPageTime } from './london-time.ts';

describe('times on pages', () => {
  test('the GOV.UK style: 10:30am, 10am, midday, midnight', () => {
    assert.equal(formatClockTime(10, 30), '10:30am');
    assert.equal(formatClockTime(10, 0), '10am');
    assert.equal(formatClockTime(12, 0), 'midday');
    assert.equal(formatClockTime(0, 0), 'midnight');
    assert.equal(formatClockTime(0, 5), '12:05am');
    assert.equal(formatClockTime(17, 45), '5:45pm');
  });

  test('an instant in London time, GMT in winter and BST in summer, never naming either', () => {
    assert.equal(formatLondonTime(new Date('2026-12-07T10:30:00Z')), '10:30am on 7 December 2026');
    assert.equal(formatLondonTime(new Date('2026-07-01T10:30:00Z')), '11:30am on 1 July 2026');
    assert.equal(formatLondonTime(new Date('2026-06-30T23:30:00Z')), '12:30am on 1 July 2026');
  });

  test('ISO text with a zone is an instant; without one it is already London time', () => {
    assert.equal(formatPageTime('2026-07-01T10:30:00.000Z'), '11:30am on 1 July 2026');
    assert.equal(formatPageTime('2026-07-01T10:30:00'), '10:30am on 1 July 2026');
    assert.equal(formatPageTime(new Date('2026-11-02T06:00:00Z')), '6am on 2 November 2026');
    assert.equal(formatPageTime(undefined), '');
  });
});
