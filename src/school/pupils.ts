/**
 * A school's own records of its pupils: who they are, when they were on roll and in which year
 * group, and the roll-call marks of each session with their history.
 *
 * Names, UPNs, dates of birth and the internal id never leave the school role: the DfE receives
 * counts only (`aggregation.ts`), and insight (`insight.ts`) is shown inside the school.
 */
import type { SchoolSession } from '../contracts/attendance/submission.ts';

export type { SchoolSession };

export type SchoolPhase = 'primary' | 'secondary' | 'all-through';

/** The school itself: its URN is the only thing about it that the DfE receives. */
export interface SchoolDetails {
  /** 6-digit Unique Reference Number. */
  urn: number;
  name: string;
  /** 3-digit DfE LA number (also the first digits of the UPNs it issues). */
  laCode: string;
  /** 4-digit DfE establishment number. */
  establishmentNumber: string;
  phase: SchoolPhase;
}

/** A pupil as the school knows them. Nothing here is ever sent. */
export interface Pupil {
  /** The MIS's own id: stable, meaningless outside the school. */
  id: string;
  /** Unique Pupil Number: a check letter and 12 digits (`upn.ts`). */
  upn: string;
  forename: string;
  surname: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth: string;
}

/** From `from` (a date, `YYYY-MM-DD`) the pupil is in `ncYearGroup`, until the next change. */
export interface YearGroupPeriod {
  from: string;
  ncYearGroup: string;
}

/**
 * One stay on the admission register. A pupil who leaves and comes back has two. The pupil is on
 * roll from `admitted` to `left`, both days included: `left` is the last day on roll (the school
 * census's leaving date), absent while still on roll.
 */
export interface Enrolment {
  pupilId: string;
  admitted: string;
  left?: string;
  /** Oldest first; the first starts on `admitted`. A pupil may change year group mid-year. */
  yearGroups: YearGroupPeriod[];
}

/** One change to a mark: who made it, when (ISO 8601 instant), and the code before and after. */
export interface MarkChange {
  by: string;
  at: string;
  /** null when the mark was first entered. */
  from: string | null;
  to: string;
}

/** A pupil's roll-call mark for one session: the current code and how it came to be. */
export interface Mark {
  pupilId: string;
  /** The session's date, `YYYY-MM-DD`. */
  date: string;
  session: SchoolSession;
  /** The current code (the last change's `to`). */
  code: string;
  /** Oldest first; may be empty for marks imported without history. */
  history: MarkChange[];
}

/** True when the pupil is on roll on `date` under this enrolment (admission and leaving days included). */
export function isOnRoll(enrolment: Enrolment, date: string): boolean {
  // YYYY-MM-DD strings compare as dates.
  return enrolment.admitted <= date && (enrolment.left === undefined || date <= enrolment.left);
}

/** The year group on `date`, or undefined when not on roll then. */
export function yearGroupOn(enrolment: Enrolment, date: string): string | undefined {
  if (!isOnRoll(enrolment, date)) return undefined;
  let current: string | undefined;
  for (const period of enrolment.yearGroups) {
    if (period.from > date) break;
    current = period.ncYearGroup;
  }
  return current;
}

/** The enrolments of each pupil, by pupil id. */
export function enrolmentsByPupil(enrolments: readonly Enrolment[]): Map<string, Enrolment[]> {
  const byPupil = new Map<string, Enrolment[]>();
  for (const enrolment of enrolments) {
    const list = byPupil.get(enrolment.pupilId);
    if (list) list.push(enrolment);
    else byPupil.set(enrolment.pupilId, [enrolment]);
  }
  return byPupil;
}

/** The pupil's year group on `date` across their enrolments, or undefined when not on roll. */
export function pupilYearGroupOn(
  enrolments: readonly Enrolment[] | undefined,
  date: string,
): string | undefined {
  if (!enrolments) return undefined;
  for (const enrolment of enrolments) {
    const group = yearGroupOn(enrolment, date);
    if (group !== undefined) return group;
  }
  return undefined;
}
