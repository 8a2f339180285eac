/**
 * The composition root: the roles edgate is made of. A role is one folder with one module
 * (src/platform/role.ts); adding a role is adding its module to this list.
 */
import type { Kysely } from 'kysely';
import type { RoleModule } from './platform/role.ts';
import { ADMIN_ROLE, type AccountRoleDefinition } from './platform/auth/accounts.ts';
import { platformMigrations } from './platform/auth/migrations.ts';
import { migrateToLatest, type MigrationReport, type SchemaMigrations } from './platform/db/migrations.ts';
import { readConfig, type Config } from './platform/config.ts';
import { ConfigError, SettingsReader, type Env } from './platform/settings.ts';
import { regulatorModule } from './regulator/regulator-module.ts';
import { laModule } from './la/la-module.ts';
import { schoolModule } from './school/school-module.ts';
import { dfeModule } from './dfe/dfe-module.ts';

// Each module keeps its own settings type; the list holds them side by side.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoleModule = RoleModule<any>;

export const ROLE_MODULES: readonly AnyRoleModule[] = [regulatorModule, laModule, schoolModule, dfeModule];

/** The platform's schema first, then each role's. */
export function schemaMigrations(modules: readonly AnyRoleModule[] = ROLE_MODULES): SchemaMigrations[] {
  return [
    { schema: 'platform', migrations: platformMigrations },
    ...modules.map((m) => ({ schema: m.schema, migrations: m.migrations })),
  ];
}

export function migrateEdgate(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  modules: readonly AnyRoleModule[] = ROLE_MODULES,
): Promise<MigrationReport[]> {
  return migrateToLatest(db, schemaMigrations(modules));
}

export function accountRolesOf(modules: readonly AnyRoleModule[]): AccountRoleDefinition[] {
  return [ADMIN_ROLE, ...modules.flatMap((m) => m.accountRoles ?? [])];
}

/** Every account role there is: `edgate user add --role`. */
export const ACCOUNT_ROLES: readonly AccountRoleDefinition[] = accountRolesOf(ROLE_MODULES);

export interface Settings {
  config: Config;
  /** Each role's own settings, by role name. */
  roles: Map<string, unknown>;
}

/** The platform's settings and every role's: a bad value anywhere throws one ConfigError naming them all. */
export function loadSettings(
  env: Env = process.env,
  modules: readonly AnyRoleModule[] = ROLE_MODULES,
): Settings {
  const reader = new SettingsReader(env);
  const config = readConfig(reader);
  const roles = new Map<string, unknown>();
  for (const module of modules) roles.set(module.name, module.settings?.(reader));
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return { config, roles };
}
