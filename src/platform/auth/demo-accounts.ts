/** Demo sign-ins, made once each with a generated password (never a fixed one). */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { createAccount, type AccountRoleDefinition } from './accounts.ts';

export interface DemoAccount {
  username: string;
  displayName: string;
  roles: string[];
  laCode?: string;
}

/** Creates each account not there yet; returns a credentials line for each one made. */
export async function seedDemoAccounts(
  db: Database,
  accounts: readonly DemoAccount[],
  known: readonly AccountRoleDefinition[],
): Promise<string[]> {
  const lines: string[] = [];
  for (const account of accounts) {
    const exists = await db
      .selectFrom('platform.account')
      .select('id')
      .where('username', '=', account.username)
      .executeTakeFirst();
    if (exists) continue;
    const password = randomBytes(12).toString('base64url');
    await createAccount(db, { ...account, password }, known);
    const where = account.laCode ? `, local authority ${account.laCode}` : '';
    lines.push(`${account.username}\t${password}\t(${account.roles.join(', ')}${where})`);
  }
  return lines;
}
