import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

/** Part of the regulator schema's migrations (see platform/db/migrations.ts). */
export const extractMigrations: Record<string, Migration> = {
  '0002_extracts': {
    up: (db) =>
      runStatements(db, [
        // One row per (extract date, LA): the claim while it is built, then the stored document.
        // Content is visible only once status is 'ready', set in the same statement that stores it.
        `create table regulator.extract (
          extract_date date not null,
          la_code char(3) not null,
          status text not null check (status in ('building', 'ready', 'failed')),
          claimed_by text not null,
          claimed_at timestamptz not null default now(),
          lease_until timestamptz not null,
          attempts integer not null default 1,
          error text,
          extract_date_time text,
          record_count integer,
          size_bytes bigint,
          gzip_bytes bigint,
          sha256 text,
          build_ms integer,
          built_at timestamptz,
          content bytea,
          primary key (extract_date, la_code),
          check (status <> 'ready' or (content is not null and sha256 is not null))
        )`,
        `create index extract_la on regulator.extract (la_code, extract_date desc)`,
      ]),
  },
};
