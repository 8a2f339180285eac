/**
 * The promise to schools: nothing about any one pupil leaves. A property test over generated
 * schools of every size and phase, sent on days across the school year.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays } from '../platform/calendar.ts';
import { isPupilYearGroup } from '../contracts/attendance/nc-year-groups.ts';
import { isAttendanceCodeValidOn } from '../contracts/attendance/attendance-codes.ts';
import { aggregateAttendance } from './aggregation.ts';
import { compileCalendar, schoolDaysBetween } from './school-calendar.ts';
import { sendWindowOn } from './send-window.ts';
import { generateSchool, prng } from './synthetic-school.ts';

const ROUNDS = 24;

test('no pupil identifier, name or date of birth appears in any payload', () => {
  const rand = prng(2026);
  for (let round = 0; round < ROUNDS; round++) {
    const seed = Math.floor(rand() * 1e9);
    const phase = rand() < 0.5 ? 'primary' : 'secondary';
    // A school day of 2026/27 up to the summer: found from a calendar generated for it.
    const probe = generateSchool({ seed, phase, pupils: 1, today: '2027-07-01', marksFrom: '2027-07-01' });
    const days = schoolDaysBetween(compileCalendar(probe.calendar), '2026-09-01', '2027-07-20');
    const today = days[Math.floor(rand() * days.length)]!;
    const generated = generateSchool({
      seed,
      phase,
      pupils: 20 + Math.floor(rand() * 300),
      today,
      marksFrom: addDays(today, -21),
    });
    const calendar = compileCalendar(generated.calendar);
    const window = sendWindowOn(calendar, today);
    const { body } = aggregateAttendance({
      urn: generated.school.urn,
      calendar,
      enrolments: generated.enrolments,
      marks: generated.marks,
      dates: window.dates,
      today,
    });
    const json = JSON.stringify(body);
    const where = `seed ${seed}, ${phase}, sent ${today}`;
    assert.ok(body.submissionData.length > 0, `${where}: something was sent`);
    for (const pupil of generated.pupils) {
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
          `${where}: ${JSON.stringify(personal)} is in the payload`,
        );
    }
    // And structurally: only counts, codes, year groups, sessions, the URN and the window's dates.
    assert.deepEqual(Object.keys(body).sort(), ['enrolments', 'submissionData', 'totalNoOfPupils', 'urn']);
    for (const group of body.enrolments ?? []) {
      assert.deepEqual(Object.keys(group).sort(), ['ncYearGroup', 'value']);
      assert.ok(isPupilYearGroup(group.ncYearGroup) && Number.isInteger(group.value));
    }
    for (const entry of body.submissionData) {
      assert.deepEqual(Object.keys(entry).sort(), ['attendances', 'date', 'ncYearGroup', 'schoolSession']);
      assert.ok(window.dates.includes(entry.date) && isPupilYearGroup(entry.ncYearGroup));
      assert.ok(entry.schoolSession === 'AM' || entry.schoolSession === 'PM');
      for (const mark of entry.attendances) {
        assert.deepEqual(Object.keys(mark).sort(), ['attendanceCode', 'value']);
        assert.ok(
          isAttendanceCodeValidOn(mark.attendanceCode, entry.date) &&
            Number.isInteger(mark.value) &&
            mark.value > 0,
        );
      }
    }
  }
});
