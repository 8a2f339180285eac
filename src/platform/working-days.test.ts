import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { addWorkingDays, bankHolidays, isWorkingDay, workingDaysBetween } from './working-days.ts';

// GOV.UK's published list of bank holidays in England and Wales.
const ENGLAND_BANK_HOLIDAYS: Record<number, string[]> = {
  2022: [
    '2022-01-03', // New Year's Day (substitute day): 1 January was a Saturday
    '2022-04-15',
    '2022-04-18',
    '2022-05-02',
    '2022-06-02', // Spring bank holiday, moved for the jubilee
    '2022-06-03', // Platinum Jubilee
    '2022-08-29',
    '2022-09-19', // State funeral of Queen Elizabeth II
    '2022-12-26',
    '2022-12-27', // Christmas Day (substitute day)
  ],
  2024: [
    '2024-01-01',
    '2024-03-29',
    '2024-04-01',
    '2024-05-06',
    '2024-05-27',
    '2024-08-26',
    '2024-12-25',
    '2024-12-26',
  ],
  2025: [
    '2025-01-01',
    '2025-04-18',
    '2025-04-21',
    '2025-05-05',
    '2025-05-26',
    '2025-08-25',
    '2025-12-25',
    '2025-12-26',
  ],
  2026: [
    '2026-01-01',
    '2026-04-03', // Good Friday
    '2026-04-06', // Easter Monday
    '2026-05-04',
    '2026-05-25',
    '2026-08-31',
    '2026-12-25',
    '2026-12-28', // Boxing Day (substitute day): 26 December is a Saturday
  ],
  2027: [
    '2027-01-01',
    '2027-03-26',
    '2027-03-29',
    '2027-05-03',
    '2027-05-31',
    '2027-08-30',
    '2027-12-27', // Christmas Day (substitute day)
    '2027-12-28', // Boxing Day (substitute day)
  ],
};

describe('bankHolidays', () => {
  for (const [year, expected] of Object.entries(ENGLAND_BANK_HOLIDAYS)) {
    test(`matches the published list for ${year}`, () => {
      assert.deepEqual(bankHolidays(Number(year)), expected);
    });
  }

  test('lists the substitute day, not the weekend day it replaces', () => {
    const holidays2026 = bankHolidays(2026);
    assert.ok(!holidays2026.includes('2026-12-26'));
    assert.ok(holidays2026.includes('2026-12-28'));
    const holidays2027 = bankHolidays(2027);
    assert.ok(!holidays2027.includes('2027-12-25'));
    assert.ok(!holidays2027.includes('2027-12-26'));
  });

  test('returns a copy: callers cannot change the cached list', () => {
    bankHolidays(2026).push('2026-07-01');
    assert.equal(bankHolidays(2026).length, 8);
    assert.equal(isWorkingDay('2026-07-01'), true);
  });

  test('rejects a year that is not a whole number', () => {
    assert.throws(() => bankHolidays(2026.5), RangeError);
  });
});

describe('isWorkingDay', () => {
  test('Monday to Friday are working days', () => {
    for (const date of ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13']) {
      assert.equal(isWorkingDay(date), true, date);
    }
  });

  test('weekends are not', () => {
    for (const date of ['2026-03-07', '2026-03-08', '2024-02-24', '2027-01-02']) {
      assert.equal(isWorkingDay(date), false, date);
    }
  });

  test('bank holidays are not, including substitute days', () => {
    for (const date of ['2026-04-03', '2026-04-06', '2026-12-25', '2026-12-28', '2027-12-27', '2022-09-19']) {
      assert.equal(isWorkingDay(date), false, date);
    }
  });

  test('days that are bank holidays elsewhere in the UK are working days in England', () => {
    assert.equal(isWorkingDay('2026-03-17'), true); // St Patrick's Day (Northern Ireland)
    assert.equal(isWorkingDay('2026-01-02'), true); // 2 January (Scotland)
    assert.equal(isWorkingDay('2026-08-03'), true); // Summer bank holiday (Scotland)
  });

  test('rejects a date that does not exist', () => {
    assert.throws(() => isWorkingDay('2026-02-30'), RangeError);
    assert.throws(() => isWorkingDay('2026-04-14T00:00:00'), RangeError);
  });
});

