/** Kysely row type of `dfe.school` (added with `withTables` until schema.ts lists it). */
import type { ColumnType } from 'kysely';
import type { Database } from '../../platform/db/database.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type SchoolTable = {
  urn: number;
  name: string;
  la_code: string;
  type_of_establishment: string;
  phase_of_education: string;
  status: string;
  street: string | null;
  town: string | null;
  postcode: string | null;
  updated_at: Timestamp;
};

export type DfeSchoolTables = {
  'dfe.school': SchoolTable;
};

export function schoolsDb(db: Database) {
  return db.withTables<DfeSchoolTables>();
}

// This role's tables join the database's type (the platform names no role).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends DfeSchoolTables {}
}
