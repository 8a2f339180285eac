/**
 * What the webhook says after each collection run of an LA: the outcome in a word, the snapshot
 * (id, SHA-256, extract date) and how many changes of each kind it brought, and where to review
 * them. Never a registration's data: a receiver that needs more follows the link and signs in.
 */
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SnapshotState } from '../tables.ts';
import type { LaCollection } from '../collection/collect-all.ts';
import { enqueueDelivery, hasWebhook } from './webhook-store.ts';

type Db = Kysely<EdgateDatabase>;

/**
 * `taken-in`: new changes found (for review, or applied with auto-apply); `held`: the guard held
 * it for a person; `received`: stored, not yet taken in (a collection by the CLI); `invalid`:
 * kept aside, never applied; `unchanged`: the same document as before; `failed`: no document.
 */
export type CollectionOutcome = 'taken-in' | 'held' | 'received' | 'invalid' | 'unchanged' | 'failed';

/** Each outcome in plain words, for the webhook's page (the message itself carries the word). */
export const OUTCOME_PLAIN_WORDS: Record<CollectionOutcome, string> = {
  'taken-in': 'a new extract taken in',
  held: 'a new extract held for a person to decide',
  received: 'a new extract stored, not yet taken in',
  invalid: 'an extract that was not valid, kept aside',
  unchanged: 'the same extract as before',
  failed: 'no extract: the collection failed',
};

export interface CollectionEvent {
  event: 'collection';
  deliveryId: string;
  laCode: string;
  source: string;
  /** When the run ended (ISO 8601, UTC). */
  at: string;
  outcome: CollectionOutcome;
  snapshot: { id: number; sha256: string; extractDateTime: string | null } | null;
  /** Changes found in this snapshot, by kind (`new`, `changed`, `status-changed`, `left`, …). */
  changes: Record<string, number>;
  reviewUrl: string;
}

/** The run's outcome in the webhook's words; undefined when another instance ran it (it tells). */
export function collectionOutcome(
  result: Pick<LaCollection, 'outcome'>,
  snapshotState: SnapshotState | undefined,
): CollectionOutcome | undefined {
  switch (result.outcome) {
    case 'claimed-elsewhere':
      return undefined;
    case 'gateway-refused':
    case 'transport-error':
      return 'failed';
    case 'invalid-document':
      return 'invalid';
    case 'same-as-before':
      return 'unchanged';
    case 'collected':
      switch (snapshotState) {
        case 'taken-in':
          return 'taken-in';
        case 'held':
          return 'held';
        case 'invalid':
        case 'discarded':
          return 'invalid';
        default:
          return 'received';
      }
  }
}

/**
 * Stores the webhook delivery for one LA's collection run, when the LA has a webhook; read after
 * take-in, so the snapshot's state and changes are what the run left. Returns its delivery id.
 */
export async function enqueueCollectionEvent(
  db: Db,
  result: LaCollection,
  options: { now: Date; publicUrl: string },
): Promise<string | undefined> {
  // Most LAs have no webhook: nothing is read for them.
  if (result.outcome === 'claimed-elsewhere' || !(await hasWebhook(db, result.laCode))) return undefined;
  const snapshot =
    result.snapshotId === undefined
      ? undefined
      : await db
          .selectFrom('la.snapshot')
          .select(['id', 'sha256', 'extract_date_time', 'state'])
          .where('id', '=', result.snapshotId)
          .executeTakeFirst();
  const outcome = collectionOutcome(result, snapshot?.state);
  if (outcome === undefined) return undefined;
  const changes: Record<string, number> = {};
  if (snapshot && outcome === 'taken-in') {
    const counts = await db
      .selectFrom('la.change')
      .select(['kind', (eb) => eb.fn.countAll<string>().as('n')])
      .where('snapshot_id', '=', snapshot.id)
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    for (const c of counts) changes[c.kind] = Number(c.n);
  }
  const base = options.publicUrl.replace(/\/+$/, '');
  return enqueueDelivery(
    db,
    result.laCode,
    (deliveryId): CollectionEvent => ({
      event: 'collection',
      deliveryId,
      laCode: result.laCode,
      source: result.sourceName,
      at: options.now.toISOString(),
      outcome,
      snapshot: snapshot
        ? { id: snapshot.id, sha256: snapshot.sha256, extractDateTime: snapshot.extract_date_time }
        : null,
      changes,
      reviewUrl: `${base}/la/${result.laCode}/review`,
    }),
    options.now,
  );
}
