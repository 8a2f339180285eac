import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { belongsInExtract, earliestRetainedChange, type ExtractCandidate } from './extract-selection.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import { INACTIVE_STATUSES, REGISTRATION_STATUSES } from '../../contracts/childcare-extract/registration.ts';

const record = (overrides: Partial<ExtractCandidate>): ExtractCandidate => ({
  laCode: '825',
  status: 'ACTV',
  statusChangedOn: '2020-01-01',
  ...overrides,
});

describe('the 60-day rule for inactive registrations', () => {
  test('day 60 after the change is in, day 61 is out, for every inactive status', () => {
    for (const status of INACTIVE_STATUSES) {
      const resigned = record({ status, statusChangedOn: '2026-01-10' });
      assert.equal(belongsInExtract(resigned, '825', '2026-01-10'), true, `${status} day 0`);
      assert.equal(belongsInExtract(resigned, '825', '2026-03-11'), true, `${status} day 60`);
      assert.equal(belongsInExtract(resigned, '825', '2026-03-12'), false, `${status} day 61`);
    }
  });

  test('active, suspended and proposed registrations stay whatever their dates', () => {
    for (const status of REGISTRATION_STATUSES.filter((s) => !INACTIVE_STATUSES.includes(s))) {
      assert.equal(
        belongsInExtract(record({ status, statusChangedOn: '1999-01-01' }), '825', '2026-11-22'),
        true,
      );
    }
  });

  test('across the change to BST (29 March 2026): a record resigned on 28 January leaves on 30 March', () => {
    const resigned = record({ status: 'RESG', statusChangedOn: '2026-01-28' });
    // The 05:30 runs on either side of the clocks going forward, as instants.
    const day60 = londonDateOf(new Date('2026-03-29T04:30:00Z')); // 05:30 BST
    const day61 = londonDateOf(new Date('2026-03-30T04:30:00Z'));
    assert.deepEqual([day60, day61], ['2026-03-29', '2026-03-30']);
    assert.equal(belongsInExtract(resigned, '825', day60), true);
    assert.equal(belongsInExtract(resigned, '825', day61), false);
  });

  test('across the change to GMT (25 October 2026): a record cancelled on 26 August leaves on 26 October', () => {
    const cancelled = record({ status: 'CANC', statusChangedOn: '2026-08-26' });
    const day60 = londonDateOf(new Date('2026-10-25T05:30:00Z')); // 05:30 GMT, hours after the change
    const day61 = londonDateOf(new Date('2026-10-26T05:30:00Z'));
    assert.deepEqual([day60, day61], ['2026-10-25', '2026-10-26']);
    assert.equal(belongsInExtract(cancelled, '825', day60), true);
    assert.equal(belongsInExtract(cancelled, '825', day61), false);
    // Just after midnight in London in summer is still the previous day in UTC: the London date counts.
    assert.equal(londonDateOf(new Date('2026-08-25T23:30:00Z')), '2026-08-26');
  });

  test('a registration from another LA is never in the extract', () => {
    assert.equal(belongsInExtract(record({ laCode: '826' }), '825', '2026-11-22'), false);
    assert.equal(
      belongsInExtract(
        record({ laCode: '826', status: 'RESG', statusChangedOn: '2026-11-22' }),
        '825',
        '2026-11-22',
      ),
      false,
    );
  });

  test('a change dated after the extract date keeps the record in (rebuilding an old date)', () => {
    assert.equal(
      belongsInExtract(record({ status: 'CANC', statusChangedOn: '2026-12-01' }), '825', '2026-11-22'),
      true,
    );
  });

  test('the query form agrees with the rule on the boundary', () => {
    assert.equal(earliestRetainedChange('2026-03-11'), '2026-01-10');
    assert.equal(earliestRetainedChange('2024-04-29'), '2024-02-29');
  });
});
