/**
 * The LA role as one module: what a local authority (or an agent for several) runs to take in
 * the regulator's extract every day, review what changed, keep its directory and publish it.
 */
import { defineRole } from '../platform/role.ts';
import { seedDemoAccounts } from '../platform/auth/demo-accounts.ts';
import { collectionMigrations } from './migrations.ts';
import { directoryMigrations } from './directory/migrations.ts';
import { webhookMigrations } from './webhook/migrations.ts';
import { attendanceMigrations } from './attendance/migrations.ts';
import { AttendanceSourceError } from './attendance/attendance-source.ts';
import { DirectoryError } from './directory/directory-store.ts';
import { DEMO_LA } from './directory/demo-directory.ts';
import './tables.ts';
import './webhook/tables.ts';
import { readLaSettings } from './la-settings.ts';
import { laRole } from './la-role.ts';
import { LA_COMMANDS } from './la-cli.ts';
import { SourceError } from './collection/sources.ts';
import { WebhookError } from './webhook/webhook-store.ts';

declare module '../platform/auth/accounts.ts' {
  interface AccountRoleNames {
    'la-officer': true;
  }
}

export const LA_OFFICER = {
  name: 'la-officer',
  title: 'Local authority officer',
  description:
    "works for one local authority: its extract, its directory's review queue, its schools' attendance",
  localAuthority: true,
} as const;

export const laModule = defineRole({
  name: 'la',
  title:
    'Local authority: collects the extract daily, reviews what changed, publishes the directory; its schools’ attendance from the DfE',
  schema: 'la',
  migrations: {
    ...collectionMigrations,
    ...directoryMigrations,
    ...webhookMigrations,
    ...attendanceMigrations,
  },
  accountRoles: [LA_OFFICER],
  settings: readLaSettings,
  plugin: (app, context) => laRole(app, context),
  commands: LA_COMMANDS,
  plainErrors: [SourceError, DirectoryError, WebhookError, AttendanceSourceError],
  startPage: {
    summary:
      'A local authority, or an agent for several, collects its extract each morning, reviews what changed and publishes its directory of childcare providers.',
    pages: [
      { href: '/la/collection', text: 'Extract collection' },
      { href: '/la/review', text: 'Changes to review' },
      { href: '/la/directory', text: 'Directory' },
      { href: '/la/attendance', text: 'Schools’ attendance' },
    ],
    documents: [
      { href: `/la/${DEMO_LA}/oruk/`, text: `The directory’s Open Referral UK API (LA ${DEMO_LA})` },
    ],
    demoAccounts: [{ username: `la-officer-${DEMO_LA}`, what: `an officer of LA ${DEMO_LA}` }],
  },
  // The directories are filled by the demo wiring (src/cli/demo-wiring.ts): the regulator's
  // extracts, collected through this role's own sources.
  async seedDemo({ handle: { db } }) {
    const lines: string[] = [];
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
