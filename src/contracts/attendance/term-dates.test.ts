import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTypicalTermDay, schoolYearOf, termDaysUpTo, typicalTermDates } from './term-dates.ts';

describe('typicalTermDates', () => {
  test('2026–27: six half-terms around the October, February and May half-terms', () => {
    // Good Friday (26 March) and the spring bank holiday (31 May) fall where a term would end or
    // start: the term ends the Friday before, or starts the Monday after.
    assert.deepEqual(
      typicalTermDates(2026).map(({ name, start, end }) => `${name} ${start} ${end}`),
      [
        'Autumn 1 2026-09-01 2026-10-23',
        'Autumn 2 2026-11-02 2026-12-18',
        'Spring 1 2027-01-05 2027-02-12',
        'Spring 2 2027-02-22 2027-03-19',
        'Summer 1 2027-04-19 2027-05-21',
        'Summer 2 2027-06-07 2027-07-21',
      ],
    );
  });

  test('the school year of a date starts on 1 August', () => {
    assert.equal(schoolYearOf('2026-07-31'), 2025);
    assert.equal(schoolYearOf('2026-08-01'), 2026);
    assert.equal(schoolYearOf('2027-02-15'), 2026);
  });
});

describe('isTypicalTermDay', () => {
  const cases: [string, boolean, string][] = [
    ['2026-09-01', true, 'the first day of the autumn term'],
    ['2026-08-31', false, 'the summer bank holiday'],
    ['2026-10-23', true, 'the Friday before October half-term'],
    ['2026-10-26', false, 'October half-term'],
    ['2026-10-30', false, 'October half-term'],
    ['2026-11-02', true, 'back after October half-term'],
    ['2026-12-18', true, 'the last day before Christmas'],
    ['2026-12-21', false, 'the Christmas holidays'],
    ['2026-12-30', false, 'the Christmas holidays'],
    ['2027-01-01', false, 'New Year’s Day'],
    ['2027-01-04', false, 'the Christmas holidays'],
    ['2027-01-05', true, 'the first day of the spring term'],
    ['2027-02-12', true, 'the Friday before February half-term'],
    ['2027-02-15', false, 'February half-term'],
    ['2027-02-22', true, 'back after February half-term'],
    ['2027-03-26', false, 'Good Friday: a bank holiday'],
    ['2027-03-25', false, 'after the spring term (which ended on Friday the 19th)'],
    ['2027-04-16', false, 'the Easter holidays'],
    ['2027-04-19', true, 'the first day of the summer term'],
    ['2027-05-03', false, 'the early May bank holiday, in term'],
    ['2027-05-21', true, 'the Friday before May half-term'],
    ['2027-05-24', false, 'May half-term'],
    ['2027-05-31', false, 'the spring bank holiday'],
    ['2027-06-04', false, 'May half-term, after the bank holiday'],
    ['2027-06-07', true, 'back after May half-term'],
    ['2027-07-21', true, 'the last day of the summer term'],
    ['2027-07-22', false, 'the summer holidays'],
    ['2027-08-20', false, 'the summer holidays'],
    ['2026-12-05', false, 'a Saturday in term'],
    // 2028 is a leap year: 29 February is a Tuesday in the spring term, after half-term.
    ['2028-02-29', true, 'a leap day in term'],
    ['2028-02-14', false, 'February half-term 2028'],
    ['2028-02-11', true, 'the Friday before February half-term 2028'],
    ['2028-02-21', true, 'back after February half-term 2028'],
  ];
  for (const [date, inTerm, why] of cases)
    test(`${date} (${why}): ${inTerm ? 'a term day' : 'not a term day'}`, () => {
      assert.equal(isTypicalTermDay(date), inTerm);
    });
});

test('termDaysUpTo counts back over the holidays, oldest first', () => {
  assert.deepEqual(termDaysUpTo('2027-01-06', 4), ['2026-12-17', '2026-12-18', '2027-01-05', '2027-01-06']);
  assert.deepEqual(termDaysUpTo('2026-12-27', 1), ['2026-12-18']);
});
