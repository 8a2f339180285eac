import type { Migration } from 'kysely';
import { runStatements } from '../platform/db/statements.ts';

/** The LA schema's migrations (see platform/db/migrations.ts); part 2 adds `0002_directory`. */
export const collectionMigrations: Record<string, Migration> = {
  '0001_collection': {
    up: (db) =>
      runStatements(db, [
        `create table la.source (
          id serial primary key,
          name text not null unique check (name <> ''),
          kind text not null check (kind in ('soap', 'fid', 'upload')),
          endpoint_url text,
          username text,
          password_sealed text,
          fid_api_key_sealed text,
          fid_service_key text,
          certificate_sealed text,
          signature_algorithm text not null default 'rsa-sha1'
            check (signature_algorithm in ('rsa-sha1', 'rsa-sha256')),
          la_codes text[] not null check (cardinality(la_codes) > 0),
          collect_time text not null default '06:30' check (collect_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
          enabled boolean not null default true,
          created_by text not null,
          created_at timestamptz not null default now(),
          updated_by text not null,
          updated_at timestamptz not null default now(),
          check ((kind = 'upload') = (endpoint_url is null))
        )`,
        `create table la.collection_claim (
          source_id integer not null references la.source(id),
          la_code char(3) not null,
          collect_date date not null,
          claimed_at timestamptz not null,
          claimed_by text not null,
          finished_at timestamptz,
          primary key (source_id, la_code, collect_date)
        )`,
        `create table la.snapshot (
          id serial primary key,
          la_code char(3) not null,
          sha256 char(64) not null,
          extract_date_time text,
          collected_at timestamptz not null,
          source_id integer references la.source(id),
          size_bytes integer not null,
          record_count integer,
          content bytea not null,
          state text not null check (state in ('received', 'invalid', 'held', 'taken-in', 'discarded')),
          problem text,
          decided_by text,
          decided_at timestamptz,
          unique (la_code, sha256)
        )`,
        `create index snapshot_la_collected on la.snapshot (la_code, collected_at desc)`,
        `create table la.collection_attempt (
          id serial primary key,
          source_id integer not null references la.source(id),
          la_code char(3) not null,
          started_at timestamptz not null,
          finished_at timestamptz not null,
          attempt_number integer not null check (attempt_number >= 1),
          outcome text not null check (outcome in
            ('collected', 'same-as-before', 'gateway-refused', 'transport-error', 'invalid-document')),
          gateway_status text,
          http_status integer,
          error text,
          snapshot_id integer references la.snapshot(id)
        )`,
        `create index collection_attempt_la_started on la.collection_attempt (la_code, started_at desc)`,
      ]),
  },
  '0004_source_audit': {
    up: (db) =>
      runStatements(db, [
        // No foreign key: a source added on the web and then cancelled is deleted, its audit kept.
        `create table la.source_audit (
          id serial primary key,
          source_id integer not null,
          source_name text not null,
          la_codes text[] not null,
          action text not null check (action in ('added', 'changed', 'enabled', 'disabled', 'cancelled')),
          detail text not null,
          changed_by text not null,
          changed_at timestamptz not null
        )`,
        `create index source_audit_source on la.source_audit (source_id, id)`,
        `create table la.source_draft (
          id serial primary key,
          source_id integer not null references la.source(id) on delete cascade,
          changes_sealed text not null,
          drafted_by text not null,
          drafted_at timestamptz not null
        )`,
      ]),
  },
};
