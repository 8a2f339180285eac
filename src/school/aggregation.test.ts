import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { validateSubmission } from '../contracts/attendance/submission.ts';
import { aggregateAttendance } from './aggregation.ts';
import type { Enrolment, Mark, SchoolSession } from './pupils.ts';
import { compileCalendar } from './school-calendar.ts';
import { TEST_CALENDAR } from '../../test/support/school-calendar.ts';

const calendar = compileCalendar(TEST_CALENDAR);
const URN = 123456;

const enrolments: Enrolment[] = [
  { pupilId: 'p1', admitted: '2026-09-03', yearGroups: [{ from: '2026-09-03', ncYearGroup: '7' }] },
  { pupilId: 'p2', admitted: '2026-09-03', yearGroups: [{ from: '2026-09-03', ncYearGroup: '7' }] },
  // Moved down a year on 11 November.
  {
    pupilId: 'p3',
    admitted: '2026-09-03',
    yearGroups: [
      { from: '2026-09-03', ncYearGroup: '8' },
      { from: '2026-11-11', ncYearGroup: '7' },
    ],
  },
  // Joined on 11 November.
  { pupilId: 'p4', admitted: '2026-11-11', yearGroups: [{ from: '2026-11-11', ncYearGroup: '8' }] },
  // Left: 10 November was the last day on roll.
  {
    pupilId: 'p5',
    admitted: '2026-09-03',
    left: '2026-11-10',
    yearGroups: [{ from: '2026-09-03', ncYearGroup: '8' }],
  },
  { pupilId: 'p6', admitted: '2026-09-03', yearGroups: [{ from: '2026-09-03', ncYearGroup: '8' }] },
];

function marks(date: string, session: SchoolSession, codes: Record<string, string>): Mark[] {
  return Object.entries(codes).map(([pupilId, code]) => ({ pupilId, date, session, code, history: [] }));
}

const MARKS: Mark[] = [
  ...marks('2026-11-10', 'AM', { p1: '/', p2: 'I', p3: '/', p4: '/', p5: 'O', p6: '/' }),
  ...marks('2026-11-10', 'PM', { p1: '\\', p2: 'I', p3: '\\', p5: '\\' }),
  // H (agreed family holiday) was retired in August 2024.
  ...marks('2026-11-11', 'AM', { p1: '/', p2: '/', p3: 'L', p4: '/', p6: 'H' }),
  ...marks('2026-11-11', 'PM', { p1: '\\', p2: '\\', p3: '\\' }),
  ...marks('2026-11-12', 'AM', { p1: '/', p2: '/', p3: '/', p4: 'N', p5: '/', p6: '/' }),
  ...marks('2026-11-12', 'PM', { p1: '\\' }),
];

