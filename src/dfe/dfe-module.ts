/** The DfE role as one module: the attendance API with its OAuth server, and its statistics. */
import { defineRole } from '../platform/role.ts';
import { seedDemoAccounts } from '../platform/auth/demo-accounts.ts';
import { dfeOAuthMigrations } from './oauth/migrations.ts';
import { schoolsMigrations } from './schools/migrations.ts';
import { attendanceMigrations } from './collection/migrations.ts';
import { seedDemoAttendance } from './demo-attendance.ts';
import { dfeRole } from './dfe-role.ts';
import { readDfeSettings } from './dfe-settings.ts';
import { DFE_COMMANDS } from './dfe-cli.ts';

declare module '../platform/auth/accounts.ts' {
  interface AccountRoleNames {
    'dfe-analyst': true;
  }
}

const DFE_ANALYST = {
  name: 'dfe-analyst',
  title: 'DfE analyst',
  description: 'reads the attendance statistics of every school, LA and supplier',
} as const;

export const dfeModule = defineRole({
  name: 'dfe',
  title: 'DfE: the attendance API (OAuth 2.0, submissions, consents) and its statistics',
  schema: 'dfe',
  migrations: { ...dfeOAuthMigrations, ...schoolsMigrations, ...attendanceMigrations },
  accountRoles: [DFE_ANALYST],
  settings: readDfeSettings,
  plugin: dfeRole,
  commands: DFE_COMMANDS,
  startPage: {
    summary:
      'The DfE receives each school’s daily attendance over OAuth 2.0 and HTTPS, and its analysts read the figures of every school and local authority.',
    pages: [{ href: '/dfe/attendance', text: 'Attendance statistics' }],
    documents: [{ href: '/docs', text: 'The attendance and statistics APIs (OpenAPI)' }],
    demoAccounts: [{ username: 'analyst', what: 'a DfE analyst' }],
  },
  async seedDemo({ handle: { db }, now }) {
    const lines: string[] = [];
    const schools = await db
      .selectFrom('dfe.school')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    // Client secrets are shown once: they go into the local sign-ins file.
    const seeded = schools.n === 0 ? await seedDemoAttendance(db, now) : undefined;
    const credentials = seeded?.credentials ?? [];
    if (seeded) lines.push('Seeded the synthetic schools register and 20 working days of demo attendance.');
    credentials.push(
      ...(await seedDemoAccounts(
        db,
        [{ username: 'analyst', displayName: 'Ana Lyst (demo, DfE)', roles: ['dfe-analyst'] }],
        [DFE_ANALYST],
      )),
    );
    return { lines, credentials, handover: seeded?.handover };
  },
});
