import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { aggregateAttendance } from './aggregation.ts';
import { compileCalendar, todayAndPreviousSchoolDays } from './school-calendar.ts';
import { generateSchool, prng } from './synthetic-school.ts';
import { sendWindowOn } from './send-window.ts';
import { addDays } from '../platform/calendar.ts';
import {
  attendanceInputFor,
  calendarOf,
  enrolmentsOf,
  markHistory,
  marksChangedSince,
  marksOfDates,
  marksOfDatesRowByRow,
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

test('the marks of a send read in one joined row per session are exactly the marks read a row each', async () => {
  const dates = todayAndPreviousSchoolDays(compileCalendar(synthetic.calendar), TODAY, 7);
  const key = (m: { pupilId: string; date: string; session: string; code: string }) =>
    `${m.date} ${m.session} ${m.pupilId} ${m.code}`;
  const sorted = (marks: readonly { pupilId: string; date: string; session: string; code: string }[]) =>
    marks.map(key).sort();
  const plain = await marksOfDatesRowByRow(database.db, 123456, dates);
  assert.ok(plain.length > 1000);
  assert.deepEqual(sorted(await marksOfDates(database.db, 123456, dates)), sorted(plain));
  // An id holding the separator (and one with commas and quotes) still reads back whole.
  await database.db
    .insertInto('school.mark')
    .values(
      ['odd\u001fid', 'a,b "c"'].map((pupilId) => ({
        urn: 123456,
        pupil_id: pupilId,
        date: dates[0]!,
        session: 'AM' as const,
        code: '/',
        recorded_by: 'test',
        recorded_at: new Date().toISOString(),
      })),
    )
    .execute();
  try {
    const odd = await marksOfDates(database.db, 123456, dates);
    assert.deepEqual(sorted(odd), sorted(await marksOfDatesRowByRow(database.db, 123456, dates)));
    assert.ok(odd.some((m) => m.pupilId === 'odd\u001fid'));
  } finally {
    await database.db.deleteFrom('school.mark').where('pupil_id', 'in', ['odd\u001fid', 'a,b "c"']).execute();
  }
  assert.deepEqual(await marksOfDates(database.db, 123456, []), []);
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

test('a mark changed twice keeps its whole history, the first entry included', async () => {
  const mark = synthetic.marks.find(
    (m) => m.date === '2026-11-23' && m.session === 'PM' && m.history.length === 1,
  )!;
  const key = { urn: 123456, pupilId: mark.pupilId, date: mark.date, session: 'PM' as const };
  assert.equal((await markHistory(database.db, key)).length, 1);
  await recordMark(database.db, { ...key, code: 'I', by: 'teacher', at: new Date('2026-11-24T09:00:00Z') });
  await recordMark(database.db, {
    ...key,
    code: 'M',
    by: 'office',
    at: new Date('2026-11-24T10:00:00Z'),
    reason: 'Dentist letter',
  });
  assert.equal(
    await recordMark(database.db, { ...key, code: 'M', by: 'office', at: new Date('2026-11-24T10:01:00Z') }),
    false,
    'the same code again is no change',
  );
  const history = await markHistory(database.db, key);
  assert.deepEqual(
    history.map((h) => [h.from, h.to, h.by, h.reason]),
    [
      [null, mark.code, mark.history[0]!.by, null],
      [mark.code, 'I', 'teacher', null],
      ['I', 'M', 'office', 'Dentist letter'],
    ],
  );
});

test('from the database too, no pupil identifier, name or date of birth reaches the payload', async () => {
  const rand = prng(77);
  for (let round = 0; round < 4; round++) {
    const seed = Math.floor(rand() * 1e9);
    const phase = round % 2 === 0 ? 'primary' : 'secondary';
    const today = ['2026-10-06', '2026-11-12', '2027-02-03', '2027-06-15'][round]!;
    const school = generateSchool({
      seed,
      phase,
      pupils: 40 + round * 30,
      today,
      marksFrom: addDays(today, -16),
      urn: 200000 + round,
    });
    await replaceSchoolData(database.db, school.school, school);
    const window = sendWindowOn(compileCalendar(school.calendar), today);
    const { body } = aggregateAttendance(
      await attendanceInputFor(database.db, school.school.urn, { dates: window.dates, today }),
    );
    const json = JSON.stringify(body);
    assert.ok(body.submissionData.length > 0);
    for (const pupil of school.pupils) {
      const [y, m, d] = pupil.dateOfBirth.split('-');
      for (const personal of [
        pupil.id,
        pupil.upn,
        pupil.forename,
        pupil.surname,
        pupil.dateOfBirth,
        `${d}/${m}/${y}`,
      ])
        assert.equal(
          json.includes(personal),
          false,
          `${JSON.stringify(personal)} is in the payload (seed ${seed})`,
        );
    }
    assert.deepEqual(Object.keys(body).sort(), ['enrolments', 'submissionData', 'totalNoOfPupils', 'urn']);
  }
});