describe('aggregating a send', () => {
  const result = aggregateAttendance({
    urn: URN,
    calendar,
    enrolments,
    marks: MARKS,
    dates: ['2026-11-10', '2026-11-11', '2026-11-12'],
    today: '2026-11-12',
  });

  test('per date, session and year group, the pupils on roll then counted per code, in the year group of that date', () => {
    const a = (attendanceCode: string, value: number) => ({ attendanceCode, value });
    assert.deepEqual(result.body.submissionData, [
      { ncYearGroup: '7', date: '2026-11-10', schoolSession: 'AM', attendances: [a('/', 1), a('I', 1)] },
      // p4 is not on roll yet; p5 is, on their last day.
      { ncYearGroup: '8', date: '2026-11-10', schoolSession: 'AM', attendances: [a('/', 2), a('O', 1)] },
      { ncYearGroup: '7', date: '2026-11-10', schoolSession: 'PM', attendances: [a('\\', 1), a('I', 1)] },
      // p6 has no mark: not counted, and reported below.
      { ncYearGroup: '8', date: '2026-11-10', schoolSession: 'PM', attendances: [a('\\', 2)] },
      // p3 has moved to year 7.
      { ncYearGroup: '7', date: '2026-11-11', schoolSession: 'AM', attendances: [a('/', 2), a('L', 1)] },
      { ncYearGroup: '8', date: '2026-11-11', schoolSession: 'AM', attendances: [a('/', 1)] },
      { ncYearGroup: '7', date: '2026-11-11', schoolSession: 'PM', attendances: [a('\\', 3)] },
      // Year 8's register of 11 November PM was not taken: not sent.
      { ncYearGroup: '7', date: '2026-11-12', schoolSession: 'AM', attendances: [a('/', 3)] },
      { ncYearGroup: '8', date: '2026-11-12', schoolSession: 'AM', attendances: [a('/', 1), a('N', 1)] },
      // Today's afternoon registers are incomplete: held back.
    ]);
  });

  test('pupils on roll and per year group are as of the day of sending', () => {
    assert.equal(result.body.urn, URN);
    assert.equal(result.body.totalNoOfPupils, 5);
    assert.deepEqual(result.body.enrolments, [
      { ncYearGroup: '7', value: 3 },
      { ncYearGroup: '8', value: 2 },
    ]);
  });

  test('pupils without a mark are counted nowhere and reported to the school; today incomplete is held back', () => {
    assert.deepEqual(result.unmarked, [
      { date: '2026-11-10', session: 'PM', ncYearGroup: '8', onRoll: 3, unmarked: 1, sent: true },
      { date: '2026-11-11', session: 'AM', ncYearGroup: '8', onRoll: 2, unmarked: 1, sent: true },
      { date: '2026-11-11', session: 'PM', ncYearGroup: '8', onRoll: 2, unmarked: 2, sent: false },
      { date: '2026-11-12', session: 'PM', ncYearGroup: '7', onRoll: 3, unmarked: 2, sent: false },
      { date: '2026-11-12', session: 'PM', ncYearGroup: '8', onRoll: 2, unmarked: 2, sent: false },
    ]);
  });

  test('marks of pupils not on roll, and codes not valid on the date, are ignored and reported', () => {
    assert.deepEqual(result.ignored, [
      { date: '2026-11-10', session: 'AM', reason: 'not-on-roll', marks: 1 },
      { date: '2026-11-11', session: 'AM', reason: 'code-not-valid-on-date', marks: 1 },
      { date: '2026-11-12', session: 'AM', reason: 'not-on-roll', marks: 1 },
    ]);
  });

  test('the DfE receiver accepts the body without a single error', () => {
    const validation = validateSubmission(JSON.parse(JSON.stringify(result.body)), {
      receivedAt: new Date('2026-11-12T10:00:00Z'),
      urnExists: (urn) => urn === URN,
    });
    assert.equal(validation.kind, 'accepted');
    if (validation.kind === 'accepted') {
      assert.deepEqual(validation.errors, []);
      assert.equal(validation.submission.entries.length, result.body.submissionData.length);
    }
  });

  test('only the sessions the school held: a closed afternoon, or a closed day, sends nothing', () => {
    const closing = aggregateAttendance({
      urn: URN,
      calendar,
      enrolments,
      marks: [
        ...marks('2026-12-18', 'AM', { p1: '/', p2: '/', p3: '/', p4: '/', p6: '/' }),
        ...marks('2026-12-18', 'PM', { p1: '\\' }),
        ...marks('2026-11-19', 'AM', { p1: '#' }),
      ],
      dates: ['2026-11-19', '2026-12-18'],
      today: '2026-12-18',
    });
    assert.deepEqual(
      closing.body.submissionData.map((entry) => `${entry.date} ${entry.schoolSession} ${entry.ncYearGroup}`),
      ['2026-12-18 AM 7', '2026-12-18 AM 8'],
    );
    assert.deepEqual(closing.ignored, [
      { date: '2026-11-19', session: 'AM', reason: 'not-a-school-session', marks: 1 },
      { date: '2026-12-18', session: 'PM', reason: 'not-a-school-session', marks: 1 },
    ]);
    assert.deepEqual(closing.unmarked, []);
  });

  test('nothing after the day of sending is sent', () => {
    const early = aggregateAttendance({
      urn: URN,
      calendar,
      enrolments: enrolments.slice(0, 2),
      marks: [
        ...marks('2026-11-10', 'AM', { p1: '/', p2: '/' }),
        ...marks('2026-11-11', 'AM', { p1: '/', p2: '/' }),
      ],
      dates: ['2026-11-10', '2026-11-11'],
      today: '2026-11-10',
    });
    assert.deepEqual(
      early.body.submissionData.map((entry) => entry.date),
      ['2026-11-10'],
    );
  });

  test('a second mark for the same pupil and session is not counted twice', () => {
    const doubled = aggregateAttendance({
      urn: URN,
      calendar,
      enrolments: enrolments.slice(0, 2),
      marks: [...marks('2026-11-10', 'AM', { p1: '/', p2: '/' }), ...marks('2026-11-10', 'AM', { p1: 'I' })],
      dates: ['2026-11-10'],
      today: '2026-11-12',
    });
    assert.deepEqual(doubled.body.submissionData[0]?.attendances, [{ attendanceCode: '/', value: 2 }]);
    assert.deepEqual(doubled.ignored, [{ date: '2026-11-10', session: 'AM', reason: 'duplicate', marks: 1 }]);
  });
});
