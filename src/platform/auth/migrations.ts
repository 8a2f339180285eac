import type { Migration } from 'kysely';
import { runStatements } from '../db/statements.ts';

export const platformMigrations: Record<string, Migration> = {
  '0001_accounts_and_sessions': {
    up: (db) =>
      runStatements(db, [
        `create table platform.account (
          id serial primary key,
          username text not null unique check (username = lower(username) and username <> ''),
          display_name text not null,
          password_hash text not null,
          roles text[] not null default '{}',
          created_at timestamptz not null default now(),
          disabled_at timestamptz
        )`,
        `create table platform.session (
          id text primary key,
          account_id integer not null references platform.account(id) on delete cascade,
          csrf_token text not null,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null
        )`,
        `create index session_expires_at on platform.session (expires_at)`,
      ]),
  },
  '0002_account_local_authority': {
    // An LA officer sees what concerns their own local authority only.
    up: (db) => runStatements(db, [`alter table platform.account add column la_code char(3)`]),
  },
  '0003_account_changes': {
    // Who disabled or enabled an account, and when: kept apart from the account, so the
    // history survives later changes.
    up: (db) =>
      runStatements(db, [
        `create table platform.account_change (
          id bigserial primary key,
          account_id integer not null,
          username text not null,
          action text not null,
          detail text,
          changed_by text not null,
          changed_at timestamptz not null default now()
        )`,
        `create index account_change_account on platform.account_change (account_id, id)`,
      ]),
  },
  '0004_sign_in_attempts': {
    // Password and client-secret attempts, counted here so every instance sees them (guess-limit.ts).
    up: (db) =>
      runStatements(db, [
        `create table platform.sign_in_attempt (
          key text primary key,
          window_start timestamptz not null,
          attempts integer not null
        )`,
        `create index sign_in_attempt_window_start on platform.sign_in_attempt (window_start)`,
      ]),
  },
  '0005_claimed_jobs': {
    // One row per occurrence of a scheduled job (src/platform/jobs/claimed-job.ts): the claim that
    // makes it run once across instances, its lease and fencing attempt, and its outcome.
    up: (db) =>
      runStatements(db, [
        `create table platform.job_run (
          job_name text not null,
          occurrence_date date not null,
          slot text not null check (slot ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
          due_at timestamptz not null,
          status text not null check (status in ('running', 'succeeded', 'failed')),
          attempt integer not null default 1,
          claimed_by text not null,
          claimed_until timestamptz not null,
          started_at timestamptz not null,
          finished_at timestamptz,
          error text,
          primary key (job_name, occurrence_date, slot)
        )`,
        `create index job_run_due_at on platform.job_run (due_at desc)`,
      ]),
  },
};
