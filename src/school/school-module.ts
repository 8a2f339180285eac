/**
 * The school role as one module: the MIS side of daily attendance, run by a supplier for many
 * schools — consent, the twice-daily send to the DfE, the submissions the school sees.
 */
import { defineRole } from '../platform/role.ts';
import { schoolMigrations } from './migrations.ts';
import { syncMigrations } from './sync/migrations.ts';
import './tables.ts';
import './sync/tables.ts';
import { readSchoolSyncSettings } from './sync/sync-settings.ts';
import { schoolSyncRole } from './sync/sync-role.ts';
import { schoolSyncCommand, SCHOOL_SYNC_USAGE } from './sync/sync-cli.ts';
import { ReceiverNotSetUpError } from './sync/sync-runner.ts';

declare module '../platform/auth/accounts.ts' {
  interface AccountRoleNames {
    'school-user': true;
  }
}

export const SCHOOL_USER = {
  name: 'school-user',
  description: "works in a school: its pages show that school's data, as its permissions allow",
} as const;

export const schoolModule = defineRole({
  name: 'school',
  title: 'School MIS: consent, the twice-daily attendance send, the submissions table',
  schema: 'school',
  migrations: { ...schoolMigrations, ...syncMigrations },
  accountRoles: [SCHOOL_USER],
  settings: readSchoolSyncSettings,
  plugin: schoolSyncRole,
  commands: [
    { name: 'school', usage: SCHOOL_SYNC_USAGE, run: (args, context) => schoolSyncCommand(context, args) },
  ],
  plainErrors: [ReceiverNotSetUpError],
});
