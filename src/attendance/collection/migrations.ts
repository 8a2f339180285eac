/**
 * Storage of the attendance collection, in the `dfe` schema.
 *
 * - `dfe.submission`: every accepted submission as received (gzip of the request body), with its
 *   supplier, time of receipt, outcome and the exact 201 answer (for `GET /submissions/{ref}` and
 *   `Idempotency-Key` replays). Never updated.
 * - `dfe.school_day`: the current picture, one row per (URN, date). `sessions` holds one value per
 *   (school session, year group), keyed `"AM 7"`: `{r: receivedAt, s: submissionRef, m: {code:
 *   value}, t: [possible, present, aea, authorised, unauthorised, notCounted]}`. A newer receipt
 *   replaces a key, an older one arriving late does not (`dfe.merge_school_day_sessions`), so the
 *   result does not depend on which of two concurrent submissions commits first. The day's totals
 *   are generated columns, so statistics sum plain integers.
 * - `dfe.consent`: each school's consent per supplier (client), with its history in
 *   `dfe.consent_event`.
 * - `dfe.refused_request`: refused submissions (400, 403, 413, 415), for the suppliers monitor.
 */
import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

/** The order of the totals in a session value's `t` and of the generated columns. */
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
        // Newest receipt wins per (session, year group); ties go to the later committer.
        `create function dfe.merge_school_day_sessions(current jsonb, incoming jsonb) returns jsonb
          language sql immutable parallel safe as $$
            select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) from (
              select coalesce(i.key, c.key) as key,
                case when c.value is null then i.value
                     when i.value is null then c.value
                     when (i.value->>'r') >= (c.value->>'r') then i.value
                     else c.value end as value
              from jsonb_each(current) c full join jsonb_each(incoming) i on i.key = c.key
            ) merged
          $$`,
        `create function dfe.school_day_total(sessions jsonb, total_index integer) returns integer
          language sql immutable parallel safe as $$
            select coalesce(sum((value->'t'->>total_index)::integer), 0)::integer from jsonb_each(sessions)
          $$`,
        `create table dfe.school_day (
          urn integer not null,
          date date not null,
          la_code char(3) not null,
          phase_of_education text not null,
          sessions jsonb not null,
          updated_at timestamptz not null,
          possible integer generated always as (dfe.school_day_total(sessions, 0)) stored,
          present integer generated always as (dfe.school_day_total(sessions, 1)) stored,
          aea integer generated always as (dfe.school_day_total(sessions, 2)) stored,
          authorised integer generated always as (dfe.school_day_total(sessions, 3)) stored,
          unauthorised integer generated always as (dfe.school_day_total(sessions, 4)) stored,
          not_counted integer generated always as (dfe.school_day_total(sessions, 5)) stored,
          primary key (urn, date)
        )`,
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
};
