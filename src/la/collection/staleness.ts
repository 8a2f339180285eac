/**
 * The staleness alert: an LA that collects (it has an enabled source) but has had no new
 * snapshot for more than one working day is missing its feed. Computed from the database, so
 * every instance agrees; shown as a banner on LA pages and as a Prometheus gauge.
 */
import { sql, type Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import { workingDaysBetween } from '../../platform/working-days.ts';

type Db = Kysely<EdgateDatabase>;

export interface Staleness {
  laCode: string;
  /** When the last new readable document was collected; null when none ever was. */
  lastNewAt: Date | null;
  /** Working days since then (London dates); null when none ever was. */
  workingDays: number | null;
  stale: boolean;
}

/** Pure: stale when more than one working day has passed since the last new snapshot (or there never was one). */
export function stalenessOf(laCode: string, lastNewAt: Date | null, now: Date): Staleness {
  if (lastNewAt === null) return { laCode, lastNewAt, workingDays: null, stale: true };
  const workingDays = workingDaysBetween(londonDateOf(lastNewAt), londonDateOf(now));
  return { laCode, lastNewAt, workingDays, stale: workingDays > 1 };
}

/** Every LA an enabled source collects, with its staleness; `laCode` for one LA only. */
export async function collectionStaleness(db: Db, now: Date, laCode?: string): Promise<Staleness[]> {
  const sources = await db.selectFrom('la.source').select('la_codes').where('enabled', '=', true).execute();
  const codes = [...new Set(sources.flatMap((s) => s.la_codes))]
    .filter((c) => laCode === undefined || c === laCode)
    .sort();
  if (codes.length === 0) return [];
  const latest = await db
    .selectFrom('la.snapshot')
    .select(['la_code', sql<Date>`max(collected_at)`.as('last')])
    .where('state', '<>', 'invalid')
    .where('la_code', 'in', codes)
    .groupBy('la_code')
    .execute();
  const lastByLa = new Map(latest.map((r) => [r.la_code, new Date(r.last)]));
  return codes.map((code) => stalenessOf(code, lastByLa.get(code) ?? null, now));
}
