import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { seedDemoAttendance } from './demo-attendance.ts';
import { dailyFigures } from './statistics/statistics-store.ts';
import { validateSubmission } from '../contracts/attendance/submission.ts';
import { acceptSubmission, storeSubmission } from './collection/submission-store.ts';
import { syntheticSubmission } from './collection/synthetic-submission.ts';
import { AttendanceStatistics } from './statistics/attendance-statistics.ts';

// Friday 4 December 2026, 08:30 in London: the day's afternoon send has not happened yet. One
// seeding serves both tests (737 schools' sends are most of this file's time); the days it covers
// have no half-term in them, whose split sends demo-dates.test.ts covers.
const morning = new Date('2026-12-04T08:30:00Z');
let database: TestDatabase;
let seeded: Awaited<ReturnType<typeof seedDemoAttendance>>;
before(async () => {
  database = await openTestDatabase();
  seeded = await seedDemoAttendance(database.db, morning);
});
after(async () => {
  await database.close();
});

test('the demo world has every demo school consented and 20 term days of attendance for each', async () => {
  const { credentials: lines, handover } = seeded;
  assert.ok(lines[0]?.includes(handover.supplier.clientSecret));
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /client_secret \S+/);
  const figures = (
    await sql<{
      schools: number;
      consents: number;
      days: number;
      first: string;
      last: string;
      refused: number;
    }>`
      select (select count(*)::integer from dfe.school) as schools,
        (select count(*)::integer from dfe.consent) as consents,
        (select count(distinct date)::integer from dfe.school_day) as days,
        (select min(date)::text from dfe.school_day) as first,
        (select max(date)::text from dfe.school_day) as last,
        (select count(*)::integer from dfe.submission where error_count > 0) as refused
    `.execute(database.db)
  ).rows[0];
  assert.ok(figures);
  assert.ok(figures.schools > 700);
  assert.equal(figures.consents, figures.schools);
  // Friday 4 December 2026 before 16:00: the last day sent is Thursday the 3rd; 20 term days back,
  // Friday 6 November.
  assert.equal(figures.days, 20);
  assert.equal(figures.last, '2026-12-03');
  assert.equal(figures.first, '2026-11-06');
  assert.equal(figures.refused, 0);
  const perSchool = await sql<{ n: number }>`
    select count(*)::integer as n from dfe.school_day group by urn having count(*) <> 20`.execute(
    database.db,
  );
  assert.equal(perSchool.rows.length, 0, 'every school has 20 days');

  // Figures like England's: attendance about 92–95% nationally, varying from day to day, and
  // unauthorised absence 1–3%.
  const days = await dailyFigures(database.db, { kind: 'national' }, figures.first, figures.last);
  assert.equal(days.length, 20);
  for (const day of days) {
    assert.ok(
      day.attendanceRate! >= 0.92 && day.attendanceRate! <= 0.95,
      `${day.date} ${day.attendanceRate}`,
    );
    assert.ok(
      day.unauthorisedRate! >= 0.01 && day.unauthorisedRate! <= 0.03,
      `${day.date} ${day.unauthorisedRate}`,
    );
  }
  const rates = days.map((d) => d.attendanceRate!);
  assert.ok(Math.max(...rates) - Math.min(...rates) >= 0.005, 'the rate varies from day to day');
});

test('built on a morning, the demo world stamps nothing after that morning, and a real submission made then shows', async () => {
  // Every timestamp column of the dfe schema, and the receipt time kept in each session value.
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'dfe' and data_type like 'timestamp%'
  `.execute(database.db);
  assert.ok(columns.rows.length >= 8);
  for (const { table_name, column_name } of columns.rows) {
    const latest = await sql<{ latest: Date | null }>`
      select max(${sql.ref(column_name)}) as latest from ${sql.table(`dfe.${table_name}`)}
    `.execute(database.db);
    const at = latest.rows[0]?.latest;
    assert.ok(at == null || at <= morning, `dfe.${table_name}.${column_name}: ${at?.toISOString()}`);
  }
  const receipts = await sql<{ latest: string }>`
    select max(value->>'r') as latest from dfe.school_day, jsonb_each(sessions)
  `.execute(database.db);
  assert.ok(new Date(receipts.rows[0]?.latest ?? '') <= morning, receipts.rows[0]?.latest);

  // A MIS sends this morning for today and yesterday: its figures are the ones shown.
  const { client_id: clientId, urn } = (
    await sql<{ client_id: string; urn: number }>`
      select client_id, urn from dfe.consent order by urn limit 1`.execute(database.db)
  ).rows[0]!;
  const body = syntheticSubmission({
    urn,
    dates: ['2026-12-03', '2026-12-04'],
    yearGroups: ['1'],
    pupilsPerYearGroup: 10,
    seed: 99,
  });
  const validation = validateSubmission(body, { receivedAt: morning, urnExists: () => true });
  assert.equal(validation.kind, 'accepted');
  if (validation.kind !== 'accepted') return;
  const accepted = acceptSubmission(
    { raw: Buffer.from(JSON.stringify(body)), clientId, receivedAt: morning },
    validation,
  );
  assert.deepEqual(await storeSubmission(database.db, accepted), { stored: true });
  const days = await new AttendanceStatistics(database.db, { keepMs: 0 }).latestSchoolDays(urn, 2);
  // The school's page: both days, as received this morning.
  assert.deepEqual(
    days.map((day) => [day.date, day.updatedAt.toISOString()]),
    [
      ['2026-12-04', morning.toISOString()],
      ['2026-12-03', morning.toISOString()],
    ],
  );
  const stored = await sql<{ date: string; refs: string[] }>`
    select date::text as date, array(select distinct value->>'s' from jsonb_each(sessions)) as refs
    from dfe.school_day where urn = ${urn} and date >= '2026-12-03' order by date
  `.execute(database.db);
  assert.deepEqual(
    stored.rows.map((row) => [row.date, row.refs.includes(accepted.ref)]),
    [
      ['2026-12-03', true],
      ['2026-12-04', true],
    ],
  );
  const national = await new AttendanceStatistics(database.db, { keepMs: 0 }).latestDates(
    { kind: 'national' },
    1,
    '2026-12-04',
  );
  assert.deepEqual(national, ['2026-12-04'], "today's submission is the dashboard's latest day");
});
