/**
 * Fetching an LA's figures from the DfE and keeping them: England's and the LA's days, and the
 * LA's schools on each of its latest school days, all read with the LA's own client and stored
 * together with the time they were fetched. When the DfE cannot be reached or refuses, the figures
 * kept stay, and the reason is recorded for the pages to say why they are stale.
 *
 * A fetch is claimed by one conditional update of `la.attendance_fetch`, so several instances
 * (or a page opened by many officers at once) ask the DfE once; figures fresher than `freshForMs`
 * are not asked again, nor is a DfE that failed less than `retryAfterMs` ago.
 */
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { addDays, londonDateOf } from '../../platform/calendar.ts';
import { loadAttendanceSource } from './attendance-source.ts';
import { DfeStatisticsClient } from './dfe-statistics-client.ts';
import {
  latest,
  readDaysAnswer,
  readSchoolsAnswer,
  type DayTotals,
  type SchoolsDay,
} from './attendance-figures.ts';
import './tables.ts';

/** How many school days the pages show. */
export const SCHOOL_DAYS = 20;
/** The calendar days asked for: 20 school days and a fortnight's holiday fit in 60 (the national route allows 62). */
const DAYS_ASKED = 60;
/** Answers asked of the DfE at once. */
const AT_ONCE = 4;

export interface FetchOptions {
  now: Date;
  timeoutMs?: number;
  freshForMs: number;
  retryAfterMs: number;
}

export type FetchOutcome =
  | { kind: 'no-source' }
  | { kind: 'not-due' }
  | { kind: 'fetched'; dates: string[] }
  | { kind: 'failed'; problem: string };

