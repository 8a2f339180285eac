/**
 * Who may sign in and as what: creating an account, changing its roles, disabling (and
 * re-enabling) it, each audited in `platform.account_change` (who, what, when). A disabled
 * account's sessions are deleted in the same transaction, and every sign-in, session and HTTP
 * Basic check reads `disabled_at` from the database on each request, so the change holds on
 * every instance at once.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { localAuthorityByCode } from '../reference.ts';
import {
  AccountError,
  createAccount,
  rolesProblem,
  roleTitle,
  type Account,
  type AccountRole,
  type AccountRoleDefinition,
} from './accounts.ts';

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

/** Creates an account (createAccount's rules) with its audit row, in one transaction. */
export async function addAccount(
  db: Database,
  input: Parameters<typeof createAccount>[1],
  known: readonly AccountRoleDefinition[],
  by: string,
): Promise<Account> {
  return db.transaction().execute(async (trx) => {
    const account = await createAccount(trx, input, known);
    await trx
      .insertInto('platform.account_change')
      .values({
        account_id: account.id,
        username: account.username,
        action: 'create',
        detail: describeRoles(account.roles, account.laCode, known),
        changed_by: by,
      })
      .execute();
    return account;
  });
}

/** An account's roles in plain words, for the audit: "Caseworker, Administrator". */
function describeRoles(
  roles: readonly string[],
  laCode: string | null,
  known: readonly AccountRoleDefinition[],
): string {
  const titles = roles.map((name) => {
    const role = known.find((r) => r.name === name);
    return role ? roleTitle(role) : name;
  });
  const la = laCode ? `, for ${localAuthorityByCode(laCode)?.name ?? 'local authority'} (${laCode})` : '';
  return `${titles.join(', ') || 'no roles'}${la}`;
}

/**
 * Gives an account these roles (and local authority), audited; false when it held them already.
 * Sessions read the roles on every request, so the change holds at once on every instance.
 */
export async function setAccountRoles(
  db: Database,
  input: { username: string; roles: string[]; laCode?: string; by: string },
  known: readonly AccountRoleDefinition[],
): Promise<boolean> {
  const problem = rolesProblem(input.roles, input.laCode, known);
  if (problem) throw new AccountError(problem);
  const roles = [...new Set(input.roles)];
  const laCode = input.laCode ?? null;
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('platform.account')
      .select(['id', 'username', 'roles', 'la_code'])
      .where('username', '=', input.username.trim().toLowerCase())
      .forUpdate()
      .executeTakeFirst();
    if (!account) throw new AccountError(`No account named "${input.username}"`);
    const same = (a: readonly string[], b: readonly string[]) =>
      a.length === b.length && a.every((role) => b.includes(role));
    if (same(account.roles, roles) && account.la_code === laCode) return false;
    await trx
      .updateTable('platform.account')
      .set({ roles, la_code: laCode })
      .where('id', '=', account.id)
      .execute();
    await trx
      .insertInto('platform.account_change')
      .values({
        account_id: account.id,
        username: account.username,
        action: 'roles',
        detail: `${describeRoles(account.roles, account.la_code, known)} → ${describeRoles(roles, laCode, known)}`,
        changed_by: input.by,
      })
      .execute();
    return true;
  });
}

export interface AccountChange {
  username: string;
  action: string;
  detail: string | null;
  changedBy: string;
  changedAt: Date;
}

/** The audit of account changes, newest first: one account's, or everyone's. */
export async function accountChanges(
  db: Database,
  options: { username?: string; limit?: number } = {},
): Promise<AccountChange[]> {
  let query = db
    .selectFrom('platform.account_change')
    .select(['username', 'action', 'detail', 'changed_by', 'changed_at'])
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100);
  if (options.username !== undefined) query = query.where('username', '=', options.username);
  const rows = await query.execute();
  return rows.map((r) => ({
    username: r.username,
    action: r.action,
    detail: r.detail,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  }));
}
