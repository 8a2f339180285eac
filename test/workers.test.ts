/**
 * `edgate serve ROLE --workers N`: several server processes on one port. On PostgreSQL they serve
 * together and stop together on SIGTERM; on the embedded database, which serves one process, the
 * command refuses with a message saying why.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTls } from '../src/platform/http/tls.ts';
import { openTestDatabase, testEngine, type TestDatabase } from './support/test-database.ts';
import { freePort } from './support/postgres-cluster.ts';

const root = path.resolve(import.meta.dirname, '..');
let dir: string;
let database: TestDatabase | undefined;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-workers-'));
  if (testEngine() === 'postgres') database = await openTestDatabase();
});
after(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

function environment(port: number): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return {
    ...env,
    ...(database?.url ? { DATABASE_URL: database.url } : {}),
    EDGATE_DATA_DIR: dir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    EDGATE_SEED_DEMO: 'false',
  };
}

test(
  '--workers on the embedded database is refused, saying why',
  { skip: testEngine() === 'postgres' },
  async () => {
    const result = spawnSync(process.execPath, ['bin/edgate.js', 'serve', 'dfe', '--workers', '2'], {
      cwd: root,
      env: environment(await freePort()),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--workers needs PostgreSQL \(DATABASE_URL\)/);
  },
);

test(
  'two workers serve one port and stop together on SIGTERM',
  { skip: testEngine() !== 'postgres' },
  async () => {
    const port = await freePort();
    const ca = (await loadTls({ dataDir: dir })).cert;
    const server = spawn(process.execPath, ['bin/edgate.js', 'serve', 'dfe', '--workers', '2'], {
      cwd: root,
      env: environment(port),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const get = (target: string) =>
      new Promise<number>((resolve) => {
        const req = request(`https://127.0.0.1:${port}${target}`, { ca, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end();
      });
    try {
      // Both workers have started when each has said so.
      for (let i = 0; i < 600 && (output.match(/is running on PostgreSQL/g) ?? []).length < 2; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal((output.match(/is running on PostgreSQL/g) ?? []).length, 2, output);
      const statuses = await Promise.all(Array.from({ length: 20 }, () => get('/readyz')));
      assert.deepEqual(statuses, Array(20).fill(200));
    } finally {
      server.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => server.once('exit', resolve));
    assert.equal(code, 0);
  },
);
