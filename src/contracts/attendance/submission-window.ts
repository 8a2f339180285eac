/**
 * Which session dates a submission may carry: the window of changes the DfE accepts.
 *
 * A school's MIS sends, twice a day, today and the previous 7 school days; the DfE accepts changes
 * for up to 8 working days. edgate reads that as: a date is accepted when it is on or before the
 * date of receipt (Europe/London) and on or after the 8th working day before it. So a send on a
 * working day may carry 9 working days, today and 8 before: one more than a client sends, so that
 * a day lost to an INSET day or a late send still arrives. Days in between that are not working
 * days (a Saturday school, a session on a bank holiday) are accepted too: the MIS sends only
 * sessions the school held. Across Easter 2026, a send on Tuesday 14 April reaches back to
 * Tuesday 31 March, as Good Friday and Easter Monday are not working days.
 */
import { londonDateOf } from '../../platform/calendar.ts';
import { addWorkingDays } from '../../platform/working-days.ts';

/** How many working days before the date of receipt a change is still accepted. */
export const CHANGE_WINDOW_WORKING_DAYS = 8;

export interface SubmissionWindow {
  /** The date of receipt, Europe/London: the latest date accepted. */
  today: string;
  /** The earliest date accepted: `CHANGE_WINDOW_WORKING_DAYS` working days before `today`. */
  earliest: string;
}

/** Windows by date of receipt: every submission of a day has the same one. */
const windows = new Map<string, SubmissionWindow>();

/**
 * The London date of the last UTC hour asked about. London is UTC or UTC+1, so its date changes only
 * on the hour (UTC): every instant of a UTC hour has the same London date, and Intl's formatting is
 * a noticeable part of a small request.
 */
let lastHour: { hour: number; today: string } | undefined;

function londonDateOfReceipt(receivedAt: Date): string {
  const hour = Math.floor(receivedAt.getTime() / 3_600_000);
  if (lastHour?.hour !== hour) lastHour = { hour, today: londonDateOf(receivedAt) };
  return lastHour.today;
}

export function submissionWindow(receivedAt: Date): SubmissionWindow {
  const today = londonDateOfReceipt(receivedAt);
  let window = windows.get(today);
  if (!window) {
    window = { today, earliest: addWorkingDays(today, -CHANGE_WINDOW_WORKING_DAYS) };
    if (windows.size > 366) windows.clear();
    windows.set(today, window);
  }
  return { ...window };
}

/** Where a session date (`YYYY-MM-DD`) falls against the window. */
export function placeInWindow(date: string, window: SubmissionWindow): 'future' | 'too-old' | 'within' {
  // YYYY-MM-DD strings compare as dates.
  if (date > window.today) return 'future';
  if (date < window.earliest) return 'too-old';
  return 'within';
}
