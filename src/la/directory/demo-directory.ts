/**
 * The directory's demo world: two consecutive synthetic snapshots of LA 825 taken in, the first
 * accepted whole (the directory as it stood), the second's changes left for a reviewer.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { addDays, londonDateOf } from '../../platform/calendar.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { extractChunks } from '../../contracts/childcare-extract/extract-writer.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { MUTATIONS, mutateSnapshot } from '../changes/snapshot-mutations.ts';
import { bulkAccept } from './directory-store.ts';
import { snapshots } from './snapshot-access.ts';
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

/**
 * Stores a snapshot as the collection does (once by SHA-256), for the demo and tests until the
 * collection's own store is merged in (src/la/collection/snapshot-store.ts).
 */
export async function storeSnapshotRow(
  db: Database,
  input: { laCode: string; bytes: Buffer; collectedAt: Date; extractDateTime?: string; recordCount?: number },
): Promise<{ snapshotId: number; isNew: boolean }> {
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const existing = await snapshots(db)
    .selectFrom('la.snapshot')
    .select('id')
    .where('la_code', '=', input.laCode)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (existing) return { snapshotId: existing.id, isNew: false };
  const row = await snapshots(db)
    .insertInto('la.snapshot')
    .values({
      la_code: input.laCode,
      sha256,
      extract_date_time: input.extractDateTime ? `${input.extractDateTime}Z` : null,
      collected_at: input.collectedAt,
      source_id: null,
      size_bytes: input.bytes.length,
      record_count: input.recordCount ?? null,
      content: gzipSync(input.bytes),
      state: 'received',
      problem: null,
      decided_by: null,
      decided_at: null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return { snapshotId: row.id, isNew: true };
}

async function snapshotTableExists(db: Database): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
    where table_schema = 'la' and table_name = 'snapshot'`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

export async function seedDemoDirectory(db: Database, now: Date): Promise<string[]> {
  if (!(await snapshotTableExists(db))) return [];
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

  const day1 = await storeSnapshotRow(db, {
    laCode: DEMO_LA,
    bytes: extractDocument(DEMO_LA, `${yesterday}T05:30:00`, first),
    collectedAt: new Date(now.getTime() - 24 * 3600_000),
    extractDateTime: `${yesterday}T05:30:00`,
    recordCount: first.length,
  });
  await takeInSnapshot(db, day1.snapshotId, { now: new Date(now.getTime() - 24 * 3600_000), by });
  await bulkAccept(db, { laCode: DEMO_LA }, by, new Date(now.getTime() - 23 * 3600_000));
  const day2 = await storeSnapshotRow(db, {
    laCode: DEMO_LA,
    bytes: extractDocument(DEMO_LA, `${today}T05:30:00`, second),
    collectedAt: now,
    extractDateTime: `${today}T05:30:00`,
    recordCount: second.length,
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
