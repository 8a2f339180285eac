/**
 * The LA's webhook settings and its outbox. Settings live in the database, the secret sealed, so
 * every instance reads the same and a removal stops every instance at once. A delivery is a row
 * stored when the collection run ends; instances claim due rows with `for update skip locked`
 * and a lease, so each is sent by one instance at a time, and a crashed sender's is taken over
 * when its lease runs out. The claim's attempt number fences the outcome: a sender whose claim
 * was taken over cannot overwrite its successor's.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import type { DeliveryState } from './tables.ts';
import { newWebhookSecret } from './webhook-signature.ts';

type Db = Kysely<EdgateDatabase>;

/** A webhook that cannot be set as asked; the message is for the person who asked. */
export class WebhookError extends Error {}

/** Pauses before each try after the first: 8 tries in all, the last about 10 hours after the first. */
export const RETRY_PAUSES_SECONDS = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600] as const;

/** The problem with a receiver's address, in plain words; undefined when it will do. */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Enter the receiver’s address, starting https://.';
  }
  if (url.username || url.password) return 'The address must not contain a username or password.';
  if (url.protocol !== 'https:') return 'The receiver’s address must start https://.';
  return undefined;
}

/** What may be shown of a webhook: never its secret. */
export interface WebhookSummary {
  laCode: string;
  url: string;
  changedBy: string;
  changedAt: Date;
}

export async function findWebhook(db: Db, laCode: string): Promise<WebhookSummary | undefined> {
  const row = await db
    .selectFrom('la.webhook')
    .select(['la_code', 'url', 'changed_by', 'changed_at'])
    .where('la_code', '=', laCode)
    .executeTakeFirst();
  return (
    row && {
      laCode: row.la_code,
      url: row.url,
      changedBy: row.changed_by,
      changedAt: new Date(row.changed_at),
    }
  );
}

/**
 * Sets LA `laCode`'s webhook. Without `secret`, a new one is made: it is returned, to be shown
 * once, and stored only sealed. Keeping the old secret: pass `keepSecret` (changing the address).
 */
export async function setWebhook(
  db: Db,
  box: SecretBox,
  input: { laCode: string; url: string; secret?: string; keepSecret?: boolean; by: string; now: Date },
): Promise<{ secret: string | undefined }> {
  const problem = webhookUrlProblem(input.url);
  if (problem) throw new WebhookError(problem);
  if (input.secret !== undefined && input.secret.length < 24)
    throw new WebhookError('The secret must be at least 24 characters long.');
  const existing = await db
    .selectFrom('la.webhook')
    .select('secret_sealed')
    .where('la_code', '=', input.laCode)
    .executeTakeFirst();
  const keep = input.keepSecret && input.secret === undefined && existing !== undefined;
  const secret = keep ? undefined : (input.secret ?? newWebhookSecret());
  const sealed = secret === undefined ? existing!.secret_sealed : box.seal(secret);
  await db
    .insertInto('la.webhook')
    .values({
      la_code: input.laCode,
      url: input.url,
      secret_sealed: sealed,
      changed_by: input.by,
      changed_at: input.now,
    })
    .onConflict((oc) =>
      oc.column('la_code').doUpdateSet({
        url: input.url,
        secret_sealed: sealed,
        changed_by: input.by,
        changed_at: input.now,
      }),
    )
    .execute();
  // A secret the caller chose is theirs already: only a made one is handed back, to show once.
  return { secret: input.secret === undefined ? secret : undefined };
}

/** Removes LA `laCode`'s webhook; what was waiting to be sent is cancelled. False when there was none. */
export async function removeWebhook(db: Db, laCode: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom('la.webhook').where('la_code', '=', laCode).executeTakeFirst();
    await trx
      .updateTable('la.webhook_delivery')
      .set({ state: 'cancelled', claimed_until: null })
      .where('la_code', '=', laCode)
      .where('state', '=', 'pending')
      .execute();
    return removed.numDeletedRows > 0n;
  });
}

/** Whether LA `laCode` has a webhook (else nothing is stored for it). */
export async function hasWebhook(db: Db, laCode: string): Promise<boolean> {
  const hook = await db
    .selectFrom('la.webhook')
    .select('la_code')
    .where('la_code', '=', laCode)
    .executeTakeFirst();
  return hook !== undefined;
}

/**
 * Stores a delivery of `event` to LA `laCode`'s webhook, due now (check `hasWebhook` first). One
 * stored just as the webhook is removed is cancelled when it is claimed.
 */
export async function enqueueDelivery(
  db: Db,
  laCode: string,
  event: (deliveryId: string) => object,
  now: Date,
): Promise<string> {
  const deliveryId = randomUUID();
  await db
    .insertInto('la.webhook_delivery')
    .values({
      delivery_id: deliveryId,
      la_code: laCode,
      body: JSON.stringify(event(deliveryId)),
      state: 'pending',
      next_attempt_at: now,
      created_at: now,
    })
    .execute();
  return deliveryId;
}

