import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface GatewayAccountTable {
  id: Generated<number>;
  username: string;
  kind: 'la' | 'agent';
  la_code: string | null;
  organisation: string;
  /** Sealed with the gateway key (SecretBox): a PasswordDigest needs the clear password. */
  password_secret: string;
  require_certificate: Generated<boolean>;
  /** SHA-256 of the FID API key. */
  api_key_hash: string | null;
  created_at: Timestamp;
  disabled_at: NullableTimestamp;
}

export interface GatewayCertificateTable {
  account_id: number;
  thumbprint_sha1: string;
  pem: string;
  subject: string;
  not_after: Date | string;
  added_at: Timestamp;
}

export interface GatewayAuthorisationTable {
  id: Generated<number>;
  organisation: string;
  la_code: string;
  valid_from: string;
  valid_until: string | null;
  created_by: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_by: string | null;
}

export interface GatewayNonceTable {
  nonce: string;
  expires_at: Date | string;
}

export interface GatewayAuditTable {
  id: Generated<number>;
  at: Timestamp;
  request_id: string;
  channel: 'soap' | 'fid-json' | 'fid-xml';
  operation: string;
  account_id: number | null;
  username: string | null;
  organisation: string | null;
  la_code: string | null;
  outcome: string;
  detail: string | null;
  bytes: number;
  duration_ms: number;
  client_address: string;
}

/** One audited change to a gateway account (see gateway-access.ts): made, certificate added, cut off, re-keyed. */
export interface GatewayAccountChangeTable {
  id: Generated<number>;
  account_id: number;
  username: string;
  action:
    | 'create'
    | 'add-certificate'
    | 'disable'
    | 'enable'
    | 'rotate-password'
    | 'rotate-api-key'
    | 'remove-certificate';
  detail: string | null;
  changed_by: string;
  changed_at: Timestamp;
}

export interface GatewayTables {
  'regulator.gateway_account': GatewayAccountTable;
  'regulator.gateway_certificate': GatewayCertificateTable;
  'regulator.gateway_authorisation': GatewayAuthorisationTable;
  'regulator.gateway_nonce': GatewayNonceTable;
  'regulator.gateway_audit': GatewayAuditTable;
  'regulator.gateway_account_change': GatewayAccountChangeTable;
}

// This role's tables join the database's type (the platform names no role).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends GatewayTables {}
}
