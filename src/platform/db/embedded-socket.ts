/**
 * The owner of the embedded database serves it to edgate commands run beside it, over a Unix
 * socket speaking the PostgreSQL wire protocol: the command connects with `pg` as it would to
 * PostgreSQL, and what it writes is in the running server's database at once.
 *
 * PGlite is one backend with one session, shared by the server's own queries (Kysely) and every
 * socket client. A client's statements must never run inside one of the server's transactions,
 * nor the server's inside a client's. So a client holds the server's Kysely connection — the same
 * one every in-process query and transaction waits for — from its first message until PGlite
 * answers ReadyForQuery with status idle: one statement, or a whole transaction. Between those,
 * the server goes on serving. (@electric-sql/pglite-socket queues clients' messages one at a
 * time but does not coordinate with in-process users of the same PGlite, hence this module.)
 *
 * Only the owner's user can reach the socket: it lives in a folder of mode 0700 and is 0600.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from './database.ts';

/** pg finds a socket as `<host>/.s.PGSQL.<port>`: the port only names the file. */
export const SOCKET_PORT = 5432;
export const socketFile = (dir: string) => path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'

export interface EmbeddedSocket {
  close(): Promise<void>;
}

/** Waits for the server's Kysely connection; resolves to the function that hands it back. */
function holdConnection(db: Database): Promise<() => void> {
  return new Promise((granted, failed) => {
    db.connection()
      .execute(() => new Promise<void>((release) => granted(release)))
      .catch(failed);
  });
}

/** The status byte of the last ReadyForQuery in a backend reply, if it has one. */
export function readyStatus(reply: Uint8Array): number | undefined {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  let status: number | undefined;
  for (let at = 0; at + 5 <= reply.length; at += 1 + view.getInt32(at + 1)) {
    if (reply[at] === READY_FOR_QUERY && at + 5 < reply.length) status = reply[at + 5];
  }
  return status;
}

class Session {
  #buffer: Buffer = Buffer.alloc(0);
  #started = false;
  #release: (() => void) | undefined;
  #work: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly pglite: PGlite,
    private readonly db: Database,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      this.#work = this.#work.then(() => this.#drain()).catch(() => this.end());
    });
    socket.on('error', () => this.end());
    socket.on('close', () => this.end());
  }

  #nextFrame(): Buffer | undefined {
    const buffer = this.#buffer;
    // The startup message has no type byte: a length, then the protocol code.
    const length = this.#started
      ? buffer.length >= 5
        ? 1 + buffer.readInt32BE(1)
        : undefined
      : buffer.length >= 8
        ? buffer.readInt32BE(0)
        : undefined;
    if (length === undefined || buffer.length < length) return undefined;
    this.#buffer = buffer.subarray(length);
    return buffer.subarray(0, length);
  }

  async #drain(): Promise<void> {
    for (let frame = this.#nextFrame(); frame && !this.#ended; frame = this.#nextFrame()) {
      if (!this.#started) {
        const code = frame.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N'); // a local socket: no TLS
          continue;
        }
        if (code !== PROTOCOL_3) return this.end(); // a cancel request, or not PostgreSQL
        this.#started = true;
      } else if (frame[0] === TERMINATE) {
        return this.end();
      }
      this.#release ??= await holdConnection(this.db);
      if (this.#ended) return; // gone while waiting: end() hands the connection back
      const reply = await this.pglite.runExclusive(() => this.pglite.execProtocolRaw(frame));
      if (this.socket.writable) this.socket.write(reply);
      // Idle again (not in a transaction, nothing half-sent): the server may use the database.
      if (readyStatus(reply) === IDLE) this.#releaseConnection();
    }
  }

  #releaseConnection(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  /** A client that goes away mid-transaction has it rolled back before the server goes on. */
  end(): Promise<void> {
    if (this.#ended) return this.#work;
    this.#ended = true;
    this.socket.destroy();
    this.#work = this.#work
      .catch(() => undefined)
      .then(async () => {
        if (!this.#release) return;
        try {
          if (this.pglite.isInTransaction()) await this.pglite.exec('rollback');
        } finally {
          this.#releaseConnection();
        }
      });
    return this.#work;
  }
}

/** Serves `pglite` on a socket in `dir` (created 0700); `db` is the server's Kysely over it. */
export async function serveEmbeddedDatabase(options: {
  pglite: PGlite;
  db: Database;
  dir: string;
}): Promise<EmbeddedSocket> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  chmodSync(options.dir, 0o700);
  const file = socketFile(options.dir);
  rmSync(file, { force: true }); // left by an owner that was killed; the lock says we own it now
  const sessions = new Set<Session>();
  const server = net.createServer((socket) => {
    const session = new Session(socket, options.pglite, options.db);
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  chmodSync(file, 0o600);
  return {
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions].map((session) => session.end()));
      await closed;
      rmSync(file, { force: true });
    },
  };
}
