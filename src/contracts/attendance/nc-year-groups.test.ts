import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readReferenceCsv } from './reference-csv.ts';
import { isPupilYearGroup, pupilYearGroups } from './nc-year-groups.ts';

describe('pupilYearGroups', () => {
  test('lists the 20 pupil year groups in order', () => {
    assert.deepEqual(
      pupilYearGroups().map((group) => group.code),
      [
        'E1',
        'E2',
        'N1',
        'N2',
        'R',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
        '8',
        '9',
        '10',
        '11',
        '12',
        '13',
        '14',
        'X',
      ],
    );
    assert.deepEqual(pupilYearGroups()[4], { code: 'R', description: 'Reception' });
  });

  test('the reference list has no M (a class year group only)', () => {
    assert.ok(!readReferenceCsv('nc-year-groups.csv').some((row) => row.code === 'M'));
  });
});

describe('isPupilYearGroup', () => {
  test('accepts the codes as sent', () => {
    for (const code of ['E1', 'N2', 'R', '1', '10', '14', 'X'])
      assert.equal(isPupilYearGroup(code), true, code);
  });

  test('refuses M, unknown codes and other spellings', () => {
    for (const code of ['M', 'T', '15', '0', '07', 'r', 'Y7', ' R', '']) {
      assert.equal(isPupilYearGroup(code), false, code);
    }
  });
});
