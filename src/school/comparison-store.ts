/**
 * The LA's and England's figures for the insight page: read from the DfE's statistics API with
 * the school role's receiver client (its own `attendance.read` token), kept in
 * `school.comparison` with when they were fetched, and shown from there while fresh — or, when
 * the DfE cannot give them, shown as they were last fetched with the reason. Every instance reads
 * the same cache, so what one fetched the others show.
 */
import type { Database } from '../platform/db/database.ts';
import type { ReceiverClient } from './sync/receiver-client.ts';
import {
  areaKey,
  comparisonOf,
  isFresh,
  recentFailure,
  statisticsPaths,
  totalsOfAnswer,
  STATISTICS_SCOPE,
  type AreaComparison,
  type CachedComparison,
  type ComparisonArea,
} from './comparison.ts';
import type { MarkTotals } from '../contracts/attendance/aggregation.ts';
import { combineSummaries } from '../contracts/attendance/aggregation.ts';
import './tables.ts';

async function cachedComparison(db: Database, area: string): Promise<CachedComparison | undefined> {
  const row = await db
    .selectFrom('school.comparison')
    .selectAll()
    .where('area', '=', area)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    area,
    from: row.from_date,
    to: row.to_date,
    totals: {
      possible: Number(row.possible),
      present: Number(row.present),
      aea: Number(row.aea),
      authorised: Number(row.authorised),
      unauthorised: Number(row.unauthorised),
      notCounted: Number(row.not_counted),
    },
    fetchedAt: new Date(row.fetched_at),
    ...(row.failed_at && row.failure ? { failed: { at: new Date(row.failed_at), reason: row.failure } } : {}),
  };
}

const scopeProblem = (why: string) =>
  `The DfE does not let this MIS read its statistics (${why}): its OAuth client needs the ${STATISTICS_SCOPE} scope.`;

/** Why an answer gives no figures, in the school's words. */
function answerProblem(status: number): string {
  if (status === 401 || status === 403) return scopeProblem(String(status));
  if (status === 404 || status === 405 || status === 501)
    return `The receiver has no statistics to read (${status}): a receiver of the 2020 contract does not publish them.`;
  return `The DfE answered ${status} instead of its figures.`;
}

/** The area's days from the DfE, added up; or why not. */
async function fetchTotals(
  receiver: ReceiverClient,
  area: ComparisonArea,
  from: string,
  to: string,
): Promise<{ ok: true; totals: MarkTotals } | { ok: false; reason: string }> {
  const parts: MarkTotals[] = [];
  for (const path of statisticsPaths(area, from, to)) {
    const answer = await receiver.readJson(path, STATISTICS_SCOPE);
    if (answer.kind === 'failed')
      return {
        ok: false,
        // The token endpoint refused the scope: the client was registered without it.
        reason: answer.reason.includes('(invalid_scope)')
          ? scopeProblem('invalid_scope')
          : answer.reason.replace(/;? the next sync will try again\.$/, '.'),
      };
    if (answer.status !== 200) return { ok: false, reason: answerProblem(answer.status) };
    const totals = totalsOfAnswer(answer.json);
    if (!totals) return { ok: false, reason: 'The DfE’s answer could not be read as statistics.' };
    parts.push(totals);
  }
  return { ok: true, totals: combineSummaries(parts) };
}

/**
 * The area's figures from `from` to `to`: the cache while fresh; otherwise asked of the DfE
 * (`receiver` undefined: no receiver set up), stored when it answers, the failure noted when not.
 */
export async function areaComparison(
  db: Database,
  receiver: ReceiverClient | undefined,
  area: ComparisonArea,
  range: { from: string; to: string },
  now: Date,
): Promise<AreaComparison> {
  const key = areaKey(area);
  const cached = await cachedComparison(db, key);
  if (isFresh(cached, range.from, range.to, now)) return comparisonOf(key, cached, undefined, range);
  const failedLately = recentFailure(cached, now);
  if (failedLately) return comparisonOf(key, cached, { ok: false, reason: failedLately }, range);
  if (!receiver)
    return comparisonOf(
      key,
      cached,
      {
        ok: false,
        reason: 'No connection to the DfE is set up for this MIS (edgate school receiver set).',
      },
      range,
    );
  const fetched = await fetchTotals(receiver, area, range.from, range.to);
  if (!fetched.ok) {
    await db
      .updateTable('school.comparison')
      .set({ failed_at: now, failure: fetched.reason })
      .where('area', '=', key)
      .execute();
    return comparisonOf(key, cached, fetched, range);
  }
  const { totals } = fetched;
  const row = {
    from_date: range.from,
    to_date: range.to,
    possible: totals.possible,
    present: totals.present,
    aea: totals.aea,
    authorised: totals.authorised,
    unauthorised: totals.unauthorised,
    not_counted: totals.notCounted,
    fetched_at: now,
    failed_at: null,
    failure: null,
  };
  await db
    .insertInto('school.comparison')
    .values({ area: key, ...row })
    .onConflict((oc) => oc.column('area').doUpdateSet(row))
    .execute();
  return comparisonOf(key, cached, { ok: true, totals, at: now }, range);
}
