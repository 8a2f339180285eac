/**
 * Which registrations an LA's daily extract holds: every registration located in that LA
 * whose status is active in any sense, plus every inactive one (RESG, CANC, INAC, REFU, EXEM) whose
 * change to inactive happened within the last 60 days, so that an LA collecting rarely still
 * sees it leave. Nothing from another LA, ever.
 *
 * The 60 days are counted in Europe/London calendar dates, never in hours, so the change of
 * clocks cannot move a record in or out:
 *   the day of the change is day 0; the extract dated day 60 still holds the record;
 *   the extract dated day 61 is the first without it.
 * A change dated after the extract (possible only when rebuilding an old date) keeps it in.
 */
import { addDays, daysBetween } from '../../platform/calendar.ts';
import {
  INACTIVE_STATUSES,
  type RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';

export const INACTIVE_RETENTION_DAYS = 60;

export interface ExtractCandidate {
  laCode: string;
  status: RegistrationStatus;
  /** Calendar date of the latest status change (for an inactive record, the change to inactive). */
  statusChangedOn: string;
}

export function belongsInExtract(candidate: ExtractCandidate, laCode: string, extractDate: string): boolean {
  if (candidate.laCode !== laCode) return false;
  if (!INACTIVE_STATUSES.includes(candidate.status)) return true;
  return daysBetween(candidate.statusChangedOn, extractDate) <= INACTIVE_RETENTION_DAYS;
}

/**
 * The earliest change date an inactive record may have and still be in the extract of
 * `extractDate`: the same rule as `belongsInExtract`, in the form a database query uses.
 */
export function earliestRetainedChange(extractDate: string): string {
  return addDays(extractDate, -INACTIVE_RETENTION_DAYS);
}
