/**
 * The school role as one module: the MIS side of daily attendance, run by a supplier for many
 * schools — consent, the twice-daily send to the DfE, the submissions the school sees.
 */
import { defineRole } from '../platform/role.ts';
import { schoolMigrations } from './migrations.ts';
import './tables.ts';

import { SCHOOL_USER } from './school-user.ts';
import { SCHOOL_COMMANDS } from './school-cli.ts';
import { SchoolDataError } from './school-data.ts';
import { seedSchoolDemo } from './school-demo.ts';
import { schoolRole } from './school-role.ts';

export { SCHOOL_USER };

export const schoolModule = defineRole({
  name: 'school',
  title: 'School MIS: consent, the twice-daily attendance send, the submissions table',
  schema: 'school',
  migrations: schoolMigrations,
  accountRoles: [SCHOOL_USER],
  plugin: schoolRole,
  commands: SCHOOL_COMMANDS,
  plainErrors: [SchoolDataError],
  seedDemo: ({ handle: { db }, now }) => seedSchoolDemo(db, now),
});
