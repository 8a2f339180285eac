/**
 * The daily collection: every enabled source, every LA it collects, each (source, LA, London
 * date) claimed in PostgreSQL first so two instances (or the schedule and `edgate la collect`)
 * never collect the same one twice. Each try is recorded; transport errors and 999 are tried
 * again after an exponential, jittered pause; one LA's failure never stops the others.
 */
import { hostname } from 'node:os';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import type { AttemptOutcome, CollectionAttemptTable } from '../tables.ts';
import { fetchOverFid, fetchOverSoap, type CollectingSource, type FetchResult } from './collectors.ts';
import { openSource, type SourceRow } from './sources.ts';
import { storeSnapshot } from './snapshot-store.ts';
import { httpsTransport, type Transport } from './transport.ts';

type Db = Kysely<EdgateDatabase>;

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The pause before the second try; doubled before each later one, then jittered ±50%. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 5_000 };

export interface CollectOptions {
  /** Today's London date is taken from it (the claim's date). */
  now: Date;
  secretBox: SecretBox;
  /** Only these sources (by name); default every enabled one. */
  sources?: readonly string[];
  /** Only these LAs; default every LA of each source. */
  laCodes?: readonly string[];
  transport?: Transport;
  /** Called after a new readable snapshot is stored (part 2 takes it in there). */
  onSnapshot?: (snapshotId: number) => Promise<void> | void;
  onProgress?: (result: LaCollection, done: number, total: number) => void;
  /**
   * Called at the end of each LA's collection run (not one another collector has), after its
   * snapshot was taken in: the webhook is told there. A failure here is logged by the caller's
   * hook, never stops the collection.
   */
  onCollected?: (result: LaCollection) => Promise<void> | void;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * The clock for attempt times and request timestamps; default one running on from `now`, so
   * a caller that gives only `now` (a test's day, or the real time) signs with that time too.
   */
  clock?: () => Date;
  /** Collect again what was already collected today (never what is being collected right now). */
  again?: boolean;
  /** How long a claim holds before another instance may take it over (a crashed collector). */
  leaseSeconds?: number;
  /** LAs collected at once (an agent collects many). */
  concurrency?: number;
}

export interface LaCollection {
  sourceId: number;
  sourceName: string;
  laCode: string;
  /** `claimed-elsewhere`: another collector has (or had, today) this one. */
  outcome: AttemptOutcome | 'claimed-elsewhere';
  attempts: number;
  snapshotId?: number;
  error?: string;
}

const INSTANCE = `${hostname()}:${process.pid}`;

/** The pause before try `n + 1` (n ≥ 1): base · 2^(n−1), jittered to between half and 1.5 times that. */
export function backoffDelay(policy: RetryPolicy, n: number, random: () => number): number {
  const base = policy.baseDelayMs * 2 ** (n - 1);
  return Math.round(base * (0.5 + random()));
}

export async function collectAll(db: Db, given: CollectOptions): Promise<LaCollection[]> {
  const options: CollectOptions = { ...given, clock: given.clock ?? clockFrom(given.now) };
  let query = db
    .selectFrom('la.source')
    .selectAll()
    .where('enabled', '=', true)
    .where('kind', '<>', 'upload');
  if (options.sources)
    query = query.where('name', 'in', options.sources.length ? [...options.sources] : ['']);
  const rows = await query.orderBy('name').execute();
  const work: { row: SourceRow; laCode: string }[] = [];
  for (const row of rows) {
    for (const laCode of row.la_codes) {
      if (!options.laCodes || options.laCodes.includes(laCode)) work.push({ row, laCode });
    }
  }
  const transport = options.transport ?? httpsTransport();
  const opened = new Map<number, Promise<CollectingSource>>();
  const results: LaCollection[] = [];
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const { row, laCode } = work[next++]!;
      let result: LaCollection;
      try {
        if (!opened.has(row.id)) opened.set(row.id, openSource(row, options.secretBox));
        result = await collectClaimed(db, await opened.get(row.id)!, laCode, transport, options);
      } catch (error) {
        // A fault of edgate's own (or an unreadable sealed secret): recorded, the others go on.
        const at = (options.clock ?? (() => new Date()))();
        result = {
          sourceId: row.id,
          sourceName: row.name,
          laCode,
          outcome: 'transport-error',
          attempts: 1,
          error: `Collection failed inside edgate: ${(error as Error).message}`,
        };
        await recordAttempt(db, {
          source_id: row.id,
          la_code: laCode,
          started_at: at,
          finished_at: at,
          attempt_number: 1,
          outcome: 'transport-error',
          gateway_status: null,
          http_status: null,
          error: result.error!,
          snapshot_id: null,
        }).catch(() => undefined);
      }
      results.push(result);
      options.onProgress?.(result, results.length, work.length);
      if (result.outcome !== 'claimed-elsewhere') {
        try {
          await options.onCollected?.(result);
        } catch {
          // The hook reports its own failures; the other LAs are collected regardless.
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return results;
}

/** Claims (source, LA, today); false when someone else holds or finished it. */
/** A clock that starts at `start` and runs on at the real rate. */
export function clockFrom(start: Date): () => Date {
  const startedAt = performance.now();
  return () => new Date(start.getTime() + (performance.now() - startedAt));
}

async function claim(db: Db, sourceId: number, laCode: string, options: CollectOptions): Promise<boolean> {
  const clock = options.clock ?? (() => new Date());
  const at = clock();
  const staleBefore = new Date(at.getTime() - (options.leaseSeconds ?? 900) * 1000);
  const again = options.again === true;
  const row = await db
    .insertInto('la.collection_claim')
    .values({
      source_id: sourceId,
      la_code: laCode,
      collect_date: londonDateOf(options.now),
      claimed_at: at,
      claimed_by: INSTANCE,
    })
    .onConflict((oc) =>
      oc
        .columns(['source_id', 'la_code', 'collect_date'])
        .doUpdateSet({ claimed_at: at, claimed_by: INSTANCE, finished_at: null })
        .where((eb) =>
          eb.or([
            eb.and([
              eb('la.collection_claim.finished_at', 'is', null),
              eb('la.collection_claim.claimed_at', '<', staleBefore),
            ]),
            eb.and([eb('la.collection_claim.finished_at', 'is not', null), eb.val(again)]),
          ]),
        ),
    )
    .returning('source_id')
    .executeTakeFirst();
  return row !== undefined;
}

async function collectClaimed(
  db: Db,
  source: CollectingSource,
  laCode: string,
  transport: Transport,
  options: CollectOptions,
): Promise<LaCollection> {
  const base = { sourceId: source.id, sourceName: source.name, laCode };
  if (!(await claim(db, source.id, laCode, options)))
    return { ...base, outcome: 'claimed-elsewhere', attempts: 0 };
  try {
    return { ...base, ...(await collectWithRetries(db, source, laCode, transport, options)) };
  } finally {
    await db
      .updateTable('la.collection_claim')
      .set({ finished_at: (options.clock ?? (() => new Date()))() })
      .where('source_id', '=', source.id)
      .where('la_code', '=', laCode)
      .where('collect_date', '=', sql<string>`${londonDateOf(options.now)}::date`)
      .execute();
  }
}

async function collectWithRetries(
  db: Db,
  source: CollectingSource,
  laCode: string,
  transport: Transport,
  options: CollectOptions,
): Promise<Omit<LaCollection, 'sourceId' | 'sourceName' | 'laCode'>> {
  const clock = options.clock ?? (() => new Date());
  const policy = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    const startedAt = clock();
    const fetched: FetchResult =
      source.kind === 'soap'
        ? await fetchOverSoap(source, laCode, transport, startedAt)
        : await fetchOverFid(source, laCode, transport);
    if (fetched.kind === 'document') {
      const stored = await storeSnapshot(db, {
        laCode,
        sourceId: source.id,
        bytes: fetched.bytes,
        collectedAt: clock(),
      });
      const outcome: AttemptOutcome =
        stored.state === 'invalid' ? 'invalid-document' : stored.isNew ? 'collected' : 'same-as-before';
      await recordAttempt(db, {
        source_id: source.id,
        la_code: laCode,
        started_at: startedAt,
        finished_at: clock(),
        attempt_number: attempt,
        outcome,
        gateway_status: fetched.gatewayStatus,
        http_status: fetched.httpStatus,
        error: stored.problem,
        snapshot_id: stored.snapshotId,
      });
      if (stored.isNew && stored.state === 'received') await options.onSnapshot?.(stored.snapshotId);
      return {
        outcome,
        attempts: attempt,
        snapshotId: stored.snapshotId,
        ...(stored.problem ? { error: stored.problem } : {}),
      };
    }
    await recordAttempt(db, {
      source_id: source.id,
      la_code: laCode,
      started_at: startedAt,
      finished_at: clock(),
      attempt_number: attempt,
      outcome: fetched.kind,
      gateway_status: fetched.gatewayStatus,
      http_status: fetched.httpStatus,
      error: fetched.error,
      snapshot_id: null,
    });
    if (!fetched.retry || attempt >= policy.attempts) {
      return { outcome: fetched.kind, attempts: attempt, error: fetched.error };
    }
    await sleep(backoffDelay(policy, attempt, random));
  }
}

async function recordAttempt(db: Db, values: Insertable<CollectionAttemptTable>): Promise<void> {
  await db.insertInto('la.collection_attempt').values(values).execute();
}

/**
 * A document an officer uploads, stored like a collected one and recorded as an attempt of the
 * LA's upload source (made on first use).
 */
export async function takeUpload(
  db: Db,
  input: { laCode: string; bytes: Buffer; by: string; now: Date },
): Promise<LaCollection> {
  const name = `Uploaded files (${input.laCode})`;
  let source = await db
    .selectFrom('la.source')
    .select(['id', 'name'])
    .where('name', '=', name)
    .executeTakeFirst();
  if (!source) {
    source = await db
      .insertInto('la.source')
      .values({
        name,
        kind: 'upload',
        endpoint_url: null,
        la_codes: [input.laCode],
        enabled: true,
        created_by: input.by,
        updated_by: input.by,
      })
      .onConflict((oc) => oc.column('name').doUpdateSet({ updated_at: input.now }))
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
  }
  const stored = await storeSnapshot(db, {
    laCode: input.laCode,
    sourceId: source.id,
    bytes: input.bytes,
    collectedAt: input.now,
  });
  const outcome: AttemptOutcome =
    stored.state === 'invalid' ? 'invalid-document' : stored.isNew ? 'collected' : 'same-as-before';
  await recordAttempt(db, {
    source_id: source.id,
    la_code: input.laCode,
    started_at: input.now,
    finished_at: input.now,
    attempt_number: 1,
    outcome,
    gateway_status: null,
    http_status: null,
    error: stored.problem,
    snapshot_id: stored.snapshotId,
  });
  return {
    sourceId: source.id,
    sourceName: source.name,
    laCode: input.laCode,
    outcome,
    attempts: 1,
    snapshotId: stored.snapshotId,
    ...(stored.problem ? { error: stored.problem } : {}),
  };
}
