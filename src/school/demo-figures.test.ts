/**
 * The demo schools' figures as their sends carry them, at any time of day: the dozen schools'
 * marks as they stood at `now` (school-demo.ts), aggregated per day of the send window as the
 * sync would send them (aggregation.ts), and added up as the DfE's headline adds them up.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { combineSummaries, totalMarks, type MarkTotals } from '../contracts/attendance/aggregation.ts';
import { londonDateOf } from '../platform/calendar.ts';
import { aggregateAttendance } from './aggregation.ts';
import { compileCalendar } from './school-calendar.ts';
import { DEMO_SCHOOLS, demoSchoolAsOf } from './school-demo.ts';
import { sendWindowOn } from './send-window.ts';
import { isTypicalTermDay } from '../contracts/attendance/term-dates.ts';

/**
 * Per date, the dozen schools' totals as sent at `now`, with each school's seed moved by
 * `seedOffset`: the dates every school sent (a school with a closure reaches a day further back).
 */
function sentTotals(now: Date, seedOffset: number): Map<string, MarkTotals[]> {
  const today = londonDateOf(now);
  const byDate = new Map<string, MarkTotals[]>();
  for (const demo of DEMO_SCHOOLS) {
    const { school } = demoSchoolAsOf({ ...demo, seed: demo.seed + seedOffset }, now);
    const calendar = compileCalendar(school.calendar);
    const { body } = aggregateAttendance({
      urn: demo.urn,
      calendar,
      enrolments: school.enrolments,
      marks: school.marks,
      dates: sendWindowOn(calendar, today).dates,
      today,
    });
    const schoolDays = new Map<string, MarkTotals[]>();
    for (const entry of body.submissionData) {
      const marks = entry.attendances.map((mark) => ({ code: mark.attendanceCode, value: mark.value }));
      schoolDays.set(entry.date, [...(schoolDays.get(entry.date) ?? []), totalMarks(marks, entry.date)]);
    }
    for (const [date, totals] of schoolDays)
      byDate.set(date, [...(byDate.get(date) ?? []), combineSummaries(totals)]);
  }
  return new Map([...byDate].filter(([, totals]) => totals.length === DEMO_SCHOOLS.length));
}

// London is on GMT in these weeks: the registers are taken at 08:50 and 13:15.
const STARTS = [
  '2026-11-30T09:30:00Z', // Monday, the morning register just taken, no reasons chased yet
  '2026-12-02T12:00:00Z', // Wednesday noon
  '2026-12-03T15:59:00Z', // Thursday, just before the 16:00 sends
  '2026-12-04T17:00:00Z', // Friday evening
  '2026-12-07T11:00:00Z', // Monday late morning
];

describe('the demo schools, as sent at any time of day', () => {
  for (const seedOffset of [0, 100, 200]) {
    test(`seeds +${seedOffset}: attendance 92–95% and unauthorised absence 1–3% on every day sent, today included`, () => {
      const problems: string[] = [];
      for (const start of STARTS) {
        const now = new Date(start);
        const byDate = sentTotals(now, seedOffset);
        assert.ok(byDate.has(londonDateOf(now)), `${start}: today is sent`);
        for (const [date, totals] of byDate) {
          const day = combineSummaries(totals);
          const attendance = day.attendanceRate ?? 0;
          const unauthorised = day.unauthorisedRate ?? 0;
          if (attendance < 0.92 || attendance > 0.95 || unauthorised < 0.01 || unauthorised > 0.03)
            problems.push(
              `at ${start}, ${date}: attendance ${(attendance * 100).toFixed(1)}%, unauthorised ${(unauthorised * 100).toFixed(1)}%`,
            );
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});

test('started in the Christmas holidays, a demo school has marks for term days only, up to the last one', () => {
  // Wednesday 30 December 2026: the term ended on Friday the 18th, as the DfE's demo figures do.
  const { school, first } = demoSchoolAsOf(DEMO_SCHOOLS[3]!, new Date('2026-12-30T10:00:00Z'));
  const dates = [...new Set(school.marks.map((mark) => mark.date))].sort();
  assert.equal(dates.length, 20);
  assert.equal(dates[0], first);
  assert.equal(dates.at(-1), '2026-12-18');
  assert.deepEqual(
    dates.filter((date) => !isTypicalTermDay(date)),
    [],
  );
});
