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
