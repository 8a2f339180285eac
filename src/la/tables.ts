/**
 * The LA role's tables (schema `la`). Part 1 (collection) owns `source`, `collection_claim`,
 * `collection_attempt` and `snapshot`; `snapshot` is the interface with part 2 (directory), which
 * reads `received` snapshots, applies the guards and sets them `taken-in` or `held`.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type SourceKind = 'soap' | 'fid' | 'upload';
export type SignatureAlgorithm = 'rsa-sha1' | 'rsa-sha256';

export interface SourceTable {
  id: Generated<number>;
  /** What officers call it: unique, e.g. "Ofsted ISPP (Buckinghamshire)". */
  name: string;
  kind: SourceKind;
  /** The gateway's address (SOAP service URL, or the FID base URL); null for uploads. */
  endpoint_url: string | null;
  username: string | null;
  /** Sealed (SecretBox). */
  password_sealed: string | null;
  /** Sealed (SecretBox). */
  fid_api_key_sealed: string | null;
  fid_service_key: string | null;
  /** PEM certificate + key, or a PFX (base64) and its password, sealed as JSON (SecretBox). */
  certificate_sealed: string | null;
  signature_algorithm: Generated<SignatureAlgorithm>;
  /** One LA, or many for an agent. */
  la_codes: string[];
  /** London HH:MM. */
  collect_time: Generated<string>;
  enabled: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_by: string;
  updated_at: Timestamp;
}

/** One (source, LA, London date) claimed by one collector at a time, across instances. */
export interface CollectionClaimTable {
  source_id: number;
  la_code: string;
  collect_date: string;
  claimed_at: Timestamp;
  claimed_by: string;
  finished_at: NullableTimestamp;
}

export type AttemptOutcome =
  'collected' | 'same-as-before' | 'gateway-refused' | 'transport-error' | 'invalid-document';

export interface CollectionAttemptTable {
  id: Generated<number>;
  source_id: number;
  la_code: string;
  started_at: Timestamp;
  finished_at: Date | string;
  /** 1 for the first try of a run, 2… for its retries. */
  attempt_number: number;
  outcome: AttemptOutcome;
  /** The gateway's Status.Code as sent (`Success`, `LocalAuthorityAccessInvalid`, `999`, …). */
  gateway_status: string | null;
  http_status: number | null;
  /** Plain words. */
  error: string | null;
  snapshot_id: number | null;
}

export type SnapshotState = 'received' | 'invalid' | 'held' | 'taken-in' | 'discarded';

export interface SnapshotTable {
  id: Generated<number>;
  la_code: string;
  /** Hex SHA-256 of the document's bytes: one row per distinct document of an LA. */
  sha256: string;
  /** ExtractDateTime as the document has it (local time, no zone); null when unreadable. */
  extract_date_time: string | null;
  collected_at: Date | string;
  source_id: number | null;
  size_bytes: number;
  /** Registrations in the document; null when it could not be read. */
  record_count: number | null;
  /** The document, gzipped. */
  content: Buffer;
  state: SnapshotState;
  /** Plain words, for `invalid` and `held`. */
  problem: string | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
}

export type SourceAuditAction = 'added' | 'changed' | 'enabled' | 'disabled' | 'cancelled';

/** Who changed a source, when and how, in plain words (never a secret's value). */
export interface SourceAuditTable {
  id: Generated<number>;
  source_id: number;
  source_name: string;
  /** The source's LAs at the time: each LA's page shows the changes of its sources. */
  la_codes: string[];
  action: SourceAuditAction;
  detail: string;
  changed_by: string;
  changed_at: Date | string;
}

/** A change to a source waiting on its check-your-answers page (sealed: it may hold secrets). */
export interface SourceDraftTable {
  id: Generated<number>;
  source_id: number;
  changes_sealed: string;
  drafted_by: string;
  drafted_at: Date | string;
}

export interface LaCollectionTables {
  'la.source': SourceTable;
  'la.collection_claim': CollectionClaimTable;
  'la.collection_attempt': CollectionAttemptTable;
  'la.snapshot': SnapshotTable;
  'la.source_audit': SourceAuditTable;
  'la.source_draft': SourceDraftTable;
}

// This role's tables join the database's type (the platform names no role).
declare module '../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends LaCollectionTables {}
}
