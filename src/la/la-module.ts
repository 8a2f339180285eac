/**
 * The LA role as one module: what a local authority (or an agent for several) runs to take in
 * the regulator's extract every day, review what changed, keep its directory and publish it.
 */
import { defineRole } from '../platform/role.ts';
import { seedDemoAccounts } from '../platform/auth/demo-accounts.ts';
import { UsageError } from '../platform/cli/command.ts';
import type { RoleCommand } from '../platform/role.ts';
import { directoryMigrations } from './directory/migrations.ts';
import { DIRECTORY_SUBCOMMANDS, type LaSubcommand } from './directory/directory-cli.ts';
import { DirectoryError } from './directory/directory-store.ts';
import { laRole } from './la-role.ts';
import { seedDemoDirectory } from './directory/demo-directory.ts';
import { collectionMigrations } from './migrations.ts';
import './tables.ts';

declare module '../platform/auth/accounts.ts' {
  interface AccountRoleNames {
    'la-officer': true;
  }
}

export const LA_OFFICER = {
  name: 'la-officer',
  description: "works for one local authority: its extract, its directory's review queue",
  localAuthority: true,
} as const;

/** Every `edgate la …` subcommand: the directory's (and the collection's, spread beside them). */
const LA_SUBCOMMANDS: readonly LaSubcommand[] = [...DIRECTORY_SUBCOMMANDS];

const LA_COMMAND: RoleCommand = {
  name: 'la',
  usage: LA_SUBCOMMANDS.map((c) => c.usage).join('\n'),
  run(args, context) {
    const [word, ...rest] = args;
    const sub = LA_SUBCOMMANDS.find((c) => c.name === word);
    if (!sub)
      throw new UsageError(`Usage: edgate la ${LA_SUBCOMMANDS.map((c) => c.name).join('|')} … (edgate help)`);
    return sub.run(rest, context);
  },
};

export const laModule = defineRole({
  name: 'la',
  title: 'Local authority: collects the extract daily, reviews what changed, publishes the directory',
  schema: 'la',
  migrations: { ...collectionMigrations, ...directoryMigrations },
  accountRoles: [LA_OFFICER],
  plugin: laRole,
  commands: [LA_COMMAND],
  plainErrors: [DirectoryError],
  async seedDemo({ handle: { db }, now }) {
    const lines = await seedDemoDirectory(db, now);
    const credentials = await seedDemoAccounts(
      db,
      [
        {
          username: 'la-officer-825',
          displayName: 'Lee Officer (demo, Buckinghamshire)',
          roles: ['la-officer'],
          laCode: '825',
        },
      ],
      [LA_OFFICER],
    );
    return { lines, credentials };
  },
});
