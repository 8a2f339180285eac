/**
 * The dates statistics are asked about: a range from a query string, and the London days of the
 * suppliers monitor. Pure: today and now are passed in.
 */
import { addDays, daysBetween, isCalendarDate, londonDateOf } from '../../platform/calendar.ts';

export type DateRangeResult =
  { ok: true; from: string; to: string } | { ok: false; code: 'VAL128' | 'VAL131'; detail: string };

/**
 * `from` and `to` (YYYY-MM-DD, both included) of a query. `to` defaults to today and `from` to
 * `defaultDays` − 1 days before `to`; a range of more than `maximumDays` days is refused, so one
 * request cannot make the database add up a year of the country.
 */
export function dateRangeOf(
  query: { from?: unknown; to?: unknown },
  rules: { today: string; defaultDays: number; maximumDays: number },
): DateRangeResult {
  const read = (value: unknown): string | undefined | false => {
    if (value === undefined || value === '') return undefined;
    return typeof value === 'string' && isCalendarDate(value) ? value : false;
  };
  const to = read(query.to);
  const from = read(query.from);
  if (to === false) return { ok: false, code: 'VAL128', detail: 'to must be a date, YYYY-MM-DD' };
  if (from === false) return { ok: false, code: 'VAL128', detail: 'from must be a date, YYYY-MM-DD' };
  const end = to ?? rules.today;
  const start = from ?? addDays(end, -(rules.defaultDays - 1));
  if (start > end) return { ok: false, code: 'VAL131', detail: 'from must not be after to' };
  if (daysBetween(start, end) + 1 > rules.maximumDays)
    return {
      ok: false,
      code: 'VAL131',
      detail: `The range may be at most ${rules.maximumDays} days long`,
    };
  return { ok: true, from: start, to: end };
}

/** The instant a London calendar date begins: midnight GMT in winter, 23:00 UTC the day before in summer. */
export function londonMidnight(date: string): Date {
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  // London is UTC or UTC+1, and never changes its clocks at midnight.
  const summer = new Date(utcMidnight.getTime() - 3_600_000);
  return londonDateOf(summer) === date ? summer : utcMidnight;
}

export interface MonitorWindow {
  today: string;
  /** The first of the last 7 London days, today included. */
  weekFromDate: string;
  todayFrom: Date;
  weekFrom: Date;
}

/** Today and the last 7 days (today included), as London dates and the instants they begin. */
export function monitorWindow(now: Date): MonitorWindow {
  const today = londonDateOf(now);
  const weekFromDate = addDays(today, -6);
  return { today, weekFromDate, todayFrom: londonMidnight(today), weekFrom: londonMidnight(weekFromDate) };
}
