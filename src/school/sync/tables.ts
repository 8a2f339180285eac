/**
 * The school role's sync tables (schema `school`, migration 0002_sync): where the receiver is and
 * how to sign in to it, each school's consent, and the outbox of sends (submissions).
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** The one receiver this MIS sends to (the DfE's attendance API, or any 2020-style receiver). */
export interface ReceiverSettingsTable {
  id: Generated<number>;
  base_url: string;
  token_url: string;
  client_id: string;
  /** Sealed with the SecretBox. */
  client_secret_sealed: string;
  scope: string;
  /** A JSON object of header name → value, sealed: a 2020-era gateway's subscription key is a secret. */
  extra_headers_sealed: string | null;
  /** Sent as `api-client-app-id`. */
  app_id: string | null;
  updated_by: string;
  updated_at: Timestamp;
}

/** One giving of consent by a school, and its removal; at most one active per school. */
export interface ConsentTable {
  id: Generated<number>;
  urn: number;
  given_by: string;
  given_at: Timestamp;
  removed_by: string | null;
  removed_at: NullableTimestamp;
  /** When the receiver was told of the consent (PUT /consents/{urn}), and what it said. */
  receiver_told_at: NullableTimestamp;
  receiver_outcome: string | null;
  /** When the receiver was told of the removal (DELETE /consents/{urn}), and what it said. */
  removal_told_at: NullableTimestamp;
  removal_outcome: string | null;
}

export type SubmissionState =
  'queued' | 'sending' | 'accepted' | 'accepted-with-errors' | 'failed' | 'refused' | 'cancelled';

/** One send of a school's window: stored before it is sent (the outbox), then its outcome. */
export interface SubmissionTable {
  id: string;
  /** The order sends were stored in. */
  seq: ColumnType<string, never, never>;
  urn: number;
  /** Which sync made it ("2026-11-20 08:30", or "manual …"): one send per school per sync. */
  slot: string;
  idempotency_key: string;
  /** The school days covered, oldest first. */
  dates: string[];
  body_sha256: Buffer;
  /** The exact JSON sent, gzip. */
  body: Buffer;
  state: SubmissionState;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  /** While `sending`: the claim lasts until then; after it, another run may take the send over. */
  lease_until: NullableTimestamp;
  last_status: number | null;
  submission_ref: string | null;
  /** The receiver's record errors (201), or its error object (4xx), as JSON. */
  receiver_errors: ColumnType<unknown, string | null | undefined, string | null>;
  /** Why it failed or was refused, in plain words. */
  failure: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface SchoolSyncTables {
  'school.receiver_settings': ReceiverSettingsTable;
  'school.consent': ConsentTable;
  'school.submission': SubmissionTable;
}

// This role's tables join the database's type (the platform names no role).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends SchoolSyncTables {}
}
