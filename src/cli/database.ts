/**
 * The configured database, migrated: PostgreSQL at DATABASE_URL, else the embedded database in
 * the data folder, which one process owns at a time (docs/decisions/0008). The process that
 * finds it free takes it; a server then serves it on a local socket. A command run while a
 * server owns it works through that socket, so the server sees the change at once; anything
 * else that finds it taken (a second server, or a command beside another command) is refused,
 * naming the process that holds it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../platform/config.ts';
import { openDatabase, type DatabaseHandle } from '../platform/db/database.ts';
import { migrateEdgate, ROLE_MODULES, type AnyRoleModule } from '../edgate.ts';
import type { MigrationReport } from '../platform/db/migrations.ts';
import {
  folderText,
  inUseMessage,
  ownerText,
  recordSocket,
  takeOverMessage,
  takeOwnership,
  type EmbeddedOwner,
} from '../platform/db/embedded-owner.ts';

export class DatabaseInUseError extends Error {}

export interface OpenConfiguredOptions {
  /** A server: it must own the embedded database, and serves it to commands run beside it. */
  serve?: boolean;
  /** `false` leaves the schema alone (the caller migrates and reports). */
  migrate?: boolean;
  /** The roles whose schemas are migrated (default: all of edgate's). */
  modules?: readonly AnyRoleModule[];
}

export interface ConfiguredDatabase extends DatabaseHandle {
  /** Set when this process works through another that owns the embedded database. */
  throughOwner?: EmbeddedOwner;
  migrations: MigrationReport[];
}

/** Socket paths are limited to ~100 bytes; a deep data folder gets a private one in the temp folder. */
function socketDirFor(dataDir: string): { dir: string; temporary: boolean } {
  const dir = path.join(dataDir, 'pglite.socket');
  if (Buffer.byteLength(path.join(dir, '.s.PGSQL.5432')) <= 100) return { dir, temporary: false };
  return { dir: mkdtempSync(path.join(tmpdir(), 'edgate-pglite-')), temporary: true };
}

export async function openConfiguredDatabase(
  config: Config,
  options: OpenConfiguredOptions = {},
): Promise<ConfiguredDatabase> {
  const migrate = async (handle: DatabaseHandle) => {
    if (options.migrate === false) return [];
    try {
      return await migrateEdgate(handle.db, options.modules ?? ROLE_MODULES);
    } catch (error) {
      await handle.close();
      throw error;
    }
  };
  if (config.databaseUrl) {
    const handle = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize });
    return { ...handle, migrations: await migrate(handle) };
  }

  mkdirSync(config.dataDir, { recursive: true });
  const me: EmbeddedOwner = {
    pid: process.pid,
    command: ['edgate', ...process.argv.slice(2)].join(' '),
    startedAt: new Date().toISOString(),
  };
  const ownership = takeOwnership(config.dataDir, me);
  if (ownership.kind === 'held') {
    const owner = ownership.owner;
    const refused = () => new DatabaseInUseError(inUseMessage(config.dataDir, owner, new Date()));
    if (options.serve || !owner.socketDir) throw refused();
    let handle: DatabaseHandle;
    try {
      handle = await openDatabase({ ownerSocketDir: owner.socketDir });
    } catch {
      throw refused(); // it stopped, or is not serving commands
    }
    console.error(
      `edgate: working through ${ownerText(owner, new Date())}, which owns ${folderText(config.dataDir)}.`,
    );
    return { ...handle, throughOwner: owner, migrations: await migrate(handle) };
  }
  if (ownership.tookOverFrom)
    console.error(takeOverMessage(config.dataDir, ownership.tookOverFrom, new Date()));

  let handle: DatabaseHandle;
  let migrations: MigrationReport[];
  try {
    handle = await openDatabase({ dataDir: path.join(config.dataDir, 'pglite') });
    migrations = await migrate(handle);
  } catch (error) {
    ownership.release();
    throw error;
  }
  if (!options.serve) {
    return {
      ...handle,
      migrations,
      close: async () => {
        try {
          await handle.close();
        } finally {
          ownership.release();
        }
      },
    };
  }

  const { serveEmbeddedDatabase } = await import('../platform/db/embedded-socket.ts');
  const socketDir = socketDirFor(config.dataDir);
  let socket: Awaited<ReturnType<typeof serveEmbeddedDatabase>>;
  try {
    socket = await serveEmbeddedDatabase({ pglite: handle.pglite!, db: handle.db, dir: socketDir.dir });
    recordSocket(config.dataDir, { ...me, socketDir: socketDir.dir });
  } catch (error) {
    await handle.close();
    ownership.release();
    throw error;
  }
  return {
    ...handle,
    migrations,
    close: async () => {
      try {
        await socket.close();
        await handle.close();
      } finally {
        if (socketDir.temporary) rmSync(socketDir.dir, { recursive: true, force: true });
        ownership.release();
      }
    },
  };
}
