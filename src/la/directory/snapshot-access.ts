/**
 * What the take-in reads and writes of the collection's snapshots (`la.snapshot`, owned by the
 * collection's migration 0001_collection): its state, its LA and its document. The table is typed
 * here for these queries only, so the collection's own declaration of it stays the authority.
 */
import { gunzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SnapshotState } from './tables.ts';

export interface SnapshotRow {
  id: number;
  la_code: string;
  sha256: string;
  extract_date_time: Date | string | null;
  collected_at: Date | string;
  source_id: number | null;
  size_bytes: number;
  record_count: number | null;
  content: Buffer | Uint8Array;
  state: SnapshotState;
  problem: string | null;
  decided_by: string | null;
  decided_at: Date | string | null;
}

type WithSnapshots = Kysely<EdgateDatabase & { 'la.snapshot': SnapshotRow }>;

export const snapshots = (db: Database): WithSnapshots => db as unknown as WithSnapshots;

export interface SnapshotSummary {
  id: number;
  laCode: string;
  state: SnapshotState;
  problem: string | null;
  collectedAt: Date;
  extractDateTime: Date | null;
  recordCount: number | null;
  decidedBy: string | null;
  decidedAt: Date | null;
}

const asDate = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

export async function snapshotSummary(
  db: Database,
  id: number,
  options: { lock?: boolean } = {},
): Promise<SnapshotSummary | undefined> {
  let query = snapshots(db)
    .selectFrom('la.snapshot')
    .select([
      'id',
      'la_code',
      'state',
      'problem',
      'collected_at',
      'extract_date_time',
      'record_count',
      'decided_by',
      'decided_at',
    ])
    .where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && summaryOf(row);
}

function summaryOf(
  row: Omit<SnapshotRow, 'content' | 'sha256' | 'source_id' | 'size_bytes'>,
): SnapshotSummary {
  return {
    id: row.id,
    laCode: row.la_code.trim(),
    state: row.state,
    problem: row.problem,
    collectedAt: new Date(row.collected_at),
    extractDateTime: asDate(row.extract_date_time),
    recordCount: row.record_count,
    decidedBy: row.decided_by,
    decidedAt: asDate(row.decided_at),
  };
}

/** Snapshots held for a person to confirm or discard, oldest first. */
export async function heldSnapshots(db: Database, laCodes?: readonly string[]): Promise<SnapshotSummary[]> {
  let query = snapshots(db)
    .selectFrom('la.snapshot')
    .select([
      'id',
      'la_code',
      'state',
      'problem',
      'collected_at',
      'extract_date_time',
      'record_count',
      'decided_by',
      'decided_at',
    ])
    .where('state', '=', 'held')
    .orderBy('id');
  if (laCodes) {
    if (laCodes.length === 0) return [];
    query = query.where('la_code', 'in', laCodes);
  }
  return (await query.execute()).map(summaryOf);
}

/** The document as collected, uncompressed. */
export async function snapshotDocument(db: Database, id: number): Promise<Buffer> {
  const row = await snapshots(db)
    .selectFrom('la.snapshot')
    .select('content')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return gunzipSync(row.content);
}

export async function setSnapshotState(
  db: Database,
  id: number,
  change: {
    state: SnapshotState;
    problem?: string | null;
    decidedBy?: string | null;
    decidedAt?: Date | null;
  },
): Promise<void> {
  await snapshots(db)
    .updateTable('la.snapshot')
    .set({
      state: change.state,
      ...(change.problem !== undefined ? { problem: change.problem } : {}),
      ...(change.decidedBy !== undefined ? { decided_by: change.decidedBy } : {}),
      ...(change.decidedAt !== undefined ? { decided_at: change.decidedAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}
