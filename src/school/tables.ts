/**
 * The school schema's tables (migration 0001_school_data). Names, UPNs and dates of birth never
 * leave the role; the DfE receives counts only (aggregation.ts).
 */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns read and write as `YYYY-MM-DD` text (platform/db/database.ts parses them so). */
type DateColumn = string;
type NullableDateColumn = ColumnType<string | null, string | null | undefined, string | null>;

export type SchoolPhaseColumn = 'primary' | 'secondary' | 'all-through';
export type SessionColumn = 'AM' | 'PM';

export interface SchoolTable {
  urn: number;
  name: string;
  la_code: string;
  establishment_number: string;
  phase: SchoolPhaseColumn;
  created_at: Timestamp;
}

export interface TermTable {
  urn: number;
  name: string;
  starts: DateColumn;
  ends: DateColumn;
}

export interface ClosureTable {
  urn: number;
  date: DateColumn;
  session: SessionColumn | 'both';
  /** An INSET day: a training day with no pupil sessions (always both sessions). */
  inset: ColumnType<boolean, boolean | undefined, boolean>;
  reason: ColumnType<string, string | undefined, string>;
}

/** The school-side permissions of a staff member. */
export const SCHOOL_PERMISSIONS = {
  /** "Data Returns: Administer": consent to and oversee the attendance send. */
  'data-returns-administer': 'Data Returns: Administer',
  /** Take and amend the register. */
  'attendance-take': 'Attendance: Take the register',
} as const;
export type SchoolPermission = keyof typeof SCHOOL_PERMISSIONS;

export interface StaffTable {
  /** A platform account (lower-case) with the account role `school-user`. */
  username: string;
  urn: number;
  permissions: string[];
  added_by: string;
  added_at: Timestamp;
}

export interface PupilTable {
  urn: number;
  /** The MIS's own id, unique within the school. */
  pupil_id: string;
  upn: string;
  forename: string;
  surname: string;
  date_of_birth: DateColumn;
}

/** One year group of one stay on roll (see pupils.ts `Enrolment`). */
export interface EnrolmentTable {
  urn: number;
  pupil_id: string;
  admission_date: DateColumn;
  /** The last day on roll. */
  leaving_date: NullableDateColumn;
  nc_year_group: string;
  year_group_from: DateColumn;
  /** The last day in this year group: the day before the next one's `from`, or the leaving date. */
  year_group_to: NullableDateColumn;
}

/** The current mark of a pupil session. */
export interface MarkTable {
  urn: number;
  pupil_id: string;
  date: DateColumn;
  session: SessionColumn;
  code: string;
  recorded_by: string;
  recorded_at: Timestamp;
  /** When edgate last wrote the row: `marksChangedSince` reads it. */
  stored_at: Timestamp;
}

/**
 * The history of a mark that was changed: every entry, the first included (from_code null). A mark
 * entered once and never changed has no rows here: its history is the mark itself (recorded_by,
 * recorded_at). This keeps the bulk of marks, entered once, at one row each (`markHistory` reads both).
 */
export interface MarkChangeTable {
  id: ColumnType<string, never, never>;
  urn: number;
  pupil_id: string;
  date: DateColumn;
  session: SessionColumn;
  from_code: string | null;
  to_code: string;
  changed_by: string;
  changed_at: Timestamp;
  reason: string | null;
}

/** The LA's or England's figures from the DfE's statistics, as last fetched (migration 0003). */
export interface ComparisonTable {
  /** `england`, or an LA's code. */
  area: string;
  from_date: DateColumn;
  to_date: DateColumn;
  possible: number;
  present: number;
  aea: number;
  authorised: number;
  unauthorised: number;
  not_counted: number;
  fetched_at: Timestamp;
  /** The last time the DfE could not give them, and why. */
  failed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  failure: string | null;
}

export interface SchoolTables {
  'school.school': SchoolTable;
  'school.term': TermTable;
  'school.closure': ClosureTable;
  'school.staff': StaffTable;
  'school.pupil': PupilTable;
  'school.enrolment': EnrolmentTable;
  'school.mark': MarkTable;
  'school.mark_change': MarkChangeTable;
  'school.comparison': ComparisonTable;
}

// This role's tables join the database's type (the platform names no role).
declare module '../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends SchoolTables {}
}
