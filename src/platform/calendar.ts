/**
 * Calendar dates in England, as `YYYY-MM-DD` strings. Everything the services decide by date is
 * decided on Europe/London calendar dates. The feeds' dates carry no time zone, so arithmetic is
 * done on UTC midnights: a day is always 24 hours there, and no clock change can move a date.
 * Nothing here reads the current time: callers pass the instant in.
 */

const MS_PER_DAY = 86_400_000;
const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** Dates already read: a submission names the same few dates hundreds of times. */
const utcMsOf = new Map<string, number | undefined>();

function toUtcMs(date: string): number | undefined {
  if (utcMsOf.has(date)) return utcMsOf.get(date);
  const ms = readUtcMs(date);
  // Bounded: a client sending endless distinct strings only restarts the cache.
  if (utcMsOf.size >= 10_000) utcMsOf.clear();
  utcMsOf.set(date, ms);
  return ms;
}

function readUtcMs(date: string): number | undefined {
  const match = DATE_SHAPE.exec(date);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 30 February over into March (and maps years 0–99 to 19xx), so only a
  // round trip proves the date is real.
  return new Date(ms).toISOString().slice(0, 10) === date ? ms : undefined;
}

function requireUtcMs(date: string): number {
  const ms = toUtcMs(date);
  if (ms === undefined) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return ms;
}

/** True when `value` is `YYYY-MM-DD` and names a day that exists. */
export function isCalendarDate(value: string): boolean {
  return toUtcMs(value) !== undefined;
}

/** The date `days` days after `date` (before it when negative). Throws RangeError on a bad date. */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`Not a whole number of days: ${days}`);
  const result = new Date(requireUtcMs(date) + days * MS_PER_DAY).toISOString().slice(0, 10);
  if (!isCalendarDate(result)) throw new RangeError(`Date out of range: ${date} + ${days} days`);
  return result;
}

/** Whole days from `from` to `to`: positive when `to` is later, 0 on the same day. */
export function daysBetween(from: string, to: string): number {
  return Math.round((requireUtcMs(to) - requireUtcMs(from)) / MS_PER_DAY);
}

/** "3 March 2026": the GOV.UK style for dates in text. */
export function formatLongDate(date: string): string {
  requireUtcMs(date);
  const [year, month, day] = date.split('-');
  return `${Number(day)} ${MONTH_NAMES[Number(month) - 1] ?? ''} ${year ?? ''}`;
}

/** A count of days in weeks, for limits the law sets in weeks: "6 weeks", "7 weeks and 2 days", "5 days". */
export function formatWeeksAndDays(days: number): string {
  const weeks = Math.floor(days / 7);
  const rest = days % 7;
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (weeks === 0) return plural(rest, 'day');
  if (rest === 0) return plural(weeks, 'week');
  return `${plural(weeks, 'week')} and ${plural(rest, 'day')}`;
}

const londonDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Europe/London calendar date of an instant, as 'YYYY-MM-DD'. */
export function londonDateOf(instant: Date): string {
  return londonDate.format(instant);
}

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** London wall-clock time without a zone, as the feed writes ExtractDateTime: 'YYYY-MM-DDTHH:MM:SS'. */
export function londonLocalDateTime(instant: Date): string {
  const parts = Object.fromEntries(londonDateTime.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}
