/**
 * The school's side of feed 2: its pupils' marks, enrolments and calendar → the body of
 * `POST /attendances` (`contracts/attendance/submission.ts`), counts only.
 *
 * Per school day of the send, per session the school held and per NC year group: how many pupils
 * got each attendance code. Plus, as of the day of sending, the pupils on roll (`totalNoOfPupils`)
 * and the pupils enrolled per year group (`enrolments`, edgate's optional field: the 2020 body had
 * no place for it, the seed lists it, and the receiver checks it). Nothing about any one pupil is
 * in the result: the body is built from counters, never from a pupil's record.
 *
 * What counts:
 * - a pupil counts on a date only while on roll then (admission and leaving days included), in
 *   the year group they were in on that date;
 * - only the sessions the school held (`school-calendar.ts`) up to the day of sending; a mark for
 *   any other session is ignored;
 * - a code counts only if it is valid on the session's date (`K` from 19 August 2024, `H` to
 *   18 August 2024); a mark with any other code is ignored, and the pupil is unmarked.
 *
 * Pupils with no mark (the register not yet taken, or a pupil missed) are not counted under any
 * code: no code means "not yet marked", and inventing one (`N`) would tell the DfE an absence that
 * did not happen. They are reported back to the school in `unmarked`, per entry. Because the
 * receiver checks that each of today's entries adds up to its year group's enrolment (VAL112),
 * an entry of today with unmarked pupils is held back, not sent: the next send (the afternoon's,
 * or tomorrow's, which still covers today) carries it once the register is complete. An entry
 * with no marks at all is never sent: nobody took that register.
 */
import type {
  AttendanceSubmissionBody,
  AttendanceSubmissionEntryBody,
  SchoolSession,
} from '../contracts/attendance/submission.ts';
import { attendanceCodesValidOn } from '../contracts/attendance/attendance-codes.ts';
import { isPupilYearGroup, pupilYearGroups } from '../contracts/attendance/nc-year-groups.ts';
import { pupilYearGroupOn, enrolmentsByPupil, type Enrolment, type Mark } from './pupils.ts';
import type { CompiledCalendar } from './school-calendar.ts';

export interface AggregationInput {
  urn: number;
  calendar: CompiledCalendar;
  enrolments: readonly Enrolment[];
  /** The marks of the send's dates; marks of other dates are skipped. */
  marks: Iterable<Mark>;
  /** The dates the send covers (`send-window.ts`); those that are not school days are left out. */
  dates: readonly string[];
  /** The day of sending: pupils on roll and enrolments are as of this day. */
  today: string;
}

/** One (date, session, year group) with pupils on roll but without a mark: counted nowhere. */
export interface UnmarkedEntry {
  date: string;
  session: SchoolSession;
  ncYearGroup: string;
  /** Pupils on roll in the year group then. */
  onRoll: number;
  /** How many of them have no mark with a code valid on the date. */
  unmarked: number;
  /** False when the entry was left out of the body (no mark at all, or today's and incomplete). */
  sent: boolean;
}

export type IgnoredMarkReason =
  'not-on-roll' | 'not-a-school-session' | 'code-not-valid-on-date' | 'duplicate';

export interface IgnoredMarks {
  date: string;
  session: SchoolSession;
  reason: IgnoredMarkReason;
  marks: number;
}

export interface Aggregation {
  body: AttendanceSubmissionBody;
  /** Entries with pupils not counted, oldest first: for the school to complete its registers. */
  unmarked: UnmarkedEntry[];
  /** Marks counted nowhere, and why. */
  ignored: IgnoredMarks[];
}

/** Year groups in the reference list's order (youngest first), for a stable body. */
let yearGroupOrder: Map<string, number> | undefined;
function yearGroupRank(code: string): number {
  yearGroupOrder ??= new Map(pupilYearGroups().map((group, i) => [group.code, i]));
  return yearGroupOrder.get(code) ?? Number.MAX_SAFE_INTEGER;
}

interface DayTally {
  date: string;
  sessions: readonly SchoolSession[];
  /** The codes valid on the date, in the list's order, and each one's position. */
  codes: string[];
  codeIndex: Map<string, number>;
  /** Each pupil on roll that day → their year group. */
  roll: Map<string, string>;
  /** Pupils on roll per year group. */
  onRoll: Map<string, number>;
  /** Per session, per year group: counts indexed like `codes`. */
  counts: Record<SchoolSession, Map<string, number[]>>;
  /** Per session, the pupils already counted: a second mark for one session is not counted again. */
  counted: Record<SchoolSession, Set<string>>;
}

function rollOn(byPupil: Map<string, Enrolment[]>, date: string): Map<string, string> {
  const roll = new Map<string, string>();
  for (const [pupilId, enrolments] of byPupil) {
    const group = pupilYearGroupOn(enrolments, date);
    if (group === undefined) continue;
    if (!isPupilYearGroup(group))
      throw new RangeError(
        `Pupil ${pupilId} is in year group ${JSON.stringify(group)} on ${date}, not a pupil's NC year group`,
      );
    roll.set(pupilId, group);
  }
  return roll;
}

