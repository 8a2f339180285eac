import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

const KINDS = `'new', 'changed', 'status-changed', 'housekeeping', 'left', 'disappeared', 'restored', 'moved'`;
const STATES = `'pending', 'accepted', 'rejected', 'auto-applied', 'kept-quiet'`;

/**
 * The directory's part of the la schema. No foreign key to la.snapshot: that table is the
 * collection's migration (0001_collection), and a change names its snapshot by id only.
 */
export const directoryMigrations: Record<string, Migration> = {
  '0002_directory': {
    up: (db) =>
      runStatements(db, [
        `create schema if not exists la`,
        `create table la.settings (
          la_code char(3) primary key,
          auto_apply boolean not null default false,
          max_removed_share double precision not null default 0.1
            check (max_removed_share >= 0 and max_removed_share <= 1),
          changed_by text,
          changed_at timestamptz
        )`,
        `create table la.take_in (
          la_code char(3) primary key,
          snapshot_id integer,
          extract_date_time text,
          taken_in_at timestamptz
        )`,
        `create table la.change (
          id bigserial primary key,
          la_code char(3) not null,
          reference_number text not null,
          kind text not null check (kind in (${KINDS})),
          from_la char(3),
          snapshot_id integer not null,
          previous_snapshot_id integer,
          fields jsonb not null default '[]',
          status_from text,
          status_to text,
          registration jsonb not null,
          provision_type text not null,
          postcode_district text,
          review_state text not null check (review_state in (${STATES})),
          decided_by text,
          decided_at timestamptz,
          reason text,
          found_at timestamptz not null default now(),
          unique (snapshot_id, reference_number)
        )`,
        `create index change_queue on la.change (la_code, review_state, id)`,
        `create index change_reference on la.change (la_code, reference_number, id)`,
        `create table la.directory_record (
          la_code char(3) not null,
          reference_number text not null,
          registration jsonb not null,
          in_feed boolean not null default true,
          public_description text,
          opening_hours text,
          website text,
          listed_publicly boolean not null default true,
          applied_change_id bigint,
          feed_updated_at timestamptz not null default now(),
          local_updated_by text,
          local_updated_at timestamptz,
          primary key (la_code, reference_number)
        )`,
        `create table la.directory_edit (
          id bigserial primary key,
          la_code char(3) not null,
          reference_number text not null,
          field text not null,
          old_value text,
          new_value text,
          changed_by text not null,
          changed_at timestamptz not null default now()
        )`,
        `create index directory_edit_record on la.directory_edit (la_code, reference_number, id)`,
        `create table la.gone (
          reference_number text primary key,
          la_code char(3) not null,
          change_id bigint not null
        )`,
      ]),
  },
};
