/**
 * The schools register (GIAS establishments) in the `dfe` schema: the receiver checks a
 * submission's URN against it (VAL102 "URN not found") and `GET /provider/{urn}` reads it.
 */
import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

export const schoolsMigrations: Record<string, Migration> = {
  '0002_schools': {
    up: (db) =>
      runStatements(db, [
        `create schema if not exists dfe`,
        `create table dfe.school (
          urn integer primary key check (urn between 100000 and 999999),
          name text not null check (name <> ''),
          la_code char(3) not null check (la_code ~ '^[0-9]{3}$'),
          type_of_establishment text not null,
          phase_of_education text not null,
          status text not null,
          street text,
          town text,
          postcode text,
          updated_at timestamptz not null default now()
        )`,
        `create index school_la_code on dfe.school (la_code)`,
      ]),
  },
};
