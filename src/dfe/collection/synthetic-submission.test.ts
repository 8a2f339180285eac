import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECONDARY_YEAR_GROUPS, syntheticSubmission } from './synthetic-submission.ts';
import { validateSubmission } from '../../contracts/attendance/submission.ts';

test('a synthetic secondary school-day is valid, adds up, and is the same for the same seed', () => {
  const options = {
    urn: 123456,
    dates: ['2026-11-19', '2026-11-20'],
    yearGroups: SECONDARY_YEAR_GROUPS,
    pupilsPerYearGroup: 150,
    seed: 7,
  };
  const body = syntheticSubmission(options);
  assert.deepEqual(syntheticSubmission(options), body);
  assert.equal(body.submissionData.length, 2 * 2 * 8);
  for (const entry of body.submissionData) {
    assert.equal(entry.attendances.length, 16);
    assert.equal(
      entry.attendances.reduce((sum, mark) => sum + mark.value, 0),
      150,
    );
  }
  const validation = validateSubmission(body, {
    receivedAt: new Date('2026-11-20T09:00:00Z'),
    urnExists: () => true,
  });
  assert.equal(validation.kind, 'accepted');
  assert.deepEqual(validation.kind === 'accepted' && validation.errors, []);
});
