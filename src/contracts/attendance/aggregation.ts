/**
 * The arithmetic of attendance, over plain marks: how many sessions were possible, attended,
 * missed with or without authority. The same sums serve one year group's session and a school's
 * term, so statistics reuse them.
 *
 * Possible sessions are the marks whose code counts as a possible session (all but the
 * not-counted codes D X Z #, Q, Y, Y1–Y7). The attendance rate is (present + approved educational
 * activity) / possible; the absence rates are authorised / possible and unauthorised / possible,
 * so the three add up to 1. A rate is null when no session was possible (a closure marked `#`).
 */
import { attendanceCodesOn, type AttendanceCode } from './attendance-codes.ts';
import type { AttendanceMark } from './submission.ts';

/** Counts of marks by how they count. `possible` = present + aea + authorised + unauthorised. */
export interface MarkTotals {
  possible: number;
  present: number;
  /** Approved educational activity (off-site, sport, visits, work experience, K…). */
  aea: number;
  authorised: number;
  unauthorised: number;
  /** Not counted as possible sessions. */
  notCounted: number;
}

export interface MarkSummary extends MarkTotals {
  /** (present + aea) / possible, from 0 to 1; null when nothing was possible. */
  attendanceRate: number | null;
  authorisedRate: number | null;
  unauthorisedRate: number | null;
}

const NO_MARKS: MarkTotals = {
  possible: 0,
  present: 0,
  aea: 0,
  authorised: 0,
  unauthorised: 0,
  notCounted: 0,
};

function withRates(totals: MarkTotals): MarkSummary {
  const rate = (count: number): number | null => (totals.possible === 0 ? null : count / totals.possible);
  return {
    ...totals,
    attendanceRate: rate(totals.present + totals.aea),
    authorisedRate: rate(totals.authorised),
    unauthorisedRate: rate(totals.unauthorised),
  };
}

/**
 * Sums the marks of sessions on `date` by category. A code is read with the
 * meaning it has on that date; a code not valid on it throws RangeError, as validated
 * submissions never hold one.
 */
export function totalMarks(attendances: readonly AttendanceMark[], date: string): MarkTotals {
  const totals = noMarks();
  const codes = attendanceCodesOn(date);
  for (const { code, value } of attendances) {
    const meaning = codes.get(code);
    if (!meaning) throw new RangeError(`Attendance code ${JSON.stringify(code)} is not valid on ${date}`);
    addMarks(totals, meaning, value);
  }
  return totals;
}

/** No marks yet: a fresh object to add marks into. */
export function noMarks(): MarkTotals {
  return { ...NO_MARKS };
}

/** Counts `value` marks of a code with the given meaning into `totals`: how each category counts. */
export function addMarks(totals: MarkTotals, meaning: AttendanceCode, value: number): void {
  if (meaning.countsAsPossibleSession) totals.possible += value;
  switch (meaning.category) {
    case 'present':
      totals.present += value;
      break;
    case 'approved_educational_activity':
      totals.aea += value;
      break;
    case 'authorised_absence':
      totals.authorised += value;
      break;
    case 'unauthorised_absence':
      totals.unauthorised += value;
      break;
    case 'not_counted':
      totals.notCounted += value;
      break;
    default: {
      const unknownCategory: never = meaning.category;
      throw new Error(`Unknown attendance category ${String(unknownCategory)}`);
    }
  }
}

/** The marks' totals by category, with the rates. */
export function summariseMarks(attendances: readonly AttendanceMark[], date: string): MarkSummary {
  return withRates(totalMarks(attendances, date));
}

/** Adds up summaries (sessions, days, year groups, schools) and works the rates out again. */
export function combineSummaries(summaries: readonly MarkTotals[]): MarkSummary {
  const totals = { ...NO_MARKS };
  for (const summary of summaries) {
    totals.possible += summary.possible;
    totals.present += summary.present;
    totals.aea += summary.aea;
    totals.authorised += summary.authorised;
    totals.unauthorised += summary.unauthorised;
    totals.notCounted += summary.notCounted;
  }
  return withRates(totals);
}
