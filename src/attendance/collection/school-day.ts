/**
 * A submission's entries as the current picture stores them: one school-day per date, holding one
 * value per (school session, year group) with the marks, their totals by category, and which
 * receipt they came from. The database merges a school-day into the stored one key by key, the
 * newest receipt winning (`dfe.merge_school_day_sessions` in `migrations.ts`); the category
 * arithmetic is done here, once, at receipt (`totalMarks`), so statistics only add integers.
 */
import { totalMarks } from './aggregation.ts';
import type { AttendanceEntry, SchoolSession } from './submission.ts';

/** Totals in `SESSION_TOTALS` order: possible, present, aea, authorised, unauthorised, not counted. */
export type SessionTotals = [number, number, number, number, number, number];

/** One (school session, year group) of a school-day, as stored. */
export interface StoredSession {
  /** When the submission it came from was received (ISO 8601, UTC, milliseconds). */
  r: string;
  /** That submission's reference. */
  s: string;
  /** Marks per attendance code. */
  m: Record<string, number>;
  t: SessionTotals;
}

/** `"AM 7"`: the key of a session value within a school-day. */
export function sessionKey(session: SchoolSession, ncYearGroup: string): string {
  return `${session} ${ncYearGroup}`;
}

export function parseSessionKey(key: string): { session: SchoolSession; ncYearGroup: string } | undefined {
  const match = /^(AM|PM) (\S+)$/.exec(key);
  if (!match?.[1] || !match[2]) return undefined;
  return { session: match[1] as SchoolSession, ncYearGroup: match[2] };
}

export type SchoolDaySessions = Record<string, StoredSession>;

/**
 * Groups validated entries by date. Entries are distinct per (date, session, year group) — the
 * validation refuses duplicates — so no key is written twice.
 */
export function schoolDaysOf(
  entries: readonly AttendanceEntry[],
  submissionRef: string,
  receivedAt: Date,
): Map<string, SchoolDaySessions> {
  const r = receivedAt.toISOString();
  const days = new Map<string, SchoolDaySessions>();
  for (const entry of entries) {
    let day = days.get(entry.date);
    if (!day) {
      day = {};
      days.set(entry.date, day);
    }
    const marks: Record<string, number> = {};
    for (const mark of entry.attendances) marks[mark.code] = mark.value;
    const summary = totalMarks(entry.attendances, entry.date);
    day[sessionKey(entry.session, entry.ncYearGroup)] = {
      r,
      s: submissionRef,
      m: marks,
      t: [
        summary.possible,
        summary.present,
        summary.aea,
        summary.authorised,
        summary.unauthorised,
        summary.notCounted,
      ],
    };
  }
  return days;
}

/** The day's totals over all its (session, year group) values. */
export function schoolDayTotals(sessions: SchoolDaySessions): SessionTotals {
  let [possible, present, aea, authorised, unauthorised, notCounted] = [0, 0, 0, 0, 0, 0];
  for (const { t } of Object.values(sessions)) {
    possible += t[0];
    present += t[1];
    aea += t[2];
    authorised += t[3];
    unauthorised += t[4];
    notCounted += t[5];
  }
  return [possible, present, aea, authorised, unauthorised, notCounted];
}
