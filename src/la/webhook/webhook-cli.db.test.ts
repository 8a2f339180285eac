/** `edgate la webhook set|show|remove`: the made secret printed once, never again; plain refusals. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { SecretBox } from '../../platform/auth/secret-box.ts';
import { UsageError } from '../../platform/cli/command.ts';
import type { CommandContext } from '../../platform/role.ts';
import type { Config } from '../../platform/config.ts';
import type { LaSettings } from '../la-settings.ts';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { webhookCommand } from './webhook-cli.ts';

let database: TestDatabase;
let dir: string;
const box = new SecretBox(randomBytes(32));

before(async () => {
  database = await openTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-webhook-cli-'));
});
after(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

async function edgateLaWebhook(args: string[]): Promise<{ code: number; stdout: string }> {
  const context: CommandContext<LaSettings> = {
    config: { publicUrl: 'https://edgate.example' } as Config,
    settings: {} as LaSettings,
    withDatabase: (fn) => fn(database),
    secretBox: () => box,
  };
  let stdout = '';
  const { log } = console;
  console.log = (...values: unknown[]) => {
    stdout += `${values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ')}\n`;
  };
  try {
    return { code: await webhookCommand(args, context), stdout };
  } finally {
    console.log = log;
  }
}

test('set makes a secret and prints it once; show never prints it; remove stops it', async () => {
  const set = await edgateLaWebhook(['set', '--la', '825', '--url', 'https://receiver.example/hook']);
  assert.equal(set.code, 0);
  const secret = /Signing secret \(shown this once; it is stored sealed\): (whsec_\S+)/.exec(set.stdout)![1]!;
  const row = await database.db.selectFrom('la.webhook').selectAll().executeTakeFirstOrThrow();
  assert.equal(box.open(row.secret_sealed), secret);

  const moved = await edgateLaWebhook(['set', '--la', '825', '--url', 'https://receiver.example/v2']);
  assert.doesNotMatch(moved.stdout, /whsec_/, 'changing the address keeps the secret');
  const kept = await database.db.selectFrom('la.webhook').selectAll().executeTakeFirstOrThrow();
  assert.equal(box.open(kept.secret_sealed), secret);

  writeFileSync(path.join(dir, 'secret'), 'a-secret-the-la-chose-itself-1234\n');
  const chosen = await edgateLaWebhook([
    'set',
    '--la',
    '825',
    '--url',
    'https://receiver.example/v2',
    '--secret-file',
    path.join(dir, 'secret'),
  ]);
  assert.doesNotMatch(chosen.stdout, /a-secret-the-la-chose/);

  const shown = await edgateLaWebhook(['show', '--la', '825']);
  assert.match(shown.stdout, /https:\/\/receiver\.example\/v2\tset by .*\tsecret: set, never shown/);
  assert.doesNotMatch(shown.stdout, /whsec_|a-secret-the-la-chose/);

  const removed = await edgateLaWebhook(['remove', '--la', '825']);
  assert.match(removed.stdout, /webhook removed/);
  assert.match((await edgateLaWebhook(['show', '--la', '825'])).stdout, /has no webhook/);
});

test('an address that is not https://, or an unknown LA, is refused in plain words', async () => {
  await assert.rejects(
    edgateLaWebhook(['set', '--la', '825', '--url', 'http://receiver.example/hook']),
    (error: Error) => /must start https:\/\//.test(error.message),
  );
  await assert.rejects(
    edgateLaWebhook(['show', '--la', '999']),
    (error: Error) => error instanceof UsageError && /999 is not the 3-digit code/.test(error.message),
  );
});
