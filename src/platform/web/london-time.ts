/**
 * Times on pages, the GOV.UK way and in England's time: "10:30am on 7 December 2026", "10am",
 * "midday", "midnight". Clock changes are the formatter's business, so a page never says GMT,
 * BST or UTC.
 */
import { formatLongDate, londonLocalDateTime } from '../calendar.ts';

/** "10:30am", "10am", "midday", "midnight" for a 24-hour clock time. */
export function formatClockTime(hour: number, minute: number): string {
  if (minute === 0 && hour === 12) return 'midday';
  if (minute === 0 && hour === 0) return 'midnight';
  const h = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = hour < 12 ? 'am' : 'pm';
  return minute === 0 ? `${h}${suffix}` : `${h}:${String(minute).padStart(2, '0')}${suffix}`;
}

/** An instant as London time: "10:30am on 7 December 2026". */
export function formatLondonTime(instant: Date): string {
  const local = londonLocalDateTime(instant);
  const [hour, minute] = [Number(local.slice(11, 13)), Number(local.slice(14, 16))];
  return `${formatClockTime(hour, minute)} on ${formatLongDate(local.slice(0, 10))}`;
}

/**
 * A value a page shows as a time: an instant (a Date, or ISO text with a zone) in London time,
 * or a London wall-clock time without a zone (`2026-11-02T06:00:00`, as the extract records it).
 */
export function formatPageTime(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : formatLondonTime(value);
  if (typeof value !== 'string') return '';
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value);
  if (local) return `${formatClockTime(Number(local[2]), Number(local[3]))} on ${formatLongDate(local[1]!)}`;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? value : formatLondonTime(instant);
}
