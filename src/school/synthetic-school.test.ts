import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { attendanceCodesOn } from '../contracts/attendance/attendance-codes.ts';
import { validateSubmission } from '../contracts/attendance/submission.ts';
import { aggregateAttendance } from './aggregation.ts';
import { schoolInsight } from './insight.ts';
import { isOnRoll, yearGroupOn } from './pupils.ts';
import { calendarProblems, compileCalendar } from './school-calendar.ts';
import { sendWindowOn } from './send-window.ts';
import { generateSchool } from './synthetic-school.ts';
import { isValidUpn } from './upn.ts';

const TODAY = '2026-12-07';

describe('a synthetic school', () => {
  test('is the same for the same seed, and another for another', () => {
    const options = { seed: 7, phase: 'primary', pupils: 60, today: TODAY, marksFrom: '2026-11-30' } as const;
    assert.deepEqual(generateSchool(options), generateSchool(options));
    assert.notDeepEqual(generateSchool(options).pupils, generateSchool({ ...options, seed: 8 }).pupils);
  });

  test('primary ~275 pupils in R–6, secondary ~1,060 in 7–13, with valid unique UPNs and birth dates that fit the year group', () => {
    for (const [phase, size, groups] of [
      ['primary', 275, ['R', '1', '2', '3', '4', '5', '6']],
      ['secondary', 1060, ['7', '8', '9', '10', '11', '12', '13']],
    ] as const) {
      const { pupils, enrolments, calendar } = generateSchool({
        seed: 3,
        phase,
        today: TODAY,
        marksFrom: TODAY,
      });
      const onRoll = enrolments.filter((e) => isOnRoll(e, calendar.terms[0]!.start)).length;
      assert.ok(Math.abs(onRoll - size) <= size * 0.03, `${phase}: ${onRoll} on roll`);
      assert.deepEqual(
        [...new Set(enrolments.map((e) => e.yearGroups[0]!.ncYearGroup))].sort(),
        [...groups].sort(),
      );
      assert.equal(new Set(pupils.map((p) => p.upn)).size, pupils.length);
      assert.ok(pupils.every((p) => isValidUpn(p.upn)));
      for (const [i, pupil] of pupils.entries()) {
        const group = enrolments[i]!.yearGroups[0]!.ncYearGroup;
        const n = group === 'R' ? 0 : Number(group);
        assert.ok(
          pupil.dateOfBirth >= `${2026 - 5 - n}-09-01` && pupil.dateOfBirth <= `${2026 - 4 - n}-08-31`,
          `${group} ${pupil.dateOfBirth}`,
        );
      }
      assert.deepEqual(calendarProblems(calendar), []);
    }
  });

  describe('a secondary school from September to December', () => {
    const generated = generateSchool({ seed: 11, phase: 'secondary', today: TODAY });
    const calendar = compileCalendar(generated.calendar);

    test('has a realistic mix: attendance 92–95%, unauthorised 1–3%, 15–20% persistently absent, days that differ', () => {
      const insight = schoolInsight({
        calendar,
        enrolments: generated.enrolments,
        marks: generated.marks,
        today: TODAY,
      });
      const rate = insight.school.rate ?? 0;
      assert.ok(rate >= 0.92 && rate <= 0.95, `attendance ${rate}`);
      const persistent = insight.school.persistentlyAbsent / insight.school.pupils;
      assert.ok(persistent >= 0.15 && persistent <= 0.2, `persistent ${persistent}`);
      const severe = insight.school.severelyAbsent / insight.school.pupils;
      assert.ok(severe > 0 && severe <= 0.03, `severe ${severe}`);

      let possible = 0;
      let unauthorised = 0;
      const byDay = new Map<string, [number, number]>();
      for (const mark of generated.marks) {
        const meaning = attendanceCodesOn(mark.date).get(mark.code)!;
        const day = byDay.get(mark.date) ?? [0, 0];
        if (meaning.countsAsPossibleSession) {
          possible++;
          day[0]++;
        }
        if (meaning.category === 'unauthorised_absence') unauthorised++;
        if (meaning.countsAsAttendance) day[1]++;
        byDay.set(mark.date, day);
      }
      assert.ok(
        unauthorised / possible >= 0.01 && unauthorised / possible <= 0.03,
        `unauthorised ${unauthorised / possible}`,
      );
      const dayRates = [...byDay.values()].map(([p, a]) => a / p);
      assert.ok(Math.max(...dayRates) - Math.min(...dayRates) > 0.02, 'attendance varies from day to day');
    });

    test('has joiners, leavers, a change of year group, and late corrections with their history', () => {
      const start = generated.calendar.terms[0]!.start;
      assert.ok(generated.enrolments.some((e) => e.admitted > start));
      assert.ok(generated.enrolments.some((e) => e.left !== undefined));
      assert.ok(generated.enrolments.some((e) => e.yearGroups.length > 1));
      const corrected = generated.marks.filter((m) => m.history.length > 1);
      assert.ok(corrected.length > 100, `${corrected.length} corrections`);
      for (const mark of generated.marks) {
        assert.equal(mark.history.at(-1)?.to, mark.code);
        mark.history.forEach((change, i) =>
          assert.equal(change.from, i === 0 ? null : mark.history[i - 1]!.to),
        );
      }
      // Corrected after the register was taken: most the same day, the rest within days.
      assert.ok(
        corrected.every((m) => m.history[1]!.at > m.history[0]!.at && m.history[1]!.at.slice(0, 10) <= TODAY),
      );
      const sameDay = corrected.filter((m) => m.history[1]!.at.slice(0, 10) === m.date).length;
      assert.ok(sameDay > corrected.length / 2 && sameDay < corrected.length, `${sameDay} the same day`);
    });

    test('marks only pupils on roll, in the school sessions, each once: the send is complete and the DfE accepts it', () => {
      const window = sendWindowOn(calendar, TODAY);
      const enrolmentOf = new Map(generated.enrolments.map((e) => [e.pupilId, e]));
      assert.ok(generated.marks.every((m) => yearGroupOn(enrolmentOf.get(m.pupilId)!, m.date) !== undefined));
      const result = aggregateAttendance({
        urn: generated.school.urn,
        calendar,
        enrolments: generated.enrolments,
        marks: generated.marks,
        dates: window.dates,
        today: TODAY,
      });
      assert.deepEqual(result.ignored, []);
      assert.deepEqual(result.unmarked, []);
      assert.equal(result.body.submissionData.length, 8 * 2 * 7);
      // Every entry's codes add up to the pupils on roll in its year group that day.
      for (const entry of result.body.submissionData) {
        const onRoll = generated.enrolments.filter(
          (e) => yearGroupOn(e, entry.date) === entry.ncYearGroup,
        ).length;
        assert.equal(
          entry.attendances.reduce((sum, mark) => sum + mark.value, 0),
          onRoll,
          `${entry.date} ${entry.schoolSession} ${entry.ncYearGroup}`,
        );
      }
      const validation = validateSubmission(JSON.parse(JSON.stringify(result.body)), {
        receivedAt: new Date(`${TODAY}T12:00:00Z`),
        urnExists: () => true,
      });
      assert.equal(validation.kind, 'accepted');
      if (validation.kind === 'accepted') assert.deepEqual(validation.errors, []);
    });
  });
});
