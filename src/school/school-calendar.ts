/**
 * A school's own calendar: its terms, INSET days and closures, on top of what every school shares
 * (weekends and England's bank holidays, `platform/working-days.ts`). It says which dates and
 * sessions the school held, so that only those are sent and counted.
 *
 * A school day is a working day inside a term that is not an INSET day and not closed for both
 * sessions. Saturday schools and sessions on bank holidays are not modelled: no English state
 * school's calendar has them, and the receiver treats working days as the norm.
 *
 * Nothing here reads the clock: "today" is always a parameter.
 */
import { addDays, daysBetween, isCalendarDate } from '../platform/calendar.ts';
import { isWorkingDay } from '../platform/working-days.ts';
import type { SchoolSession } from './pupils.ts';

export const SCHOOL_SESSIONS: readonly SchoolSession[] = ['AM', 'PM'];

export interface Term {
  /** "Autumn 1": for people only. */
  name: string;
  /** First and last day, `YYYY-MM-DD`, both included. */
  start: string;
  end: string;
}

/** A planned or emergency closure of one date: both sessions, or only the one named. */
export interface Closure {
  date: string;
  session?: SchoolSession;
  reason: string;
}

export interface SchoolCalendar {
  terms: Term[];
  /** Staff training days: inside a term, but no pupil sessions. */
  insetDays: string[];
  closures: Closure[];
}

/** Problems with a calendar, in plain words; empty when it is usable. */
export function calendarProblems(calendar: SchoolCalendar): string[] {
  const problems: string[] = [];
  for (const term of calendar.terms) {
    if (!isCalendarDate(term.start) || !isCalendarDate(term.end))
      problems.push(`term ${term.name}: dates must be YYYY-MM-DD`);
    else if (term.end < term.start)
      problems.push(`term ${term.name}: ends (${term.end}) before it starts (${term.start})`);
  }
  const sorted = [...calendar.terms].sort((a, b) => (a.start < b.start ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const term = sorted[i]!;
    if (term.start <= before.end) problems.push(`term ${term.name} overlaps term ${before.name}`);
  }
  for (const day of calendar.insetDays)
    if (!isCalendarDate(day)) problems.push(`INSET day ${JSON.stringify(day)} is not a date (YYYY-MM-DD)`);
  for (const closure of calendar.closures)
    if (!isCalendarDate(closure.date))
      problems.push(`closure ${JSON.stringify(closure.date)} is not a date (YYYY-MM-DD)`);
  return problems;
}

/**
 * A calendar read once into look-ups: every send and every insight asks about hundreds of dates.
 * Build it with `compileCalendar`; it does not change afterwards.
 */
export interface CompiledCalendar {
  readonly calendar: SchoolCalendar;
  /** The first and last days of all terms: no school day lies outside. */
  readonly firstDay: string | undefined;
  readonly lastDay: string | undefined;
  sessionsOn(date: string): readonly SchoolSession[];
}

const NO_SESSIONS: readonly SchoolSession[] = Object.freeze([]);
const BOTH_SESSIONS: readonly SchoolSession[] = Object.freeze(['AM', 'PM']);
const ONLY_AM: readonly SchoolSession[] = Object.freeze(['AM']);
const ONLY_PM: readonly SchoolSession[] = Object.freeze(['PM']);

export function compileCalendar(calendar: SchoolCalendar): CompiledCalendar {
  const problems = calendarProblems(calendar);
  if (problems.length > 0) throw new RangeError(`The school calendar cannot be used: ${problems.join('; ')}`);
  const terms = [...calendar.terms].sort((a, b) => (a.start < b.start ? -1 : 1));
  const inset = new Set(calendar.insetDays);
  const closed = new Map<string, Set<SchoolSession>>();
  for (const closure of calendar.closures) {
    const sessions = closed.get(closure.date) ?? new Set<SchoolSession>();
    for (const session of closure.session ? [closure.session] : SCHOOL_SESSIONS) sessions.add(session);
    closed.set(closure.date, sessions);
  }
  const cache = new Map<string, readonly SchoolSession[]>();
  const inTerm = (date: string): boolean => terms.some((term) => term.start <= date && date <= term.end);
  const compute = (date: string): readonly SchoolSession[] => {
    if (!inTerm(date) || inset.has(date) || !isWorkingDay(date)) return NO_SESSIONS;
    const shut = closed.get(date);
    if (!shut) return BOTH_SESSIONS;
    if (shut.has('AM') && shut.has('PM')) return NO_SESSIONS;
    return shut.has('AM') ? ONLY_PM : ONLY_AM;
  };
  return {
    calendar,
    firstDay: terms[0]?.start,
    lastDay: terms.at(-1)?.end,
    sessionsOn(date: string): readonly SchoolSession[] {
      let sessions = cache.get(date);
      if (sessions === undefined) {
        if (!isCalendarDate(date))
          throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
        sessions = compute(date);
        cache.set(date, sessions);
      }
      return sessions;
    },
  };
}

/** The school's sessions on `date`: both, one (a half-day closure) or none. */
export function sessionsOn(calendar: CompiledCalendar, date: string): readonly SchoolSession[] {
  return calendar.sessionsOn(date);
}

/** True when the school held at least one session on `date`. */
export function isSchoolDay(calendar: CompiledCalendar, date: string): boolean {
  return calendar.sessionsOn(date).length > 0;
}

/** Up to `count` school days before `date` (not counting it), oldest first; fewer when the terms run out. */
export function schoolDaysBefore(calendar: CompiledCalendar, date: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`Not a count of school days: ${count}`);
  const found: string[] = [];
  const first = calendar.firstDay;
  if (first === undefined) return found;
  for (let day = addDays(date, -1); found.length < count && day >= first; day = addDays(day, -1)) {
    if (isSchoolDay(calendar, day)) found.push(day);
  }
  return found.reverse();
}

/** Today, when it is a school day, and the `previous` school days before it, oldest first. */
export function todayAndPreviousSchoolDays(
  calendar: CompiledCalendar,
  today: string,
  previous: number,
): string[] {
  const days = schoolDaysBefore(calendar, today, previous);
  if (isSchoolDay(calendar, today)) days.push(today);
  return days;
}

/** The school days from `from` to `to`, both included, oldest first. */
export function schoolDaysBetween(calendar: CompiledCalendar, from: string, to: string): string[] {
  const days: string[] = [];
  const span = daysBetween(from, to);
  for (let i = 0; i <= span; i++) {
    const day = addDays(from, i);
    if (isSchoolDay(calendar, day)) days.push(day);
  }
  return days;
}

/**
 * The first day of the school year that `date` falls in: 1 August, as the school census and the
 * DfE's attendance statistics start the year in August (terms start in September).
 */
export function schoolYearStart(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return `${month >= 8 ? year : year - 1}-08-01`;
}
