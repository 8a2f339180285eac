/**
 * Cutting a person off: disabling (and re-enabling) a sign-in account, audited. A disabled
 * account's sessions are deleted in the same transaction, and every sign-in, session and HTTP
 * Basic check reads `disabled_at` from the database on each request, so the change holds on
 * every instance at once.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { AccountError, type AccountRole } from './accounts.ts';

export interface AccountListing {
  username: string;
  displayName: string;
  roles: AccountRole[];
  laCode: string | null;
  createdAt: Date;
  disabledAt: Date | null;
}

export async function listAccounts(db: Database): Promise<AccountListing[]> {
  const rows = await db
    .selectFrom('platform.account')
    .select(['username', 'display_name', 'roles', 'la_code', 'created_at', 'disabled_at'])
    .orderBy('username')
    .execute();
  return rows.map((r) => ({
    username: r.username,
    displayName: r.display_name,
    roles: r.roles as AccountRole[],
    laCode: r.la_code,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  }));
}

export interface AccessChange {
  username: string;
  /** false when the account was already in the state asked for (nothing written). */
  changed: boolean;
  /** Sessions ended by a disable. */
  sessionsEnded: number;
}

/** Disables or re-enables an account; `by` names who asked, for the audit. */
export async function setAccountDisabled(
  db: Database,
  input: { username: string; disabled: boolean; by: string },
): Promise<AccessChange> {
  const username = input.username.trim().toLowerCase();
  return db.transaction().execute(async (trx) => {
    // Locked, so two operators acting at once audit one change, not two.
    const account = await trx
      .selectFrom('platform.account')
      .select(['id', 'disabled_at'])
      .where('username', '=', username)
      .forUpdate()
      .executeTakeFirst();
    if (!account) throw new AccountError(`No account named "${username}"`);
    if ((account.disabled_at !== null) === input.disabled)
      return { username, changed: false, sessionsEnded: 0 };
    await trx
      .updateTable('platform.account')
      .set({ disabled_at: input.disabled ? sql<Date>`now()` : null })
      .where('id', '=', account.id)
      .execute();
    let sessionsEnded = 0;
    if (input.disabled) {
      const ended = await trx
        .deleteFrom('platform.session')
        .where('account_id', '=', account.id)
        .executeTakeFirst();
      sessionsEnded = Number(ended.numDeletedRows);
    }
    await trx
      .insertInto('platform.account_change')
      .values({
        account_id: account.id,
        username,
        action: input.disabled ? 'disable' : 'enable',
        detail: input.disabled ? `${sessionsEnded} session(s) ended` : null,
        changed_by: input.by,
      })
      .execute();
    return { username, changed: true, sessionsEnded };
  });
}
