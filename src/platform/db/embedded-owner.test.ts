import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  folderText,
  inUseMessage,
  LOCK_FILE,
  sinceText,
  takeOwnership,
  type EmbeddedOwner,
} from './embedded-owner.ts';

const me: EmbeddedOwner = { pid: 4321, command: 'edgate migrate', startedAt: '2026-12-07T10:00:00.000Z' };
const server: EmbeddedOwner = { pid: 1234, command: 'edgate start', startedAt: '2026-12-07T09:14:00.000Z' };

function inFolder(fn: (dir: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-owner-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the message names the folder as typed, the process, its command and since when', () => {
  const message = inUseMessage('/srv/edgate/data', server, new Date('2026-12-07T11:00:00Z'), '/srv/edgate');
  assert.equal(
    message,
    'The embedded database in ./data is in use by edgate (process 1234, `edgate start`, since 09:14). ' +
      'Stop it first, or set DATABASE_URL to use PostgreSQL.',
  );
  assert.equal(folderText('/var/lib/edgate', '/home/me'), '/var/lib/edgate');
});

test('since: London wall-clock time, with the date when it was another day', () => {
  assert.equal(sinceText('2026-07-01T08:14:00Z', new Date('2026-07-01T12:00:00Z')), '09:14'); // BST
  assert.equal(sinceText('2026-12-06T09:14:00Z', new Date('2026-12-07T09:00:00Z')), '2026-12-06 09:14');
});

test('the first process takes the folder; the next is told who holds it; release frees it', () => {
  inFolder((dir) => {
    const first = takeOwnership(dir, server, () => true);
    assert.equal(first.kind, 'owned');
    const second = takeOwnership(dir, me, () => true);
    assert.deepEqual(second, { kind: 'held', owner: server });
    if (first.kind === 'owned') first.release();
    assert.ok(!existsSync(path.join(dir, LOCK_FILE)));
    const third = takeOwnership(dir, me, () => true);
    assert.equal(third.kind, 'owned');
    if (third.kind === 'owned') third.release();
  });
});

test('a dead process’s lock, or a garbled one, is taken over and named', () => {
  inFolder((dir) => {
    const file = path.join(dir, LOCK_FILE);
    writeFileSync(file, JSON.stringify(server));
    const taken = takeOwnership(dir, me, (pid) => pid !== server.pid);
    assert.equal(taken.kind, 'owned');
    assert.deepEqual(taken.kind === 'owned' && taken.tookOverFrom, server);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), me);
    if (taken.kind === 'owned') taken.release();

    writeFileSync(file, '{"pid": 12'); // a crash while writing it
    const again = takeOwnership(dir, me, () => true);
    assert.equal(again.kind, 'owned');
    if (again.kind === 'owned') again.release();
  });
});

test('releasing never removes a lock another process has taken since', () => {
  inFolder((dir) => {
    const file = path.join(dir, LOCK_FILE);
    const mine = takeOwnership(dir, me, () => true);
    writeFileSync(file, JSON.stringify(server)); // as if ours had been taken over meanwhile
    if (mine.kind === 'owned') mine.release();
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), server);
  });
});
