/**
 * The daily extract run as a claimed job (platform/jobs/claimed-job.ts): one instance runs each
 * day's occurrence and builds every LA's extract for its London date, coming back for any whose
 * (date, LA) claim another builder holds until it is done or its lease runs out, then prunes old
 * extracts. Scheduled by every instance that serves the regulator role.
 */
import type { Database } from '../../platform/db/database.ts';
import type { ClaimedJob } from '../../platform/jobs/claimed-job.ts';
import { pruneFragments } from './extract-fragments.ts';
import { pruneExtracts, runExtracts, type RunOptions, type RunSummary } from './extract-runs.ts';
import { extractsOfDate } from './extract-store.ts';
import { liveLocalAuthorities } from '../../platform/reference.ts';

export interface ExtractJobSettings {
  time: string;
  /** Default: every live LA. */
  laCodes?: string[];
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

export const EXTRACT_JOB = 'childcare-register-extracts';

export function dailyExtractJob(db: Database, settings: ExtractJobSettings): ClaimedJob {
  return {
    name: EXTRACT_JOB,
    times: [settings.time],
    // Only today's is caught up on start: an instance starting before 05:30 builds nothing.
    catchUp: 'same-day',
    run: async ({ occurrence, instanceId }) => {
      const extractDate = occurrence.date;
      await runUntilComplete(db, { extractDate, ...settings, instanceId });
      await pruneExtracts(db, extractDate, settings.retentionDays);
      await pruneFragments(db);
      // An incomplete day is a failed occurrence: the next instance to start builds what is missing.
      const missing = await extractsNotReady(db, extractDate, settings.laCodes);
      if (missing.length > 0) {
        const listed = missing.slice(0, 10).join('; ');
        throw new Error(
          `${missing.length} LA extract(s) for ${extractDate} are not ready: ${listed}${missing.length > 10 ? '; …' : ''}`,
        );
      }
    },
  };
}

/** The LAs without a ready extract for the date, each with why. */
async function extractsNotReady(db: Database, extractDate: string, laCodes?: string[]): Promise<string[]> {
  const byLa = new Map((await extractsOfDate(db, extractDate)).map((e) => [e.laCode, e]));
  const wanted = laCodes ?? liveLocalAuthorities().map((la) => la.code);
  return wanted.flatMap((laCode) => {
    const extract = byLa.get(laCode);
    if (!extract) return [`${laCode} not started`];
    if (extract.status === 'failed') return [`${laCode} failed: ${extract.error ?? 'no reason recorded'}`];
    if (extract.status === 'building') return [`${laCode} still being built by ${extract.claimedBy}`];
    return [];
  });
}
