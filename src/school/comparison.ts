/**
 * The school's attendance beside its LA's and England's, as the DfE's statistics give them:
 * totals of sessions per day (possible, present, approved educational activity, authorised and
 * unauthorised absence), added up over the same dates as the school's own rate. Pure: the
 * answers come in as parsed JSON, the cache as rows; comparison-store.ts does the I/O.
 *
 * The DfE's figures are sums of sessions, not pupils, so they give the LA's and England's
 * attendance and absence rates but cannot say how many pupils are persistently or severely absent:
 * those stay the school's own.
 */
import { combineSummaries, type MarkSummary, type MarkTotals } from '../contracts/attendance/aggregation.ts';
import { addDays, isCalendarDate } from '../platform/calendar.ts';

/** The DfE's statistics API adds up at most this many days nationally per request. */
export const NATIONAL_DAYS_PER_REQUEST = 62;
/** Cached figures younger than this are shown without asking the DfE again. */
export const COMPARISON_FRESH_MS = 60 * 60_000;
/** After the DfE could not answer, pages show the last figures this long before asking again. */
export const COMPARISON_RETRY_MS = 5 * 60_000;
/** The scope of the DfE's statistics API. */
export const STATISTICS_SCOPE = 'attendance.read';

export type ComparisonArea = { kind: 'england' } | { kind: 'la'; laCode: string };

/** The key of an area in the cache: `england`, or the LA's code. */
export const areaKey = (area: ComparisonArea): string => (area.kind === 'england' ? 'england' : area.laCode);

/** The paths that give an area's days from `from` to `to`, in as few requests as the API allows. */
export function statisticsPaths(area: ComparisonArea, from: string, to: string): string[] {
  if (area.kind === 'la') return [`statistics/la/${area.laCode}?from=${from}&to=${to}`];
  const paths: string[] = [];
  for (let start = from; start <= to; start = addDays(start, NATIONAL_DAYS_PER_REQUEST)) {
    const end = addDays(start, NATIONAL_DAYS_PER_REQUEST - 1);
    paths.push(`statistics/national?from=${start}&to=${end < to ? end : to}`);
  }
  return paths;
}

const count = (value: unknown): number | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/**
 * The totals of one answer's days, read field by field (an answer is untrusted); undefined when
 * it is not a statistics answer.
 */
export function totalsOfAnswer(json: Record<string, unknown> | undefined): MarkTotals | undefined {
  if (!json || !Array.isArray(json.days)) return undefined;
  const days: MarkTotals[] = [];
  for (const item of json.days as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const day = item as Record<string, unknown>;
    if (typeof day.date !== 'string' || !isCalendarDate(day.date)) return undefined;
    const totals = {
      possible: count(day.possible),
      present: count(day.present),
      aea: count(day.aea),
      authorised: count(day.authorised),
      unauthorised: count(day.unauthorised),
      notCounted: count(day.notCounted),
    };
    if (Object.values(totals).some((v) => v === undefined)) return undefined;
    days.push(totals as MarkTotals);
  }
  return combineSummaries(days);
}

/** An area's figures as cached: the range they cover and when the DfE gave them. */
export interface CachedComparison {
  area: string;
  from: string;
  to: string;
  totals: MarkTotals;
  fetchedAt: Date;
  /** The last time the DfE could not give them, and why. */
  failed?: { at: Date; reason: string };
}

/**
 * The failure to show instead of asking the DfE again: one noted lately, after the last fetch.
 * An outage then costs one page a wait, not every page.
 */
export function recentFailure(cached: CachedComparison | undefined, now: Date): string | undefined {
  const failed = cached?.failed;
  if (!failed || failed.at < cached.fetchedAt) return undefined;
  const since = now.getTime() - failed.at.getTime();
  return since >= 0 && since < COMPARISON_RETRY_MS ? failed.reason : undefined;
}

/** Whether cached figures can be shown without asking the DfE: the same range, fetched lately. */
export function isFresh(cached: CachedComparison | undefined, from: string, to: string, now: Date): boolean {
  return (
    cached !== undefined &&
    cached.from === from &&
    cached.to === to &&
    now.getTime() - cached.fetchedAt.getTime() < COMPARISON_FRESH_MS &&
    cached.fetchedAt.getTime() <= now.getTime()
  );
}

/** What the page shows of an area: its figures, and if they are old or missing, why. */
export type AreaComparison =
  | { state: 'current'; area: string; from: string; to: string; figures: MarkSummary; fetchedAt: Date }
  | {
      state: 'stale';
      area: string;
      from: string;
      to: string;
      figures: MarkSummary;
      fetchedAt: Date;
      reason: string;
    }
  | { state: 'none'; area: string; reason: string };

/** The area's comparison from the cache and, when the DfE was asked, what it answered. */
export function comparisonOf(
  area: string,
  cached: CachedComparison | undefined,
  fetched: { ok: true; totals: MarkTotals; at: Date } | { ok: false; reason: string } | undefined,
  range: { from: string; to: string },
): AreaComparison {
  if (fetched?.ok)
    return {
      state: 'current',
      area,
      ...range,
      figures: combineSummaries([fetched.totals]),
      fetchedAt: fetched.at,
    };
  if (!cached) return { state: 'none', area, reason: fetched?.reason ?? 'The DfE has not been asked yet.' };
  const figures = combineSummaries([cached.totals]);
  const base = { area, from: cached.from, to: cached.to, figures, fetchedAt: cached.fetchedAt };
  if (!fetched) return { state: 'current', ...base };
  return { state: 'stale', ...base, reason: fetched.reason };
}