describe('addWorkingDays', () => {
  test('skips weekends', () => {
    assert.equal(addWorkingDays('2026-03-13', 1), '2026-03-16'); // Friday → Monday
    assert.equal(addWorkingDays('2026-03-16', -1), '2026-03-13'); // Monday → Friday
    assert.equal(addWorkingDays('2026-03-09', 5), '2026-03-16');
  });

  test('skips Easter 2026 (Good Friday and Easter Monday)', () => {
    assert.equal(addWorkingDays('2026-04-02', 1), '2026-04-07');
    assert.equal(addWorkingDays('2026-04-07', -1), '2026-04-02');
    assert.equal(addWorkingDays('2026-04-14', -8), '2026-03-31');
  });

  test('crosses the year end and its substitute days', () => {
    assert.equal(addWorkingDays('2026-12-24', 1), '2026-12-29');
    assert.equal(addWorkingDays('2026-12-31', 1), '2027-01-04');
  });

  test('from a day that is not a working day, counts from that day', () => {
    assert.equal(addWorkingDays('2026-03-14', 1), '2026-03-16'); // Saturday → Monday
    assert.equal(addWorkingDays('2026-03-14', -1), '2026-03-13'); // Saturday → Friday
    assert.equal(addWorkingDays('2026-04-06', -1), '2026-04-02'); // Easter Monday → Thursday
  });

  test('0 returns the date itself', () => {
    assert.equal(addWorkingDays('2026-03-14', 0), '2026-03-14');
    assert.equal(addWorkingDays('2026-03-16', 0), '2026-03-16');
  });

  test('rejects a fractional count and a bad date', () => {
    assert.throws(() => addWorkingDays('2026-03-16', 1.5), RangeError);
    assert.throws(() => addWorkingDays('16/03/2026', 1), RangeError);
  });
});

describe('workingDaysBetween', () => {
  test('counts working days after `from`, up to and including `to`', () => {
    assert.equal(workingDaysBetween('2026-03-16', '2026-03-16'), 0);
    assert.equal(workingDaysBetween('2026-03-13', '2026-03-16'), 1); // Friday → Monday
    assert.equal(workingDaysBetween('2026-03-14', '2026-03-16'), 1); // Saturday → Monday
    assert.equal(workingDaysBetween('2026-03-14', '2026-03-15'), 0); // Saturday → Sunday
    assert.equal(workingDaysBetween('2026-03-09', '2026-03-20'), 9);
  });

  test('leaves out the bank holidays of a window across Easter 2026', () => {
    // Tuesday 31 March to Tuesday 14 April: 10 weekdays after the 31st, 2 of them bank holidays.
    assert.equal(workingDaysBetween('2026-03-31', '2026-04-14'), 8);
    assert.equal(workingDaysBetween('2026-04-02', '2026-04-07'), 1);
  });

  test('is negative going back, counting `to` and not `from`, with no -0', () => {
    assert.equal(workingDaysBetween('2026-04-14', '2026-03-31'), -8);
    assert.equal(workingDaysBetween('2026-03-16', '2026-03-13'), -1); // Monday → Friday
    assert.equal(workingDaysBetween('2026-03-14', '2026-03-13'), -1); // Saturday → Friday
    assert.ok(Object.is(workingDaysBetween('2026-03-15', '2026-03-14'), 0));
  });

  test('agrees with addWorkingDays', () => {
    // From working days, weekends and bank holidays alike.
    for (const from of ['2026-03-28', '2026-03-31', '2026-04-03', '2026-12-20', '2026-12-28']) {
      for (const n of [-9, -3, -1, 1, 2, 8, 12]) {
        const to = addWorkingDays(from, n);
        assert.equal(workingDaysBetween(from, to), n, `${from} ${n}`);
      }
    }
  });
});
