import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { standingOf } from './registration-standing.ts';

const registers = [
  { register: 'EYR' as const, status: 'REGD' as const, startDate: '2020-01-06' },
  { register: 'VCR' as const, status: 'REGD' as const, startDate: '2020-01-06', endDate: '2027-06-30' },
];
const suspension = {
  grounds: 'Allegation under investigation',
  startDate: '2026-12-01',
  endDate: '2027-01-11',
  investigationCannotFinishSooner: false,
};

describe('what is current about a registration', () => {
  test('an active registration: registers without an end, or ending later, are current', () => {
    const standing = standingOf({
      status: 'ACTV',
      statusChangedOn: '2020-01-06',
      registers,
      suspensions: [],
      today: '2026-12-07',
    });
    assert.equal(standing.endedOn, undefined);
    assert.deepEqual(
      standing.registers.map((r) => [r.register, r.current, r.endedOn]),
      [
        ['EYR', true, undefined],
        ['VCR', true, '2027-06-30'],
      ],
    );
  });

  test('a suspended registration: the period covering today is running', () => {
    const standing = standingOf({
      status: 'SUSP',
      statusChangedOn: '2026-12-01',
      registers,
      suspensions: [suspension],
      today: '2026-12-07',
    });
    assert.deepEqual(
      standing.suspensions.map((s) => [s.current, s.endedOn, s.neverStarted]),
      [[true, undefined, false]],
    );
  });

  test('once resigned, every register and the running suspension ended on the day it was resigned', () => {
    const standing = standingOf({
      status: 'RESG',
      statusChangedOn: '2026-12-07',
      registers,
      suspensions: [suspension, { ...suspension, startDate: '2027-01-12', endDate: '2027-02-01' }],
      today: '2026-12-07',
    });
    assert.equal(standing.endedOn, '2026-12-07');
    assert.deepEqual(
      standing.registers.map((r) => [r.register, r.current, r.endedOn]),
      [
        ['EYR', false, '2026-12-07'],
        ['VCR', false, '2026-12-07'],
      ],
    );
    assert.deepEqual(
      standing.suspensions.map((s) => [s.current, s.endedOn, s.neverStarted]),
      [
        [false, '2026-12-07', false],
        [false, '2026-12-07', true],
      ],
    );
  });

  test('a cancellation ends them too; a register that had already ended keeps its own date', () => {
    const standing = standingOf({
      status: 'CANC',
      statusChangedOn: '2026-12-07',
      registers: [{ ...registers[0]!, endDate: '2025-03-31' }],
      suspensions: [],
      today: '2027-01-04',
    });
    assert.deepEqual(
      standing.registers.map((r) => [r.current, r.endedOn]),
      [[false, '2025-03-31']],
    );
  });

  test('a register whose end date has passed is not current even while the registration is active', () => {
    const standing = standingOf({
      status: 'ACTV',
      statusChangedOn: '2020-01-06',
      registers: [{ ...registers[1]!, endDate: '2026-12-06' }],
      suspensions: [],
      today: '2026-12-07',
    });
    assert.equal(standing.registers[0]!.current, false);
  });
});
