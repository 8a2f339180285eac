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
};
