/**
 * Reconciliation: what the receiver holds for a school against what the MIS holds now, per date
 * of the send window.
 *
 * Neither the DfE's 2020 API nor edgate's DfE role lets a supplier read a school's stored figures
 * back (`GET /submissions/{ref}` gives an outcome, not figures; the statistics need
 * `attendance.read`), so "what the receiver holds" is what it last accepted from us: per date, the
 * entries of the newest accepted send covering it, less the entries its record errors named (the
 * receiver stores an entry only when it has no error). A resend replaces whole entries, so that is
 * exactly the receiver's picture unless someone else sent for the school.
 */
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { AttendanceSubmissionBody } from '../../contracts/attendance/submission.ts';
import type { SchoolAttendanceSource } from './sync.ts';
import type { ReceiverRecordError } from './receiver-client.ts';
import './tables.ts';

/** One (date, session, year group, code) whose count differs. */
export interface Difference {
  date: string;
  session: string;
  ncYearGroup: string;
  code: string;
  /** What the receiver holds (undefined: it holds no such entry). */
  held: number | undefined;
  /** What the MIS holds now (undefined: the MIS would not send this entry now). */
  now: number | undefined;
}

export interface DateReconciliation {
  date: string;
  /** When the receiver last accepted this date from us; undefined when never. */
  acceptedAt: Date | undefined;
  differences: Difference[];
}

export interface SchoolReconciliation {
  urn: number;
  dates: DateReconciliation[];
  /** True when every date of the window matches. */
  matches: boolean;
}

type Figures = Map<string, Map<string, number>>;

const entryKey = (date: string, session: string, yearGroup: string) => `${date}|${session}|${yearGroup}`;

/** The entries of a body, by (date, session, year group), less those at `skip` (their index). */
export function figuresOf(body: AttendanceSubmissionBody, skip: ReadonlySet<number> = new Set()): Figures {
  const figures: Figures = new Map();
  body.submissionData.forEach((entry, index) => {
    if (skip.has(index)) return;
    figures.set(
      entryKey(entry.date.slice(0, 10), entry.schoolSession, entry.ncYearGroup),
      new Map(entry.attendances.map((a) => [a.attendanceCode, a.value])),
    );
  });
  return figures;
}

/** The entries the receiver did not store: those its record errors point into. */
export function entriesWithErrors(errors: readonly ReceiverRecordError[]): Set<number> {
  const indexes = new Set<number>();
  for (const error of errors) {
    const match = /^\$\.submissionData\[(\d+)\]/.exec(error.path);
    if (match) indexes.add(Number(match[1]));
  }
  return indexes;
}

/** Pure: the differences of one date between what is held and what would be sent now. */
export function compareDate(date: string, held: Figures, now: Figures): Difference[] {
  const differences: Difference[] = [];
  const keys = new Set([...held.keys(), ...now.keys()].filter((k) => k.startsWith(`${date}|`)));
  for (const key of [...keys].sort()) {
    const [, session, ncYearGroup] = key.split('|') as [string, string, string];
    const a = held.get(key);
    const b = now.get(key);
    const codes = new Set([...(a?.keys() ?? []), ...(b?.keys() ?? [])]);
    for (const code of [...codes].sort()) {
      const heldValue = a === undefined ? undefined : (a.get(code) ?? 0);
      const nowValue = b === undefined ? undefined : (b.get(code) ?? 0);
      if (heldValue !== nowValue)
        differences.push({ date, session, ncYearGroup, code, held: heldValue, now: nowValue });
    }
  }
  return differences;
}

/** Per date of the school's current window: the last accepted figures against the MIS's now. */
export async function reconcileSchool(
  db: Database,
  source: SchoolAttendanceSource,
  urn: number,
  now: Date,
): Promise<SchoolReconciliation> {
  const prepared = await source.prepare(urn, now);
  const dates = prepared?.dates ?? [];
  const current = prepared ? figuresOf(prepared.body) : new Map();
  const accepted = await db
    .selectFrom('school.submission')
    .select(['body', 'dates', 'receiver_errors', 'finished_at'])
    .where('urn', '=', urn)
    .where('state', 'in', ['accepted', 'accepted-with-errors'])
    .where(sql<boolean>`dates && ${dates}::text[]`)
    .orderBy('finished_at', 'desc')
    .orderBy('seq', 'desc')
    .execute();
  const held: Figures = new Map();
  const acceptedAt = new Map<string, Date>();
  for (const date of dates) {
    // The newest accepted send that covered the date decides what is held for it.
    const newest = accepted.find((send) => send.dates.includes(date));
    if (!newest) continue;
    acceptedAt.set(date, new Date(newest.finished_at!));
    const errors = (newest.receiver_errors as { errors?: ReceiverRecordError[] } | null)?.errors ?? [];
    const body = JSON.parse(gunzipSync(newest.body).toString('utf8')) as AttendanceSubmissionBody;
    for (const [key, value] of figuresOf(body, entriesWithErrors(errors)))
      if (key.startsWith(`${date}|`)) held.set(key, value);
  }
  const result = dates.map((date) => ({
    date,
    acceptedAt: acceptedAt.get(date),
    differences: compareDate(date, held, current),
  }));
  return { urn, dates: result, matches: result.every((d) => d.differences.length === 0) };
}

/** A difference in words: "Year 7, 14 Nov, AM, code O: the DfE has 3, the school now 4". */
export function describeDifference(d: Difference, receiverName = 'the DfE'): string {
  const where = `${yearGroupName(d.ncYearGroup)}, ${shortDate(d.date)}, ${d.session}, code ${d.code}`;
  if (d.held === undefined) return `${where}: ${receiverName} has nothing, the school now ${d.now}`;
  if (d.now === undefined) return `${where}: ${receiverName} has ${d.held}, the school would not send it now`;
  return `${where}: ${receiverName} has ${d.held}, the school now ${d.now}`;
}

export function yearGroupName(code: string): string {
  if (/^\d+$/.test(code)) return `Year ${code}`;
  return (
    {
      R: 'Reception',
      N1: 'Nursery 1',
      N2: 'Nursery 2',
      E1: 'Early years 1',
      E2: 'Early years 2',
      X: 'No year group',
    }[code] ?? `Year group ${code}`
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function shortDate(date: string): string {
  const [, month, day] = date.split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1] ?? '?'}`;
}
