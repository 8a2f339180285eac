/**
 * The DfE attendance feed's OAuth 2.0 client-credentials tables, in the `dfe` schema:
 * registered API clients (secrets stored as scrypt hashes) and the ES256 signing keys every
 * instance shares, so any instance can sign and any instance can verify.
 */
import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

export const dfeOAuthMigrations: Record<string, Migration> = {
  '0001_oauth': {
    up: (db) =>
      runStatements(db, [
        `create schema if not exists dfe`,
        `create table dfe.oauth_client (
          id text primary key,
          name text not null unique check (name <> ''),
          secret_hash text not null,
          scopes text[] not null default '{}',
          la_code char(3) check (la_code ~ '^[0-9]{3}$'),
          requires_consent boolean not null default true,
          created_at timestamptz not null default now(),
          disabled_at timestamptz
        )`,
        `create table dfe.signing_key (
          kid text primary key,
          private_jwk jsonb not null,
          public_jwk jsonb not null,
          created_at timestamptz not null default now(),
          activated_at timestamptz not null,
          retired_at timestamptz
        )`,
        // At most one key not yet scheduled for retirement: two instances creating the first
        // key, or rotating at once, collide here and the loser keeps the winner's key.
        `create unique index signing_key_one_unretired on dfe.signing_key ((true)) where retired_at is null`,
      ]),
  },
  // Cutting a client off (clients.ts): a disable or a new secret moves its token generation on.
  // Private signing keys are sealed with the secret key (SecretBox, as the gateway passwords are,
  // decision 0003). A key that sat in the database in the clear must be taken as known to whoever
  // had a copy, so it is not sealed but retired now and its private half dropped: tokens it signed
  // keep verifying until they expire (the public half stays published), and the next token is
  // signed by a new, sealed key. No instance needs the secret key to run this migration.
  '0008_oauth_cut_off_and_sealed_keys': {
    up: (db) =>
      runStatements(db, [
        `alter table dfe.oauth_client add column token_generation integer not null default 0`,
        `alter table dfe.signing_key add column private_jwk_sealed text`,
        `update dfe.signing_key set retired_at = now() where retired_at is null or retired_at > now()`,
        `alter table dfe.signing_key drop column private_jwk`,
      ]),
  },
  // Who created, disabled, enabled or re-keyed a client, and who rotated the signing keys, and
  // when: kept apart from the clients, so the history outlives a change of name.
  '0009_oauth_changes': {
    up: (db) =>
      runStatements(db, [
        `create table dfe.oauth_change (
          id bigserial primary key,
          client_id text,
          client_name text,
          action text not null,
          detail text,
          changed_by text not null,
          changed_at timestamptz not null default now()
        )`,
        `create index oauth_change_client on dfe.oauth_change (client_id, id)`,
      ]),
  },
};
