/**
 * The school side of the demo world: a dozen schools — two big ones (a primary of about 275
 * pupils, a secondary of about 1,060) and ten small primaries — with their calendar, pupils,
 * enrolments and the last 20 school days of marks with late corrections, each school's consent to
 * send (given before the first of those days), a school administrator ("Data Returns:
 * Administer") and a teacher who takes the register. The schools' URNs and names are the DfE demo
 * register's, so the school's sends land on schools the DfE role knows. All synthetic; seeded
 * only when not there yet.
 */
import type { Database } from '../platform/db/database.ts';
import { addDays, londonDateOf } from '../platform/calendar.ts';
import { seedDemoAccounts } from '../platform/auth/demo-accounts.ts';
import type { DemoSeeded } from '../platform/role.ts';
import { compileCalendar, schoolDaysBefore } from './school-calendar.ts';
import { generateSchool, syntheticCalendar, type SyntheticSchool } from './synthetic-school.ts';
import { replaceSchoolData, schoolOf } from './school-data.ts';
import { SCHOOL_USER } from './school-user.ts';
import type { SchoolPermission } from './tables.ts';
import type { Mark } from './pupils.ts';
import { giveConsent } from './sync/consent-store.ts';

export const DEMO_SCHOOLS: readonly {
  urn: number;
  name: string;
  laCode: string;
  phase: 'primary' | 'secondary';
  seed: number;
  /** Default: the generator's size for the phase. */
  pupils?: number;
}[] = [
  { urn: 101652, name: 'Holy Cross CofE Primary School', laCode: '202', phase: 'primary', seed: 11 },
  { urn: 612069, name: 'Thorndale Community College', laCode: '207', phase: 'secondary', seed: 12 },
  // Small ones, most in Buckinghamshire (825) and Milton Keynes (826), the demo LAs.
  { urn: 443892, name: 'Eastwell Primary School', laCode: '202', phase: 'primary', seed: 13, pupils: 90 },
  {
    urn: 506607,
    name: 'Holy Cross Catholic Infant School',
    laCode: '825',
    phase: 'primary',
    seed: 14,
    pupils: 60,
  },
  { urn: 718031, name: 'Ashfield Primary School', laCode: '825', phase: 'primary', seed: 15, pupils: 85 },
  {
    urn: 774336,
    name: 'Redcombe Rise Primary School',
    laCode: '825',
    phase: 'primary',
    seed: 16,
    pupils: 70,
  },
  { urn: 775597, name: 'Queenswick Primary School', laCode: '825', phase: 'primary', seed: 17, pupils: 95 },
  {
    urn: 945427,
    name: "St Andrew's CofE Primary School",
    laCode: '825',
    phase: 'primary',
    seed: 18,
    pupils: 65,
  },
  {
    urn: 994373,
    name: 'Longdale Park Primary School',
    laCode: '825',
    phase: 'primary',
    seed: 19,
    pupils: 80,
  },
  { urn: 185408, name: 'Millhurst Primary Academy', laCode: '826', phase: 'primary', seed: 20, pupils: 75 },
  {
    urn: 665298,
    name: 'All Saints CofE Primary School',
    laCode: '826',
    phase: 'primary',
    seed: 21,
    pupils: 60,
  },
  { urn: 870809, name: 'Foxgate Vale Primary School', laCode: '826', phase: 'primary', seed: 22, pupils: 88 },
];

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

/**
 * The marks as they stood at `now`: none taken after it (today's afternoon register, on a morning
 * start), and no correction made after it (the mark stays as first entered, often N).
 */
export function marksAsOf(marks: readonly Mark[], now: Date): Mark[] {
  const at = now.toISOString();
  return marks.flatMap((mark) => {
    const history = mark.history.filter((change) => change.at <= at);
    if (mark.history.length > 0 && history.length === 0) return [];
    return [{ ...mark, history, code: history.at(-1)?.to ?? mark.code }];
  });
}

/** School days of marks in the demo. */
export const DEMO_SCHOOL_DAYS = 20;

/**
 * A demo school as seeded at `now`: its last DEMO_SCHOOL_DAYS school days of marks as they stood
 * then, and the first of those days (consent is given the morning of it). Pure, for tests.
 */
export function demoSchoolAsOf(
  demo: (typeof DEMO_SCHOOLS)[number],
  now: Date,
): { school: SyntheticSchool; first: string } {
  const today = londonDateOf(now);
  // The school's own calendar differs from this one by a closure at most: a few days more, then cut.
  const roughly = compileCalendar(syntheticCalendar(today));
  const marksFrom = schoolDaysBefore(roughly, today, DEMO_SCHOOL_DAYS + 5)[0] ?? today;
  const school = generateSchool({
    seed: demo.seed,
    phase: demo.phase,
    today,
    marksFrom,
    urn: demo.urn,
    ...(demo.pupils ? { pupils: demo.pupils } : {}),
  });
  // The last DEMO_SCHOOL_DAYS school days up to today: today one of them in term, none in a holiday.
  const first =
    schoolDaysBefore(compileCalendar(school.calendar), addDays(today, 1), DEMO_SCHOOL_DAYS)[0] ?? today;
  school.marks = marksAsOf(
    school.marks.filter((mark) => mark.date >= first),
    now,
  );
  school.school.name = demo.name;
  school.school.laCode = demo.laCode;
  return { school, first };
}

export async function seedSchoolDemo(
  db: Database,
  now: Date,
  say: (line: string) => void = () => undefined,
): Promise<DemoSeeded> {
  const lines: string[] = [];
  for (const demo of DEMO_SCHOOLS) {
    if (await schoolOf(db, demo.urn)) continue;
    say(`Seeding ${demo.name}…`);
    const started = process.hrtime.bigint();
    const { school, first } = demoSchoolAsOf(demo, now);
    const saved = await replaceSchoolData(db, school.school, school, { storedAt: now });
    // Consent to send, given before the registers it covers; the receiver is told at the first sync.
    await giveConsent(db, undefined, {
      urn: demo.urn,
      givenBy: demo.urn === 101652 ? 'Sam Administrator (demo)' : 'The school’s data manager (demo)',
      now: new Date(`${first}T07:30:00Z`),
    });
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
