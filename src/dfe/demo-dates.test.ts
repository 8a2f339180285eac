/**
 * The days the DfE's demo figures cover: term days only, whenever the demo world is first started,
 * sent as a MIS sends them (never after the start, each send within its 8-working-day window).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTypicalTermDay } from '../contracts/attendance/term-dates.ts';
import { placeInWindow, submissionWindow } from '../contracts/attendance/submission-window.ts';
import { demoDates, demoSends } from './demo-attendance.ts';

const STARTS = [
  // Wednesday 30 December 2026, 10:00 in London: the Christmas holidays (term ended Friday the 18th).
  { now: '2026-12-30T10:00:00Z', first: '2026-11-23', latest: '2026-12-18' },
  // Monday 15 February 2027, the first day of the February half-term, after 16:00: no send today,
  // the latest day is Friday the 12th.
  { now: '2027-02-15T17:00:00Z', first: '2027-01-18', latest: '2027-02-12' },
  // Sunday 22 November 2026: 20 term days reach back over the October half-term (26–30 October).
  { now: '2026-11-22T12:00:00Z', first: '2026-10-19', latest: '2026-11-20' },
  // Tuesday 8 December 2026 in term: at 17:00 today's send has happened, at 10:00 not yet.
  { now: '2026-12-08T17:00:00Z', first: '2026-11-11', latest: '2026-12-08' },
  { now: '2026-12-08T10:00:00Z', first: '2026-11-10', latest: '2026-12-07' },
  // Thursday 20 August 2026, the summer holidays: the last days of the summer term in July.
  { now: '2026-08-20T10:00:00Z', first: '2026-06-24', latest: '2026-07-21' },
];

describe('the demo figures cover the last 20 term days whose 16:00 send has happened', () => {
  for (const { now, first, latest } of STARTS)
    test(`started at ${now}: ${first} to ${latest}, term days only`, () => {
      const dates = demoDates(new Date(now));
      assert.equal(dates.length, 20);
      assert.deepEqual(
        dates.filter((date) => !isTypicalTermDay(date)),
        [],
        'no holiday, weekend or bank holiday',
      );
      assert.equal(dates[0], first);
      assert.equal(dates.at(-1), latest);
    });
});

test('each demo send is made by the start, after the days it covers, within its window', () => {
  for (const { now } of STARTS) {
    const at = new Date(now);
    const sends = demoSends(at);
    assert.deepEqual(
      sends.flatMap((send) => send.dates),
      demoDates(at),
      `${now}: every day sent once`,
    );
    for (const send of sends) {
      assert.ok(send.receivedAt <= at, `${now}: a send at ${send.receivedAt.toISOString()}`);
      const window = submissionWindow(send.receivedAt);
      for (const date of send.dates)
        assert.equal(placeInWindow(date, window), 'within', `${now}: ${date} sent on ${window.today}`);
    }
  }
});
