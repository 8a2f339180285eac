import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { aggregateAttendance } from './aggregation.ts';
import { compileCalendar, todayAndPreviousSchoolDays } from './school-calendar.ts';
import { generateSchool } from './synthetic-school.ts';
import {
  attendanceInputFor,
  calendarOf,
  enrolmentsOf,
  marksChangedSince,
  recordMark,
  replaceSchoolData,
  schoolsOf,
} from './school-data.ts';

let database: TestDatabase;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});

const TODAY = '2026-11-25';
const synthetic = generateSchool({
  seed: 7,
  phase: 'primary',
  today: TODAY,
  marksFrom: '2026-11-02',
  urn: 123456,
});

test('a school written to the database reads back as the same calendar, enrolments and send', async () => {
  const saved = await replaceSchoolData(database.db, synthetic.school, synthetic, {
    storedAt: new Date('2026-11-25T07:00:00Z'),
  });
  assert.equal(saved.pupils, synthetic.pupils.length);
  assert.equal(saved.marks, synthetic.marks.length);
  assert.deepEqual(
    (await schoolsOf(database.db)).map((s) => s.urn),
    [123456],
  );
  assert.deepEqual(
    compileCalendar(await calendarOf(database.db, 123456)).calendar.terms,
    synthetic.calendar.terms,
  );

  const sortEnrolments = (list: typeof synthetic.enrolments) =>
    [...list].sort((a, b) => (a.pupilId + a.admitted < b.pupilId + b.admitted ? -1 : 1));
  assert.deepEqual(
    sortEnrolments(await enrolmentsOf(database.db, 123456)),
    sortEnrolments(synthetic.enrolments),
  );

  const calendar = compileCalendar(synthetic.calendar);
  for (const today of [TODAY, '2026-11-09', '2026-11-20']) {
    const dates = todayAndPreviousSchoolDays(calendar, today, 7);
    const fromDb = aggregateAttendance(await attendanceInputFor(database.db, 123456, { dates, today }));
    const pure = aggregateAttendance({
      urn: 123456,
      calendar,
      enrolments: synthetic.enrolments,
      marks: synthetic.marks,
      dates,
      today,
    });
    assert.deepEqual(fromDb, pure, `the send of ${today}`);
    assert.ok(fromDb.body.submissionData.length > 0);
  }
});

test('a changed mark is history, current, and makes its date one to resend', async () => {
  const mark = synthetic.marks.find((m) => m.date === '2026-11-20' && m.session === 'AM')!;
  const before = new Date('2026-11-25T10:00:00Z');
  const changed = await recordMark(database.db, {
    urn: 123456,
    pupilId: mark.pupilId,
    date: mark.date,
    session: 'AM',
    code: mark.code === 'I' ? 'M' : 'I',
    by: 'teacher',
    at: new Date('2026-11-25T10:05:00Z'),
    reason: 'Parent rang',
  });
  assert.equal(changed, true);
  assert.deepEqual(await marksChangedSince(database.db, 123456, before), ['2026-11-20']);
});
