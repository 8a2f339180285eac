import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileCalendar } from './school-calendar.ts';
import { changeFate, sendWindow, sendWindowOn } from './send-window.ts';
import { TEST_CALENDAR } from '../../test/support/school-calendar.ts';

describe('the send window', () => {
  const calendar = compileCalendar(TEST_CALENDAR);

  test('in term, a send covers today and the previous 7 school days', () => {
    const window = sendWindowOn(calendar, '2026-11-12');
    assert.deepEqual(window.dates, [
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
      '2026-11-06',
      '2026-11-09',
      '2026-11-10',
      '2026-11-11',
      '2026-11-12',
    ]);
    assert.equal(window.earliestAccepted, '2026-11-02');
  });

  test('after half-term, school days older than 8 working days are left out: the receiver would refuse them', () => {
    // The 7 school days before Monday 2 November reach back to 15 October, across the holiday week;
    // the DfE accepts from 21 October (8 working days before).
    const window = sendWindowOn(calendar, '2026-11-02');
    assert.equal(window.earliestAccepted, '2026-10-21');
    assert.deepEqual(window.dates, ['2026-10-21', '2026-10-22', '2026-10-23', '2026-11-02']);
  });

  test('a send on a day the school is shut covers the previous 7 school days only', () => {
    const window = sendWindowOn(calendar, '2026-11-19'); // closed all day
    assert.equal(window.dates.length, 7);
    assert.equal(window.dates.includes('2026-11-19'), false);
    assert.equal(window.dates.at(-1), '2026-11-18');
  });

  test('"today" is the London date of the send, not the UTC one', () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    const window = sendWindow(calendar, new Date('2026-06-30T23:30:00Z'));
    assert.equal(window.today, '2026-07-01');
    assert.equal(window.dates.at(-1), '2026-07-01');
  });

  test('a change is sent while its session date is in the window, and never after', () => {
    assert.deepEqual(changeFate(calendar, '2026-11-03', '2026-11-12'), { sent: true });
    // 8 working days back from 12 November is 2 November: 23 October, before half-term, is too old.
    assert.deepEqual(changeFate(calendar, '2026-10-23', '2026-11-12'), { sent: false, reason: 'too-old' });
    assert.deepEqual(changeFate(calendar, '2026-11-13', '2026-11-12'), { sent: false, reason: 'future' });
    assert.deepEqual(changeFate(calendar, '2026-11-07', '2026-11-12'), {
      sent: false,
      reason: 'not-a-school-day',
    });
  });
});
