/** `edgate la …` as an operator uses it: real processes, the secrets read from files, never printed. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractChunks } from '../src/contracts/childcare-extract/extract-writer.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { openTestDatabase, testEngine, type TestDatabase } from './support/test-database.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('edgate la', () => {
  let dir: string;
  let env: Record<string, string>;
  let pgDatabase: TestDatabase | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-la-cli-'));
    env = { EDGATE_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', LA_COLLECT_RETRY_SECONDS: '0' };
    if (testEngine() === 'postgres') {
      pgDatabase = await openTestDatabase();
      env.DATABASE_URL = pgDatabase.url!;
    }
  });
  after(async () => {
    await pgDatabase?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const edgate = (args: string[], extraEnv: Record<string, string> = {}) => {
    const { DATABASE_URL: _ignored, ...base } = process.env;
    const result = spawnSync(process.execPath, ['bin/edgate.js', 'la', ...args], {
      cwd: root,
      env: { ...base, ...env, ...extraEnv },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  test('source add reads the password from a file and never prints it; list; plain refusals', () => {
    writeFileSync(path.join(dir, 'password'), 'very-secret-gateway-password\n');
    const added = edgate([
      'source',
      'add',
      '--name',
      'Unreachable ISPP',
      '--kind',
      'soap',
      '--endpoint',
      'https://127.0.0.1:1/ISPPGateway/ISPPGatewayServices.svc',
      '--username',
      'bucks',
      '--password-file',
      path.join(dir, 'password'),
      '--la',
      '825',
      '--time',
      '06:40',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added source Unreachable ISPP/);
    const listed = edgate(['source', 'list']);
    assert.match(listed.stdout, /Unreachable ISPP\tsoap\tenabled/);
    assert.doesNotMatch(added.stdout + listed.stdout + added.stderr, /very-secret/);

    const refused = edgate([
      'source',
      'add',
      '--name',
      'Bad',
      '--kind',
      'soap',
      '--endpoint',
      'http://x',
      '--la',
      '999',
    ]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /must start https:\/\//);
    assert.match(refused.stderr, /999 is not the 3-digit DfE code/);
  });

  test('collect reports each LA with its outcome in plain words, exit 1 when one failed', () => {
    const result = edgate(['collect', '--source', 'Unreachable ISPP']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /\[1\/1\] Unreachable ISPP 825: could not reach the gateway after 4 tries — The gateway refused the connection/,
    );
  });

  test('upload stores a file as a snapshot and takes it in, as a collected one is; snapshots lists it', () => {
    const xml = [
      ...extractChunks(
        { extractDateTime: '2026-11-02T05:30:00', laCode: '825', laName: 'Buckinghamshire' },
        generateRegister({ scale: 'demo', seed: 4, today: '2026-11-02', laCodes: ['825'] }),
      ),
    ].join('');
    writeFileSync(path.join(dir, 'extract.xml'), xml);
    const first = edgate(['upload', '--la', '825', path.join(dir, 'extract.xml')]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /collected a new extract/);
    assert.match(first.stdout, /Snapshot \d+ of LA 825 taken in: \d+ new/);
    const listed = edgate(['snapshots', '--la', '825']);
    assert.equal(listed.stdout.trim().split('\n').length, 1);
    assert.match(listed.stdout, /\t825\t.*\ttaken-in\t\d+ registrations/);
  });
});
