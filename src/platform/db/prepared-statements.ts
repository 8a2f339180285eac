/**
 * Statements run many times with different values, prepared once per connection: their text
 * does not vary with the values (Kysely compiles `sql` templates to fixed text with $n
 * parameters), so the server parses and plans them once per connection instead of every time.
 * Kysely's drivers send every statement unnamed.
 *
 * One SQL text on both engines. On a server, openDatabase registers a runner beside the Kysely
 * instance that sends a named statement through the pool (pg prepares it on each connection the
 * first time that connection runs it); elsewhere (PGlite, a transaction) the query runs the
 * ordinary way.
 */
import type { CompiledQuery } from 'kysely';
import type { Database } from './database.ts';

/** Runs `query` as the statement called `name`; resolves to its rows. */
export type PreparedRunner = (name: string, query: CompiledQuery) => Promise<unknown[]>;

const runners = new WeakMap<object, PreparedRunner>();
const names = new Map<string, string>();

export function registerPreparedRunner(db: Database, runner: PreparedRunner): void {
  runners.set(db, runner);
}

/** Runs a compiled query as a prepared statement; each distinct text gets a name of its own. */
export async function executePrepared<Row>(db: Database, query: CompiledQuery<Row>): Promise<Row[]> {
  const runner = runners.get(db);
  if (!runner) return (await db.executeQuery(query)).rows;
  let name = names.get(query.sql);
  if (name === undefined) {
    name = `edgate_${names.size + 1}`;
    names.set(query.sql, name);
  }
  return (await runner(name, query)) as Row[];
}
