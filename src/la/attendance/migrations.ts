import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

/** The attendance part of the la schema (tables.ts); numbered after main's 0003_webhook and 0004_source_audit. */
export const attendanceMigrations: Record<string, Migration> = {
  '0005_attendance': {
    up: (db) =>
      runStatements(db, [
        `create table la.attendance_source (
          la_code char(3) primary key check (la_code ~ '^[0-9]{3}$'),
          base_url text not null check (base_url like 'https://%'),
          token_url text not null check (token_url like 'https://%'),
          client_id text not null check (client_id <> ''),
          client_secret_sealed text not null,
          ca_pem text,
          updated_by text not null,
          updated_at timestamptz not null default now()
        )`,
        `create table la.attendance_answer (
          la_code char(3) not null,
          resource text not null,
          body jsonb not null,
          fetched_at timestamptz not null,
          primary key (la_code, resource)
        )`,
        `create table la.attendance_fetch (
          la_code char(3) primary key,
          tried_at timestamptz not null,
          fetched_at timestamptz,
          problem text
        )`,
      ]),
  },
};
