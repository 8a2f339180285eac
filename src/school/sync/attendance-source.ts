/**
 * A school's send from its records: the send window of its calendar (send-window.ts), then the
 * aggregation (aggregation.ts). The records come from wherever the caller keeps them (the school
 * tables, or a synthetic school in tests and the bench).
 */
import { aggregateAttendance } from '../aggregation.ts';
import { compileCalendar, type CompiledCalendar, type SchoolCalendar } from '../school-calendar.ts';
import { sendWindow } from '../send-window.ts';
import type { Enrolment, Mark } from '../pupils.ts';
import type { PreparedSend, SchoolAttendanceSource } from './sync.ts';
import type { Database } from '../../platform/db/database.ts';
import { attendanceInputFor, calendarOf } from '../school-data.ts';

export interface SchoolRecords {
  calendar: SchoolCalendar | CompiledCalendar;
  enrolments: readonly Enrolment[];
  marks: Iterable<Mark>;
}

const compiled = (calendar: SchoolCalendar | CompiledCalendar): CompiledCalendar =>
  'sessionsOn' in calendar ? calendar : compileCalendar(calendar);

/** The send a school makes at `now`, from its records; undefined when the window is empty. */
export function prepareSend(urn: number, records: SchoolRecords, now: Date): PreparedSend | undefined {
  const calendar = compiled(records.calendar);
  const window = sendWindow(calendar, now);
  if (window.dates.length === 0) return undefined;
  const { body } = aggregateAttendance({
    urn,
    calendar,
    enrolments: records.enrolments,
    marks: records.marks,
    dates: window.dates,
    today: window.today,
  });
  const dates = [...new Set(body.submissionData.map((entry) => entry.date))].sort();
  return { dates, body };
}

/** A source over records the caller looks up (in memory, or read from the school tables). */
export function recordsSource(
  lookup: (urn: number) => SchoolRecords | undefined | Promise<SchoolRecords | undefined>,
): SchoolAttendanceSource {
  return {
    async prepare(urn, now) {
      const records = await lookup(urn);
      return records && prepareSend(urn, records, now);
    },
  };
}

/** The school's send from the school tables (school-data.ts). */
export function databaseSource(db: Database): SchoolAttendanceSource {
  return {
    async prepare(urn, now) {
      const calendar = await calendarOf(db, urn);
      const window = sendWindow(compileCalendar(calendar), now);
      if (window.dates.length === 0) return undefined;
      const input = await attendanceInputFor(db, urn, { dates: window.dates, today: window.today, calendar });
      const { body } = aggregateAttendance(input);
      return { dates: [...new Set(body.submissionData.map((entry) => entry.date))].sort(), body };
    },
  };
}
