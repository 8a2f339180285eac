/**
 * Which school days a send covers, and whether a change to a mark will still reach the DfE.
 *
 * The seed says two things: each send covers "today plus the previous 7 days", and "the API will
 * automatically collect any changes for up to 8 working days; changes made to attendance marks made
 * more than 8 days ago will not be sent". edgate reads them together as:
 *
 * - A send covers today (when the school is open) and the previous 7 **school** days: the
 *   school's own sessions, so a week of half-term or an INSET day does not use up the week.
 * - The receiver accepts a date only from the 8th **working** day before the day of receipt
 *   (`contracts/attendance/submission-window.ts`). So a send also leaves out any of those school
 *   days older than that, which happens only after a break (on the Monday after half-term the 7
 *   previous school days reach back past the holiday): the receiver would refuse them.
 * - "More than 8 days ago" is about the date of the **session** the mark is for, not when the
 *   change is made: a change is sent when its session's date is in the window of the next send.
 *   A correction today to a mark of 10 working days ago is kept in the school's records and in its
 *   own insight, but the DfE will not hear of it.
 *
 * Sends are made twice a day; each resends every covered day whole, so a change needs no tracking
 * of its own: the next send carries it while its date is in the window.
 */
import { londonDateOf } from '../platform/calendar.ts';
import { addWorkingDays } from '../platform/working-days.ts';
import { todayAndPreviousSchoolDays, type CompiledCalendar } from './school-calendar.ts';

/** School days before today that each send covers. */
export const PREVIOUS_SCHOOL_DAYS_SENT = 7;
/** Working days before the day of receipt that the receiver still accepts (the DfE's 8). */
export const CHANGE_WINDOW_WORKING_DAYS = 8;

export interface SendWindow {
  /** The day of sending, Europe/London. */
  today: string;
  /** The earliest date the receiver accepts: 8 working days before today. */
  earliestAccepted: string;
  /** The school days the send covers, oldest first (today last when it is a school day). */
  dates: string[];
}

/** The window of a send made on London date `today`. */
export function sendWindowOn(calendar: CompiledCalendar, today: string): SendWindow {
  const earliestAccepted = addWorkingDays(today, -CHANGE_WINDOW_WORKING_DAYS);
  const dates = todayAndPreviousSchoolDays(calendar, today, PREVIOUS_SCHOOL_DAYS_SENT).filter(
    (date) => date >= earliestAccepted,
  );
  return { today, earliestAccepted, dates };
}

/** The window of a send made at `now` (its Europe/London date is "today"). */
export function sendWindow(calendar: CompiledCalendar, now: Date): SendWindow {
  return sendWindowOn(calendar, londonDateOf(now));
}

export type ChangeFate = { sent: true } | { sent: false; reason: 'too-old' | 'not-a-school-day' | 'future' };

/**
 * Whether a change made on `today` to a mark of the session on `markDate` will be sent: yes when
 * the next send (today's) covers that date. Said to the person making the change.
 */
export function changeFate(calendar: CompiledCalendar, markDate: string, today: string): ChangeFate {
  if (markDate > today) return { sent: false, reason: 'future' };
  const window = sendWindowOn(calendar, today);
  if (window.dates.includes(markDate)) return { sent: true };
  if (markDate < (window.dates[0] ?? today)) return { sent: false, reason: 'too-old' };
  return { sent: false, reason: 'not-a-school-day' };
}