function countByYearGroup(roll: Map<string, string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const group of roll.values()) counts.set(group, (counts.get(group) ?? 0) + 1);
  return counts;
}

function sortedYearGroups(groups: Iterable<string>): string[] {
  return [...groups].sort((a, b) => yearGroupRank(a) - yearGroupRank(b));
}

/** Aggregates a send: see the module comment for what counts. Pure: same input, same body. */
export function aggregateAttendance(input: AggregationInput): Aggregation {
  const byPupil = enrolmentsByPupil(input.enrolments);
  const days = new Map<string, DayTally>();
  const requested = new Set(input.dates);
  for (const date of [...requested].sort()) {
    // Sessions after the day of sending have not happened: the receiver would refuse them.
    if (date > input.today) continue;
    const sessions = input.calendar.sessionsOn(date);
    if (sessions.length === 0) continue;
    const codes = attendanceCodesValidOn(date).map((code) => code.code);
    const roll = rollOn(byPupil, date);
    days.set(date, {
      date,
      sessions,
      codes,
      codeIndex: new Map(codes.map((code, i) => [code, i])),
      roll,
      onRoll: countByYearGroup(roll),
      counts: { AM: new Map(), PM: new Map() },
      counted: { AM: new Set(), PM: new Set() },
    });
  }

  const ignored = new Map<string, IgnoredMarks>();
  const ignore = (mark: Mark, reason: IgnoredMarkReason): void => {
    const key = `${mark.date} ${mark.session} ${reason}`;
    const found = ignored.get(key);
    if (found) found.marks++;
    else ignored.set(key, { date: mark.date, session: mark.session, reason, marks: 1 });
  };

  for (const mark of input.marks) {
    const day = days.get(mark.date);
    if (!day) {
      // A date of the send the school was shut: a mark there is a mistake worth showing.
      if (requested.has(mark.date)) ignore(mark, 'not-a-school-session');
      continue;
    }
    if (!day.sessions.includes(mark.session)) {
      ignore(mark, 'not-a-school-session');
      continue;
    }
    const group = day.roll.get(mark.pupilId);
    if (group === undefined) {
      ignore(mark, 'not-on-roll');
      continue;
    }
    const code = day.codeIndex.get(mark.code);
    if (code === undefined) {
      ignore(mark, 'code-not-valid-on-date');
      continue;
    }
    const counted = day.counted[mark.session];
    if (counted.has(mark.pupilId)) {
      ignore(mark, 'duplicate');
      continue;
    }
    counted.add(mark.pupilId);
    const bySession = day.counts[mark.session];
    let counts = bySession.get(group);
    if (!counts) {
      counts = new Array<number>(day.codes.length).fill(0);
      bySession.set(group, counts);
    }
    counts[code]!++;
  }

  const submissionData: AttendanceSubmissionEntryBody[] = [];
  const unmarked: UnmarkedEntry[] = [];
  for (const day of days.values()) {
    for (const session of day.sessions) {
      const bySession = day.counts[session];
      for (const ncYearGroup of sortedYearGroups(new Set([...day.onRoll.keys(), ...bySession.keys()]))) {
        const counts = bySession.get(ncYearGroup);
        const onRoll = day.onRoll.get(ncYearGroup) ?? 0;
        const marked = counts ? counts.reduce((sum, n) => sum + n, 0) : 0;
        const missing = onRoll - marked;
        const sent = marked > 0 && (missing === 0 || day.date !== input.today);
        if (missing > 0)
          unmarked.push({ date: day.date, session, ncYearGroup, onRoll, unmarked: missing, sent });
        if (!sent || !counts) continue;
        const attendances: { attendanceCode: string; value: number }[] = [];
        counts.forEach((value, i) => {
          if (value > 0) attendances.push({ attendanceCode: day.codes[i]!, value });
        });
        submissionData.push({ ncYearGroup, date: day.date, schoolSession: session, attendances });
      }
    }
  }

  const enrolledToday = countByYearGroup(days.get(input.today)?.roll ?? rollOn(byPupil, input.today));
  const enrolments = sortedYearGroups(enrolledToday.keys()).map((ncYearGroup) => ({
    ncYearGroup,
    value: enrolledToday.get(ncYearGroup) ?? 0,
  }));
  return {
    body: {
      urn: input.urn,
      totalNoOfPupils: enrolments.reduce((sum, group) => sum + group.value, 0),
      enrolments,
      submissionData,
    },
    unmarked,
    // The map's keys are "date session reason": in that order they sort as wanted.
    ignored: [...ignored.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, marks]) => marks),
  };
}
