/**
 * Sign-in sessions kept in the database, so any instance can serve any request. The cookie
 * carries a random token; the table keeps only its SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Account, AccountRole } from './accounts.ts';

export interface Session {
  account: Account;
  csrfToken: string;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function startSession(
  db: Database,
  accountId: number,
  now: Date,
  ttlHours: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  await db
    .insertInto('platform.session')
    .values({
      id: digest(token),
      account_id: accountId,
      csrf_token: randomBytes(24).toString('base64url'),
      expires_at: expiresAt,
    })
    .execute();
  // Housekeeping rides on sign-in rather than a timer: cheap, and every instance does a share.
  await db.deleteFrom('platform.session').where('expires_at', '<', now).execute();
  return { token, expiresAt };
}

export async function findSession(db: Database, token: string, now: Date): Promise<Session | undefined> {
  const row = await db
    .selectFrom('platform.session as s')
    .innerJoin('platform.account as a', 'a.id', 's.account_id')
    .select(['a.id', 'a.username', 'a.display_name', 'a.roles', 'a.la_code', 's.csrf_token'])
    .where('s.id', '=', digest(token))
    .where('s.expires_at', '>', now)
    .where('a.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    account: {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      roles: row.roles as AccountRole[],
      laCode: row.la_code,
    },
    csrfToken: row.csrf_token,
  };
}

export async function endSession(db: Database, token: string): Promise<void> {
  await db.deleteFrom('platform.session').where('id', '=', digest(token)).execute();
}
