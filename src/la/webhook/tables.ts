/**
 * The LA's webhook (migration 0003_webhook): each LA's receiver, the outbox of deliveries (one
 * per collection run of the LA), and every attempt to deliver one.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Per LA: where its collection events are posted, and the secret they are signed with. */
export interface WebhookTable {
  la_code: string;
  /** https:// only (tests trust their receiver's own certificate, LA_WEBHOOK_CA_FILE). */
  url: string;
  /** Sealed (SecretBox). */
  secret_sealed: string;
  changed_by: string;
  changed_at: Timestamp;
}

/** `pending` (to send, perhaps again), `delivered` (a 2xx), `gave-up` (every try failed), `cancelled` (webhook removed). */
export type DeliveryState = 'pending' | 'delivered' | 'gave-up' | 'cancelled';

export interface WebhookDeliveryTable {
  id: Generated<number>;
  /** The `Edgate-Delivery` header: the same on every try, so a receiver keeps one. */
  delivery_id: string;
  la_code: string;
  /** The JSON sent, exactly as signed. */
  body: string;
  state: DeliveryState;
  /** Tries claimed so far; the fencing number of the latest claim. */
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  /** Held by an instance sending it until then. */
  claimed_until: NullableTimestamp;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery: number;
  attempt_number: number;
  url: string;
  started_at: Date | string;
  finished_at: Date | string;
  http_status: number | null;
  /** Plain words; null when delivered. */
  error: string | null;
}

export interface WebhookTables {
  'la.webhook': WebhookTable;
  'la.webhook_delivery': WebhookDeliveryTable;
  'la.webhook_attempt': WebhookAttemptTable;
}

declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends WebhookTables {}
}
