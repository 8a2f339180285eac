/**
 * The LA directory's tables (schema `la`, migration 0002_directory): the changes found in each
 * snapshot taken in and their review, the directory itself, each LA's settings and the take-in
 * record. The snapshots themselves (`la.snapshot`) are the collection's (0001_collection).
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { FieldChange } from '../changes/change.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export const REVIEW_STATES = ['pending', 'accepted', 'rejected', 'auto-applied', 'kept-quiet'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** One change found in a snapshot taken in, and what a person (or auto-apply) decided. */
export interface ChangeTable {
  id: Generated<number>;
  la_code: string;
  reference_number: string;
  kind: 'new' | 'changed' | 'status-changed' | 'housekeeping' | 'left' | 'disappeared' | 'restored' | 'moved';
  /** `moved`: the LA it left. */
  from_la: string | null;
  /** The snapshot it was found in, and the one it was compared with (null: the first). */
  snapshot_id: number;
  previous_snapshot_id: number | null;
  /** Each field old → new against the last snapshot taken in. */
  fields: JSONColumnType<FieldChange[]>;
  status_from: string | null;
  status_to: string | null;
  /** The registration as the snapshot has it; for left and disappeared, as last seen. */
  registration: JSONColumnType<Registration>;
  /** For the review queue's filters. */
  provision_type: string;
  postcode_district: string | null;
  review_state: ReviewState;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  reason: string | null;
  found_at: Timestamp;
}

/** One provider's record in one LA's directory. */
export interface DirectoryRecordTable {
  la_code: string;
  reference_number: string;
  /** The feed's fields as last accepted (by a person or by auto-apply). */
  registration: JSONColumnType<Registration>;
  /** False once a `left`, `disappeared` or `moved` away was accepted: kept, never published. */
  in_feed: boolean;
  /** Local fields: the feed never overwrites them. */
  public_description: string | null;
  opening_hours: string | null;
  website: string | null;
  listed_publicly: boolean;
  /** The change last applied to the feed's fields. */
  applied_change_id: number | null;
  feed_updated_at: Timestamp;
  local_updated_by: string | null;
  local_updated_at: NullableTimestamp;
}

/** Who changed a directory record's local fields, and how (audit). */
export interface DirectoryEditTable {
  id: Generated<number>;
  la_code: string;
  reference_number: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  changed_by: string;
  changed_at: Timestamp;
}

/** Each LA's settings for its directory. */
export interface LaSettingsTable {
  la_code: string;
  auto_apply: boolean;
  /** The most of the last snapshot's live registrations a snapshot may remove unheld, 0–1. */
  max_removed_share: ColumnType<number, number | undefined, number>;
  changed_by: string | null;
  changed_at: NullableTimestamp;
}

/** Per LA: the last snapshot taken in. Its row lock serialises take-in across instances. */
export interface TakeInTable {
  la_code: string;
  snapshot_id: number | null;
  extract_date_time: string | null;
  taken_in_at: NullableTimestamp;
}

/** References that left or disappeared, with the LA they were last seen in (restored / moved). */
export interface GoneTable {
  reference_number: string;
  la_code: string;
  change_id: number;
}

export interface DirectoryTables {
  'la.change': ChangeTable;
  'la.directory_record': DirectoryRecordTable;
  'la.directory_edit': DirectoryEditTable;
  'la.settings': LaSettingsTable;
  'la.take_in': TakeInTable;
  'la.gone': GoneTable;
}

// This role's tables join the database's type (the platform names no role).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends DirectoryTables {}
}
