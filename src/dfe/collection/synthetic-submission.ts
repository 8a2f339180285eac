/**
 * Synthetic submissions, as a school's MIS sends them: for each date and session, each year group's
 * pupils totalled per attendance code, the totals adding up to the year group's enrolment. No
 * person is in them — they are counts — and they are deterministic for a seed. For the demo world,
 * tests and `bench/attendance-ingest`.
 */
import { prng } from '../schools/synthetic-schools.ts';
import type {
  AttendanceSubmissionBody,
  AttendanceSubmissionEntryBody,
} from '../../contracts/attendance/submission.ts';

export const PRIMARY_YEAR_GROUPS = ['R', '1', '2', '3', '4', '5', '6'] as const;
export const SECONDARY_YEAR_GROUPS = ['7', '8', '9', '10', '11', '12', '13', '14'] as const;

export interface SyntheticSubmissionOptions {
  urn: number;
  /** Session dates, `YYYY-MM-DD`, oldest first is conventional. */
  dates: readonly string[];
  yearGroups: readonly string[];
  pupilsPerYearGroup: number;
  seed: number;
  /**
   * Absence as schools in England see it (the demo world's figures): the share of pupils absent on
   * a date, and the share of absences that are unauthorised. Without it, a spread of every code.
   */
  absence?: { shareOn(date: string): number; unauthorisedShare: number };
}

/** Illness first, as in the national figures; then the unauthorised codes, "other" (O) the most. */
const AUTHORISED_WEIGHTS: readonly [string, number][] = [
  ['I', 0.62],
  ['M', 0.14],
  ['R', 0.1],
  ['C', 0.09],
  ['E', 0.05],
];
const UNAUTHORISED_WEIGHTS: readonly [string, number][] = [
  ['O', 0.6],
  ['G', 0.15],
  ['U', 0.15],
  ['N', 0.1],
];

/** `total` shared out by the weights, jittered, adding up exactly. */
function shareOut(total: number, weights: readonly [string, number][], rand: () => number) {
  let left = total;
  return weights.map(([attendanceCode, weight], i) => {
    const value =
      i === weights.length - 1 ? left : Math.min(left, Math.round(total * weight * (0.7 + rand() * 0.6)));
    left -= value;
    return { attendanceCode, value };
  });
}

/** One year group's session with plausible absence: present, a few late, the rest absent by code. */
function plausibleSession(
  pupils: number,
  session: 'AM' | 'PM',
  absence: NonNullable<SyntheticSubmissionOptions['absence']>,
  date: string,
  rand: () => number,
): { attendanceCode: string; value: number }[] {
  const absent = Math.min(pupils, Math.round(pupils * absence.shareOn(date) * (0.75 + rand() * 0.5)));
  const unauthorised = Math.round(absent * absence.unauthorisedShare * (0.6 + rand() * 0.8));
  const late = Math.round((pupils - absent) * 0.02 * rand());
  return [
    { attendanceCode: session === 'AM' ? '/' : '\\', value: pupils - absent - late },
    { attendanceCode: 'L', value: late },
    ...shareOut(absent - unauthorised, AUTHORISED_WEIGHTS, rand),
    ...shareOut(unauthorised, UNAUTHORISED_WEIGHTS, rand),
  ].filter((a) => a.value > 0);
}

/** Absence codes a day may show beside present, valid on every date since 19 August 2024. */
const ABSENCE_CODES = ['L', 'B', 'P', 'V', 'K', 'C', 'C1', 'E', 'I', 'M', 'R', 'G', 'N', 'O', 'U'] as const;

/**
 * About 15 codes per year group and session: mostly present, a spread of absences, the rate varying a
 * little by day so that charts have a shape.
 */
export function syntheticSubmission(options: SyntheticSubmissionOptions): AttendanceSubmissionBody {
  const rand = prng(options.seed);
  const submissionData: AttendanceSubmissionEntryBody[] = [];
  for (const date of options.dates) {
    for (const schoolSession of ['AM', 'PM'] as const) {
      for (const ncYearGroup of options.yearGroups) {
        if (options.absence) {
          const attendances = plausibleSession(
            options.pupilsPerYearGroup,
            schoolSession,
            options.absence,
            date,
            rand,
          );
          submissionData.push({ ncYearGroup, date, schoolSession, attendances });
          continue;
        }
        let remaining = options.pupilsPerYearGroup;
        const attendances: { attendanceCode: string; value: number }[] = [];
        const absent = Math.round(remaining * (0.04 + rand() * 0.06));
        let absences = absent;
        for (const code of ABSENCE_CODES) {
          const value = Math.min(absences, Math.floor(rand() * (absent / 4 + 1)));
          attendances.push({ attendanceCode: code, value });
          absences -= value;
          remaining -= value;
        }
        attendances.unshift({ attendanceCode: schoolSession === 'AM' ? '/' : '\\', value: remaining });
        submissionData.push({ ncYearGroup, date, schoolSession, attendances });
      }
    }
  }
  return {
    urn: options.urn,
    totalNoOfPupils: options.pupilsPerYearGroup * options.yearGroups.length,
    enrolments: options.yearGroups.map((ncYearGroup) => ({ ncYearGroup, value: options.pupilsPerYearGroup })),
    submissionData,
  };
}
