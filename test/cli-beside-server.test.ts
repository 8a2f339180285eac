/**
 * The edgate command run while a server runs on the same data folder, as an operator does beside
 * `npm start`: on the embedded database the command works through the server that owns it, and
 * the server acts on the change at once; a second server, or a command beside a command, is
 * refused naming the process that holds the database. Real processes throughout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { referencePath } from '../src/platform/reference.ts';
import { LOCK_FILE } from '../src/platform/db/embedded-owner.ts';
import { openTestDatabase, testEngine, type TestDatabase } from './support/test-database.ts';
import { freePort } from './support/postgres-cluster.ts';
import { testClient } from './support/test-server.ts';

const root = path.resolve(import.meta.dirname, '..');
const embedded = testEngine() === 'pglite';
const embeddedOnly = embedded ? false : 'the embedded database only';

interface RunningServer {
  child: ChildProcess;
  port: number;
  output(): string;
  stop(): Promise<number | null>;
}

describe('the edgate command beside a running server', () => {
  let dir: string;
  let env: Record<string, string>;
  let pgDatabase: TestDatabase | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-beside-'));
    env = { EDGATE_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', EXTRACT_SCHEDULE: 'false' };
    if (!embedded) {
      pgDatabase = await openTestDatabase();
      env.DATABASE_URL = pgDatabase.url!;
    }
  });
  after(async () => {
    await pgDatabase?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const baseEnv = () => {
    const { DATABASE_URL: _ignored, ...base } = process.env;
    return { ...base, ...env };
  };

  const edgate = (args: string[], extraEnv: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, ['bin/edgate.js', ...args], {
      cwd: root,
      env: { ...baseEnv(), ...extraEnv },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  const startServer = async (port: number): Promise<RunningServer> => {
    const child = spawn(process.execPath, ['bin/edgate.js', 'serve', 'regulator'], {
      cwd: root,
      env: { ...baseEnv(), PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (!output.includes('Open https://') && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    assert.match(output, /Open https:\/\/127\.0\.0\.1:\d+\//);
    return {
      child,
      port,
      output: () => output,
      stop: () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  };

  test('gateway revoke and user add beside a running server: the server acts on them at once, and after a restart', async () => {
    const port = await freePort();
    let server = await startServer(port);
    try {
      const ca = readFileSync(path.join(env.EDGATE_DATA_DIR!, 'tls', 'server.crt'), 'utf8');
      const web = testClient(`https://127.0.0.1:${port}`, ca);

      const sample = path.join(dir, 'sample.xml');
      // The published sample repeats a reference number; the second becomes EY12346 (as cli.test.ts does).
      writeFileSync(
        sample,
        readFileSync(referencePath('ispp-contract/sample-extract-synthetic.xml'), 'utf8').replace(
          /(<Registration>[\s\S]*?<\/Registration>\s*<Registration>\s*<ReferenceNumber>)EY12345/,
          '$1EY12346',
        ),
      );
      const imported = edgate(['register', 'import', sample]);
      assert.equal(imported.code, 0, imported.stderr);
      const built = edgate(['extract', 'run', '--la', '825']);
      assert.equal(built.code, 0, built.stderr);
      const account = edgate([
        'gateway',
        'account',
        'add',
        '--username',
        'acme-fid',
        '--agent',
        'Acme Directories',
        '--no-certificate',
      ]);
      assert.equal(account.code, 0, account.stderr);
      const apiKey = /FID API key \(shown once\): (\S+)/.exec(account.stdout)?.[1];
      assert.ok(apiKey, account.stdout);
      const authorised = edgate(['gateway', 'authorise', '--agent', 'Acme Directories', '--la', '825']);
      assert.equal(authorised.code, 0, authorised.stderr);

      const collect = () =>
        web.request('GET', '/fid/json', undefined, {
          APIKEY: apiKey,
          'service-key': 'edgate-test-service',
          LACode: '825',
        });
      const before = await collect();
      assert.equal(before.status, 200, before.body);

      const revoked = edgate(['gateway', 'revoke', '--agent', 'Acme Directories', '--la', '825']);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /Revoked 1 authorisation/);
      const afterRevoke = await collect();
      assert.equal(afterRevoke.status, 403, 'the running server refuses the revoked agent at once');
      assert.equal(afterRevoke.json<{ code: string }>().code, 'LocalAuthorityAccessInvalid');

      // Defect 11: the LA officer's --la reaches the account, and they see their LA.
      const officer = edgate(
        [
          'user',
          'add',
          '--username',
          'mk.officer',
          '--name',
          'MK Officer',
          '--role',
          'la-officer',
          '--la',
          '826',
        ],
        { EDGATE_PASSWORD: 'synthetic-officer-password' },
      );
      assert.equal(officer.code, 0, officer.stderr);
      await web.signIn('mk.officer', 'synthetic-officer-password');
      const audit = await web.get('/regulator/gateway/audit');
      assert.equal(audit.status, 200);
      assert.match(audit.body, /Milton Keynes/);

      assert.equal(await server.stop(), 0, server.output());
      if (embedded)
        assert.ok(
          !existsSync(path.join(env.EDGATE_DATA_DIR!, LOCK_FILE)),
          'a stopped server frees the folder',
        );

      server = await startServer(port);
      const afterRestart = await collect();
      assert.equal(afterRestart.status, 403, 'the revocation survived the restart');
    } finally {
      await server.stop();
    }
  });

  test(
    'a second server on the same folder is refused, naming the one running',
    { skip: embeddedOnly },
    async () => {
      const server = await startServer(await freePort());
      try {
        const second = edgate(['serve', 'regulator'], { PORT: String(await freePort()) });
        assert.equal(second.code, 1, second.stdout);
        assert.match(
          second.stderr,
          new RegExp(
            `^The embedded database in .*data is in use by edgate \\(process ${server.child.pid}, \`edgate serve regulator\`, since (\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d\\)\\. Stop it first, or set DATABASE_URL to use PostgreSQL\\.$`,
            'm',
          ),
        );
        assert.doesNotMatch(second.stdout, /is running/);
      } finally {
        assert.equal(await server.stop(), 0, server.output());
      }
    },
  );

  test(
    'a command while another command holds the database is refused, not silently lost',
    { skip: embeddedOnly },
    () => {
      // This test process stands in for a long command (a national register load): alive, serving nothing.
      const data = env.EDGATE_DATA_DIR!;
      mkdirSync(data, { recursive: true });
      const lock = path.join(data, LOCK_FILE);
      const holder = {
        pid: process.pid,
        command: 'edgate register generate --scale national',
        startedAt: new Date().toISOString(),
      };
      writeFileSync(lock, JSON.stringify(holder));
      try {
        const refused = edgate(['gateway', 'revoke', '--agent', 'Acme Directories', '--la', '825']);
        assert.equal(refused.code, 1);
        assert.match(
          refused.stderr,
          new RegExp(
            `in use by edgate \\(process ${process.pid}, \`edgate register generate --scale national\`, since \\d\\d:\\d\\d\\)\\. Stop it first`,
          ),
        );
        assert.doesNotMatch(refused.stdout, /Revoked|No current authorisation/);
        assert.deepEqual(JSON.parse(readFileSync(lock, 'utf8')), holder, 'the holder keeps its lock');
      } finally {
        rmSync(lock, { force: true });
      }
    },
  );

  test('the lock of a process that died is taken over, saying so', { skip: embeddedOnly }, () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    const lock = path.join(env.EDGATE_DATA_DIR!, LOCK_FILE);
    writeFileSync(
      lock,
      JSON.stringify({ pid: dead.pid, command: 'edgate start', startedAt: '2026-12-01T09:14:00.000Z' }),
    );
    const migrated = edgate(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(
      migrated.stderr,
      new RegExp(
        `last opened by edgate \\(process ${dead.pid}, \`edgate start\`, since 2026-12-01 09:14\\), which is no longer running; taking it over`,
      ),
    );
    assert.match(migrated.stdout, /^regulator: up to date$/m);
    assert.ok(!existsSync(lock), 'released when the command ends');
  });
});
