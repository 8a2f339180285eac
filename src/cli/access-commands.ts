/**
 * The commands that cut someone off (and let them back): `edgate user list|disable|enable` and
 * `edgate gateway account list|disable|enable|rotate-password|rotate-api-key`,
 * `edgate gateway certificate list|remove`. Problems are thrown as AccountError or
 * GatewayAdminError, which the command prints as plain words.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/database.ts';
import { AccountError } from '../platform/auth/accounts.ts';
import { listAccounts, setAccountDisabled } from '../platform/auth/account-access.ts';
import { loadSecretBox } from '../platform/auth/secret-key.ts';
import { GatewayAdminError } from '../regulator/gateway/gateway-store.ts';
import {
  listCertificates,
  listGatewayAccounts,
  removeCertificate,
  rotateGatewayApiKey,
  rotateGatewayPassword,
  setGatewayAccountDisabled,
} from '../regulator/gateway/gateway-access.ts';
import { openConfiguredDatabase } from './database.ts';

/** Who made a change, for the audit: the operator's login name. */
const operator = () => `${process.env.USER ?? 'unknown'} (edgate cli)`;

function usernameOption(
  args: string[],
  fail: (message: string) => Error,
  usage: string,
  extra: { thumbprint?: boolean } = {},
): { username?: string; thumbprint?: string } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: {
        username: { type: 'string' },
        ...(extra.thumbprint ? { thumbprint: { type: 'string' } } : {}),
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new Error(`Unexpected argument "${positionals[0]}"`);
    return values as { username?: string; thumbprint?: string };
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

export const GATEWAY_ACCESS_SUBCOMMANDS = [
  'account list',
  'account disable',
  'account enable',
  'account rotate-password',
  'account rotate-api-key',
  'certificate list',
  'certificate remove',
];

/** `edgate gateway account …` and `edgate gateway certificate …` (other than `add`). */
export async function gatewayAccessCommand(config: Config, words: string, args: string[]): Promise<number> {
  const fail = (message: string) => new GatewayAdminError(message);
  const by = operator();
  switch (words) {
    case 'account list': {
      usernameOption(args, fail, 'edgate gateway account list');
      const accounts = await withDb(config, listGatewayAccounts);
      if (accounts.length === 0) console.log('No gateway accounts.');
      for (const a of accounts) {
        const state = a.disabledAt ? `disabled ${day(a.disabledAt)}` : 'active';
        const who = a.kind === 'la' ? `LA ${a.laCode} ${a.organisation}` : `agent ${a.organisation}`;
        const certificates = `${a.certificates} certificate(s)${a.requireCertificate ? '' : ', signature optional'}`;
        console.log(`${a.username.padEnd(24)} ${state.padEnd(25)} ${certificates.padEnd(38)} ${who}`);
      }
      return 0;
    }
    case 'certificate list': {
      const { username } = usernameOption(args, fail, 'edgate gateway certificate list [--username U]');
      const certificates = await withDb(config, (db) => listCertificates(db, username));
      if (certificates.length === 0) console.log('No certificates registered.');
      for (const c of certificates)
        console.log(
          `${c.username.padEnd(24)} ${c.thumbprintSha1}  valid to ${c.notAfter.toISOString().slice(0, 10)}  ${c.subject.replace(/\n/g, ', ')}`,
        );
      return 0;
    }
    case 'certificate remove': {
      const usage = 'edgate gateway certificate remove --username U [--thumbprint T]';
      const { username, thumbprint } = usernameOption(args, fail, usage, { thumbprint: true });
      if (!username) throw fail(`edgate gateway certificate remove needs --username. Usage: ${usage}`);
      const removed = await withDb(config, (db) => removeCertificate(db, { username, thumbprint, by }));
      console.log(
        `Removed certificate ${removed.thumbprintSha1} (${removed.subject.replace(/\n/g, ', ')}) from ${username}: signatures made with it are refused from now on.`,
      );
      return 0;
    }
  }
  const verb = words.split(' ')[1] ?? '';
  const usage = `edgate gateway account ${verb} --username U`;
  const { username } = usernameOption(args, fail, usage);
  if (!username) throw fail(`edgate gateway account ${verb} needs --username. Usage: ${usage}`);
  switch (words) {
    case 'account disable':
    case 'account enable': {
      const disabled = verb === 'disable';
      const changed = await withDb(config, (db) => setGatewayAccountDisabled(db, { username, disabled, by }));
      console.log(
        !changed
          ? `Gateway account ${username} is already ${disabled ? 'disabled' : 'enabled'}; nothing changed.`
          : disabled
            ? `Disabled gateway account ${username}: its SOAP and FID requests are refused from now on.`
            : `Enabled gateway account ${username}: it can collect again with its current password, key and certificates.`,
      );
      return 0;
    }
    case 'account rotate-password': {
      const box = loadSecretBox({ key: config.gatewaySecretKey, dataDir: config.dataDir });
      const password = await withDb(config, (db) => rotateGatewayPassword(db, box, { username, by }));
      console.log(`New password for gateway account ${username}; the old one no longer works.`);
      console.log(`Password (shown once): ${password}`);
      return 0;
    }
    case 'account rotate-api-key': {
      const apiKey = await withDb(config, (db) => rotateGatewayApiKey(db, { username, by }));
      console.log(`New FID API key for gateway account ${username}; the old one no longer works.`);
      console.log(`FID API key (shown once): ${apiKey}`);
      return 0;
    }
    default:
      throw fail(`Unknown command "edgate gateway ${words}"`);
  }
}
