import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { combineSummaries, summariseMarks } from './aggregation.ts';

describe('summariseMarks', () => {
  test('counts marks by category and works out the rates', () => {
    const summary = summariseMarks(
      [
        { code: '/', value: 40 },
        { code: 'L', value: 2 },
        { code: 'V', value: 3 }, // educational visit: attends
        { code: 'I', value: 3 },
        { code: 'M', value: 1 },
        { code: 'N', value: 1 },
        { code: 'X', value: 4 }, // not counted
      ],
      '2026-04-14',
    );
    assert.deepEqual(summary, {
      possible: 50,
      present: 42,
      aea: 3,
      authorised: 4,
      unauthorised: 1,
      notCounted: 4,
      attendanceRate: 0.9,
      authorisedRate: 0.08,
      unauthorisedRate: 0.02,
    });
  });

  test('the rates add up to 1', () => {
    const summary = summariseMarks(
      [
        { code: '\\', value: 17 },
        { code: 'B', value: 1 },
        { code: 'C1', value: 2 },
        { code: 'G', value: 3 },
        { code: 'D', value: 5 },
      ],
      '2026-04-14',
    );
    assert.equal(summary.possible, 23);
    assert.ok(
      Math.abs(
        (summary.attendanceRate ?? 0) + (summary.authorisedRate ?? 0) + (summary.unauthorisedRate ?? 0) - 1,
      ) < 1e-12,
    );
  });

  test('reads a code with its meaning on the date: J attended in 2023, J1 is an authorised absence', () => {
    assert.equal(summariseMarks([{ code: 'J', value: 1 }], '2023-11-01').aea, 1);
    assert.equal(summariseMarks([{ code: 'J1', value: 1 }], '2025-11-03').authorised, 1);
    assert.equal(summariseMarks([{ code: 'K', value: 2 }], '2025-11-03').aea, 2);
  });

  test('no possible session (a closure): rates are null, not NaN', () => {
    const summary = summariseMarks([{ code: '#', value: 30 }], '2026-04-14');
    assert.deepEqual(
      [
        summary.possible,
        summary.notCounted,
        summary.attendanceRate,
        summary.authorisedRate,
        summary.unauthorisedRate,
      ],
      [0, 30, null, null, null],
    );
    assert.equal(summariseMarks([], '2026-04-14').attendanceRate, null);
  });

  test('a code not valid on the date throws', () => {
    assert.throws(() => summariseMarks([{ code: 'K', value: 1 }], '2020-10-20'), RangeError);
    assert.throws(() => summariseMarks([{ code: 'ZZ', value: 1 }], '2026-04-14'), RangeError);
  });
});

describe('combineSummaries', () => {
  test('adds sessions up and recomputes the rates from the sums, not the average of rates', () => {
    const morning = summariseMarks(
      [
        { code: '/', value: 9 },
        { code: 'I', value: 1 },
      ],
      '2026-04-14',
    );
    const afternoon = summariseMarks(
      [
        { code: '\\', value: 30 },
        { code: 'O', value: 10 },
      ],
      '2026-04-14',
    );
    const day = combineSummaries([morning, afternoon]);
    assert.equal(day.possible, 50);
    assert.equal(day.present, 39);
    assert.equal(day.attendanceRate, 0.78); // the average of 0.9 and 0.75 would be 0.825
    assert.equal(day.unauthorisedRate, 0.2);
    assert.equal(combineSummaries([]).attendanceRate, null);
  });
});
