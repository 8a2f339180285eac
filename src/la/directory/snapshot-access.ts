/**
 * What the take-in reads and writes of the collection's snapshots (`la.snapshot`, owned by the
 * collection's migration 0001_collection): its state, its LA and its document.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Database } from '../../platform/db/database.ts';
import type { Selectable } from 'kysely';
import type { SnapshotState, SnapshotTable } from '../tables.ts';

export interface SnapshotSummary {
  id: number;
  laCode: string;
  state: SnapshotState;
  problem: string | null;
  collectedAt: Date;
  /** ExtractDateTime as the document has it (local time, no zone). */
  extractDateTime: string | null;
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
  let query = db
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
  row: Omit<Selectable<SnapshotTable>, 'content' | 'sha256' | 'source_id' | 'size_bytes'>,
): SnapshotSummary {
  return {
    id: row.id,
    laCode: row.la_code.trim(),
    state: row.state,
    problem: row.problem,
    collectedAt: new Date(row.collected_at),
    extractDateTime: row.extract_date_time,
    recordCount: row.record_count,
    decidedBy: row.decided_by,
    decidedAt: asDate(row.decided_at),
  };
}

/** Snapshots held for a person to confirm or discard, oldest first. */
export async function heldSnapshots(db: Database, laCodes?: readonly string[]): Promise<SnapshotSummary[]> {
  let query = db
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

const gunzipAsync = promisify(gunzip);

/** The document as collected, uncompressed (off the event loop: a large LA's is ~10 MB). */
export async function snapshotDocument(db: Database, id: number): Promise<Buffer> {
  const row = await db
    .selectFrom('la.snapshot')
    .select('content')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return gunzipAsync(row.content);
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
  await db
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
