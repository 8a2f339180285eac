/**
 * One Kysely instance over either engine: the embedded PGlite (real PostgreSQL in WASM,
 * data in a folder) or a PostgreSQL server through a `pg` pool. Everything above this file
 * writes one SQL dialect and never asks which engine it is on.
 */
import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { registerPreparedRunner } from './prepared-statements.ts';
import type { EdgateDatabase } from './schema.ts';

export type Database = Kysely<EdgateDatabase>;

export type Engine = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Database;
  engine: Engine;
  /** The pool, when on PostgreSQL (benchmarks use it for their COPY baselines). */
  pool?: pg.Pool;
  /** The PGlite instance, when this process opened the embedded database (its owner serves it). */
  pglite?: PGlite;
  close(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

// Calendar dates stay 'YYYY-MM-DD' strings: a Date would shift them by the process's zone.
// Counts (int8) come back as numbers on both engines; none of ours approaches 2^53.
pg.types.setTypeParser(DATE, (value) => value);
pg.types.setTypeParser(INT8, (value) => Number(value));
pg.types.setTypeParser(NUMERIC, (value) => Number(value));

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** Folder for PGlite's files; `undefined` means in memory (tests). */
  dataDir?: string;
  poolSize?: number;
  /**
   * The socket folder of another process that owns the embedded database (embedded-socket.ts):
   * reached with `pg` like PostgreSQL, over one connection, as the embedded database has one session.
   */
  ownerSocketDir?: string;
  /** In memory only: start from this dump (PGlite's `dumpDataDir`) instead of an empty database. */
  pgliteDump?: Blob;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.ownerSocketDir) {
    const { SOCKET_PORT } = await import('./embedded-socket.ts');
    const pool = new pg.Pool({
      host: options.ownerSocketDir,
      port: SOCKET_PORT,
      user: 'postgres',
      database: 'postgres',
      max: 1,
      application_name: 'edgate',
    });
    pool.on('error', () => undefined);
    // No named statements: they would outlive this command in the owner's one session.
    const db = new Kysely<EdgateDatabase>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return { db, engine: 'pglite', close: () => db.destroy() };
  }
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      application_name: 'edgate',
    });
    // A server restart must not crash the process through an idle client's error.
    pool.on('error', () => undefined);
    const db = new Kysely<EdgateDatabase>({ dialect: new PostgresDialect({ pool }) });
    registerPreparedRunner(db, async (name, query) => {
      const result = await pool.query({ name, text: query.sql, values: [...query.parameters] });
      return result.rows;
    });
    await sql`select 1`.execute(db);
    return { db, engine: 'postgres', pool, close: () => db.destroy() };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // Loaded only on this path: PGlite's WebAssembly costs ~50 MB a PostgreSQL process never needs.
  const [{ PGlite }, { pg_trgm }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('kysely-pglite-dialect'),
  ]);
  const pglite = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.dataDir ? undefined : options.pgliteDump,
    extensions: { pg_trgm },
    parsers: {
      [DATE]: (value: string) => value,
      [INT8]: (value: string) => Number(value),
      [NUMERIC]: (value: string) => Number(value),
    },
  });
  const db = new Kysely<EdgateDatabase>({ dialect: new PGliteDialect(pglite) });
  return { db, engine: 'pglite', pglite, close: () => db.destroy() };
}
