/**
 * Forward-only, numbered migrations, one set per PostgreSQL schema, each with its own
 * history table inside that schema. Run by `edgate migrate` and on every start; Kysely's
 * migration lock makes concurrent starts of several instances safe. The sets come from the
 * composition root; the platform knows no role's.
 */
import { Migrator, type Kysely, type Migration } from 'kysely';

export interface SchemaMigrations {
  schema: string;
  migrations: Record<string, Migration>;
}

export interface MigrationReport {
  schema: string;
  applied: string[];
}

export async function migrateToLatest(
  // Migrations run before the typed schema exists, so they take the untyped Kysely (as Kysely's docs do).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  /** The platform's and each role's (the composition root assembles them: src/edgate.ts). */
  sets: SchemaMigrations[],
): Promise<MigrationReport[]> {
  const reports: MigrationReport[] = [];
  for (const set of sets) {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => set.migrations },
      migrationTableSchema: set.schema,
    });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error) {
      const where = failed ? ` (migration ${set.schema}/${failed.migrationName})` : '';
      throw new Error(`Database migration failed${where}: ${String((error as Error).message ?? error)}`, {
        cause: error,
      });
    }
    reports.push({ schema: set.schema, applied: (results ?? []).map((r) => r.migrationName) });
  }
  return reports;
}
