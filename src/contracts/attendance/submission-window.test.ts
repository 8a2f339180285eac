import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CHANGE_WINDOW_WORKING_DAYS, placeInWindow, submissionWindow } from './submission-window.ts';

describe('submissionWindow', () => {
  test('is the day of receipt and the 8 working days before it', () => {
    assert.equal(CHANGE_WINDOW_WORKING_DAYS, 8);
    // Monday 16 March 2026: back to Wednesday 4 March, over one weekend.
    assert.deepEqual(submissionWindow(new Date('2026-03-16T08:00:00Z')), {
      today: '2026-03-16',
      earliest: '2026-03-04',
    });
  });

  test('reaches further back across the Easter 2026 bank holidays', () => {
    // Tuesday 14 April: Good Friday (3rd) and Easter Monday (6th) are not working days.
    assert.deepEqual(submissionWindow(new Date('2026-04-14T07:45:00+01:00')), {
      today: '2026-04-14',
      earliest: '2026-03-31',
    });
  });

  test("takes today's date in London, not in UTC", () => {
    // 23:30 UTC on 14 April is 00:30 on 15 April in British Summer Time.
    assert.equal(submissionWindow(new Date('2026-04-14T23:30:00Z')).today, '2026-04-15');
    // In winter London is on UTC.
    assert.equal(submissionWindow(new Date('2026-01-14T23:30:00Z')).today, '2026-01-14');
  });

  test('changes date at London midnight, one instant after another (BST and GMT)', () => {
    const dates = [
      '2026-04-14T22:00:00Z',
      '2026-04-14T22:59:59.999Z',
      '2026-04-14T23:00:00Z',
      '2026-04-14T23:00:00.001Z',
      '2026-01-14T23:59:59.999Z',
      '2026-01-15T00:00:00Z',
      '2026-01-14T23:59:59.999Z',
    ].map((instant) => submissionWindow(new Date(instant)).today);
    assert.deepEqual(dates, [
      '2026-04-14',
      '2026-04-14',
      '2026-04-15',
      '2026-04-15',
      '2026-01-14',
      '2026-01-15',
      '2026-01-14',
    ]);
  });

  test('a send on a Saturday covers it and the 8 working days before', () => {
    assert.deepEqual(submissionWindow(new Date('2026-03-14T10:00:00Z')), {
      today: '2026-03-14',
      earliest: '2026-03-04',
    });
  });
});

describe('placeInWindow', () => {
  const window = { today: '2026-04-14', earliest: '2026-03-31' };
  test('places dates before, in and after the window', () => {
    assert.equal(placeInWindow('2026-03-30', window), 'too-old');
    assert.equal(placeInWindow('2026-03-31', window), 'within');
    assert.equal(placeInWindow('2026-04-03', window), 'within'); // Good Friday: a session held is accepted
    assert.equal(placeInWindow('2026-04-14', window), 'within');
    assert.equal(placeInWindow('2026-04-15', window), 'future');
  });
});
