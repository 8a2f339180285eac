import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

/** Part of the school schema's migrations (see platform/db/migrations.ts). */
export const syncMigrations: Record<string, Migration> = {
  '0002_sync': {
    up: (db) =>
      runStatements(db, [
        `create table school.receiver_settings (
          id integer primary key default 1 check (id = 1),
          base_url text not null,
          token_url text not null,
          client_id text not null,
          client_secret_sealed text not null,
          scope text not null,
          extra_headers_sealed text,
          app_id text,
          updated_by text not null,
          updated_at timestamptz not null default now()
        )`,
        `create table school.consent (
          id serial primary key,
          urn integer not null check (urn between 100000 and 999999),
          given_by text not null,
          given_at timestamptz not null,
          removed_by text,
          removed_at timestamptz,
          receiver_told_at timestamptz,
          receiver_outcome text,
          removal_told_at timestamptz,
          removal_outcome text,
          check ((removed_by is null) = (removed_at is null))
        )`,
        // One active consent per school: a second "give" races into this, not into two rows.
        `create unique index consent_active on school.consent (urn) where removed_at is null`,
        `create table school.submission (
          id uuid primary key,
          -- The order sends were stored in: ties of time are broken by it.
          seq bigint generated always as identity,
          urn integer not null,
          slot text not null,
          idempotency_key text not null unique,
          dates text[] not null,
          body_sha256 bytea not null,
          body bytea not null,
          state text not null check (state in
            ('queued', 'sending', 'accepted', 'accepted-with-errors', 'failed', 'refused', 'cancelled')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null,
          lease_until timestamptz,
          last_status integer,
          submission_ref text,
          receiver_errors jsonb,
          failure text,
          created_at timestamptz not null,
          sent_at timestamptz,
          finished_at timestamptz
        )`,
        // Two instances running the same sync make one send per school.
        `create unique index submission_slot on school.submission (urn, slot)`,
        `create index submission_school on school.submission (urn, created_at desc)`,
        `create index submission_unfinished on school.submission (urn) where state in ('queued', 'sending')`,
      ]),
  },
};
