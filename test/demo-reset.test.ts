/** `edgate demo reset`: empties the data folder's database, only when nothing owns it, only when asked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/platform/config.ts';
import { UsageError } from '../src/platform/cli/command.ts';
import { takeOwnership } from '../src/platform/db/embedded-owner.ts';
import { DatabaseInUseError } from '../src/cli/database.ts';
import { resetDemo, type ResetIo } from '../src/cli/demo-reset.ts';

/** A data folder with a database, sign-ins and a certificate in it (their contents do not matter here). */
function dataFolder(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'edgate-reset-')), 'data');
  mkdirSync(path.join(dir, 'pglite'), { recursive: true });
  writeFileSync(path.join(dir, 'pglite', 'PG_VERSION'), '17\n');
  writeFileSync(path.join(dir, 'demo-accounts.txt'), 'caseworker\tsecret\n');
  mkdirSync(path.join(dir, 'tls'));
  writeFileSync(path.join(dir, 'tls', 'server.crt'), 'certificate\n');
  return dir;
}

function answering(answer: string | undefined): ResetIo & { said: string[] } {
  const said: string[] = [];
  return { said, ask: async () => answer, say: (line) => said.push(line) };
}

test('demo reset empties the database and the sign-ins once told yes, and keeps the certificate', async () => {
  const dir = dataFolder();
  try {
    const config = loadConfig({ EDGATE_DATA_DIR: dir });
    const io = answering('yes');
    assert.equal(await resetDemo(config, false, io), 0);
    assert.equal(existsSync(path.join(dir, 'pglite')), false);
    assert.equal(existsSync(path.join(dir, 'demo-accounts.txt')), false);
    assert.equal(existsSync(path.join(dir, 'tls', 'server.crt')), true);
    assert.match(io.said.join('\n'), /next edgate start .* seeds the demo world again/);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('demo reset deletes nothing unless asked and answered yes, or given --yes', async () => {
  const dir = dataFolder();
  try {
    const config = loadConfig({ EDGATE_DATA_DIR: dir });
    assert.equal(await resetDemo(config, false, answering('no')), 1);
    await assert.rejects(resetDemo(config, false, answering(undefined)), UsageError);
    assert.equal(existsSync(path.join(dir, 'pglite', 'PG_VERSION')), true);
    assert.equal(await resetDemo(config, true, answering(undefined)), 0);
    assert.equal(existsSync(path.join(dir, 'pglite')), false);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('demo reset is refused while another process owns the data folder, and on PostgreSQL', async () => {
  const dir = dataFolder();
  // The parent process stands for a running server: alive, and not this process.
  const server = takeOwnership(dir, {
    pid: process.ppid,
    command: 'edgate start',
    startedAt: new Date().toISOString(),
  });
  try {
    assert.equal(server.kind, 'owned');
    await assert.rejects(
      resetDemo(loadConfig({ EDGATE_DATA_DIR: dir }), true, answering('yes')),
      (error: Error) => {
        assert.ok(error instanceof DatabaseInUseError);
        assert.match(error.message, /Stop it first/);
        return true;
      },
    );
    assert.equal(existsSync(path.join(dir, 'pglite', 'PG_VERSION')), true);
    await assert.rejects(
      resetDemo(loadConfig({ EDGATE_DATA_DIR: dir, DATABASE_URL: 'postgres://localhost/edgate' }), true),
      UsageError,
    );
  } finally {
    if (server.kind === 'owned') server.release();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
