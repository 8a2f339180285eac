/**
 * The daily run: for each LA, claim (extract date, LA) in the database, build the document,
 * and store it gzipped with its SHA-256, size, count and build time — or record the failure.
 *
 * Once only, whatever the number of instances: a claim is an insert that succeeds for one
 * instance; another may take it over only when it failed or its lease ran out (the builder
 * died). Storing is fenced on the claim, so a builder whose lease was taken over cannot
 * overwrite the new owner's work. A half-built extract is never visible: content and the
 * 'ready' status arrive in one statement.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { addDays, londonDateOf, londonLocalDateTime } from '../../platform/calendar.ts';
import { liveLocalAuthorities, localAuthorityByCode, type LocalAuthority } from '../../platform/reference.ts';
import { buildExtract } from './extract-builder.ts';
import { ExtractSink } from './extract-sink.ts';

/** Identifies this process in claims: readable in the pages, unique per process. */
export const INSTANCE_ID = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * gzip level 3, not zlib's default 6: over the national register's 195 MB of XML, level 6 took
 * 1.0–1.15 s of CPU for 11.9 MB, level 3 0.44 s for 15.4 MB; on two cores shared with the
 * database that half second is a sixth of the run. Levels 1 and 2 are no faster and larger.
 */
const GZIP_LEVEL = 3;

export type ExtractOutcome =
  | {
      laCode: string;
      outcome: 'built';
      recordCount: number;
      sizeBytes: number;
      gzipBytes: number;
      buildMs: number;
    }
  | { laCode: string; outcome: 'skipped'; reason: 'ready' | 'claimed-elsewhere' }
  | { laCode: string; outcome: 'failed'; error: string };

export interface RunOptions {
  extractDate: string;
  /** Default: every live LA. */
  laCodes?: string[];
  now?: () => Date;
  instanceId?: string;
  /** How long a claim protects a build from being taken over. */
  leaseSeconds?: number;
  /**
   * LAs built at once. Each build spends much of its time waiting: on its claim's and its
   * store's commits (an fsync each, 5–10 ms), on the database and on gzip. With three, the
   * others keep the cores busy meanwhile; each holds two batches and a few MB of buffers.
   */
  concurrency?: number;
  gzipLevel?: number;
  onProgress?: (outcome: ExtractOutcome, done: number, total: number) => void;
}

export interface RunSummary {
  extractDate: string;
  outcomes: ExtractOutcome[];
  built: number;
  skipped: number;
  failed: number;
}

export class UnknownLocalAuthorityError extends Error {}

function selectLocalAuthorities(codes: string[] | undefined): LocalAuthority[] {
  if (!codes || codes.length === 0) return [...liveLocalAuthorities()];
  return codes.map((code) => {
    const la = localAuthorityByCode(code);
    if (!la)
      throw new UnknownLocalAuthorityError(`'${code}' is not the 3-digit code of a live local authority`);
    return la;
  });
}

export async function runExtracts(db: Database, options: RunOptions): Promise<RunSummary> {
  const las = selectLocalAuthorities(options.laCodes);
  const queue = [...las];
  const outcomes: ExtractOutcome[] = [];
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const worker = async () => {
    for (let la = queue.shift(); la; la = queue.shift()) {
      const outcome = await buildOne(db, la, options);
      outcomes.push(outcome);
      options.onProgress?.(outcome, outcomes.length, las.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, las.length) }, worker));
  outcomes.sort((a, b) => a.laCode.localeCompare(b.laCode));
  return {
    extractDate: options.extractDate,
    outcomes,
    built: outcomes.filter((o) => o.outcome === 'built').length,
    skipped: outcomes.filter((o) => o.outcome === 'skipped').length,
    failed: outcomes.filter((o) => o.outcome === 'failed').length,
  };
}

