import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { seedDemoAttendance } from './demo-attendance.ts';

let database: TestDatabase;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});

test('the demo world has every demo school consented and 20 working days of attendance for each', async () => {
  const lines = await seedDemoAttendance(database.db, '2026-11-22');
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
  // Sunday 22 November 2026: the last working day is Friday the 20th, 20 working days back the 26th of October.
  assert.equal(figures.days, 20);
  assert.equal(figures.last, '2026-11-20');
  assert.equal(figures.first, '2026-10-26');
  assert.equal(figures.refused, 0);
  const perSchool = await sql<{ n: number }>`
    select count(*)::integer as n from dfe.school_day group by urn having count(*) <> 20`.execute(
    database.db,
  );
  assert.equal(perSchool.rows.length, 0, 'every school has 20 days');
});
