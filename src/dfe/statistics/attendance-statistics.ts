/**
 * The statistics the pages and the API read, over statistics-store.ts. National questions add up
 * every school in the country (~22,000 rows a day; 20 days ≈ 0.45 s on PostgreSQL, a day's year
 * groups ≈ 0.6 s), so their answers are kept for a few seconds in this process and concurrent
 * askers share one query: a dashboard refreshed by many analysts costs the database one query per
 * few seconds, and figures are never more than that behind the submissions. An LA's or a school's
 * questions read a few hundred rows through their indexes and are always asked afresh.
 */
import type { Database } from '../../platform/db/database.ts';
import {
  datesWithData,
  dailyFigures,
  figuresByLa,
  figuresByPhase,
  figuresByYearGroup,
  latestSchoolDays,
  requestsForSchool,
  schoolsInRegisterByLa,
  schoolsOfLa,
  supplierActivity,
  type Area,
  type DayFigures,
  type LaFigures,
  type PhaseFigures,
  type SchoolDayFigures,
  type SchoolOfLa,
  type SchoolRequest,
  type SupplierActivity,
  type YearGroupFigures,
} from './statistics-store.ts';
import { KeptAnswers } from './kept-answers.ts';

/** How long a national answer is kept: "within seconds of arrival". */
export const NATIONAL_KEEP_MS = 5_000;

export interface AttendanceStatisticsOptions {
  /** 0 keeps nothing (tests that check figures right after a submission). */
  keepMs?: number;
  /** Milliseconds for how long answers are kept; the monotonic clock unless given (tests pass theirs). */
  clock?: () => number;
}

export class AttendanceStatistics {
  private readonly db: Database;
  private readonly kept: KeptAnswers;

  constructor(db: Database, options: AttendanceStatisticsOptions = {}) {
    this.db = db;
    this.kept = new KeptAnswers({ keepMs: options.keepMs ?? NATIONAL_KEEP_MS, clock: options.clock });
  }

  private national<T>(key: string, ask: () => Promise<T>): Promise<T> {
    return this.kept.answer(key, ask);
  }

  private areaAnswer<T>(area: Area, key: string, ask: () => Promise<T>): Promise<T> {
    return area.kind === 'national' ? this.national(key, ask) : ask();
  }

  latestDates(area: Area, count: number, onOrBefore: string): Promise<string[]> {
    return this.areaAnswer(area, `dates ${count} ${onOrBefore}`, () =>
      datesWithData(this.db, area, count, onOrBefore),
    );
  }

  daily(area: Area, from: string, to: string): Promise<DayFigures[]> {
    return this.areaAnswer(area, `daily ${from} ${to}`, () => dailyFigures(this.db, area, from, to));
  }

  byPhase(date: string, area: Area): Promise<PhaseFigures[]> {
    return this.areaAnswer(area, `phase ${date}`, () => figuresByPhase(this.db, date, area));
  }

  byYearGroup(date: string, area: Area): Promise<YearGroupFigures[]> {
    return this.areaAnswer(area, `year group ${date}`, () => figuresByYearGroup(this.db, date, area));
  }

  byLa(date: string): Promise<LaFigures[]> {
    return this.national(`la ${date}`, () => figuresByLa(this.db, date));
  }

  schoolsInRegisterByLa(): Promise<Map<string, number>> {
    return this.national('register', () => schoolsInRegisterByLa(this.db));
  }

  schoolsOfLa(laCode: string, date: string): Promise<SchoolOfLa[]> {
    return schoolsOfLa(this.db, laCode, date);
  }

  latestSchoolDays(urn: number, count: number): Promise<SchoolDayFigures[]> {
    return latestSchoolDays(this.db, urn, count);
  }

  requestsForSchool(urn: number, count: number): Promise<SchoolRequest[]> {
    return requestsForSchool(this.db, urn, count);
  }

  supplierActivity(window: { todayFrom: Date; weekFrom: Date }): Promise<SupplierActivity[]> {
    return supplierActivity(this.db, window);
  }
}
