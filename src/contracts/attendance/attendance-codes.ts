/**
 * The national attendance codes (reference/attendance-codes.csv): what each roll-call mark means,
 * how it counts, and the dates it is valid on. Which codes are valid depends on the date of the
 * session: the September 2024 regulations added `K`, `J1`, `C1`, `C2`, `Q` and `Y1`–`Y7` (valid
 * from 19 August 2024) and retired `J`, `H` and `Y` (valid to 18 August 2024).
 *
 * The list is read once, at first use, and checked: a row that contradicts itself (an absence
 * counted as attendance, a not-counted code counted as possible) stops the process rather than
 * skewing every attendance rate.
 */
import { isCalendarDate } from '../../platform/calendar.ts';
import { readReferenceCsv } from './reference-csv.ts';

export const ATTENDANCE_CATEGORIES = [
  'present',
  'approved_educational_activity',
  'authorised_absence',
  'unauthorised_absence',
  'not_counted',
] as const;

export type AttendanceCategory = (typeof ATTENDANCE_CATEGORIES)[number];

export interface AttendanceCode {
  /** The mark as sent: `/`, `\`, `L`, `J1`, `#`… Case matters. */
  code: string;
  meaning: string;
  category: AttendanceCategory;
  /** False for the not-counted codes (`D X Z #`, `Q`, `Y`, `Y1`–`Y7`): not a possible session. */
  countsAsPossibleSession: boolean;
  /** True for present and approved educational activity: the numerator of the attendance rate. */
  countsAsAttendance: boolean;
  /** First session date the code may be used on (`YYYY-MM-DD`); absent: since before the feed. */
  validFrom?: string;
  /** Last session date the code may be used on; absent: still valid. */
  validTo?: string;
}

function isCategory(value: string): value is AttendanceCategory {
  return (ATTENDANCE_CATEGORIES as readonly string[]).includes(value);
}

function yesNo(value: string | undefined, column: string, code: string): boolean {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  throw new Error(`attendance code ${code}: ${column} must be yes or no, not ${JSON.stringify(value)}`);
}

function optionalDate(value: string | undefined, column: string, code: string): string | undefined {
  if (!value) return undefined;
  if (!isCalendarDate(value)) throw new Error(`attendance code ${code}: ${column} is not a date: ${value}`);
  return value;
}

function isValidOn(row: AttendanceCode, date: string): boolean {
  // Dates compare as strings: both are YYYY-MM-DD.
  return (
    (row.validFrom === undefined || row.validFrom <= date) &&
    (row.validTo === undefined || date <= row.validTo)
  );
}

/**
 * Turns the CSV's rows into attendance codes, refusing a list that contradicts itself. Exported
 * for its tests; everything else uses the functions below.
 */
export function parseAttendanceCodeRows(rows: readonly Record<string, string>[]): AttendanceCode[] {
  const codes = rows.map((row): AttendanceCode => {
    const code = row.code ?? '';
    if (!code) throw new Error('attendance code with no code');
    const category = row.category ?? '';
    if (!isCategory(category)) throw new Error(`attendance code ${code}: unknown category ${category}`);
    const parsed: AttendanceCode = {
      code,
      meaning: row.meaning ?? '',
      category,
      countsAsPossibleSession: yesNo(row.counts_as_possible_session, 'counts_as_possible_session', code),
      countsAsAttendance: yesNo(row.counts_as_attendance, 'counts_as_attendance', code),
    };
    const validFrom = optionalDate(row.valid_from, 'valid_from', code);
    const validTo = optionalDate(row.valid_to, 'valid_to', code);
    if (validFrom !== undefined) parsed.validFrom = validFrom;
    if (validTo !== undefined) parsed.validTo = validTo;
    if (validFrom !== undefined && validTo !== undefined && validTo < validFrom) {
      throw new Error(`attendance code ${code}: valid_to ${validTo} is before valid_from ${validFrom}`);
    }
    // The attendance rate's arithmetic relies on these agreeing with the category.
    const attends = category === 'present' || category === 'approved_educational_activity';
    if (parsed.countsAsAttendance !== attends) {
      throw new Error(`attendance code ${code}: counts_as_attendance contradicts category ${category}`);
    }
    if (parsed.countsAsPossibleSession !== (category !== 'not_counted')) {
      throw new Error(`attendance code ${code}: counts_as_possible_session contradicts category ${category}`);
    }
    return parsed;
  });
  // A code may come back with a new meaning later, but never two meanings on one date.
  for (const [i, a] of codes.entries()) {
    for (const b of codes.slice(i + 1)) {
      if (a.code !== b.code) continue;
      const overlap =
        (a.validTo === undefined || b.validFrom === undefined || b.validFrom <= a.validTo) &&
        (b.validTo === undefined || a.validFrom === undefined || a.validFrom <= b.validTo);
      if (overlap) throw new Error(`attendance code ${a.code} is listed twice for the same dates`);
    }
  }
  return codes;
}

let allCodes: readonly AttendanceCode[] | undefined;

/** Every attendance code in the reference list, whatever its dates, in the list's order. */
export function attendanceCodes(): readonly AttendanceCode[] {
  allCodes ??= Object.freeze(parseAttendanceCodeRows(readReferenceCsv('attendance-codes.csv')));
  return allCodes;
}

/** The codes valid on a date, by code: every mark of a submission is looked up, so this is cached. */
const codesOnDate = new Map<string, ReadonlyMap<string, AttendanceCode>>();
const CACHED_DATES = 4096;

function codesValidOnByCode(date: string): ReadonlyMap<string, AttendanceCode> {
  let codes = codesOnDate.get(date);
  if (codes) return codes;
  if (!isCalendarDate(date))
    throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  codes = new Map(
    attendanceCodes()
      .filter((row) => isValidOn(row, date))
      .map((row) => [row.code, row]),
  );
  // Dates in use are the last few weeks: a full cache is simply started again.
  if (codesOnDate.size >= CACHED_DATES) codesOnDate.clear();
  codesOnDate.set(date, codes);
  return codes;
}

/** The codes valid on `date`, by code: for loops over many marks of one date (one look-up per date). */
export function attendanceCodesOn(date: string): ReadonlyMap<string, AttendanceCode> {
  return codesValidOnByCode(date);
}

/** The codes a school may use for a session on `date` (`YYYY-MM-DD`), in the list's order. */
export function attendanceCodesValidOn(date: string): AttendanceCode[] {
  return [...codesValidOnByCode(date).values()];
}

/** The meaning of `code` for a session on `date`, or undefined when it is not valid then. */
export function attendanceCodeOn(code: string, date: string): AttendanceCode | undefined {
  return codesValidOnByCode(date).get(code);
}

/** True when `code` may be used for a session on `date`: `K` from 2024-08-19, `H` to 2024-08-18. */
export function isAttendanceCodeValidOn(code: string, date: string): boolean {
  return attendanceCodeOn(code, date) !== undefined;
}

/** True when `code` is in the list for some dates, whether or not it is valid today. */
export function isKnownAttendanceCode(code: string): boolean {
  return attendanceCodes().some((row) => row.code === code);
}