/** Claims the LA's fetch when it is due: true when this caller is to fetch. */
async function claimFetch(db: Database, laCode: string, options: FetchOptions): Promise<boolean> {
  const { now } = options;
  const staleBefore = new Date(now.getTime() - options.freshForMs);
  const retryBefore = new Date(now.getTime() - options.retryAfterMs);
  const claimed = await db
    .insertInto('la.attendance_fetch')
    .values({ la_code: laCode, tried_at: now, fetched_at: null, problem: null })
    .onConflict((oc) =>
      oc
        .column('la_code')
        .doUpdateSet({ tried_at: now })
        .where((eb) =>
          eb.and([
            eb.or([
              eb('la.attendance_fetch.fetched_at', 'is', null),
              eb('la.attendance_fetch.fetched_at', '<', staleBefore),
            ]),
            eb('la.attendance_fetch.tried_at', '<', retryBefore),
          ]),
        ),
    )
    .returning('la_code')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Fetches the LA's figures from the DfE when they are due, and keeps them. */
export async function fetchAttendance(
  db: Database,
  box: SecretBox,
  laCode: string,
  options: FetchOptions,
): Promise<FetchOutcome> {
  const source = await loadAttendanceSource(db, box, laCode);
  if (!source) return { kind: 'no-source' };
  if (!(await claimFetch(db, laCode, options))) return { kind: 'not-due' };
  const client = new DfeStatisticsClient(source, {
    now: () => options.now,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const to = londonDateOf(options.now);
  const range = `from=${addDays(to, -(DAYS_ASKED - 1))}&to=${to}`;

  const read = async <T>(path: string, reader: (body: unknown) => T | undefined): Promise<T> => {
    const result = await client.get(path);
    if (!result.ok) throw new FetchProblem(result.reason);
    const value = reader(result.body);
    if (value === undefined)
      throw new FetchProblem(`The DfE’s answer to ${path.split('?')[0]} could not be read.`);
    return value;
  };

  try {
    const [laDays, nationalDays] = await Promise.all([
      read(`statistics/la/${laCode}?${range}`, readDaysAnswer),
      read(`statistics/national?${range}`, readDaysAnswer),
    ]);
    const dates = latest(laDays, SCHOOL_DAYS).map((day) => day.date);
    const schoolDays: SchoolsDay[] = [];
    for (let i = 0; i < dates.length; i += AT_ONCE)
      schoolDays.push(
        ...(await Promise.all(
          dates
            .slice(i, i + AT_ONCE)
            .map((date) => read(`statistics/la/${laCode}/schools?date=${date}`, readSchoolsAnswer)),
        )),
      );
    await keepAnswers(db, laCode, options.now, { laDays, nationalDays, schoolDays });
    return { kind: 'fetched', dates };
  } catch (error) {
    if (!(error instanceof FetchProblem)) throw error;
    const problem = error.message;
    await db.updateTable('la.attendance_fetch').set({ problem }).where('la_code', '=', laCode).execute();
    return { kind: 'failed', problem };
  }
}

class FetchProblem extends Error {}

/** Replaces the LA's answers with these, all together. */
async function keepAnswers(
  db: Database,
  laCode: string,
  at: Date,
  answers: { laDays: DayTotals[]; nationalDays: DayTotals[]; schoolDays: SchoolsDay[] },
): Promise<void> {
  const rows = [
    { resource: 'la', body: answers.laDays },
    { resource: 'national', body: answers.nationalDays },
    ...answers.schoolDays.map((day) => ({ resource: `schools ${day.date}`, body: day })),
  ];
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('la.attendance_answer').where('la_code', '=', laCode).execute();
    await trx
      .insertInto('la.attendance_answer')
      .values(
        rows.map((row) => ({
          la_code: laCode,
          resource: row.resource,
          body: JSON.stringify(row.body),
          fetched_at: at,
        })),
      )
      .execute();
    await trx
      .updateTable('la.attendance_fetch')
      .set({ fetched_at: at, problem: null })
      .where('la_code', '=', laCode)
      .execute();
  });
}

// --- reading what was kept -----------------------------------------------------------------------

export interface FetchState {
  triedAt: Date;
  /** Null before the first fetch succeeded. */
  fetchedAt: Date | null;
  /** Why the latest try failed; null when it succeeded. */
  problem: string | null;
}

export async function fetchState(db: Database, laCode: string): Promise<FetchState | undefined> {
  const row = await db
    .selectFrom('la.attendance_fetch')
    .select(['tried_at', 'fetched_at', 'problem'])
    .where('la_code', '=', laCode)
    .executeTakeFirst();
  return row && { triedAt: row.tried_at, fetchedAt: row.fetched_at, problem: row.problem };
}

async function answer<T>(db: Database, laCode: string, resource: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('la.attendance_answer')
    .select('body')
    .where('la_code', '=', laCode)
    .where('resource', '=', resource)
    .executeTakeFirst();
  return row?.body as T | undefined;
}

/** The LA's days and England's, oldest first, as last fetched. */
export async function keptDays(
  db: Database,
  laCode: string,
): Promise<{ la: DayTotals[]; national: DayTotals[] }> {
  const [la, national] = await Promise.all([
    answer<DayTotals[]>(db, laCode, 'la'),
    answer<DayTotals[]>(db, laCode, 'national'),
  ]);
  return { la: la ?? [], national: national ?? [] };
}

/** The LA's schools on a date, as last fetched. */
export function keptSchoolsDay(db: Database, laCode: string, date: string): Promise<SchoolsDay | undefined> {
  return answer<SchoolsDay>(db, laCode, `schools ${date}`);
}

/** One school of the LA on each kept school day, oldest first; empty when the LA has no such school. */
export async function keptSchoolDays(
  db: Database,
  laCode: string,
  urn: number,
): Promise<{ date: string; school: SchoolsDay['schools'][number] }[]> {
  const result = await sql<{ date: string; school: SchoolsDay['schools'][number] | null }>`
    select body->>'date' as date,
      (select s from jsonb_array_elements(body->'schools') s where s->>'urn' = ${String(urn)} limit 1) as school
    from la.attendance_answer
    where la_code = ${laCode} and resource like 'schools %'
    order by 1
  `.execute(db);
  return result.rows.flatMap((row) => (row.school ? [{ date: row.date, school: row.school }] : []));
}
