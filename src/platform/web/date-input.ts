/**
 * The GOV.UK date input (day, month, year) read from a form or an address, with the GOV.UK
 * pattern's error messages: what is missing, what is not a real date, what breaks the page's
 * rule, each naming the parts that are wrong so the page marks only those.
 *
 * Fields are `<name>-day`, `<name>-month`, `<name>-year` (govukDateInput's `namePrefix`). A bare
 * `<name>=YYYY-MM-DD` is accepted too, so links, bookmarks and scripts can name a date directly.
 * Pure: "today" is the caller's (a Europe/London date).
 */
import { isCalendarDate } from '../calendar.ts';

export type DatePart = 'day' | 'month' | 'year';
const PARTS: readonly DatePart[] = ['day', 'month', 'year'];

export interface DateInputRule {
  /** How the error messages name the date, capitalised: "Date", "Last day of the suspension". */
  label: string;
  /** An empty input is an error ("Enter …") when true; otherwise it reads as no date. */
  required?: boolean;
  /** Today (YYYY-MM-DD, Europe/London) for the rules below. */
  today?: string;
  /** "must be today or in the past" */
  notAfterToday?: boolean;
  /** "must be in the future" */
  afterToday?: boolean;
}

export interface DateInputError {
  message: string;
  /** The parts to mark with `govuk-input--error`; the first is where the error summary links. */
  parts: DatePart[];
}

export interface DateInputValue {
  /** The date, when one was given and it passed the rule. */
  date?: string;
  error?: DateInputError;
  /** What was typed (or the parts of the date given), to show again. */
  parts: Record<DatePart, string>;
  /** True when anything at all was given. */
  given: boolean;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** A month as typed: 1–12, or its name or first three letters ("Dec", "december"). */
function monthNumber(text: string): number | undefined {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const lower = text.toLowerCase();
  const index = MONTHS.findIndex((m) => lower.length >= 3 && m.startsWith(lower));
  return index >= 0 ? index + 1 : undefined;
}

const field = (source: Record<string, unknown>, key: string): string => {
  const value = source[key];
  return typeof value === 'string' ? value.trim().slice(0, 20) : '';
};

const listed = (parts: DatePart[]): string =>
  parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;

/** Reads the date input `name` from a form body or a query string. */
export function readDateInput(
  source: Record<string, unknown>,
  name: string,
  rule: DateInputRule,
): DateInputValue {
  const typed = {
    day: field(source, `${name}-day`),
    month: field(source, `${name}-month`),
    year: field(source, `${name}-year`),
  };
  const iso = field(source, name);
  const anyPart = PARTS.some((p) => typed[p] !== '');
  // A bare ISO date (from a link or the API) stands for its three parts.
  if (!anyPart && iso !== '') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    const parts = match
      ? { day: String(Number(match[3])), month: String(Number(match[2])), year: match[1]! }
      : { day: '', month: '', year: '' };
    if (!match || !isCalendarDate(iso)) {
      return { parts, given: true, error: { message: `${rule.label} must be a real date`, parts: ['day'] } };
    }
    return checked(iso, parts, rule);
  }
  if (!anyPart) {
    return rule.required
      ? {
          parts: typed,
          given: false,
          error: { message: `Enter the ${lowerFirst(rule.label)}`, parts: ['day', 'month', 'year'] },
        }
      : { parts: typed, given: false };
  }
  const missing = PARTS.filter((p) => typed[p] === '');
  if (missing.length > 0) {
    return {
      parts: typed,
      given: true,
      error: { message: `${rule.label} must include a ${listed(missing)}`, parts: missing },
    };
  }
  const wrong: DatePart[] = [];
  const day = /^\d{1,2}$/.test(typed.day) ? Number(typed.day) : NaN;
  const month = monthNumber(typed.month);
  if (!(day >= 1 && day <= 31)) wrong.push('day');
  if (month === undefined || month < 1 || month > 12) wrong.push('month');
  if (!/^\d+$/.test(typed.year)) wrong.push('year');
  else if (typed.year.length !== 4) {
    return {
      parts: typed,
      given: true,
      error: { message: 'Year must include 4 numbers', parts: ['year'] },
    };
  }
  const date =
    wrong.length === 0
      ? `${typed.year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
      : undefined;
  if (date === undefined || !isCalendarDate(date)) {
    // 31 April: every part is a number in range, so the day is what does not exist.
    const parts: DatePart[] = wrong.length > 0 ? wrong : ['day'];
    return { parts: typed, given: true, error: { message: `${rule.label} must be a real date`, parts } };
  }
  return checked(date, typed, rule);
}

function checked(date: string, parts: Record<DatePart, string>, rule: DateInputRule): DateInputValue {
  const all: DatePart[] = ['day', 'month', 'year'];
  if (rule.today !== undefined && rule.notAfterToday && date > rule.today) {
    return {
      parts,
      given: true,
      error: { message: `${rule.label} must be today or in the past`, parts: all },
    };
  }
  if (rule.today !== undefined && rule.afterToday && date <= rule.today) {
    return { parts, given: true, error: { message: `${rule.label} must be in the future`, parts: all } };
  }
  return { date, parts, given: true };
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** A date's three parts as a person types them ("7", "12", "2026"), to fill a date input. */
export function datePartsOf(date: string | undefined): Record<DatePart, string> {
  const match = date ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  return match
    ? { day: String(Number(match[3])), month: String(Number(match[2])), year: match[1]! }
    : { day: '', month: '', year: '' };
}

export interface DateInputOptions {
  legend: string;
  hint?: string;
  /** Legend classes: "govuk-fieldset__legend--s" for a label-sized legend. */
  legendClasses?: string;
}

/**
 * The parameters of `govukDateInput` for a value read above: the error message on the field,
 * `govuk-input--error` on the parts that are wrong only.
 */
export function dateInputParams(name: string, value: DateInputValue, options: DateInputOptions) {
  const wrong = new Set(value.error?.parts ?? []);
  const width = (part: DatePart) => (part === 'year' ? 'govuk-input--width-4' : 'govuk-input--width-2');
  return {
    id: name,
    namePrefix: name,
    fieldset: {
      legend: { text: options.legend, classes: options.legendClasses ?? 'govuk-fieldset__legend--s' },
    },
    ...(options.hint ? { hint: { text: options.hint } } : {}),
    ...(value.error ? { errorMessage: { text: value.error.message } } : {}),
    items: PARTS.map((part) => ({
      name: part,
      classes: `${width(part)}${wrong.has(part) ? ' govuk-input--error' : ''}`,
      value: value.parts[part],
    })),
  };
}

/** The error summary's entry for a date input: it links to the first part that is wrong. */
export function dateErrorLink(name: string, error: DateInputError): { text: string; href: string } {
  return { text: error.message, href: `#${name}-${error.parts[0] ?? 'day'}` };
}

/** The names a page's route schema lists for the date input `name`. */
export function dateFieldNames<const N extends string>(name: N): [N, `${N}-day`, `${N}-month`, `${N}-year`] {
  return [name, `${name}-day`, `${name}-month`, `${name}-year`];
}
