import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  attendanceCodeOn,
  attendanceCodes,
  attendanceCodesValidOn,
  isAttendanceCodeValidOn,
  isKnownAttendanceCode,
  parseAttendanceCodeRows,
} from './attendance-codes.ts';

const codesOn = (date: string): string[] => attendanceCodesValidOn(date).map((row) => row.code);

describe('attendanceCodes', () => {
  test('reads the whole reference list with typed fields', () => {
    const codes = attendanceCodes();
    assert.equal(codes.length, 37);
    assert.deepEqual(
      codes.find((row) => row.code === 'K'),
      {
        code: 'K',
        meaning: 'Education provision arranged by the local authority',
        category: 'approved_educational_activity',
        countsAsPossibleSession: true,
        countsAsAttendance: true,
        validFrom: '2024-08-19',
      },
    );
    assert.deepEqual(
      codes.find((row) => row.code === '\\'),
      {
        code: '\\',
        meaning: 'Present (PM)',
        category: 'present',
        countsAsPossibleSession: true,
        countsAsAttendance: true,
      },
    );
    assert.equal(codes.find((row) => row.code === 'H')?.validTo, '2024-08-18');
  });

  test('the not-counted codes are exactly D X Z # Q Y Y1–Y7', () => {
    const notCounted = attendanceCodes()
      .filter((row) => !row.countsAsPossibleSession)
      .map((row) => row.code)
      .sort();
    assert.deepEqual(notCounted, ['#', 'D', 'Q', 'X', 'Y', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Z']);
  });
});

describe('codes valid on a date', () => {
  test('2020: K, J1, C1, C2, Q and Y1–Y7 did not exist; J, H and Y did', () => {
    const codes = codesOn('2020-10-20');
    for (const code of ['K', 'J1', 'C1', 'C2', 'Q', 'Y1', 'Y7']) assert.ok(!codes.includes(code), code);
    for (const code of ['J', 'H', 'Y', '/', '\\', 'L', 'B', 'I', 'N', '#'])
      assert.ok(codes.includes(code), code);
    assert.equal(codes.length, 25); // the 2020 API's GET /codes/attendance listed 25 codes
  });

  test('K is valid from 19 August 2024, J H Y only up to 18 August 2024', () => {
    assert.equal(isAttendanceCodeValidOn('K', '2024-08-18'), false);
    assert.equal(isAttendanceCodeValidOn('K', '2024-08-19'), true);
    for (const code of ['J', 'H', 'Y']) {
      assert.equal(isAttendanceCodeValidOn(code, '2024-08-18'), true, code);
      assert.equal(isAttendanceCodeValidOn(code, '2024-08-19'), false, code);
    }
    assert.equal(isAttendanceCodeValidOn('J1', '2024-08-19'), true);
  });

  test('codes never valid are refused on any date; case matters', () => {
    for (const code of ['ZZ', 'k', '', 'Y8', '//']) {
      assert.equal(isAttendanceCodeValidOn(code, '2026-04-14'), false, code);
      assert.equal(isKnownAttendanceCode(code), false, code);
    }
    assert.equal(isKnownAttendanceCode('H'), true);
  });

  test('attendanceCodeOn gives the meaning for the date', () => {
    assert.equal(attendanceCodeOn('J', '2024-06-03')?.category, 'approved_educational_activity');
    assert.equal(attendanceCodeOn('J', '2026-06-03'), undefined);
    assert.equal(attendanceCodeOn('J1', '2026-06-03')?.category, 'authorised_absence');
  });

  test('refuses a malformed date', () => {
    assert.throws(() => attendanceCodesValidOn('2026-04-14T00:00:00'), RangeError);
  });
});

describe('parseAttendanceCodeRows refuses a list that contradicts itself', () => {
  const row = {
    code: 'I',
    meaning: 'Illness',
    category: 'authorised_absence',
    counts_as_possible_session: 'yes',
    counts_as_attendance: 'no',
    valid_from: '',
    valid_to: '',
  };

  test('accepts a consistent row', () => {
    assert.equal(parseAttendanceCodeRows([row]).length, 1);
  });

  test('an unknown category, a bad flag or a bad date', () => {
    assert.throws(() => parseAttendanceCodeRows([{ ...row, category: 'absent' }]), /unknown category/);
    assert.throws(() => parseAttendanceCodeRows([{ ...row, counts_as_attendance: 'Y' }]), /yes or no/);
    assert.throws(() => parseAttendanceCodeRows([{ ...row, valid_from: '2024-02-30' }]), /not a date/);
    assert.throws(
      () => parseAttendanceCodeRows([{ ...row, valid_from: '2024-08-19', valid_to: '2024-08-18' }]),
      /before valid_from/,
    );
  });

  test('flags that disagree with the category', () => {
    assert.throws(
      () => parseAttendanceCodeRows([{ ...row, counts_as_attendance: 'yes' }]),
      /counts_as_attendance/,
    );
    assert.throws(
      () => parseAttendanceCodeRows([{ ...row, category: 'not_counted' }]),
      /counts_as_possible_session/,
    );
  });

  test('one code with two meanings on the same date', () => {
    assert.throws(() => parseAttendanceCodeRows([row, { ...row, valid_from: '2024-08-19' }]), /listed twice/);
    // Successive meanings are fine.
    assert.equal(
      parseAttendanceCodeRows([
        { ...row, valid_to: '2024-08-18' },
        { ...row, valid_from: '2024-08-19' },
      ]).length,
      2,
    );
  });
});
