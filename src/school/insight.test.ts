import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bandLabel, classifyAbsence, schoolInsight } from './insight.ts';
import type { Enrolment, Mark, SchoolSession } from './pupils.ts';
import { compileCalendar, schoolDaysBetween } from './school-calendar.ts';
import { TEST_CALENDAR } from '../../test/support/school-calendar.ts';

describe('one pupil: persistent, severe and bands', () => {
  test('exactly 10% missed is persistent absence, even where floating point says 0.0999…', () => {
    // 27/30 attended: 1 - 0.9 is 0.09999999999999998 in floating point.
    const pupil = classifyAbsence(30, 27);
    assert.equal(pupil.missed, 3);
    assert.equal(pupil.persistentlyAbsent, true);
    assert.equal(pupil.severelyAbsent, false);
    assert.equal(pupil.band, 2);
    assert.equal(bandLabel(2), '10–15%');
  });

  test('just under 10% is not persistent; 50% is severe', () => {
    assert.equal(classifyAbsence(20, 19).persistentlyAbsent, false);
    assert.equal(classifyAbsence(20, 19).band, 1);
    assert.equal(classifyAbsence(40, 20).severelyAbsent, true);
    assert.equal(classifyAbsence(40, 21).severelyAbsent, false);
  });

  test('bands only from 20 possible sessions; missing everything is the 95–100% band', () => {
    assert.equal(classifyAbsence(19, 10).band, undefined);
    assert.equal(classifyAbsence(19, 10).persistentlyAbsent, true);
    assert.equal(classifyAbsence(20, 0).band, 19);
    assert.equal(classifyAbsence(20, 20).band, 0);
    assert.deepEqual(
      [classifyAbsence(0, 0).rate, classifyAbsence(0, 0).persistentlyAbsent, classifyAbsence(0, 0).band],
      [null, false, undefined],
    );
  });
});

describe('the school this year', () => {
  const calendar = compileCalendar(TEST_CALENDAR);
  const days = schoolDaysBetween(calendar, '2026-11-02', '2026-11-13'); // 10 school days, 20 sessions
  const mark = (pupilId: string, date: string, session: SchoolSession, code: string): Mark => ({
    pupilId,
    date,
    session,
    code,
    history: [],
  });
  const everyDay = (pupilId: string, code: (i: number) => string): Mark[] =>
    days.flatMap((date, i) => [
      mark(pupilId, date, 'AM', code(2 * i)),
      mark(pupilId, date, 'PM', code(2 * i + 1)),
    ]);

  const enrolments: Enrolment[] = [
    { pupilId: 'a', admitted: '2025-09-03', yearGroups: [{ from: '2025-09-03', ncYearGroup: '3' }] },
    // Joined on 9 November: marks before do not count for this school.
    { pupilId: 'b', admitted: '2026-11-09', yearGroups: [{ from: '2026-11-09', ncYearGroup: '3' }] },
    // Moved from year 4 to year 3 on 9 November: counted in year 3.
    {
      pupilId: 'c',
      admitted: '2025-09-03',
      yearGroups: [
        { from: '2025-09-03', ncYearGroup: '4' },
        { from: '2026-11-09', ncYearGroup: '3' },
      ],
    },
    { pupilId: 'd', admitted: '2025-09-03', yearGroups: [{ from: '2025-09-03', ncYearGroup: '4' }] },
  ];
  const marks: Mark[] = [
    // Last year: not this year's.
    mark('a', '2026-07-01', 'AM', 'O'),
    // 2 of 20 missed (10%), one educational visit (attends), one not counted (X).
    ...everyDay('a', (i) => (i === 0 || i === 1 ? 'I' : i === 2 ? 'V' : i === 3 ? 'X' : '/')),
    // Before admission: ignored. From 9 November, 10 sessions, 6 missed.
    ...everyDay('b', (i) => (i < 10 ? 'O' : i < 16 ? 'G' : '\\')),
    ...everyDay('c', () => '/'),
    ...everyDay('d', (i) => (i % 2 === 0 ? 'I' : '/')),
  ];
  const insight = schoolInsight({ calendar, enrolments, marks, today: '2026-11-13' });

  test('per pupil: from the start of the year or admission, possible sessions, rate, persistent, severe, band', () => {
    assert.deepEqual(
      insight.pupils.map((p) => [
        p.pupilId,
        p.ncYearGroup,
        p.possible,
        p.attended,
        p.persistentlyAbsent,
        p.severelyAbsent,
        p.band,
      ]),
      [
        ['a', '3', 19, 17, true, false, undefined],
        ['b', '3', 10, 4, true, true, undefined],
        ['c', '3', 20, 20, false, false, 0],
        ['d', '4', 20, 10, true, true, 10],
      ],
    );
    assert.equal(insight.from, '2026-08-01');
  });

  test('by year group and for the school: rates from the sums, counts of pupils', () => {
    const [year3, year4] = insight.byYearGroup;
    assert.deepEqual(
      [
        year3?.ncYearGroup,
        year3?.pupils,
        year3?.possible,
        year3?.attended,
        year3?.persistentlyAbsent,
        year3?.severelyAbsent,
      ],
      ['3', 3, 49, 41, 2, 1],
    );
    assert.equal(year3?.bands[0], 1);
    assert.deepEqual([year4?.ncYearGroup, year4?.pupils, year4?.bands[10]], ['4', 1, 1]);
    assert.equal(insight.school.pupils, 4);
    assert.equal(insight.school.rate, 51 / 69);
    assert.equal(insight.school.persistentlyAbsent, 3);
  });
});
