/**
 * Attendance figures as statistics report them: the totals of some school-days (a day nationally,
 * an LA's day, a year group, a school's day) and their rates. The arithmetic is aggregation.ts's;
 * the database only adds up the integer totals, so the formula lives in one place.
 */
import {
  combineSummaries,
  type MarkSummary,
  type MarkTotals,
} from '../../contracts/attendance/aggregation.ts';
import { pupilYearGroups } from '../../contracts/attendance/nc-year-groups.ts';

/** Totals and rates of some school-days, with how many schools they came from. */
export interface Figures extends MarkSummary {
  schools: number;
}

/** One row of summed totals as the statistics queries return them (snake case, as the columns). */
export interface TotalsRow {
  schools: number;
  possible: number;
  present: number;
  aea: number;
  authorised: number;
  unauthorised: number;
  not_counted: number;
}

function totalsOfRow(row: TotalsRow): MarkTotals {
  return {
    possible: Number(row.possible),
    present: Number(row.present),
    aea: Number(row.aea),
    authorised: Number(row.authorised),
    unauthorised: Number(row.unauthorised),
    notCounted: Number(row.not_counted),
  };
}

export function figuresOfRow(row: TotalsRow): Figures {
  return { schools: Number(row.schools), ...combineSummaries([totalsOfRow(row)]) };
}

/** Adds up figures of distinct schools (an LA's schools, the LAs of the country). */
export function combineFigures(parts: readonly Figures[]): Figures {
  return { schools: parts.reduce((sum, part) => sum + part.schools, 0), ...combineSummaries(parts) };
}

/** "94.2%": as every chart of rates writes them. */
export { formatRate } from '../../platform/web/rate-chart.ts';

/** Year groups in the reference list's order (youngest first); any other code after them, sorted. */
export function byYearGroupOrder<T extends { ncYearGroup: string }>(rows: readonly T[]): T[] {
  const order = new Map(pupilYearGroups().map((group, index) => [group.code, index]));
  const rank = (code: string) => order.get(code) ?? Number.MAX_SAFE_INTEGER;
  return [...rows].sort(
    (a, b) => rank(a.ncYearGroup) - rank(b.ncYearGroup) || a.ncYearGroup.localeCompare(b.ncYearGroup),
  );
}
