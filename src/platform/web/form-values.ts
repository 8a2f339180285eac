/**
 * Reading a page's form fields, which may be absent, repeated or anything at all (typed-routes.ts
 * `pageFields`): the page checks each one itself and answers a bad one with its error message.
 */
import { isCalendarDate } from '../calendar.ts';

/** A field's text, trimmed; '' when absent or not text. A repeated field gives its first value. */
export function textOf(value: unknown): string {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** Every value of a field that may be repeated (checkboxes), text only. */
export function listOf(value: unknown): string[] {
  const values: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string');
}

/** A GOV.UK date input's day, month and year as YYYY-MM-DD, or undefined when not a real date. */
export function dateFromParts(day: unknown, month: unknown, year: unknown): string | undefined {
  const parts = [day, month, year].map((p) => (typeof p === 'string' ? p.trim() : ''));
  if (!/^\d{1,2}$/.test(parts[0]!) || !/^\d{1,2}$/.test(parts[1]!) || !/^\d{4}$/.test(parts[2]!))
    return undefined;
  const date = `${parts[2]}-${parts[1]!.padStart(2, '0')}-${parts[0]!.padStart(2, '0')}`;
  return isCalendarDate(date) ? date : undefined;
}

/** The error summary of a form's problems, each linking to its field (by id). */
export function errorSummaryOf(problems: Record<string, string>): { text: string; href: string }[] {
  return Object.entries(problems).map(([field, text]) => ({ text, href: `#${field}` }));
}
