/**
 * A receiver's record error as the school reads it: where (built from its JSONPath `path` and
 * the body that was sent) and what is wrong, e.g. "Year 7, 14 Nov, AM, code K — not a valid code
 * on that date". Pure; the body is the one stored in the outbox.
 */
import type { AttendanceSubmissionBody } from '../../contracts/attendance/submission.ts';
import type { ReceiverRecordError } from './receiver-client.ts';
import { shortDate, yearGroupName } from './reconcile.ts';

const WHAT: Record<string, string> = {
  VAL103: 'not a year group a pupil can be in',
  VAL104: 'not a valid code on that date',
  VAL105: 'not a valid count',
  VAL106: 'not a valid date',
  VAL107: 'a date in the future',
  VAL108: 'older than 8 working days, so no longer accepted',
  VAL109: 'not a school session (AM or PM)',
  VAL110: 'sent twice in one send',
  VAL111: 'a code listed twice',
  VAL112: 'the marks do not add up to the pupils in the year group today (a register not complete?)',
  VAL113: 'not a valid number of pupils on roll',
  VAL114: 'not a valid enrolment',
  VAL115: 'a year group listed twice in the enrolments',
  VAL116: 'the enrolments do not add up to the pupils on roll',
  VAL117: 'not readable as an entry',
};

/** Where in the school's terms: the entry's year group, date and session, and the code. */
export function errorLocation(body: AttendanceSubmissionBody | undefined, path: string): string {
  const entry = /^\$\.submissionData\[(\d+)\](?:\.attendances\[(\d+)\])?/.exec(path);
  if (entry && body) {
    const item = body.submissionData[Number(entry[1])];
    if (item) {
      const parts = [yearGroupName(item.ncYearGroup), shortDate(item.date.slice(0, 10)), item.schoolSession];
      const mark = entry[2] === undefined ? undefined : item.attendances[Number(entry[2])];
      if (mark) parts.push(`code ${mark.attendanceCode}`);
      return parts.join(', ');
    }
  }
  const enrolment = /^\$\.enrolments\[(\d+)\]/.exec(path);
  if (enrolment && body?.enrolments) {
    const item = body.enrolments[Number(enrolment[1])];
    if (item) return `Enrolments, ${yearGroupName(item.ncYearGroup)}`;
  }
  if (path === '$.totalNoOfPupils') return 'Pupils on roll';
  return path ? `At ${path}` : 'Somewhere in the send';
}

/** "Year 7, 14 Nov, AM, code K — not a valid code on that date". */
export function describeRecordError(
  body: AttendanceSubmissionBody | undefined,
  error: ReceiverRecordError,
): string {
  const what = WHAT[error.code] ?? (error.title ? error.title.toLowerCase() : 'refused by the receiver');
  return `${errorLocation(body, error.path)} — ${what}`;
}
