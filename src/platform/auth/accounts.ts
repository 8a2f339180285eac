/** People who sign in to edgate's pages, with their roles. */
import type { Database } from '../db/database.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { localAuthorityByCode } from '../reference.ts';

/**
 * The account roles, by name: what a person may do; pages check for one of them. The platform
 * has `admin`; each role module adds its own by augmenting this interface beside its module:
 *
 *   declare module '../platform/auth/accounts.ts' { interface AccountRoleNames { caseworker: true } }
 */
export interface AccountRoleNames {
  admin: true;
}
export type AccountRole = keyof AccountRoleNames & string;

/** An account role as the composition root lists it (`edgate user add --role`). */
export interface AccountRoleDefinition {
  name: AccountRole;
  /** Its name in plain words, as pages show it ("Local authority officer"); the name itself when absent. */
  title?: string;
  /** What a person with it does, in plain words. */
  description: string;
  /** Works for one local authority: the account names it (`--la CODE`), and only such an account has one. */
  localAuthority?: boolean;
}

export const ADMIN_ROLE: AccountRoleDefinition = {
  name: 'admin',
  title: 'Administrator',
  description: 'runs the service: accounts, gateway accounts, OAuth clients',
};

export interface Account {
  id: number;
  username: string;
  displayName: string;
  roles: AccountRole[];
  /** The local authority an la-officer works for. */
  laCode: string | null;
}

export class AccountError extends Error {}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

/**
 * Why an account cannot hold these roles (with this local authority), or undefined: at least one
 * role, each one there is, and a local authority exactly when a role works for one.
 */
export function rolesProblem(
  roles: readonly string[],
  laCode: string | undefined,
  known: readonly AccountRoleDefinition[],
): string | undefined {
  if (roles.length === 0) return 'An account needs at least one role';
  const names = known.map((role) => role.name as string);
  const unknown = roles.filter((role) => !names.includes(role));
  if (unknown.length > 0) return `Unknown role ${unknown.join(', ')}: roles are ${names.join(', ')}`;
  const forOneLa = known.filter((role) => role.localAuthority).map((role) => role.name as string);
  if (roles.some((role) => forOneLa.includes(role)) !== (laCode !== undefined))
    return `An account with the role ${forOneLa.join(' or ')} needs --la CODE (its local authority), and only such an account has one`;
  if (laCode !== undefined && !localAuthorityByCode(laCode))
    return `'${laCode}' is not the 3-digit code of a live local authority`;
  return undefined;
}

/** A role's name in plain words. */
export const roleTitle = (role: AccountRoleDefinition): string => role.title ?? role.name;

export async function createAccount(
  db: Database,
  input: { username: string; displayName: string; password: string; roles: string[]; laCode?: string },
  /** The account roles there are (the composition root's list). */
  known: readonly AccountRoleDefinition[],
): Promise<Account> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw new AccountError(
      `Username "${input.username}" must be 2–64 letters, digits, dots, dashes, @ or underscores`,
    );
  }
  const problem = passwordProblem(input.password);
  if (problem) throw new AccountError(problem);
  const roles = rolesProblem(input.roles, input.laCode, known);
  if (roles) throw new AccountError(roles);
  const existing = await db
    .selectFrom('platform.account')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirst();
  if (existing) throw new AccountError(`An account named "${username}" already exists`);
  const row = await db
    .insertInto('platform.account')
    .values({
      username,
      display_name: input.displayName.trim() || username,
      password_hash: await hashPassword(input.password),
      roles: input.roles,
      la_code: input.laCode ?? null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    username,
    displayName: input.displayName.trim() || username,
    roles: input.roles as AccountRole[],
    laCode: input.laCode ?? null,
  };
}

// Verified against when the username is unknown, so both failures take the same time.
const DUMMY_HASH = hashPassword('not a real password, only for timing');

export async function authenticate(
  db: Database,
  username: string,
  password: string,
): Promise<Account | undefined> {
  const row = await db
    .selectFrom('platform.account')
    .select(['id', 'username', 'display_name', 'password_hash', 'roles', 'la_code'])
    .where('username', '=', username.trim().toLowerCase())
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) {
    await verifyPassword(password, await DUMMY_HASH);
    return undefined;
  }
  if (!(await verifyPassword(password, row.password_hash))) return undefined;
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles as AccountRole[],
    laCode: row.la_code,
  };
}
