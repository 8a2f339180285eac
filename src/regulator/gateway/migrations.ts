import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

/** Part of the regulator schema's migrations (see platform/db/migrations.ts). */
export const gatewayMigrations: Record<string, Migration> = {
  '0003_gateway': {
    up: (db) =>
      runStatements(db, [
        // An account collects for its own LA, or — for an agent organisation — for every LA that
        // has authorised that organisation.
        `create table regulator.gateway_account (
          id serial primary key,
          username text not null unique check (username = lower(username) and username <> ''),
          kind text not null check (kind in ('la', 'agent')),
          la_code char(3),
          organisation text not null,
          password_secret text not null,
          require_certificate boolean not null default true,
          api_key_hash text unique,
          created_at timestamptz not null default now(),
          disabled_at timestamptz,
          check ((kind = 'la') = (la_code is not null))
        )`,
        `create table regulator.gateway_certificate (
          account_id integer not null references regulator.gateway_account(id) on delete cascade,
          thumbprint_sha1 text not null,
          pem text not null,
          subject text not null,
          not_after timestamptz not null,
          added_at timestamptz not null default now(),
          primary key (account_id, thumbprint_sha1)
        )`,
        `create table regulator.gateway_authorisation (
          id serial primary key,
          organisation text not null,
          la_code char(3) not null,
          valid_from date not null,
          valid_until date,
          created_by text not null,
          created_at timestamptz not null default now(),
          revoked_at timestamptz,
          revoked_by text
        )`,
        `create index gateway_authorisation_lookup on regulator.gateway_authorisation (organisation, la_code)`,
        // Digest nonces seen within the timestamp window: a replay fails on any instance.
        `create table regulator.gateway_nonce (
          nonce text primary key,
          expires_at timestamptz not null
        )`,
        `create index gateway_nonce_expiry on regulator.gateway_nonce (expires_at)`,
        `create table regulator.gateway_audit (
          id bigserial primary key,
          at timestamptz not null default now(),
          request_id text not null,
          channel text not null check (channel in ('soap', 'fid-json', 'fid-xml')),
          operation text not null,
          account_id integer,
          username text,
          organisation text,
          la_code text,
          outcome text not null,
          detail text,
          bytes bigint not null default 0,
          duration_ms integer not null,
          client_address text not null
        )`,
        `create index gateway_audit_la on regulator.gateway_audit (la_code, at desc)`,
        `create index gateway_audit_at on regulator.gateway_audit (at desc)`,
      ]),
  },
  '0005_gateway_account_changes': {
    // Who disabled, enabled or re-keyed a gateway account or removed its certificate, and when.
    up: (db) =>
      runStatements(db, [
        `create table regulator.gateway_account_change (
          id bigserial primary key,
          account_id integer not null,
          username text not null,
          action text not null,
          detail text,
          changed_by text not null,
          changed_at timestamptz not null default now()
        )`,
        `create index gateway_account_change_account on regulator.gateway_account_change (account_id, id)`,
      ]),
  },
};
