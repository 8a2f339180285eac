/**
 * Storage of the attendance collection, in the `dfe` schema.
 *
 * - `dfe.submission`: every accepted submission as received (the request body compressed, brotli
 *   or, for rows from before migration 0006, gzip: `body_encoding`), with its
 *   supplier, time of receipt, outcome and the exact 201 answer (for `GET /submissions/{ref}` and
 *   `Idempotency-Key` replays). Never updated.
 * - `dfe.school_day`: the current picture, one row per (URN, date). `sessions` holds one value per
 *   (school session, year group), keyed `"AM 7"`: `{r: receivedAt, s: submissionRef, m: {code:
 *   value}, t: [possible, present, aea, authorised, unauthorised, notCounted]}`. A newer receipt
 *   replaces a key, an older one arriving late does not (the trigger `dfe.merge_school_day`), so
 *   the result does not depend on which of two concurrent submissions commits first. The day's
 *   totals are integer columns, so statistics sum plain integers.
 * - `dfe.consent`: each school's consent per supplier (client), with its history in
 *   `dfe.consent_event`. At most one active consent per school: its current supplier.
 * - `dfe.supplier_change`: a second supplier's consent for a school already served, held until a
 *   DfE administrator confirms or rejects the change (who and when kept on the row).
 * - `dfe.refused_request`: refused submissions (400, 403, 413, 415), for the suppliers monitor.
 */
import type { Migration } from 'kysely';
import { lz4WhereAvailable, runStatements } from '../../platform/db/statements.ts';

/** The order of the totals in a session value's `t`, and the school-day's total columns. */
export const SESSION_TOTALS = [
  'possible',
  'present',
  'aea',
  'authorised',
  'unauthorised',
  'not_counted',
] as const;

