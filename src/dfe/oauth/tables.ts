/** Kysely row types of the `dfe` OAuth tables (added with `withTables` until schema.ts lists them). */
import type { ColumnType } from 'kysely';
import type { JWK } from 'jose';
import type { Database } from '../../platform/db/database.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: written as JSON text, read back parsed on both engines. */
type JwkColumn = ColumnType<JWK, string, string>;

export type OAuthClientTable = {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  la_code: string | null;
  requires_consent: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  disabled_at: NullableTimestamp;
  /** Moved on by a disable or a new secret: tokens of an earlier generation are refused. */
  token_generation: ColumnType<number, number | undefined, number>;
};

export type SigningKeyTable = {
  kid: string;
  /** The private JWK as JSON, sealed with the secret key (SecretBox); null for keys retired unsealed. */
  private_jwk_sealed: string | null;
  public_jwk: JwkColumn;
  created_at: Timestamp;
  activated_at: Timestamp;
  retired_at: NullableTimestamp;
};

/** One audited change to a client, or a rotation of the signing keys (no client). */
export type OAuthChangeTable = {
  id: ColumnType<number, never, never>;
  client_id: string | null;
  client_name: string | null;
  action: 'create' | 'disable' | 'enable' | 'rotate-secret' | 'rotate-signing-key';
  detail: string | null;
  changed_by: string;
  changed_at: ColumnType<Date, Date | string | undefined, never>;
};

export type DfeOAuthTables = {
  'dfe.oauth_client': OAuthClientTable;
  'dfe.signing_key': SigningKeyTable;
  'dfe.oauth_change': OAuthChangeTable;
};

export function oauthDb(db: Database) {
  return db.withTables<DfeOAuthTables>();
}

// This role's tables join the database's type (the platform names no role).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends DfeOAuthTables {}
}