/** A delivery claimed to send now, with where to and the secret to sign with. */
export interface ClaimedDelivery {
  id: number;
  deliveryId: string;
  laCode: string;
  body: string;
  /** This claim's try number: the fence for its outcome. */
  attempt: number;
  url: string;
  secret: string;
}

/** Claims up to `limit` due deliveries for `leaseSeconds`; rows another instance holds are skipped. */
export async function claimDueDeliveries(
  db: Db,
  box: SecretBox,
  options: { now: Date; leaseSeconds: number; limit: number },
): Promise<ClaimedDelivery[]> {
  const { now } = options;
  const claimed = await db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('la.webhook_delivery')
      .select('id')
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(options.limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return trx
      .updateTable('la.webhook_delivery')
      .set((eb) => ({
        claimed_until: new Date(now.getTime() + options.leaseSeconds * 1000),
        attempts: eb('attempts', '+', 1),
      }))
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returning(['id', 'delivery_id', 'la_code', 'body', 'attempts'])
      .execute();
  });
  if (claimed.length === 0) return [];
  const hooks = await db
    .selectFrom('la.webhook')
    .select(['la_code', 'url', 'secret_sealed'])
    .where('la_code', 'in', [...new Set(claimed.map((c) => c.la_code))])
    .execute();
  const byLa = new Map(hooks.map((h) => [h.la_code, h]));
  const out: ClaimedDelivery[] = [];
  for (const c of claimed) {
    const hook = byLa.get(c.la_code);
    if (!hook) {
      // Removed since it was stored.
      await finishDelivery(db, { id: c.id, attempt: c.attempts }, { state: 'cancelled', now });
      continue;
    }
    out.push({
      id: c.id,
      deliveryId: c.delivery_id,
      laCode: c.la_code.trim(),
      body: c.body,
      attempt: c.attempts,
      url: hook.url,
      secret: box.open(hook.secret_sealed),
    });
  }
  return out;
}

/** Records one try and moves the delivery on: delivered, tried again later, or given up. */
export async function recordDeliveryAttempt(
  db: Db,
  claim: ClaimedDelivery,
  tried: { startedAt: Date; finishedAt: Date; httpStatus: number | null; error: string | null },
): Promise<DeliveryState> {
  await db
    .insertInto('la.webhook_attempt')
    .values({
      delivery: claim.id,
      attempt_number: claim.attempt,
      url: claim.url,
      started_at: tried.startedAt,
      finished_at: tried.finishedAt,
      http_status: tried.httpStatus,
      error: tried.error,
    })
    .execute();
  const now = tried.finishedAt;
  if (tried.error === null) {
    await finishDelivery(db, claim, { state: 'delivered', now });
    return 'delivered';
  }
  const pause = RETRY_PAUSES_SECONDS[claim.attempt - 1];
  if (pause === undefined) {
    await finishDelivery(db, claim, { state: 'gave-up', now });
    return 'gave-up';
  }
  await db
    .updateTable('la.webhook_delivery')
    .set({ claimed_until: null, next_attempt_at: new Date(now.getTime() + pause * 1000) })
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempt)
    .where('state', '=', 'pending')
    .execute();
  return 'pending';
}

async function finishDelivery(
  db: Db,
  claim: { id: number; attempt: number },
  outcome: { state: DeliveryState; now: Date },
): Promise<void> {
  await db
    .updateTable('la.webhook_delivery')
    .set({
      state: outcome.state,
      claimed_until: null,
      ...(outcome.state === 'delivered' ? { delivered_at: outcome.now } : {}),
    })
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempt)
    .where('state', '=', 'pending')
    .execute();
}

/** LA `laCode`'s deliveries waiting for a later try become due now (a person asked to send them). */
export async function makeDueNow(db: Db, laCode: string, now: Date): Promise<void> {
  await db
    .updateTable('la.webhook_delivery')
    .set({ next_attempt_at: now })
    .where('la_code', '=', laCode)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '>', now)
    .execute();
}

export interface DeliverySummary {
  id: number;
  deliveryId: string;
  state: DeliveryState;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
  outcome: string;
  attempts: { attemptNumber: number; startedAt: Date; httpStatus: number | null; error: string | null }[];
}

/** LA `laCode`'s latest deliveries, newest first, each with its tries. */
export async function recentDeliveries(db: Db, laCode: string, limit = 20): Promise<DeliverySummary[]> {
  const rows = await db
    .selectFrom('la.webhook_delivery')
    .selectAll()
    .where('la_code', '=', laCode)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom('la.webhook_attempt')
    .selectAll()
    .where(
      'delivery',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    deliveryId: r.delivery_id,
    state: r.state,
    createdAt: new Date(r.created_at),
    deliveredAt: r.delivered_at,
    nextAttemptAt: new Date(r.next_attempt_at),
    outcome: (JSON.parse(r.body) as { outcome?: string }).outcome ?? '',
    attempts: attempts
      .filter((a) => a.delivery === r.id)
      .map((a) => ({
        attemptNumber: a.attempt_number,
        startedAt: new Date(a.started_at),
        httpStatus: a.http_status,
        error: a.error,
      })),
  }));
}
