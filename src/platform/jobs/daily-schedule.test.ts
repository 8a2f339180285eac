import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { scheduleDaily } from './daily-schedule.ts';

const log = pino({ level: 'silent' });
const londonTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
});

test('the next run is at the London wall-clock time asked for', () => {
  const job = scheduleDaily({ name: 'test', time: '05:30', run: async () => undefined }, log);
  try {
    const next = job.nextRun();
    assert.ok(next && next.getTime() > Date.now());
    assert.equal(londonTime.format(next), '05:30');
  } finally {
    job.stop();
  }
});

test('a run triggered while one is going is skipped, not stacked', async () => {
  let runs = 0;
  let release: () => void = () => undefined;
  const job = scheduleDaily(
    {
      name: 'test',
      time: '23:59',
      run: () => {
        runs++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    },
    log,
  );
  try {
    const first = job.trigger();
    await job.trigger();
    release();
    await first;
    assert.equal(runs, 1);
  } finally {
    job.stop();
  }
});

test('a time that is not HH:MM is refused', () => {
  assert.throws(() => scheduleDaily({ name: 'x', time: '5:30am', run: async () => undefined }, log), /HH:MM/);
});
