/**
 * The regulator role schedules the daily extract run as a claimed job: an instance that starts
 * after today's run time, with today's run not done, builds the day's extracts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as pause } from 'node:timers/promises';
import { startTestServer } from './support/test-server.ts';
import { listJobRuns, type JobRun } from '../src/platform/jobs/claimed-job.ts';
import { EXTRACT_JOB } from '../src/regulator/extract/extract-schedule.ts';
import { extractsOfDate } from '../src/regulator/extract/extract-store.ts';
import { liveLocalAuthorities } from '../src/platform/reference.ts';

test('a regulator instance started after 05:30 catches up today’s extract run, once', async () => {
  const server = await startTestServer({
    now: () => new Date('2026-11-02T09:00:00Z'),
    config: { extractSchedule: true },
  });
  try {
    // The run goes on in the background once the server is ready; wait for its outcome.
    let run: JobRun | undefined;
    for (let i = 0; i < 1200 && (!run || run.status === 'running'); i++) {
      [run] = await listJobRuns(server.handle.db, { name: EXTRACT_JOB });
      if (!run || run.status === 'running') await pause(50);
    }
    assert.deepEqual(
      [run?.date, run?.time, run?.status, run?.attempt],
      ['2026-11-02', '05:30', 'succeeded', 1],
    );
    const extracts = await extractsOfDate(server.handle.db, '2026-11-02');
    assert.equal(extracts.filter((e) => e.status === 'ready').length, liveLocalAuthorities().length);
  } finally {
    await server.close();
  }
});
