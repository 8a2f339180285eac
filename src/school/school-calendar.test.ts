import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  calendarProblems,
  compileCalendar,
  isSchoolDay,
  schoolDaysBefore,
  schoolDaysBetween,
  schoolYearStart,
  sessionsOn,
  todayAndPreviousSchoolDays,
} from './school-calendar.ts';
import { TEST_CALENDAR } from '../../test/support/school-calendar.ts';

describe('the school calendar', () => {
  const calendar = compileCalendar(TEST_CALENDAR);

  test('a weekday in term is a school day with both sessions', () => {
    assert.equal(isSchoolDay(calendar, '2026-11-04'), true);
    assert.deepEqual(sessionsOn(calendar, '2026-11-04'), ['AM', 'PM']);
  });

  test('weekends, holidays between terms, INSET days, bank holidays in term and closures are not', () => {
    for (const date of [
      '2026-11-07', // Saturday
      '2026-10-28', // half-term
      '2026-08-20', // summer holiday
      '2026-09-01', // INSET
      '2027-01-04', // INSET
      '2026-05-04', // Early May bank holiday, inside Summer 1
      '2026-11-19', // closed all day
    ])
      assert.equal(isSchoolDay(calendar, date), false, date);
  });

  test('a half-day closure leaves the other session', () => {
    assert.deepEqual(sessionsOn(calendar, '2026-12-18'), ['AM']);
    assert.equal(isSchoolDay(calendar, '2026-12-18'), true);
  });

  test('the school days before a date skip half-term, and stop where the terms do', () => {
    assert.deepEqual(schoolDaysBefore(calendar, '2026-11-03', 4), [
      '2026-10-21',
      '2026-10-22',
      '2026-10-23',
      '2026-11-02',
    ]);
    assert.deepEqual(schoolDaysBefore(calendar, '2026-04-15', 5), ['2026-04-13', '2026-04-14']);
  });

  test('today and the previous 7 school days: 8 days in term, 7 when today is not a school day', () => {
    assert.deepEqual(todayAndPreviousSchoolDays(calendar, '2026-11-25', 7), [
      '2026-11-13',
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      // 19 November: closed
      '2026-11-20',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
    ]);
    const saturday = todayAndPreviousSchoolDays(calendar, '2026-11-28', 7);
    assert.equal(saturday.length, 7);
    assert.equal(saturday.at(-1), '2026-11-27');
  });

  test('school days between two dates, both included', () => {
    assert.deepEqual(schoolDaysBetween(calendar, '2026-10-22', '2026-11-03'), [
      '2026-10-22',
      '2026-10-23',
      '2026-11-02',
      '2026-11-03',
    ]);
  });

  test('the school year starts on 1 August', () => {
    assert.equal(schoolYearStart('2026-12-07'), '2026-08-01');
    assert.equal(schoolYearStart('2027-03-01'), '2026-08-01');
    assert.equal(schoolYearStart('2026-08-01'), '2026-08-01');
    assert.equal(schoolYearStart('2026-07-31'), '2025-08-01');
  });

  test('a calendar that contradicts itself is refused in plain words', () => {
    const problems = calendarProblems({
      terms: [
        { name: 'Autumn 1', start: '2026-09-01', end: '2026-10-23' },
        { name: 'Autumn 2', start: '2026-10-20', end: '2026-10-01' },
        { name: 'Spring 1', start: '2027-01-04', end: '2027-02-12' },
        { name: 'Spring 2', start: '2027-02-01', end: '2027-03-26' },
      ],
      insetDays: ['2026-02-30'],
      closures: [],
    });
    assert.deepEqual(problems, [
      'term Autumn 2: ends (2026-10-01) before it starts (2026-10-20)',
      'term Autumn 2 overlaps term Autumn 1',
      'term Spring 2 overlaps term Spring 1',
      'INSET day "2026-02-30" is not a date (YYYY-MM-DD)',
    ]);
    assert.throws(() => compileCalendar({ terms: [], insetDays: ['x'], closures: [] }), /cannot be used/);
  });
});
