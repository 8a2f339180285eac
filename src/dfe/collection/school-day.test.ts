import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { schoolDaysOf, type SchoolDaySessions } from './school-day.ts';
import type { AttendanceEntry } from '../../contracts/attendance/submission.ts';

const REF = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const RECEIVED_AT = new Date('2026-11-20T08:15:30.123Z');

function entry(
  index: number,
  date: string,
  session: 'AM' | 'PM',
  ncYearGroup: string,
  marks: [string, number][],
): AttendanceEntry {
  return {
    index,
    date,
    session,
    ncYearGroup,
    attendances: marks.map(([code, value]) => ({ code, value })),
  };
}

describe('schoolDaysOf', () => {
  const entries = [
    entry(0, '2026-11-20', 'PM', '8', [
      ['\\', 20],
      ['N', 1],
    ]),
    entry(1, '2026-11-19', 'AM', '7', [
      ['/', 28],
      ['L', 1], // late, before registers closed: present
      ['I', 2],
      ['X', 3],
    ]),
    entry(2, '2026-11-20', 'AM', '8', [
      ['/', 19],
      ['V', 2],
      ['Y1', 1],
    ]),
    entry(3, '2026-11-20', 'AM', '10', []),
  ];
  const days = schoolDaysOf(entries, REF, RECEIVED_AT);

  test('one school-day per date, oldest first, keys sorted', () => {
    assert.deepEqual(
      days.map((day) => [day.date, day.keys]),
      [
        ['2026-11-19', ['AM 7']],
        ['2026-11-20', ['AM 10', 'AM 8', 'PM 8']],
      ],
    );
  });

  test('the sessions JSON holds each value as stored: receipt, reference, marks and totals', () => {
    const r = '2026-11-20T08:15:30.123Z';
    const expected: SchoolDaySessions[] = [
      { 'AM 7': { r, s: REF, m: { '/': 28, L: 1, I: 2, X: 3 }, t: [31, 29, 0, 2, 0, 3] } },
      {
        'PM 8': { r, s: REF, m: { '\\': 20, N: 1 }, t: [21, 20, 0, 0, 1, 0] },
        'AM 8': { r, s: REF, m: { '/': 19, V: 2, Y1: 1 }, t: [21, 19, 2, 0, 0, 1] },
        'AM 10': { r, s: REF, m: {}, t: [0, 0, 0, 0, 0, 0] },
      },
    ];
    assert.deepEqual(
      days.map((day) => JSON.parse(day.sessionsJson) as unknown),
      expected,
    );
  });

  test("the day's totals add up its values'", () => {
    assert.deepEqual(
      days.map((day) => day.totals),
      [
        [31, 29, 0, 2, 0, 3],
        [42, 39, 2, 0, 1, 1],
      ],
    );
  });

  test('writes any count as JSON does, small or large', () => {
    const values = [0, 9, 10, 4095, 4096, 123_456_789, Number.MAX_SAFE_INTEGER];
    const [day] = schoolDaysOf(
      [
        entry(
          0,
          '2026-11-20',
          'AM',
          '7',
          values.map((value, i) => [['/', 'L', 'B', 'P', 'V', 'I', 'X'][i] ?? '', value]),
        ),
      ],
      REF,
      RECEIVED_AT,
    );
    const sessions = JSON.parse(day?.sessionsJson ?? '{}') as SchoolDaySessions;
    assert.deepEqual(Object.values(sessions['AM 7']?.m ?? {}), values);
  });
});
