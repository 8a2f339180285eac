/**
 * The daily extract run as a scheduled job: build every LA's extract for today's London date,
 * come back for any that another instance holds until it is done or its lease runs out, then prune
 * old extracts. Started by every instance that serves the regulator role.
 */
import type { Database } from '../../platform/db/database.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import type { DailyJob } from '../../platform/jobs/daily-schedule.ts';
import { pruneFragments } from './extract-fragments.ts';
import { pruneExtracts, runExtracts, type RunOptions, type RunSummary } from './extract-runs.ts';
import { extractsOfDate } from './extract-store.ts';
import { liveLocalAuthorities } from '../../platform/reference.ts';

export interface ExtractJobSettings {
  time: string;
  retentionDays: number;
  leaseSeconds?: number;
  /** Pause between passes over extracts held by another instance. */
  retryPauseMs?: number;
  /** Give up coming back after this long; the next day's run, or an operator, finishes the rest. */
  patienceMs?: number;
  maxAttempts?: number;
}

/** Builds every LA's extract for the date, returning once none is left to this instance. */
export async function runUntilComplete(
  db: Database,
  options: RunOptions & Pick<ExtractJobSettings, 'retryPauseMs' | 'patienceMs' | 'maxAttempts'>,
): Promise<RunSummary> {
  const started = Date.now();
  let summary = await runExtracts(db, options);
  for (;;) {
    const current = await extractsOfDate(db, options.extractDate);
    const wanted = new Set(options.laCodes ?? liveLocalAuthorities().map((la) => la.code));
    const unfinished = current.filter(
      (e) =>
        wanted.has(e.laCode) &&
        (e.status === 'building' || (e.status === 'failed' && e.attempts < (options.maxAttempts ?? 3))),
    );
    if (unfinished.length === 0 || Date.now() - started > (options.patienceMs ?? 30 * 60_000)) return summary;
    await new Promise((resolve) => setTimeout(resolve, options.retryPauseMs ?? 15_000));
    summary = await runExtracts(db, { ...options, laCodes: unfinished.map((e) => e.laCode) });
  }
}

export function dailyExtractJob(db: Database, settings: ExtractJobSettings): DailyJob {
  return {
    name: 'childcare-register-extracts',
    time: settings.time,
    run: async (now) => {
      const extractDate = londonDateOf(now);
      await runUntilComplete(db, { extractDate, ...settings });
      await pruneExtracts(db, extractDate, settings.retentionDays);
      await pruneFragments(db);
    },
  };
}
