/**
 * Working days in England: Monday to Friday, except the England and Wales bank holidays.
 *
 * This is what a receiver can know from dates alone. A school's own calendar (terms, INSET days,
 * closures) is known only to its MIS, which sends only the school's sessions.
 *
 * Bank holidays come from `date-holidays` (GB, state ENG), public holidays only: that rule set
 * carries the substitute days (Christmas Day on a Saturday → the following Monday or Tuesday) and
 * the one-off days (2022's jubilee and state funeral, 2023's coronation). Dates are `YYYY-MM-DD`
 * strings, as everywhere in edgate; bad dates throw RangeError, like `calendar.ts`.
 */
import Holidays from 'date-holidays';
import { addDays, daysBetween, isCalendarDate } from './calendar.ts';

let englandHolidays: Holidays | undefined;
const bankHolidaysByYear = new Map<number, readonly string[]>();

function requireDate(date: string): void {
  if (!isCalendarDate(date))
    throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
}

function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/**
 * The bank holidays in England and Wales in `year`, in date order: the days that are off work, as
 * GOV.UK lists them. A holiday falling at a weekend appears as its weekday substitute only
 * (2026: Boxing Day is Saturday 26 December, so 28 December is listed and the 26th is not).
 */
export function bankHolidays(year: number): string[] {
  if (!Number.isInteger(year)) throw new RangeError(`Not a year: ${year}`);
  let days = bankHolidaysByYear.get(year);
  if (!days) {
    englandHolidays ??= new Holidays('GB', 'ENG');
    days = [
      ...new Set(
        englandHolidays
          .getHolidays(year)
          .filter((holiday) => holiday.type === 'public')
          // `date` is local to England: "2026-12-28 00:00:00".
          .map((holiday) => holiday.date.slice(0, 10))
          .filter((date) => !isWeekend(date)),
      ),
    ].sort();
    bankHolidaysByYear.set(year, days);
  }
  return [...days];
}

function isBankHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  if (!bankHolidaysByYear.has(year)) bankHolidays(year);
  return bankHolidaysByYear.get(year)?.includes(date) ?? false;
}

/** True from Monday to Friday, unless the day is an England and Wales bank holiday. */
export function isWorkingDay(date: string): boolean {
  requireDate(date);
  return !isWeekend(date) && !isBankHoliday(date);
}

/**
 * The `n`th working day after `date` (before it when `n` is negative); `n = 0` returns `date`
 * itself, working day or not. Counting starts from `date` whatever it is, so from a Saturday
 * `+1` is the Monday and `-1` the Friday. `workingDaysBetween` is its inverse.
 */
export function addWorkingDays(date: string, n: number): string {
  requireDate(date);
  if (!Number.isInteger(n)) throw new RangeError(`Not a whole number of working days: ${n}`);
  const step = n < 0 ? -1 : 1;
  let day = date;
  for (let remaining = Math.abs(n); remaining > 0;) {
    day = addDays(day, step);
    if (isWorkingDay(day)) remaining--;
  }
  return day;
}

/**
 * The working days passed going from `from` to `to`, counting `to` and not `from`: 0 on the same
 * day, 1 from a Friday to the next Monday or from a Saturday to the Monday; negative going back
 * (-1 from a Monday, or a Saturday, to the Friday before). So for any working day `to`,
 * `addWorkingDays(from, workingDaysBetween(from, to)) === to`, in both directions.
 */
export function workingDaysBetween(from: string, to: string): number {
  requireDate(from);
  requireDate(to);
  const span = daysBetween(from, to);
  const step = span < 0 ? -1 : 1;
  let count = 0;
  for (let i = 0; i !== span;) {
    i += step;
    if (isWorkingDay(addDays(from, i))) count++;
  }
  // 0 - count rather than -count: no -0 for a span without working days.
  return span < 0 ? 0 - count : count;
}
