/**
 * The directory's demo world: two consecutive synthetic snapshots of LA 825 taken in, the first
 * accepted whole (the directory as it stood), the second's changes left for a reviewer.
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
