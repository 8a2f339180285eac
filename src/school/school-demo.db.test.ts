import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { DEMO_SCHOOLS, seedSchoolDemo } from './school-demo.ts';
import { staffMember } from './school-data.ts';

let database: TestDatabase;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});

test('the demo has a dozen schools, two of them big, with 20 school days of marks and late corrections, consent given before them, an administrator and a teacher', async () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const seeded = await seedSchoolDemo(database.db, now);
  console.log(seeded.lines.join('\n'));
  assert.equal(seeded.lines.length, DEMO_SCHOOLS.length);
  assert.equal(DEMO_SCHOOLS.length, 12);
  assert.equal(seeded.credentials.length, 3);
  const figures = (
    await sql<{ urn: number; pupils: number; days: number; corrected: number }>`
      select s.urn,
        (select count(*)::integer from school.pupil p where p.urn = s.urn) as pupils,
        (select count(distinct date)::integer from school.mark m where m.urn = s.urn) as days,
        (select count(*)::integer from school.mark_change c where c.urn = s.urn and c.from_code is not null) as corrected
      from school.school s order by s.urn`.execute(database.db)
  ).rows;
  assert.equal(figures.length, 12);
  const primary = figures.find((f) => f.urn === 101652);
  const secondary = figures.find((f) => f.urn === 612069);
  assert.ok(primary!.pupils >= 270 && primary!.pupils <= 290, `primary ${primary!.pupils}`);
  assert.ok(secondary!.pupils >= 1040 && secondary!.pupils <= 1090, `secondary ${secondary!.pupils}`);
  for (const school of figures) {
    assert.equal(school.days, 20);
    assert.ok(school.corrected > 0);
  }
  assert.deepEqual((await staffMember(database.db, 'school-admin'))?.permissions, [
    'attendance-take',
    'data-returns-administer',
  ]);
  assert.deepEqual((await staffMember(database.db, 'teacher'))?.permissions, ['attendance-take']);
  const consents = (
    await sql<{ urn: number; before: boolean }>`
      select c.urn, c.given_at < (select min(m.date) from school.mark m where m.urn = c.urn) + interval '8 hours' as before
      from school.consent c where c.removed_at is null`.execute(database.db)
  ).rows;
  assert.equal(consents.length, 12);
  assert.ok(
    consents.every((c) => c.before),
    'consent is given before the registers it covers',
  );
  // Seeded at noon: nothing is stamped later (today's afternoon register has not been taken).
  const latest = (
    await sql<{ recorded: Date; changed: Date | null }>`
      select (select max(recorded_at) from school.mark) as recorded,
        (select max(changed_at) from school.mark_change) as changed`.execute(database.db)
  ).rows[0]!;
  assert.ok(
    new Date(latest.recorded) <= now,
    `a mark recorded at ${new Date(latest.recorded).toISOString()}`,
  );
  assert.ok(latest.changed === null || new Date(latest.changed) <= now, 'no change after now');

  const again = await seedSchoolDemo(database.db, now);
  assert.deepEqual(again, { lines: [], credentials: [] });
});
