import { sql, type Kysely } from 'kysely';

/** Runs statements one at a time: PGlite's extended protocol takes a single statement per query. */
export async function runStatements(db: Kysely<unknown>, statements: string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/**
 * Compresses a column's large values with LZ4 where the server has it (PostgreSQL's own builds
 * do; PGlite has only pglz, and keeps its default): several times cheaper than pglz both ways.
 */
export function lz4WhereAvailable(table: string, column: string): string {
  return `do $$ begin
    if exists (select 1 from pg_settings
               where name = 'default_toast_compression' and 'lz4' = any (enumvals)) then
      alter table ${table} alter column ${column} set compression lz4;
    end if;
  end $$`;
}
