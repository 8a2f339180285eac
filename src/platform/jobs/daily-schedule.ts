/**
 * Daily jobs at a London wall-clock time (croner, Europe/London), so "05:30" stays 05:30
 * across the clock changes. Every instance schedules every job; the job itself must make a
 * run happen once (claims in PostgreSQL), so losing or adding an instance loses nothing.
 */
import { Cron } from 'croner';
import type { FastifyBaseLogger } from 'fastify';

export interface DailyJob {
  name: string;
  /** 'HH:MM', London time. */
  time: string;
  run(now: Date): Promise<void>;
}

export interface ScheduledJob {
  nextRun(): Date | null;
  /** Runs now, outside the schedule (a catch-up after a late start); overlapping runs are skipped. */
  trigger(): Promise<void>;
  stop(): void;
}

export const DAILY_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function scheduleDaily(job: DailyJob, log: FastifyBaseLogger): ScheduledJob {
  const match = DAILY_TIME.exec(job.time);
  if (!match) throw new Error(`${job.name}: time must be HH:MM, not ${job.time}`);
  let running: Promise<void> | undefined;
  const runOnce = async () => {
    if (running) {
      log.warn({ job: job.name }, 'previous run still going; this one is skipped');
      return;
    }
    const started = Date.now();
    running = job
      .run(new Date())
      .then(() => log.info({ job: job.name, ms: Date.now() - started }, 'scheduled job finished'))
      .catch((error: unknown) => log.error({ job: job.name, err: error }, 'scheduled job failed'))
      .finally(() => {
        running = undefined;
      });
    await running;
  };
  const cron = new Cron(`${Number(match[2])} ${Number(match[1])} * * *`, { timezone: 'Europe/London' }, () =>
    runOnce(),
  );
  return { nextRun: () => cron.nextRun(), trigger: runOnce, stop: () => cron.stop() };
}
