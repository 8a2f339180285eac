import type { ColumnType, Generated } from 'kysely';
import type { JobRunTable } from '../jobs/tables.ts';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface AccountTable {
  id: Generated<number>;
  /** Stored lower-case; unique. */
  username: string;
  display_name: string;
  /** scrypt$N$r$p$salt$hash (base64url). */
  password_hash: string;
  roles: string[];
  /** For an la-officer: the 3-digit code of their local authority. */
  la_code: string | null;
  created_at: CreatedAt;
  disabled_at: Date | null;
}

export interface SessionTable {
  /** sha256 of the cookie's token, so a leaked table cannot be replayed. */
  id: string;
  account_id: number;
  csrf_token: string;
  created_at: CreatedAt;
  expires_at: Date;
}

/** One audited change to an account: disabled, enabled. */
export interface AccountChangeTable {
  id: Generated<number>;
  account_id: number;
  username: string;
  action: string;
  detail: string | null;
  /** Who made the change (the operator's login name for the CLI). */
  changed_by: string;
  changed_at: CreatedAt;
}

/** Attempts at a password or client secret in the current window (guess-limit.ts). */
export interface SignInAttemptTable {
  /** SHA-256 of what is counted (an account or client with an address, or an address). */
  key: string;
  window_start: Date;
  attempts: number;
}

export interface PlatformTables {
  'platform.account': AccountTable;
  'platform.session': SessionTable;
  'platform.account_change': AccountChangeTable;
  'platform.sign_in_attempt': SignInAttemptTable;
  'platform.job_run': JobRunTable;
}
