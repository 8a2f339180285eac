/**
 * The school's own view of its attendance this year, as the DfE's "Monitor your school attendance"
 * reports show it, computed from pupil-level marks that never leave the school:
 *
 * - per pupil, from the start of the school year (1 August) or their admission if later, to
 *   today: possible sessions, sessions attended (present or approved educational activity),
 *   sessions missed, and the attendance rate;
 * - persistently absent: missed ≥ 10% of possible sessions; severely absent: ≥ 50%;
 * - absence bands in 5% steps (0–5%, 5–10% … 95–100%) for pupils with at least 20 possible
 *   sessions, as the DfE bands them: fewer sessions say too little about a pupil;
 * - the same by year group and for the whole school; a pupil is counted in the year group they
 *   were in on their last day on roll this year.
 *
 * A mark counts only while the pupil was on roll, for a session the school held, with a code
 * valid on its date. Thresholds are compared in whole numbers (missed × 10 ≥ possible), so a pupil
 * at exactly 10% is persistently absent whatever floating point would say.
 */
import { attendanceCodesOn } from '../contracts/attendance/attendance-codes.ts';
import { pupilYearGroups } from '../contracts/attendance/nc-year-groups.ts';
import { enrolmentsByPupil, pupilYearGroupOn, type Enrolment, type Mark } from './pupils.ts';
import { schoolYearStart, type CompiledCalendar } from './school-calendar.ts';

/** Pupils with fewer possible sessions are left out of the bands. */
export const MIN_SESSIONS_FOR_BANDS = 20;
export const BAND_COUNT = 20;

export interface InsightInput {
  calendar: CompiledCalendar;
  enrolments: readonly Enrolment[];
  /** This year's marks; others are skipped. */
  marks: Iterable<Mark>;
  today: string;
}

export interface PupilAttendance {
  pupilId: string;
  ncYearGroup: string;
  possible: number;
  attended: number;
  missed: number;
  /** attended / possible; null with no possible session. */
  rate: number | null;
  persistentlyAbsent: boolean;
  severelyAbsent: boolean;
  /** The absence band, 0 (0–5%) to 19 (95–100%), for pupils with ≥ 20 possible sessions. */
  band?: number;
}

export interface AttendanceInsight {
  /** 'all' for the whole school. */
  ncYearGroup: string;
  /** Pupils with at least one possible session. */
  pupils: number;
  possible: number;
  attended: number;
  rate: number | null;
  persistentlyAbsent: number;
  severelyAbsent: number;
  /** Pupils per absence band; `bands[k]` is (5k)–(5k+5)%. */
  bands: number[];
}

export interface SchoolInsight {
  from: string;
  to: string;
  pupils: PupilAttendance[];
  byYearGroup: AttendanceInsight[];
  school: AttendanceInsight;
}

/** "15–20%": a band's label. */
export function bandLabel(band: number): string {
  return `${band * 5}–${band * 5 + 5}%`;
}

/** Persistent, severe and band of one pupil's counts: whole-number comparisons. */
export function classifyAbsence(
  possible: number,
  attended: number,
): Omit<PupilAttendance, 'pupilId' | 'ncYearGroup'> {
  const missed = possible - attended;
  const result: Omit<PupilAttendance, 'pupilId' | 'ncYearGroup'> = {
    possible,
    attended,
    missed,
    rate: possible === 0 ? null : attended / possible,
    persistentlyAbsent: possible > 0 && missed * 10 >= possible,
    severelyAbsent: possible > 0 && missed * 2 >= possible,
  };
  if (possible >= MIN_SESSIONS_FOR_BANDS)
    result.band = Math.min(BAND_COUNT - 1, Math.floor((missed * BAND_COUNT) / possible));
  return result;
}

function summarise(ncYearGroup: string, pupils: readonly PupilAttendance[]): AttendanceInsight {
  const insight: AttendanceInsight = {
    ncYearGroup,
    pupils: 0,
    possible: 0,
    attended: 0,
    rate: null,
    persistentlyAbsent: 0,
    severelyAbsent: 0,
    bands: new Array<number>(BAND_COUNT).fill(0),
  };
  for (const pupil of pupils) {
    if (pupil.possible === 0) continue;
    insight.pupils++;
    insight.possible += pupil.possible;
    insight.attended += pupil.attended;
    if (pupil.persistentlyAbsent) insight.persistentlyAbsent++;
    if (pupil.severelyAbsent) insight.severelyAbsent++;
    if (pupil.band !== undefined) insight.bands[pupil.band]!++;
  }
  insight.rate = insight.possible === 0 ? null : insight.attended / insight.possible;
  return insight;
}

export function schoolInsight(input: InsightInput): SchoolInsight {
  const from = schoolYearStart(input.today);
  const to = input.today;
  const byPupil = enrolmentsByPupil(input.enrolments);
  const counts = new Map<string, { possible: number; attended: number; lastOnRoll: string; group: string }>();
  for (const mark of input.marks) {
    if (mark.date < from || mark.date > to) continue;
    if (!input.calendar.sessionsOn(mark.date).includes(mark.session)) continue;
    const group = pupilYearGroupOn(byPupil.get(mark.pupilId), mark.date);
    if (group === undefined) continue;
    const meaning = attendanceCodesOn(mark.date).get(mark.code);
    if (!meaning) continue;
    let pupil = counts.get(mark.pupilId);
    if (!pupil) {
      pupil = { possible: 0, attended: 0, lastOnRoll: mark.date, group };
      counts.set(mark.pupilId, pupil);
    }
    if (mark.date >= pupil.lastOnRoll) {
      pupil.lastOnRoll = mark.date;
      pupil.group = group;
    }
    if (meaning.countsAsPossibleSession) pupil.possible++;
    if (meaning.countsAsAttendance) pupil.attended++;
  }
  const pupils = [...counts.entries()]
    .map(([pupilId, c]): PupilAttendance => ({
      pupilId,
      ncYearGroup: c.group,
      ...classifyAbsence(c.possible, c.attended),
    }))
    .sort((a, b) => (a.pupilId < b.pupilId ? -1 : 1));
  const byYearGroup = pupilYearGroups()
    .map((group) =>
      summarise(
        group.code,
        pupils.filter((pupil) => pupil.ncYearGroup === group.code),
      ),
    )
    .filter((insight) => insight.pupils > 0);
  return { from, to, pupils, byYearGroup, school: summarise('all', pupils) };
}
