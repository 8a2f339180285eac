/**
 * England's typical term dates: six half-terms, shaped like a local authority's published
 * calendar. Each school (or its LA) sets its own dates, so this is only what most schools do:
 * the demo world's national figures and the synthetic schools' calendars are built from it, so a
 * demo started in the Christmas holidays or a half-term shows figures for days schools were open.
 *
 * - Autumn 1: the first working day from 1 September to the last Friday on or before 24 October;
 *   half-term the week after.
 * - Autumn 2: to the last Friday on or before 19 December; Christmas holidays after.
 * - Spring 1: the first working day from 5 January to the last Friday on or before 13 February;
 *   half-term the week after.
 * - Spring 2: to the last Friday on or before 31 March; Easter holidays after.
 * - Summer 1: the first Monday from 14 April to the last Friday on or before 22 May; half-term
 *   the week after.
 * - Summer 2: to the last working day on or before 21 July; the summer holidays after.
 *
 * A term day is a working day (bank holidays excluded) inside a half-term. Pure; dates are
 * `YYYY-MM-DD` strings.
 */
import { addDays } from '../../platform/calendar.ts';
import { isWorkingDay } from '../../platform/working-days.ts';

export interface TypicalHalfTerm {
  name: 'Autumn 1' | 'Autumn 2' | 'Spring 1' | 'Spring 2' | 'Summer 1' | 'Summer 2';
  /** The first and last days, inclusive. */
  start: string;
  end: string;
}

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The first working day on or after `date` that is a `dow` (1 = Monday … 5 = Friday; 0 any). */
export function workingDayOnOrAfter(date: string, dow: number): string {
  let day = date;
  while (!isWorkingDay(day) || (dow !== 0 && weekday(day) !== dow)) day = addDays(day, 1);
  return day;
}

/** The last working day on or before `date` that is a `dow` (1 = Monday … 5 = Friday; 0 any). */
export function workingDayOnOrBefore(date: string, dow: number): string {
  let day = date;
  while (!isWorkingDay(day) || (dow !== 0 && weekday(day) !== dow)) day = addDays(day, -1);
  return day;
}

/** The school year (as its first calendar year) a date falls in: from 1 August, as the DfE counts. */
export function schoolYearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 8 ? year : year - 1;
}

const byYear = new Map<number, readonly TypicalHalfTerm[]>();

/** The six half-terms of the school year starting in `year` (2026 = 2026–27), in order. */
export function typicalTermDates(year: number): readonly TypicalHalfTerm[] {
  let terms = byYear.get(year);
  if (!terms) {
    const a1e = workingDayOnOrBefore(`${year}-10-24`, 5);
    const a2e = workingDayOnOrBefore(`${year}-12-19`, 5);
    const s1e = workingDayOnOrBefore(`${year + 1}-02-13`, 5);
    const u1e = workingDayOnOrBefore(`${year + 1}-05-22`, 5);
    terms = [
      { name: 'Autumn 1', start: workingDayOnOrAfter(`${year}-09-01`, 0), end: a1e },
      // A half-term is a week: back on the Monday after the next weekend.
      { name: 'Autumn 2', start: workingDayOnOrAfter(addDays(a1e, 10), 1), end: a2e },
      { name: 'Spring 1', start: workingDayOnOrAfter(`${year + 1}-01-05`, 0), end: s1e },
      {
        name: 'Spring 2',
        start: workingDayOnOrAfter(addDays(s1e, 10), 1),
        end: workingDayOnOrBefore(`${year + 1}-03-31`, 5),
      },
      { name: 'Summer 1', start: workingDayOnOrAfter(`${year + 1}-04-14`, 1), end: u1e },
      {
        name: 'Summer 2',
        start: workingDayOnOrAfter(addDays(u1e, 10), 1),
        end: workingDayOnOrBefore(`${year + 1}-07-21`, 0),
      },
    ];
    byYear.set(year, terms);
  }
  return terms;
}

/** True on a working day inside one of the typical half-terms of its school year. */
export function isTypicalTermDay(date: string): boolean {
  if (!isWorkingDay(date)) return false;
  return typicalTermDates(schoolYearOf(date)).some((term) => term.start <= date && date <= term.end);
}

/** The `count` term days up to and including `date` (or the last term day before it), oldest first. */
export function termDaysUpTo(date: string, count: number): string[] {
  const days: string[] = [];
  for (let day = date; days.length < count; day = addDays(day, -1))
    if (isTypicalTermDay(day)) days.unshift(day);
  return days;
}