/** Claims (date, LA) for this instance; undefined when it is ready or another instance holds a live claim. */
async function claim(
  db: Database,
  laCode: string,
  extractDate: string,
  instanceId: string,
  leaseSeconds: number,
): Promise<'claimed' | 'ready' | 'claimed-elsewhere'> {
  const lease = sql<Date>`now() + make_interval(secs => ${leaseSeconds})`;
  const claimed = await db
    .insertInto('regulator.extract')
    .values({
      extract_date: extractDate,
      la_code: laCode,
      status: 'building',
      claimed_by: instanceId,
      lease_until: lease,
    })
    .onConflict((oc) =>
      oc
        .columns(['extract_date', 'la_code'])
        .doUpdateSet({
          status: 'building',
          claimed_by: instanceId,
          claimed_at: sql<Date>`now()`,
          lease_until: lease,
          attempts: sql<number>`regulator.extract.attempts + 1`,
          error: null,
        })
        .where((eb) =>
          eb.or([
            eb('regulator.extract.status', '=', 'failed'),
            eb.and([
              eb('regulator.extract.status', '=', 'building'),
              eb('regulator.extract.lease_until', '<', sql<Date>`now()`),
            ]),
          ]),
        ),
    )
    .returning('claimed_by')
    .executeTakeFirst();
  if (claimed) return 'claimed';
  const existing = await db
    .selectFrom('regulator.extract')
    .select('status')
    .where('extract_date', '=', extractDate)
    .where('la_code', '=', laCode)
    .executeTakeFirst();
  return existing?.status === 'ready' ? 'ready' : 'claimed-elsewhere';
}

async function buildOne(db: Database, la: LocalAuthority, options: RunOptions): Promise<ExtractOutcome> {
  const instanceId = options.instanceId ?? INSTANCE_ID;
  const now = options.now ?? (() => new Date());
  const claimResult = await claim(db, la.code, options.extractDate, instanceId, options.leaseSeconds ?? 600);
  if (claimResult !== 'claimed') return { laCode: la.code, outcome: 'skipped', reason: claimResult };

  const started = performance.now();
  const extractDateTime = londonLocalDateTime(now());
  try {
    const sink = new ExtractSink(options.gzipLevel ?? GZIP_LEVEL);
    const recordCount = await buildExtract(
      db,
      {
        laCode: la.code,
        laName: la.name,
        extractDate: options.extractDate,
        extractDateTime,
      },
      (chunk) => sink.write(chunk),
    );
    const { content, sha256, sizeBytes } = await sink.end();
    const buildMs = Math.round(performance.now() - started);
    const stored = await db
      .updateTable('regulator.extract')
      .set({
        status: 'ready',
        content,
        sha256,
        record_count: recordCount,
        size_bytes: sizeBytes,
        gzip_bytes: content.length,
        build_ms: buildMs,
        built_at: sql<Date>`now()`,
        extract_date_time: extractDateTime,
        error: null,
      })
      .where('extract_date', '=', options.extractDate)
      .where('la_code', '=', la.code)
      .where('claimed_by', '=', instanceId)
      .where('status', '=', 'building')
      .executeTakeFirst();
    if (Number(stored.numUpdatedRows) !== 1) {
      return { laCode: la.code, outcome: 'skipped', reason: 'claimed-elsewhere' };
    }
    return { laCode: la.code, outcome: 'built', recordCount, sizeBytes, gzipBytes: content.length, buildMs };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db
      .updateTable('regulator.extract')
      .set({ status: 'failed', error: message.slice(0, 2000) })
      .where('extract_date', '=', options.extractDate)
      .where('la_code', '=', la.code)
      .where('claimed_by', '=', instanceId)
      .execute();
    return { laCode: la.code, outcome: 'failed', error: message };
  }
}

/** Removes extracts older than `retentionDays` before `today` (London dates); returns how many. */
export async function pruneExtracts(db: Database, today: string, retentionDays: number): Promise<number> {
  const result = await db
    .deleteFrom('regulator.extract')
    .where('extract_date', '<', sql<string>`${addDays(today, -retentionDays)}::date`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** True when it is past today's run time in London and some live LA has no ready extract for today. */
export async function extractCatchUpNeeded(db: Database, now: Date, runTime: string): Promise<boolean> {
  if (londonLocalDateTime(now).slice(11, 16) < runTime) return false;
  const today = londonDateOf(now);
  const ready = await db
    .selectFrom('regulator.extract')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('extract_date', '=', sql<string>`${today}::date`)
    .where('status', '=', 'ready')
    .executeTakeFirstOrThrow();
  return ready.n < liveLocalAuthorities().length;
}
