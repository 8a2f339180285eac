/**
 * The commands that cut a person off (and let them back): `edgate user list|disable|enable`.
 * Problems are thrown as AccountError, which the command prints as plain words. (The gateway's
 * own are the regulator's: src/regulator/regulator-cli.ts.)
 */
import { parseArgs } from 'node:util';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/database.ts';
import { AccountError } from '../platform/auth/accounts.ts';
import { listAccounts, setAccountDisabled } from '../platform/auth/account-access.ts';
import { openConfiguredDatabase } from './database.ts';
import { operator } from '../platform/cli/command.ts';

function usernameOption(
  args: string[],
  fail: (message: string) => Error,
  usage: string,
): { username?: string } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: {
        username: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new Error(`Unexpected argument "${positionals[0]}"`);
    return values as { username?: string };
  } catch (error) {
    throw fail(`${(error as Error).message}. Usage: ${usage}`);
  }
}

async function withDb<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const handle = await openConfiguredDatabase(config);
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

const day = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');

export const USER_ACCESS_SUBCOMMANDS = ['list', 'disable', 'enable'];

/** `edgate user list|disable|enable`. */
export async function userAccessCommand(config: Config, sub: string, args: string[]): Promise<number> {
  const fail = (message: string) => new AccountError(message);
  if (sub === 'list') {
    usernameOption(args, fail, 'edgate user list');
    const accounts = await withDb(config, listAccounts);
    if (accounts.length === 0) console.log('No accounts.');
    for (const a of accounts) {
      const state = a.disabledAt ? `disabled ${day(a.disabledAt)}` : 'active';
      console.log(
        `${a.username.padEnd(24)} ${state.padEnd(25)} ${a.roles.join(',')}${a.laCode ? ` (LA ${a.laCode})` : ''}  ${a.displayName}`,
      );
    }
    return 0;
  }
  const usage = `edgate user ${sub} --username U`;
  const { username } = usernameOption(args, fail, usage);
  if (!username) throw fail(`edgate user ${sub} needs --username. Usage: ${usage}`);
  const disabled = sub === 'disable';
  const change = await withDb(config, (db) => setAccountDisabled(db, { username, disabled, by: operator() }));
  if (!change.changed) {
    console.log(
      `Account ${change.username} is already ${disabled ? 'disabled' : 'enabled'}; nothing changed.`,
    );
  } else if (disabled) {
    console.log(
      `Disabled account ${change.username}: it can no longer sign in, and its ${change.sessionsEnded} session(s) have ended.`,
    );
  } else {
    console.log(`Enabled account ${change.username}: it can sign in again with its existing password.`);
  }
  return 0;
}
