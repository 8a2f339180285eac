/**
 * The directory's demo world. `takeInBaseline`: the directory as it stood before the demo's day,
 * one extract document uploaded, taken in and accepted whole, so what the collection brings next
 * is news for a reviewer. `seedDemoDirectory`: the same from two synthetic snapshots of LA 825,
 * for tests without a regulator.
 */
import type { Database } from '../../platform/db/database.ts';
import { addDays, londonDateOf } from '../../platform/calendar.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { extractChunks } from '../../contracts/childcare-extract/extract-writer.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { MUTATIONS, mutateSnapshot } from '../changes/snapshot-mutations.ts';
import { bulkAccept } from './directory-store.ts';
import { storeSnapshot } from '../collection/snapshot-store.ts';
import { takeInSnapshot } from './take-in.ts';
import { takeUpload } from '../collection/collect-all.ts';

export const DEMO_LA = '825';

/** An extract document of the registrations, as the regulator writes it. */
export function extractDocument(
  laCode: string,
  extractDateTime: string,
  registrations: Iterable<Registration>,
): Buffer {
  const la = localAuthorityByCode(laCode);
  return Buffer.from(
    [...extractChunks({ extractDateTime, laCode, laName: la?.name ?? `LA ${laCode}` }, registrations)].join(
      '',
    ),
    'utf8',
  );
}

export async function seedDemoDirectory(db: Database, now: Date): Promise<string[]> {
  const taken = await db
    .selectFrom('la.take_in')
    .select('la_code')
    .where('la_code', '=', DEMO_LA)
    .executeTakeFirst();
  if (taken) return [];
  const today = londonDateOf(now);
  const yesterday = addDays(today, -1);
  const first = [...generateRegister({ scale: 'demo', seed: 1, today: yesterday, laCodes: [DEMO_LA] })];
  // No removals: the demo's small LA would lose more than the guard's share and be held.
  const second = mutateSnapshot(first, {
    share: 0.4,
    seed: 7,
    today,
    mutations: MUTATIONS.filter((m) => m !== 'removed'),
  }).registrations;
  const by = 'demo seeding';

  const day1 = await storeSnapshot(db, {
    laCode: DEMO_LA,
    sourceId: null,
    bytes: extractDocument(DEMO_LA, `${yesterday}T05:30:00`, first),
    collectedAt: new Date(now.getTime() - 24 * 3600_000),
  });
  await takeInSnapshot(db, day1.snapshotId, { now: new Date(now.getTime() - 24 * 3600_000), by });
  await bulkAccept(db, { laCode: DEMO_LA }, by, new Date(now.getTime() - 23 * 3600_000));
  const day2 = await storeSnapshot(db, {
    laCode: DEMO_LA,
    sourceId: null,
    bytes: extractDocument(DEMO_LA, `${today}T05:30:00`, second),
    collectedAt: now,
  });
  const outcome = await takeInSnapshot(db, day2.snapshotId, { now, by });
  const pending =
    outcome.kind === 'taken-in'
      ? Object.entries(outcome.counts)
          .filter(([k]) => k !== 'housekeeping')
          .reduce((n, [, c]) => n + c, 0)
      : 0;
  return [
    `Seeded LA ${DEMO_LA}'s directory from two synthetic snapshots: ${first.length} providers, ${pending} changes waiting for review.`,
  ];
}

/**
 * The directory as it stood: one LA's extract document, uploaded as an officer would, taken in
 * and accepted whole. Returns how many providers it lists; nothing is done when the LA has
 * taken in any snapshot already.
 */
export async function takeInBaseline(
  db: Database,
  input: { laCode: string; document: Buffer; collectedAt: Date; acceptedAt: Date; by: string },
): Promise<number | undefined> {
  const taken = await db
    .selectFrom('la.take_in')
    .select('la_code')
    .where('la_code', '=', input.laCode)
    .executeTakeFirst();
  if (taken) return undefined;
  const uploaded = await takeUpload(db, {
    laCode: input.laCode,
    bytes: input.document,
    by: input.by,
    now: input.collectedAt,
  });
  if (uploaded.snapshotId === undefined || uploaded.error)
    throw new Error(`the baseline was refused: ${uploaded.error}`);
  const outcome = await takeInSnapshot(db, uploaded.snapshotId, { now: input.collectedAt, by: input.by });
  if (outcome.kind !== 'taken-in') throw new Error(`the baseline was not taken in: ${outcome.kind}`);
  await bulkAccept(db, { laCode: input.laCode }, input.by, input.acceptedAt);
  return Object.values(outcome.counts).reduce((n, c) => n + c, 0);
}
