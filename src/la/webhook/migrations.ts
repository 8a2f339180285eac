import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

/** The webhook's part of the la schema (after 0001_collection and 0002_directory). */
export const webhookMigrations: Record<string, Migration> = {
  '0003_webhook': {
    up: (db) =>
      runStatements(db, [
        `create table la.webhook (
          la_code char(3) primary key,
          url text not null,
          secret_sealed text not null,
          changed_by text not null,
          changed_at timestamptz not null default now()
        )`,
        `create table la.webhook_delivery (
          id serial primary key,
          delivery_id text not null unique,
          la_code char(3) not null,
          body text not null,
          state text not null check (state in ('pending', 'delivered', 'gave-up', 'cancelled')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null,
          claimed_until timestamptz,
          created_at timestamptz not null default now(),
          delivered_at timestamptz
        )`,
        `create index webhook_delivery_due on la.webhook_delivery (next_attempt_at) where state = 'pending'`,
        `create index webhook_delivery_la on la.webhook_delivery (la_code, id desc)`,
        `create table la.webhook_attempt (
          id serial primary key,
          delivery integer not null references la.webhook_delivery(id),
          attempt_number integer not null,
          url text not null,
          started_at timestamptz not null,
          finished_at timestamptz not null,
          http_status integer,
          error text
        )`,
        `create index webhook_attempt_delivery on la.webhook_attempt (delivery, id)`,
      ]),
  },
};
