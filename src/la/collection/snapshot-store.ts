/**
 * Snapshots: each distinct document an LA's sources delivered, stored once per (LA, SHA-256),
 * gzipped. A readable one is `received` (part 2 takes it in or holds it); an unreadable one is
 * `invalid` with the reason, kept for a person to see and never taken in.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SnapshotState } from '../tables.ts';
import { checkExtractDocument } from './extract-document.ts';
import { schemaProblem } from './schema-validation.ts';

type Db = Kysely<EdgateDatabase>;

export interface StoreSnapshotInput {
  laCode: string;
  sourceId: number | null;
  bytes: Buffer;
  collectedAt: Date;
}

export interface StoredSnapshot {
  snapshotId: number;
  /** False when the same document (same SHA-256) was already stored for this LA. */
  isNew: boolean;
  state: SnapshotState;
  /** For an `invalid` one: why, in plain words. */
  problem: string | null;
}

/** Compressed on libuv's pool, off the event loop (a large LA's 10 MB took ~80 ms of it). */
const gzipAsync = promisify(gzip);

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores `bytes` as LA `laCode`'s snapshot unless the same document is already there (then the
 * existing one is returned, `isNew` false). The document is read first, then validated against
 * Ofsted's v1.3 XSD: unreadable or not valid → `invalid`, with the reason.
 * Safe when two collectors store the same document at once (unique (la_code, sha256)).
 */
export async function storeSnapshot(db: Db, input: StoreSnapshotInput): Promise<StoredSnapshot> {
  const sha256 = sha256Of(input.bytes);
  const existing = await findSnapshot(db, input.laCode, sha256);
  if (existing) return { ...existing, isNew: false };

  // Compressed on the pool while the document is read here.
  const content = gzipAsync(input.bytes);
  const read = await checkExtractDocument(input.bytes, input.laCode);
  // Validated against Ofsted's XSD only once the reader has taken it: hostile shapes (DOCTYPE,
  // deep nesting, too large) never reach the validator.
  const invalid = read.ok ? await schemaProblem(input.bytes) : undefined;
  const check = invalid ? ({ ok: false, problem: invalid } as const) : read;
  const state: SnapshotState = check.ok ? 'received' : 'invalid';
  const problem = check.ok ? null : check.problem;
  const inserted = await db
    .insertInto('la.snapshot')
    .values({
      la_code: input.laCode,
      sha256,
      extract_date_time: check.ok ? check.header.extractDateTime : null,
      collected_at: input.collectedAt,
      source_id: input.sourceId,
      size_bytes: input.bytes.length,
      record_count: check.ok ? check.recordCount : null,
      content: await content,
      state,
      problem,
    })
    .onConflict((oc) => oc.columns(['la_code', 'sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { snapshotId: inserted.id, isNew: true, state, problem };
  // Another collector stored the same document a moment ago.
  const raced = await findSnapshot(db, input.laCode, sha256);
  if (!raced) throw new Error(`snapshot ${input.laCode} ${sha256} vanished while being stored`);
  return { ...raced, isNew: false };
}

async function findSnapshot(
  db: Db,
  laCode: string,
  sha256: string,
): Promise<Omit<StoredSnapshot, 'isNew'> | undefined> {
  const row = await db
    .selectFrom('la.snapshot')
    .select(['id', 'state', 'problem'])
    .where('la_code', '=', laCode)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return row && { snapshotId: row.id, state: row.state, problem: row.problem };
}

/** The document as collected (uncompressed bytes); undefined when there is no such snapshot. */
export async function readSnapshotDocument(db: Db, id: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('la.snapshot').select('content').where('id', '=', id).executeTakeFirst();
  return row && gunzipSync(row.content);
}

export interface SnapshotSummary {
  id: number;
  laCode: string;
  sha256: string;
  extractDateTime: string | null;
  collectedAt: Date;
  sourceId: number | null;
  sizeBytes: number;
  recordCount: number | null;
  state: SnapshotState;
  problem: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
}

/** An LA's snapshots, newest collected first (without their content). */
export async function latestSnapshots(
  db: Db,
  laCode: string | undefined,
  options: { limit?: number } = {},
): Promise<SnapshotSummary[]> {
  let query = db
    .selectFrom('la.snapshot')
    .select([
      'id',
      'la_code',
      'sha256',
      'extract_date_time',
      'collected_at',
      'source_id',
      'size_bytes',
      'record_count',
      'state',
      'problem',
      'decided_by',
      'decided_at',
    ])
    .orderBy('collected_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50);
  if (laCode !== undefined) query = query.where('la_code', '=', laCode);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    laCode: r.la_code,
    sha256: r.sha256,
    extractDateTime: r.extract_date_time,
    collectedAt: new Date(r.collected_at),
    sourceId: r.source_id,
    sizeBytes: r.size_bytes,
    recordCount: r.record_count,
    state: r.state,
    problem: r.problem,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  }));
}
