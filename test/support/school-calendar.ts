/** A school calendar for the school role's tests. */
import type { SchoolCalendar } from '../../src/school/school-calendar.ts';

/** 2026/27, as a typical LA publishes it, plus the end of 2025/26's summer term. */
export const TEST_CALENDAR: SchoolCalendar = {
  terms: [
    { name: 'Summer 1 2026', start: '2026-04-13', end: '2026-05-22' },
    { name: 'Summer 2 2026', start: '2026-06-01', end: '2026-07-21' },
    { name: 'Autumn 1', start: '2026-09-01', end: '2026-10-23' },
    { name: 'Autumn 2', start: '2026-11-02', end: '2026-12-18' },
    { name: 'Spring 1', start: '2027-01-04', end: '2027-02-12' },
  ],
  insetDays: ['2026-09-01', '2026-09-02', '2027-01-04'],
  closures: [
    { date: '2026-11-19', reason: 'Heating failure' },
    { date: '2026-12-18', session: 'PM', reason: 'Early finish for Christmas' },
  ],
};
