/** The embedded database served on a socket beside the owner's own queries: never interleaved. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from './database.ts';
import {
  readyStatus,
  serveEmbeddedDatabase,
  socketFile,
  SOCKET_PORT,
  type EmbeddedSocket,
} from './embedded-socket.ts';

let dir: string;
let owner: DatabaseHandle;
let socket: EmbeddedSocket;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-socket-'));
  owner = await openDatabase({});
  await sql`create table note (id serial primary key, text text not null)`.execute(owner.db);
  socket = await serveEmbeddedDatabase({ pglite: owner.pglite!, db: owner.db, dir: path.join(dir, 's') });
});
after(async () => {
  await socket.close();
  await owner.close();
  rmSync(dir, { recursive: true, force: true });
});

const connect = async () => {
  const client = new pg.Client({ host: path.join(dir, 's'), port: SOCKET_PORT, user: 'postgres' });
  await client.connect();
  return client;
};
const notes = async () =>
  (await sql<{ text: string }>`select text from note order by id`.execute(owner.db)).rows.map((r) => r.text);

test('only the owner’s user can reach the socket', () => {
  assert.equal(statSync(path.join(dir, 's')).mode & 0o777, 0o700);
  assert.equal(statSync(socketFile(path.join(dir, 's'))).mode & 0o777, 0o600);
});

test('a client’s transaction never takes in the owner’s statements, and the owner waits for its commit', async () => {
  const client = await connect();
  try {
    await client.query('begin');
    await client.query(`insert into note (text) values ('from the command')`);
    // The owner's statement waits for the client's transaction instead of running inside it.
    const ownerWrite = sql`insert into note (text) values ('from the server')`.execute(owner.db);
    await new Promise((r) => setTimeout(r, 50));
    await client.query('rollback');
    await ownerWrite;
    assert.deepEqual(await notes(), ['from the server']);
  } finally {
    await client.end();
  }
});

test('a client’s statement never runs inside the owner’s transaction', async () => {
  const client = await connect();
  try {
    let clientWrite: Promise<unknown> | undefined;
    await owner.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into note (text) values ('server, rolled back')`.execute(trx);
        clientWrite = client.query(`insert into note (text) values ('command, kept')`);
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await clientWrite;
    assert.deepEqual((await notes()).slice(-1), ['command, kept']);
    assert.ok(!(await notes()).includes('server, rolled back'));
  } finally {
    await client.end();
  }
});

test('a client that goes away mid-transaction is rolled back, and the owner goes on', async () => {
  const client = await connect();
  await client.query('begin');
  await client.query(`insert into note (text) values ('half done')`);
  client.on('error', () => undefined); // the connection ends under it: expected here
  (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  await sql`insert into note (text) values ('after')`.execute(owner.db);
  const all = await notes();
  assert.ok(!all.includes('half done'));
  assert.equal(all.at(-1), 'after');
});

test('readyStatus reads the last ReadyForQuery of a reply', () => {
  const message = (type: string, body: Buffer) => {
    const header = Buffer.alloc(5);
    header.write(type, 0, 'latin1');
    header.writeInt32BE(4 + body.length, 1);
    return Buffer.concat([header, body]);
  };
  const begin = message('C', Buffer.from('BEGIN\0'));
  const ready = (status: string) => message('Z', Buffer.from(status));
  assert.equal(readyStatus(Buffer.concat([begin, ready('T')])), 'T'.charCodeAt(0));
  assert.equal(readyStatus(Buffer.concat([ready('T'), begin, ready('I')])), 'I'.charCodeAt(0));
  assert.equal(readyStatus(message('1', Buffer.alloc(0))), undefined); // ParseComplete only
});
