/**
 * The LA's attendance tables (schema `la`, migration 0005_attendance): where each LA reads its
 * schools' attendance from the DfE (its own OAuth client, the secret sealed), the DfE's answers
 * kept with the time they were fetched, and how the last fetch went.
 */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** One LA's DfE statistics API and its client of it. */
export interface AttendanceSourceTable {
  la_code: string;
  /** The statistics API's base address (paths such as statistics/la/825 are appended). */
  base_url: string;
  token_url: string;
  client_id: string;
  /** Sealed (SecretBox). */
  client_secret_sealed: string;
  /** A PEM certificate to trust besides the public ones (a DfE with a private CA); not secret. */
  ca_pem: string | null;
  updated_by: string;
  updated_at: Timestamp;
}

/** One answer of the DfE, as it was read: `la`, `national`, or `schools YYYY-MM-DD`. */
export interface AttendanceAnswerTable {
  la_code: string;
  resource: string;
  /** JSON, written as text. */
  body: ColumnType<unknown, string, string>;
  fetched_at: Timestamp;
}

/** How the latest fetch of an LA's figures went: a claim across instances, and its outcome. */
export interface AttendanceFetchTable {
  la_code: string;
  /** When an instance last started a fetch (claimed by one conditional update). */
  tried_at: Timestamp;
  /** When all the answers were last fetched and stored together; null before the first success. */
  fetched_at: NullableTimestamp;
  /** Plain words: why the latest try failed; null when it succeeded. */
  problem: string | null;
}

export interface LaAttendanceTables {
  'la.attendance_source': AttendanceSourceTable;
  'la.attendance_answer': AttendanceAnswerTable;
  'la.attendance_fetch': AttendanceFetchTable;
}

declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends LaAttendanceTables {}
}