export const attendanceMigrations: Record<string, Migration> = {
  '0003_attendance': {
    up: (db) =>
      runStatements(db, [
        `create schema if not exists dfe`,
        `create table dfe.submission (
          ref uuid primary key,
          client_id text not null references dfe.oauth_client (id),
          urn integer not null,
          received_at timestamptz not null,
          idempotency_key text,
          body_sha256 bytea not null,
          body_gzip bytea not null,
          response jsonb not null,
          entries_received integer not null,
          entries_stored integer not null,
          error_count integer not null,
          client_app_id text,
          client_session_id text,
          unique (client_id, idempotency_key)
        )`,
        `create index submission_urn on dfe.submission (urn, received_at)`,
        `create index submission_client on dfe.submission (client_id, received_at)`,
        `create table dfe.school_day (
          urn integer not null,
          date date not null,
          la_code char(3) not null,
          phase_of_education text not null,
          sessions jsonb not null,
          session_keys text[] not null,
          updated_at timestamptz not null,
          possible integer not null,
          present integer not null,
          aea integer not null,
          authorised integer not null,
          unauthorised integer not null,
          not_counted integer not null,
          primary key (urn, date)
        )`,
        // The merge rule. A school-day arrives whole from the receiver, with its keys and totals
        // worked out (school-day.ts), and replaces the stored one when it is the newer receipt and
        // holds every key the stored one has: a MIS resending its days, the usual case, costs
        // nothing here. Otherwise (an older receipt arriving late, or a send with fewer year
        // groups) the two are merged key by key, the newer receipt winning each (ties: the later
        // committer), and the totals are added up again from the merged values.
        `create function dfe.merge_school_day() returns trigger language plpgsql as $$
          begin
            if old.updated_at <= new.updated_at and old.session_keys <@ new.session_keys then
              return new;
            end if;
            select coalesce(jsonb_object_agg(key, value), '{}'::jsonb), coalesce(array_agg(key order by key), '{}')
              into new.sessions, new.session_keys
            from (
              select coalesce(i.key, c.key) as key,
                case when c.value is null then i.value
                     when i.value is null then c.value
                     when (i.value->>'r') >= (c.value->>'r') then i.value
                     else c.value end as value
              from jsonb_each(old.sessions) c full join jsonb_each(new.sessions) i on i.key = c.key
            ) merged;
            select coalesce(sum((value->'t'->>0)::integer), 0), coalesce(sum((value->'t'->>1)::integer), 0),
                   coalesce(sum((value->'t'->>2)::integer), 0), coalesce(sum((value->'t'->>3)::integer), 0),
                   coalesce(sum((value->'t'->>4)::integer), 0), coalesce(sum((value->'t'->>5)::integer), 0)
              into new.possible, new.present, new.aea, new.authorised, new.unauthorised, new.not_counted
            from jsonb_each(new.sessions);
            new.updated_at := greatest(old.updated_at, new.updated_at);
            return new;
          end
        $$`,
        `create trigger school_day_merge before update on dfe.school_day
          for each row execute function dfe.merge_school_day()`,
        `create index school_day_date on dfe.school_day (date)`,
        `create index school_day_la_date on dfe.school_day (la_code, date)`,
        `create table dfe.consent (
          client_id text not null references dfe.oauth_client (id),
          urn integer not null,
          given_by text not null check (given_by <> ''),
          given_at timestamptz not null,
          recorded_at timestamptz not null,
          recorded_by text not null,
          withdrawn_at timestamptz,
          withdrawn_by text,
          primary key (client_id, urn)
        )`,
        `create index consent_urn on dfe.consent (urn)`,
        `create table dfe.consent_event (
          id bigint generated always as identity primary key,
          client_id text not null,
          urn integer not null,
          event text not null check (event in ('given', 'withdrawn')),
          person text not null,
          at timestamptz not null,
          recorded_at timestamptz not null,
          recorded_by text not null
        )`,
        `create index consent_event_urn on dfe.consent_event (urn, id)`,
        `create table dfe.refused_request (
          id bigint generated always as identity primary key,
          client_id text not null,
          received_at timestamptz not null,
          urn integer,
          status integer not null,
          code text not null
        )`,
        `create index refused_request_client on dfe.refused_request (client_id, received_at)`,
      ]),
  },
  // The suppliers monitor counts each client's week of submissions by outcome: with the error
  // count in the index it reads the index alone (measured on 440k submissions in a week, twice
  // the national volume: 360–420 ms before, 125–175 ms after). Same key, so no extra index to write.
  '0004_submission_client_errors': {
    up: (db) =>
      runStatements(db, [
        `drop index dfe.submission_client`,
        `create index submission_client on dfe.submission (client_id, received_at) include (error_count)`,
      ]),
  },
  // How the large values are kept (new rows; nothing is rewritten). The body is gzip already: with
  // storage external PostgreSQL no longer tries, and fails, to compress it again on every insert.
  // A school-day's sessions (~4 KB of jsonb) are compressed with LZ4 where the server has it,
  // several times cheaper than the default pglz on every upsert.
  '0005_attendance_value_storage': {
    up: (db) =>
      runStatements(db, [
        `alter table dfe.submission alter column body_gzip set storage external`,
        lz4WhereAvailable('dfe.school_day', 'sessions'),
      ]),
  },
  // Bodies are kept brotli-compressed (quality 1): ~35% less CPU at receipt than gzip level 1 and
  // ~30% smaller. Rows stored before keep their gzip, named by the new column's default.
  '0006_submission_body_encoding': {
    up: (db) =>
      runStatements(db, [
        `alter table dfe.submission rename column body_gzip to body`,
        `alter table dfe.submission add column body_encoding text not null default 'gzip'
           check (body_encoding in ('gzip', 'br'))`,
      ]),
  },
  // A school has at most one current supplier (consent/supplier-change.ts). Where two suppliers
  // already held active consents, the first recorded stays; the later ones become pending changes
  // of supplier for a DfE administrator to decide. Each school-day names the supplier whose values
  // it holds, and a school-day is never a mix of two suppliers: a newer receipt from another
  // supplier replaces it whole, an older one is ignored.
  '0007_one_current_supplier': {
    up: (db) =>
      runStatements(db, [
        `create table dfe.supplier_change (
          id bigint generated always as identity primary key,
          urn integer not null,
          client_id text not null references dfe.oauth_client (id),
          holder_client_id text not null references dfe.oauth_client (id),
          given_by text not null,
          given_at timestamptz not null,
          requested_at timestamptz not null,
          status text not null default 'pending' check (status in ('pending', 'confirmed', 'rejected')),
          decided_at timestamptz,
          decided_by text,
          check ((status = 'pending') = (decided_at is null))
        )`,
        `create unique index supplier_change_one_pending on dfe.supplier_change (urn, client_id)
           where status = 'pending'`,
        `create index supplier_change_pending on dfe.supplier_change (requested_at) where status = 'pending'`,
        `insert into dfe.supplier_change (urn, client_id, holder_client_id, given_by, given_at, requested_at)
          select k.urn, k.client_id, first.client_id, k.given_by, k.given_at, k.recorded_at
          from dfe.consent k
          join (select distinct on (urn) urn, client_id from dfe.consent where withdrawn_at is null
                order by urn, recorded_at, client_id) first on first.urn = k.urn and first.client_id <> k.client_id
          where k.withdrawn_at is null`,
        `insert into dfe.consent_event (client_id, urn, event, person, at, recorded_at, recorded_by)
          select c.client_id, c.urn, 'withdrawn', 'edgate', now(), now(), 'edgate: held as a pending change of supplier'
          from dfe.supplier_change c where c.status = 'pending'`,
        `update dfe.consent k set withdrawn_at = now(), withdrawn_by = 'edgate: held as a pending change of supplier'
          where k.withdrawn_at is null and exists (select 1 from dfe.supplier_change c
            where c.urn = k.urn and c.client_id = k.client_id and c.status = 'pending')`,
        `create unique index consent_one_current_supplier on dfe.consent (urn) where withdrawn_at is null`,
        `alter table dfe.school_day add column client_id text`,
        `create or replace function dfe.merge_school_day() returns trigger language plpgsql as $$
          begin
            if old.client_id is distinct from new.client_id and old.client_id is not null then
              if old.updated_at <= new.updated_at then
                return new;
              end if;
              return old;
            end if;
            if old.updated_at <= new.updated_at and old.session_keys <@ new.session_keys then
              return new;
            end if;
            select coalesce(jsonb_object_agg(key, value), '{}'::jsonb), coalesce(array_agg(key order by key), '{}')
              into new.sessions, new.session_keys
            from (
              select coalesce(i.key, c.key) as key,
                case when c.value is null then i.value
                     when i.value is null then c.value
                     when (i.value->>'r') >= (c.value->>'r') then i.value
                     else c.value end as value
              from jsonb_each(old.sessions) c full join jsonb_each(new.sessions) i on i.key = c.key
            ) merged;
            select coalesce(sum((value->'t'->>0)::integer), 0), coalesce(sum((value->'t'->>1)::integer), 0),
                   coalesce(sum((value->'t'->>2)::integer), 0), coalesce(sum((value->'t'->>3)::integer), 0),
                   coalesce(sum((value->'t'->>4)::integer), 0), coalesce(sum((value->'t'->>5)::integer), 0)
              into new.possible, new.present, new.aea, new.authorised, new.unauthorised, new.not_counted
            from jsonb_each(new.sessions);
            new.updated_at := greatest(old.updated_at, new.updated_at);
            return new;
          end
        $$`,
      ]),
  },
};
