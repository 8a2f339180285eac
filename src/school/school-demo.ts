/**
 * The school side of the demo world: two schools (a primary of about 275 pupils, a secondary of
 * about 1,060) with their calendar, pupils, enrolments and the last 20 school days of marks with
 * late corrections, a school administrator ("Data Returns: Administer") and a teacher who takes
 * the register. The schools' URNs and names are two of the DfE demo register's, so the school's
 * sends land on schools the DfE role knows. All synthetic; seeded only when not there yet.
 */
import type { Database } from '../platform/db/database.ts';
import { londonDateOf } from '../platform/calendar.ts';
import { seedDemoAccounts } from '../platform/auth/demo-accounts.ts';
import type { DemoSeeded } from '../platform/role.ts';
import { compileCalendar, schoolDaysBefore } from './school-calendar.ts';
import { generateSchool, syntheticCalendar } from './synthetic-school.ts';
import { replaceSchoolData, schoolOf } from './school-data.ts';
import { SCHOOL_USER } from './school-user.ts';
import type { SchoolPermission } from './tables.ts';

export const DEMO_SCHOOLS = [
  { urn: 101652, name: 'Holy Cross CofE Primary School', laCode: '202', phase: 'primary', seed: 11 },
  { urn: 612069, name: 'Thorndale Community College', laCode: '207', phase: 'secondary', seed: 12 },
] as const;

const DEMO_STAFF: { username: string; displayName: string; urn: number; permissions: SchoolPermission[] }[] =
  [
    {
      username: 'school-admin',
      displayName: 'Sam Administrator (demo)',
      urn: 101652,
      permissions: ['attendance-take', 'data-returns-administer'],
    },
    {
      username: 'teacher',
      displayName: 'Tess Teacher (demo)',
      urn: 101652,
      permissions: ['attendance-take'],
    },
    {
      username: 'college-teacher',
      displayName: 'Colin Teacher (demo)',
      urn: 612069,
      permissions: ['attendance-take'],
    },
  ];

/** School days of marks in the demo. */
export const DEMO_SCHOOL_DAYS = 20;

export async function seedSchoolDemo(db: Database, now: Date): Promise<DemoSeeded> {
  const lines: string[] = [];
  const today = londonDateOf(now);
  for (const demo of DEMO_SCHOOLS) {
    if (await schoolOf(db, demo.urn)) continue;
    const started = process.hrtime.bigint();
    // The school's own calendar differs from this one by a closure at most: a few days more, then cut.
    const roughly = compileCalendar(syntheticCalendar(today));
    const marksFrom = schoolDaysBefore(roughly, today, DEMO_SCHOOL_DAYS + 5)[0] ?? today;
    const school = generateSchool({ seed: demo.seed, phase: demo.phase, today, marksFrom, urn: demo.urn });
    const first = schoolDaysBefore(compileCalendar(school.calendar), today, DEMO_SCHOOL_DAYS - 1)[0] ?? today;
    school.marks = school.marks.filter((mark) => mark.date >= first);
    school.school.name = demo.name;
    school.school.laCode = demo.laCode;
    const saved = await replaceSchoolData(db, school.school, school, { storedAt: now });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    lines.push(
      `Seeded ${demo.name} (URN ${demo.urn}): ${saved.pupils} pupils, ${saved.marks} marks over ${DEMO_SCHOOL_DAYS} school days in ${Math.round(ms)} ms.`,
    );
  }
  const credentials = await seedDemoAccounts(
    db,
    DEMO_STAFF.map(({ username, displayName }) => ({ username, displayName, roles: [SCHOOL_USER.name] })),
    [SCHOOL_USER],
  );
  await db
    .insertInto('school.staff')
    .values(
      DEMO_STAFF.map((s) => ({
        username: s.username,
        urn: s.urn,
        permissions: s.permissions,
        added_by: 'demo world',
      })),
    )
    .onConflict((oc) => oc.column('username').doNothing())
    .execute();
  return { lines, credentials };
}
