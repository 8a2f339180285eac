/**
 * Forward-only, numbered migrations, one set per PostgreSQL schema, each with its own
 * history table inside that schema. Run by `edgate migrate` and on every start; Kysely's
 * migration lock makes concurrent starts of several instances safe.
 */
import { Migrator, type Kysely, type Migration } from 'kysely';
import { platformMigrations } from '../auth/migrations.ts';
import { regulatorMigrations } from '../../regulator/register/migrations.ts';
import { extractMigrations } from '../../regulator/extract/migrations.ts';
import { gatewayMigrations } from '../../regulator/gateway/migrations.ts';
import { dfeOAuthMigrations } from '../../dfe/oauth/migrations.ts';
import { schoolsMigrations } from '../../dfe/schools/migrations.ts';
import { attendanceMigrations } from '../../dfe/collection/migrations.ts';

export interface SchemaMigrations {
  schema: string;
  migrations: Record<string, Migration>;
}

export const ALL_SCHEMA_MIGRATIONS: SchemaMigrations[] = [
  { schema: 'platform', migrations: platformMigrations },
  { schema: 'regulator', migrations: { ...regulatorMigrations, ...extractMigrations, ...gatewayMigrations } },
  { schema: 'dfe', migrations: { ...dfeOAuthMigrations, ...schoolsMigrations, ...attendanceMigrations } },
];

export interface MigrationReport {
  schema: string;
  applied: string[];
}

export async function migrateToLatest(
  // Migrations run before the typed schema exists, so they take the untyped Kysely (as Kysely's docs do).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  sets: SchemaMigrations[] = ALL_SCHEMA_MIGRATIONS,
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
