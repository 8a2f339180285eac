import type { Migration } from 'kysely';
import { runStatements } from '../platform/db/statements.ts';

/**
 * The school schema's migrations (see platform/db/migrations.ts). A pupil is keyed by the MIS's own
 * id within its school (`urn`, `pupil_id`), as the school's CSVs and the pure core name them, so a
 * mark read back is the mark that was written.
 */
export const schoolMigrations: Record<string, Migration> = {
  '0001_school_data': {
    up: (db) =>
      runStatements(db, [
        `create table school.school (
          urn integer primary key check (urn between 100000 and 999999),
          name text not null check (name <> ''),
          la_code char(3) not null check (la_code ~ '^[0-9]{3}$'),
          establishment_number char(4) not null check (establishment_number ~ '^[0-9]{4}$'),
          phase text not null check (phase in ('primary', 'secondary', 'all-through')),
          created_at timestamptz not null default now()
        )`,
        // Terms, then closures of a date: both sessions or one; INSET days are closures too.
        `create table school.term (
          urn integer not null references school.school(urn) on delete cascade,
          name text not null,
          starts date not null,
          ends date not null,
          primary key (urn, starts),
          check (ends >= starts)
        )`,
        `create table school.closure (
          urn integer not null references school.school(urn) on delete cascade,
          date date not null,
          session text not null check (session in ('AM', 'PM', 'both')),
          inset boolean not null default false,
          reason text not null default '',
          primary key (urn, date, session),
          check (not inset or session = 'both')
        )`,
        // A platform account (account role school-user) working in one school.
        `create table school.staff (
          username text primary key check (username = lower(username) and username <> ''),
          urn integer not null references school.school(urn) on delete cascade,
          permissions text[] not null default '{}',
          added_by text not null,
          added_at timestamptz not null default now()
        )`,
        `create index staff_urn on school.staff (urn)`,
        `create table school.pupil (
          urn integer not null references school.school(urn) on delete cascade,
          pupil_id text not null check (pupil_id <> ''),
          upn char(13) not null,
          forename text not null,
          surname text not null,
          date_of_birth date not null,
          primary key (urn, pupil_id),
          unique (urn, upn)
        )`,
        // One row per year group of a stay on roll: an enrolment whose year group changes has
        // several rows with the same admission date, each from its own date.
        `create table school.enrolment (
          urn integer not null,
          pupil_id text not null,
          admission_date date not null,
          leaving_date date,
          nc_year_group text not null,
          year_group_from date not null,
          year_group_to date,
          primary key (urn, pupil_id, year_group_from),
          foreign key (urn, pupil_id) references school.pupil(urn, pupil_id) on delete cascade,
          check (leaving_date is null or leaving_date >= admission_date),
          check (year_group_from >= admission_date),
          check (year_group_to is null or year_group_to >= year_group_from)
        )`,
        // The current mark of each pupil session. stored_at is when edgate last wrote it (an
        // import, the register page, a generator): the sync resends the dates changed since a send.
        `create table school.mark (
          urn integer not null,
          pupil_id text not null,
          date date not null,
          session text not null check (session in ('AM', 'PM')),
          code text not null,
          recorded_by text not null,
          recorded_at timestamptz not null,
          stored_at timestamptz not null default now(),
          primary key (urn, date, session, pupil_id)
        )`,
        `create index mark_stored on school.mark (urn, stored_at)`,
        `create table school.mark_change (
          id bigserial primary key,
          urn integer not null,
          pupil_id text not null,
          date date not null,
          session text not null check (session in ('AM', 'PM')),
          from_code text,
          to_code text not null,
          changed_by text not null,
          changed_at timestamptz not null,
          reason text
        )`,
        `create index mark_change_mark on school.mark_change (urn, date, session, pupil_id)`,
      ]),
  },
  // The LA's and England's figures beside the school's insight, kept so that a page can show the
  // last ones (and when they were fetched) while the DfE cannot be reached.
  '0003_comparison': {
    up: (db) =>
      runStatements(db, [
        `create table school.comparison (
          area text primary key check (area = 'england' or area ~ '^[0-9]{3}$'),
          from_date date not null,
          to_date date not null,
          possible bigint not null,
          present bigint not null,
          aea bigint not null,
          authorised bigint not null,
          unauthorised bigint not null,
          not_counted bigint not null,
          fetched_at timestamptz not null,
          failed_at timestamptz,
          failure text,
          check (to_date >= from_date)
        )`,
      ]),
  },
};
