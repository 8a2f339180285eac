/** Reading stored extracts: run overviews for people, and the stored bytes for download and the gateway. */
import { sql, type Selectable } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { ExtractTable } from '../register/tables.ts';

export interface ExtractSummary {
  extractDate: string;
  laCode: string;
  status: 'building' | 'ready' | 'failed';
  claimedBy: string;
  claimedAt: Date;
  attempts: number;
  error: string | null;
  extractDateTime: string | null;
  recordCount: number | null;
  sizeBytes: number | null;
  gzipBytes: number | null;
  sha256: string | null;
  buildMs: number | null;
  builtAt: Date | null;
}

const SUMMARY_COLUMNS = [
  'extract_date',
  'la_code',
  'status',
  'claimed_by',
  'claimed_at',
  'attempts',
  'error',
  'extract_date_time',
  'record_count',
  'size_bytes',
  'gzip_bytes',
  'sha256',
  'build_ms',
  'built_at',
] as const;

type SummaryRow = Pick<Selectable<ExtractTable>, (typeof SUMMARY_COLUMNS)[number]>;

function toSummary(row: SummaryRow): ExtractSummary {
  return {
    extractDate: row.extract_date,
    laCode: row.la_code,
    status: row.status,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at,
    attempts: row.attempts,
    error: row.error,
    extractDateTime: row.extract_date_time,
    recordCount: row.record_count,
    sizeBytes: row.size_bytes,
    gzipBytes: row.gzip_bytes,
    sha256: row.sha256,
    buildMs: row.build_ms,
    builtAt: row.built_at,
  };
}

/** Every extract of one date, by LA code (without content). */
export async function extractsOfDate(db: Database, extractDate: string): Promise<ExtractSummary[]> {
  const rows = await db
    .selectFrom('regulator.extract')
    .select(SUMMARY_COLUMNS)
    .where('extract_date', '=', sql<string>`${extractDate}::date`)
    .orderBy('la_code')
    .execute();
  return rows.map(toSummary);
}

/** Dates that have extracts, newest first, with counts per status. */
export async function extractDates(
  db: Database,
  limit = 40,
): Promise<{ extractDate: string; ready: number; building: number; failed: number }[]> {
  const rows = await db
    .selectFrom('regulator.extract')
    .select([
      'extract_date',
      sql<number>`count(*) filter (where status = 'ready')::int`.as('ready'),
      sql<number>`count(*) filter (where status = 'building')::int`.as('building'),
      sql<number>`count(*) filter (where status = 'failed')::int`.as('failed'),
    ])
    .groupBy('extract_date')
    .orderBy('extract_date', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    extractDate: r.extract_date,
    ready: r.ready,
    building: r.building,
    failed: r.failed,
  }));
}

export interface StoredExtract extends ExtractSummary {
  /** The document, gzip-compressed. */
  content: Buffer;
}

/** A ready extract with its bytes; undefined when there is none ready for that LA and date. */
export async function readyExtract(
  db: Database,
  laCode: string,
  extractDate: string,
): Promise<StoredExtract | undefined> {
  const row = await db
    .selectFrom('regulator.extract')
    .select([...SUMMARY_COLUMNS, 'content'])
    .where('la_code', '=', laCode)
    .where('extract_date', '=', sql<string>`${extractDate}::date`)
    .where('status', '=', 'ready')
    .executeTakeFirst();
  if (!row || !row.content) return undefined;
  return { ...toSummary(row), content: row.content };
}

/** The summary of one extract in any status. */
export async function extractSummary(
  db: Database,
  laCode: string,
  extractDate: string,
): Promise<ExtractSummary | undefined> {
  const row = await db
    .selectFrom('regulator.extract')
    .select(SUMMARY_COLUMNS)
    .where('la_code', '=', laCode)
    .where('extract_date', '=', sql<string>`${extractDate}::date`)
    .executeTakeFirst();
  return row ? toSummary(row) : undefined;
}
