import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  byPhase,
  notSentForTwoSchoolDays,
  readDaysAnswer,
  readSchoolsAnswer,
  schoolsCsv,
  withRates,
  type SchoolsDay,
  type Totals,
} from './attendance-figures.ts';

const totals = (possible: number, present: number, authorised: number, unauthorised: number): Totals => ({
  schools: 1,
  possible,
  present,
  aea: 0,
  authorised,
  unauthorised,
  notCounted: 0,
});

const school = (
  urn: number,
  phaseOfEducation: string,
  figures: Totals | null,
  name: string | null = `School ${urn}`,
) => ({
  urn,
  name,
  phaseOfEducation,
  figures,
});

const day = (date: string, schools: SchoolsDay['schools']): SchoolsDay => ({ date, yearGroups: [], schools });

describe('the DfE’s answers, read', () => {
  test('days are kept oldest first, with their totals only', () => {
    const days = readDaysAnswer({
      laCode: '825',
      days: [
        { date: '2026-11-20', ...totals(10, 9, 1, 0), attendanceRate: 0.9, extra: 'ignored' },
        { date: '2026-11-19', ...totals(10, 10, 0, 0) },
      ],
    });
    assert.deepEqual(
      days?.map((d) => d.date),
      ['2026-11-19', '2026-11-20'],
    );
    assert.equal('extra' in (days?.[1] ?? {}), false);
  });

  test('an answer of another shape is refused, not half read', () => {
    assert.equal(readDaysAnswer({ days: [{ date: '20 Nov', ...totals(1, 1, 0, 0) }] }), undefined);
    assert.equal(
      readDaysAnswer({ days: [{ date: '2026-11-20', ...totals(1, 1, 0, 0), possible: -1 }] }),
      undefined,
    );
    assert.equal(readDaysAnswer('<html>'), undefined);
    assert.equal(
      readSchoolsAnswer({ date: '2026-11-20', yearGroups: [], schools: [{ urn: 'x' }] }),
      undefined,
    );
  });
});

describe('arranging a day', () => {
  test('rates are the contract’s arithmetic over the totals', () => {
    const figures = withRates(totals(200, 180, 15, 5));
    assert.equal(figures.attendanceRate, 0.9);
    assert.equal(figures.authorisedRate, 0.075);
    assert.equal(figures.unauthorisedRate, 0.025);
  });

  test('phases add up the schools that reported, most sessions first', () => {
    const phases = byPhase(
      day('2026-11-20', [
        school(100001, 'Primary', totals(60, 54, 4, 2)),
        school(100002, 'Secondary', totals(300, 270, 20, 10)),
        school(100003, 'Primary', totals(40, 38, 2, 0)),
        school(100004, 'Primary', null),
      ]),
    );
    assert.deepEqual(
      phases.map((p) => [p.phaseOfEducation, p.schools, p.possible, p.attendanceRate]),
      [
        ['Secondary', 1, 300, 0.9],
        ['Primary', 2, 100, 0.92],
      ],
    );
  });

  test('a school that sent nothing on either of the last two school days is listed', () => {
    const previous = day('2026-11-19', [
      school(100001, 'Primary', totals(1, 1, 0, 0)),
      school(100002, 'Primary', totals(1, 1, 0, 0)),
      school(100003, 'Primary', null),
    ]);
    const latest = day('2026-11-20', [
      school(100001, 'Primary', totals(1, 1, 0, 0)),
      school(100002, 'Primary', null),
      school(100003, 'Primary', null),
    ]);
    assert.deepEqual(
      notSentForTwoSchoolDays(latest, previous)?.map((s) => s.urn),
      [100003],
    );
    assert.equal(notSentForTwoSchoolDays(latest, undefined), undefined, 'one school day tells nothing yet');
  });

  test('the CSV neutralises a name a spreadsheet would run as a formula', () => {
    const text = schoolsCsv(
      '825',
      day('2026-11-20', [
        school(100001, 'Primary', totals(200, 180, 15, 5), '=HYPERLINK("http://example.invalid","x")'),
        school(100002, 'Primary', null, '@SUM(A1)'),
      ]),
    );
    const lines = text.replace('\uFEFF', '').split('\r\n');
    assert.match(lines[0]!, /^date,la_code,urn,school_name,/);
    assert.equal(
      lines[1],
      `2026-11-20,825,100001,"'=HYPERLINK(""http://example.invalid"",""x"")",Primary,yes,1,200,180,0,15,5,0,90.00,7.50,2.50`,
    );
    assert.equal(lines[2], `2026-11-20,825,100002,'@SUM(A1),Primary,no,0,,,,,,,,,`);
  });
});
