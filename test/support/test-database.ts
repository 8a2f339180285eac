/**
 * A fresh, migrated database for one test file, on the engine the harness chose:
 * EDGATE_TEST_ENGINE=postgres uses EDGATE_TEST_POSTGRES_URL (a server the harness started, or
 * the developer's DATABASE_URL) and copies a migrated template database; otherwise PGlite in
 * memory, loaded from the migrated dump at EDGATE_TEST_PGLITE_TEMPLATE when the harness made one
 * (an empty PGlite runs initdb and every migration: ~5 s of CPU a database, ~1.5 s from the dump).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/database.ts';
import { migrateEdgate } from '../../src/edgate.ts';

export const TEMPLATE_DATABASE = 'edgate_test_template';

export function testEngine(): 'pglite' | 'postgres' {
  return process.env.EDGATE_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';
}

function serverUrl(): string {
  const url = process.env.EDGATE_TEST_POSTGRES_URL;
  if (!url) throw new Error('EDGATE_TEST_ENGINE=postgres needs EDGATE_TEST_POSTGRES_URL');
  return url;
}

export function databaseUrlFor(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Run once by the harness before the PostgreSQL pass: a template every test database copies. */
export async function prepareTemplateDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop database if exists ${TEMPLATE_DATABASE}`);
    await client.query(`create database ${TEMPLATE_DATABASE}`);
  } finally {
    await client.end();
  }
  const handle = await openDatabase({ databaseUrl: databaseUrlFor(url, TEMPLATE_DATABASE), poolSize: 1 });
  try {
    await migrateEdgate(handle.db);
  } finally {
    await handle.close();
  }
}

/** Run once by the harness before the PGlite pass: a migrated dump every test database loads. */
export async function preparePgliteTemplate(file: string): Promise<void> {
  const handle = await openDatabase({});
  try {
    await migrateEdgate(handle.db);
    const dump = await handle.pglite!.dumpDataDir('none');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await handle.close();
  }
}

let pgliteTemplate: Blob | undefined;

function pgliteTemplateDump(): Blob | undefined {
  const file = process.env.EDGATE_TEST_PGLITE_TEMPLATE;
  if (!pgliteTemplate && file && existsSync(file)) pgliteTemplate = new Blob([readFileSync(file)]);
  return pgliteTemplate;
}

export interface TestDatabase extends DatabaseHandle {
  /** The URL of this test's database, for a second process or instance (PostgreSQL only). */
  url?: string;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  if (testEngine() === 'pglite') {
    const handle = await openDatabase({ pgliteDump: pgliteTemplateDump() });
    await migrateEdgate(handle.db); // nothing to do from the dump; all of it without one
    return handle;
  }
  const name = `edgate_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
  const url = databaseUrlFor(serverUrl(), name);
  const handle = await openDatabase({ databaseUrl: url, poolSize: 5 });
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      await admin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
