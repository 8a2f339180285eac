/**
 * The school role as one module: the MIS side of daily attendance, run by a supplier for many
 * schools — consent, the twice-daily send to the DfE, the submissions the school sees.
 */
import { defineRole } from '../platform/role.ts';
import { schoolMigrations } from './migrations.ts';
import { syncMigrations } from './sync/migrations.ts';
import './tables.ts';
import './sync/tables.ts';
import { readSchoolSyncSettings, type SchoolSyncSettings } from './sync/sync-settings.ts';
import { schoolSyncRole } from './sync/sync-role.ts';
import { SCHOOL_SYNC_SUBCOMMANDS } from './sync/sync-cli.ts';
import { ReceiverNotSetUpError } from './sync/sync-runner.ts';

import { SCHOOL_USER } from './school-user.ts';
import { SCHOOL_COMMANDS, SCHOOL_SUBCOMMANDS, type SchoolSubcommand } from './school-cli.ts';
import { SchoolDataError } from './school-data.ts';
import { seedSchoolDemo } from './school-demo.ts';
import { schoolRole } from './school-role.ts';

export { SCHOOL_USER };

// The sync's subcommands join the school data's under `edgate school`.
Object.assign(SCHOOL_SUBCOMMANDS, SCHOOL_SYNC_SUBCOMMANDS as Record<string, SchoolSubcommand>);

export const schoolModule = defineRole<SchoolSyncSettings>({
  name: 'school',
  title: 'School MIS: consent, the twice-daily attendance send, the submissions table',
  schema: 'school',
  migrations: { ...schoolMigrations, ...syncMigrations },
  accountRoles: [SCHOOL_USER],
  settings: readSchoolSyncSettings,
  async plugin(app, context) {
    await schoolRole(app, context);
    await schoolSyncRole(app, context);
  },
  commands: SCHOOL_COMMANDS,
  plainErrors: [SchoolDataError, ReceiverNotSetUpError],
  startPage: {
    summary:
      'The school’s management information system: staff take the register, and twice a day the attendance of each consenting school is sent to the DfE.',
    pages: [
      { href: '/school/register', text: 'Register' },
      { href: '/school/attendance-api', text: 'Attendance API submissions' },
      { href: '/school/insight', text: 'Attendance insight' },
    ],
    demoAccounts: [
      { username: 'school-admin', what: 'a school administrator, with “Data Returns: Administer”' },
      { username: 'teacher', what: 'a teacher, without it' },
    ],
  },
  seedDemo: ({ handle: { db }, now, say }) => seedSchoolDemo(db, now, say),
});
