import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineSummaries } from '../../contracts/attendance/aggregation.ts';
import { headlineCoverage } from './headline.ts';

const day = (date: string, schools: number) => ({
  date,
  schools,
  ...combineSummaries([
    { possible: 100, present: 94, aea: 0, authorised: 4, unauthorised: 2, notCounted: 0 },
  ]),
});

test('before most schools have sent, the headline says today covers only the schools that have', () => {
  const coverage = headlineCoverage(day('2026-12-07', 12), day('2026-12-04', 737), '2026-12-07');
  assert.equal(coverage.partial, true);
  assert.match(
    coverage.text,
    /^Today \(7 December 2026\) 12 schools have sent figures so far, and these headline figures cover only those\./,
  );
  assert.match(coverage.text, /737 schools sent for 4 December 2026\.$/);
});

test('a complete day, or an earlier one, is said as it is', () => {
  for (const [latest, previous, today] of [
    [day('2026-12-07', 737), day('2026-12-04', 737), '2026-12-07'],
    [day('2026-12-04', 737), day('2026-12-03', 740), '2026-12-07'],
  ] as const) {
    const coverage = headlineCoverage(latest, previous, today);
    assert.equal(coverage.partial, false);
    assert.match(coverage.text, /: figures from 737 schools, as received so far\./);
  }
});

test('in the school holidays, the headline says so and names the last term day, not today', () => {
  // Wednesday 30 December 2026: most schools broke up on Friday the 18th.
  const coverage = headlineCoverage(day('2026-12-18', 737), day('2026-12-17', 737), '2026-12-30');
  assert.equal(coverage.partial, false);
  assert.equal(
    coverage.text,
    'Most schools are on holiday today (30 December 2026). The latest figures are for 18 December 2026, the last term day, from 737 schools.',
  );
  // A weekend in term is no holiday: the latest day is said as it is.
  const saturday = headlineCoverage(day('2026-12-04', 737), day('2026-12-03', 737), '2026-12-05');
  assert.match(saturday.text, /^4 December 2026: figures from 737 schools/);
});
