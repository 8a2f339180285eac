import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRecordError } from './record-errors.ts';
import { compareDate, entriesWithErrors, figuresOf } from './reconcile.ts';
import type { AttendanceSubmissionBody } from '../../contracts/attendance/submission.ts';

const body: AttendanceSubmissionBody = {
  urn: 100001,
  totalNoOfPupils: 60,
  enrolments: [{ ncYearGroup: '7', value: 60 }],
  submissionData: [
    {
      ncYearGroup: '7',
      date: '2026-11-13',
      schoolSession: 'PM',
      attendances: [{ attendanceCode: '/', value: 60 }],
    },
    {
      ncYearGroup: '7',
      date: '2026-11-14',
      schoolSession: 'AM',
      attendances: [
        { attendanceCode: '/', value: 58 },
        { attendanceCode: 'K', value: 2 },
      ],
    },
  ],
};

test('a record error reads as a place in the school’s words, built from its path', () => {
  assert.equal(
    describeRecordError(body, {
      code: 'VAL104',
      title: 'Invalid Attendance Code',
      detail: 'K',
      path: '$.submissionData[1].attendances[1].attendanceCode',
    }),
    'Year 7, 14 Nov, AM, code K — not a valid code on that date',
  );
  assert.equal(
    describeRecordError(body, { code: 'VAL108', title: '', detail: '', path: '$.submissionData[0].date' }),
    'Year 7, 13 Nov, PM — older than 8 working days, so no longer accepted',
  );
  assert.equal(
    describeRecordError(body, { code: 'VAL999', title: 'Something New', detail: '', path: '$.whatever' }),
    'At $.whatever — something new',
  );
  // A path pointing outside the body sent (an untrusted answer) still reads as something.
  assert.equal(
    describeRecordError(body, {
      code: 'VAL104',
      title: '',
      detail: '',
      path: '$.submissionData[99].attendances[0]',
    }),
    'At $.submissionData[99].attendances[0] — not a valid code on that date',
  );
});

test('reconciliation: an entry the receiver refused is not held; a changed count is a difference', () => {
  const held = figuresOf(
    body,
    entriesWithErrors([
      { code: 'VAL104', title: '', detail: '', path: '$.submissionData[1].attendances[1].attendanceCode' },
    ]),
  );
  const changed = structuredClone(body);
  changed.submissionData[0]!.attendances = [
    { attendanceCode: '/', value: 59 },
    { attendanceCode: 'O', value: 1 },
  ];
  assert.deepEqual(compareDate('2026-11-13', held, figuresOf(changed)), [
    { date: '2026-11-13', session: 'PM', ncYearGroup: '7', code: '/', held: 60, now: 59 },
    { date: '2026-11-13', session: 'PM', ncYearGroup: '7', code: 'O', held: 0, now: 1 },
  ]);
  assert.equal(
    compareDate('2026-11-14', held, figuresOf(changed)).length,
    2,
    'the refused entry is not held',
  );
  assert.deepEqual(compareDate('2026-11-13', figuresOf(body), figuresOf(body)), []);
});
