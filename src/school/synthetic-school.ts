/**
 * A synthetic school, deterministic for a seed: the school, its calendar for the school year of
 * `today`, its pupils (made-up names, UPNs with the right check letter, dates of birth that fit
 * their year group), their enrolments (some joining or leaving mid-year, a few changing year
 * group) and their marks up to `today` with history, including late corrections (an absence
 * entered as `N`, reason not yet provided, and corrected days later).
 *
 * The mix is tuned to England's recent figures: attendance about 92–95% with day-to-day variation,
 * unauthorised absence 1–3% of sessions, 15–20% of pupils persistently absent, 1–2% severely.
 * For tests, the demo and `bench/school-aggregate.ts`. Nothing here reads the clock.
 */
import { addDays } from '../platform/calendar.ts';
import { typicalTermDates, workingDayOnOrAfter } from '../contracts/attendance/term-dates.ts';
import type { Enrolment, Mark, MarkChange, Pupil, SchoolDetails, SchoolPhase } from './pupils.ts';
import {
  compileCalendar,
  schoolYearStart,
  type Closure,
  type SchoolCalendar,
  type Term,
} from './school-calendar.ts';
import { makeUpn } from './upn.ts';

export interface SyntheticSchoolOptions {
  seed: number;
  phase: Exclude<SchoolPhase, 'all-through'>;
  /** Pupils on roll at the start of the year; default 275 (primary) or 1,060 (secondary). */
  pupils?: number;
  /** Marks are made up to this date, both sessions; the calendar is its school year's. */
  today: string;
  /** Marks only from this date (default: the first day of term), for tests that need a few days. */
  marksFrom?: string;
  urn?: number;
}

export interface SyntheticSchool {
  school: SchoolDetails;
  calendar: SchoolCalendar;
  pupils: Pupil[];
  enrolments: Enrolment[];
  marks: Mark[];
}

type Rand = () => number;

/** mulberry32: small, fast and good enough for made-up data. */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

function weighted<T>(rand: Rand, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table.at(-1)![0];
}

const FORENAMES = [
  'Amelia',
  'Olivia',
  'Isla',
  'Ava',
  'Freya',
  'Lily',
  'Florence',
  'Mia',
  'Willow',
  'Rosie',
  'Sophia',
  'Isabella',
  'Grace',
  'Evie',
  'Poppy',
  'Ella',
  'Aisha',
  'Maryam',
  'Zara',
  'Harriet',
  'Oliver',
  'George',
  'Harry',
  'Jack',
  'Leo',
  'Arthur',
  'Muhammad',
  'Oscar',
  'Charlie',
  'Henry',
  'Theo',
  'Freddie',
  'Alfie',
  'Thomas',
  'Archie',
  'Joshua',
  'Ibrahim',
  'Kai',
  'Reuben',
  'Yusuf',
  'Tomasz',
  'Chidi',
  'Priya',
  'Niamh',
] as const;
const SURNAMES = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  'Patel',
  'Khan',
  'Hussain',
  'Begum',
  'Ahmed',
  'Okafor',
  'Nowak',
  'Kowalski',
  'Murphy',
  'Kelly',
  'Hughes',
  'Edwards',
  'Turner',
  'Hill',
  'Moore',
  'Cooper',
  'Ward',
  'Morris',
  'Bennett',
  'Gray',
  'Chen',
  'Singh',
  'Mensah',
] as const;

const LA_NUMBERS = [202, 209, 306, 330, 373, 380, 850, 886, 919, 926, 937] as const;

const AUTHORISED: readonly (readonly [string, number])[] = [
  ['I', 60],
  ['M', 15],
  ['C', 5],
  ['C2', 3],
  ['R', 3],
  ['E', 2],
  ['J1', 2],
];
const UNAUTHORISED: readonly (readonly [string, number])[] = [
  ['O', 60],
  ['G', 25],
  // Never explained, and not yet recorded as O: rare, since schools chase reasons within days.
  ['N', 5],
  ['U', 10],
];
/** The share of absences entered as N (no reason yet) before the office finds out why. */
const ENTERED_AS_N = 0.1;

/** School days until an N is corrected: the same day for most, the next for some, a few later. */
function correctionLag(r: number): number {
  return r < 0.6 ? 0 : r < 0.85 ? 1 : r < 0.95 ? 2 : 3;
}

const EDUCATIONAL_ACTIVITY = ['B', 'P', 'V', 'K'] as const;

/** A calendar shaped like an LA's published one: six half-terms, five INSET days, two closures. */
export function syntheticCalendar(today: string, rand: Rand = prng(1)): SchoolCalendar {
  // England's typical term dates, shared with the DfE's demo figures so the two cannot drift.
  const terms: Term[] = typicalTermDates(Number(schoolYearStart(today).slice(0, 4))).map(
    ({ name, start, end }) => ({ name, start, end }),
  );
  const [a1, a2, s1, , , u2] = terms as [Term, Term, Term, Term, Term, Term];
  const closures: Closure[] = [
    // A planned closure (a polling station) on a Thursday in November, and an early finish.
    {
      date: workingDayOnOrAfter(addDays(a2.start, 7 + Math.floor(rand() * 14)), 4),
      reason: 'Polling station',
    },
    { date: a2.end, session: 'PM', reason: 'Early finish for Christmas' },
  ];
  return {
    terms,
    insetDays: [a1.start, workingDayOnOrAfter(addDays(a1.start, 1), 0), s1.start, u2.start, u2.end],
    closures,
  };
}

const PRIMARY: readonly (readonly [string, number])[] = ['R', '1', '2', '3', '4', '5', '6'].map(
  (g) => [g, 1] as const,
);
const SECONDARY: readonly (readonly [string, number])[] = [
  ['7', 1],
  ['8', 1],
  ['9', 1],
  ['10', 1],
  ['11', 1],
  ['12', 0.45],
  ['13', 0.45],
];

/** Reception = 0, Year 1 = 1 …: how many years after Reception a year group is. */
function yearsAfterReception(group: string): number {
  return group === 'R' ? 0 : Number(group);
}

interface PupilPlan {
  pupil: Pupil;
  enrolment: Enrolment;
  /** The chance of missing a day, before the day's own variation. */
  risk: number;
}

export function generateSchool(options: SyntheticSchoolOptions): SyntheticSchool {
  const rand = prng(options.seed);
  const phase = options.phase;
  const size = options.pupils ?? (phase === 'primary' ? 275 : 1060);
  const laNumber = pick(rand, LA_NUMBERS);
  const establishment = (phase === 'primary' ? 2000 : 4000) + Math.floor(rand() * 1000);
  const school: SchoolDetails = {
    urn: options.urn ?? 100_000 + Math.floor(rand() * 900_000),
    name: `${pick(rand, SURNAMES)} ${phase === 'primary' ? 'Primary School' : 'Academy'}`,
    laCode: String(laNumber),
    establishmentNumber: String(establishment),
    phase,
  };
  const calendar = syntheticCalendar(options.today, rand);
  const compiled = compileCalendar(calendar);
  const yearStart = Number(schoolYearStart(options.today).slice(0, 4));
  const firstDay = calendar.terms[0]!.start;
  const schoolDays: string[] = [];
  for (let day = firstDay; day <= options.today; day = addDays(day, 1))
    if (compiled.sessionsOn(day).length) schoolDays.push(day);

  const groups = phase === 'primary' ? PRIMARY : SECONDARY;
  const totalWeight = groups.reduce((sum, [, w]) => sum + w, 0);
  const serials = new Map<number, number>();
  const plans: PupilPlan[] = [];
  const makePupil = (group: string, admitted: string): PupilPlan => {
    const n = yearsAfterReception(group);
    // Born 1 September to 31 August: Reception children turn 5 during the year.
    const dateOfBirth = addDays(`${yearStart - 5 - n}-09-01`, Math.floor(rand() * 365));
    const entryYear = Number(admitted.slice(0, 4));
    const serial = (serials.get(entryYear) ?? 0) + 1;
    serials.set(entryYear, serial);
    const id = `P${String(plans.length + 1).padStart(5, '0')}`;
    const r = rand();
    // 81% rarely absent, 17.5% persistently, 1.5% severely.
    const risk = r < 0.81 ? 0.005 + rand() * 0.045 : r < 0.985 ? 0.1 + rand() * 0.22 : 0.5 + rand() * 0.3;
    return {
      pupil: {
        id,
        upn: makeUpn(laNumber, establishment, entryYear, serial % 1000),
        forename: pick(rand, FORENAMES),
        surname: pick(rand, SURNAMES),
        dateOfBirth,
      },
      enrolment: { pupilId: id, admitted, yearGroups: [{ from: admitted, ncYearGroup: group }] },
      risk,
    };
  };

  for (const [group, weight] of groups) {
    const count = Math.round((size * weight) / totalWeight);
    const first = groups[0]![0];
    // Admitted in the September they joined the school's first year group (or this year's sixth form).
    const yearsHere =
      group === '12' || group === '13'
        ? Number(group) - 12
        : yearsAfterReception(group) - yearsAfterReception(first);
    const admitted =
      yearsHere === 0 ? firstDay : `${yearStart - yearsHere}-09-0${1 + Math.floor(rand() * 5)}`;
    for (let i = 0; i < count; i++) plans.push(makePupil(group, admitted));
  }
  const onRollAtStart = plans.length;
  // About 2% join during the year and 2% leave; a few change year group.
  if (schoolDays.length > 2) {
    const lateDays = schoolDays.slice(1);
    for (let i = 0; i < Math.max(1, Math.round(onRollAtStart * 0.02)); i++) {
      const [group] = weighted(
        rand,
        groups.map((g) => [g, g[1]] as const),
      );
      plans.push(makePupil(group, pick(rand, lateDays)));
    }
    for (let i = 0; i < Math.max(1, Math.round(onRollAtStart * 0.02)); i++) {
      const plan = plans[Math.floor(rand() * onRollAtStart)]!;
      plan.enrolment.left ??= pick(rand, schoolDays.slice(0, -1));
    }
    for (let i = 0; i < Math.max(1, Math.round(onRollAtStart * 0.003)); i++) {
      const plan = plans[Math.floor(rand() * onRollAtStart)]!;
      const current = plan.enrolment.yearGroups[0]!.ncYearGroup;
      const at = groups.findIndex(([g]) => g === current);
      const other = groups[at > 0 ? at - 1 : at + 1]?.[0];
      const from = pick(rand, lateDays);
      if (
        other !== undefined &&
        plan.enrolment.yearGroups.length === 1 &&
        (plan.enrolment.left ?? from) >= from
      )
        plan.enrolment.yearGroups.push({ from, ncYearGroup: other });
    }
  }

  const marks: Mark[] = [];
  const from = options.marksFrom ?? firstDay;
  const staff = ['staff-01', 'staff-02', 'staff-03', 'staff-04', 'office-01'];
  for (const [dayIndex, date] of schoolDays.entries()) {
    // A bad day (a bug going round, the day before a holiday) or a good one.
    const dayFactor = 0.9 + rand() * 0.2 + (rand() < 0.1 ? 0.15 : 0);
    if (date < from) continue;
    const sessions = compiled.sessionsOn(date);
    for (const { enrolment, risk } of plans) {
      if (enrolment.admitted > date || (enrolment.left !== undefined && enrolment.left < date)) continue;
      const absentToday = rand() < Math.min(0.95, risk * dayFactor);
      const persistent = risk >= 0.1;
      const absence = weighted(rand, [
        ['authorised', persistent ? 0.68 : 0.84],
        ['unauthorised', persistent ? 0.32 : 0.16],
      ] as const);
      const absenceCode = weighted(rand, absence === 'authorised' ? AUTHORISED : UNAUTHORISED);
      // Half-day absences (an appointment, a late arrival) are less common than whole days.
      const halfDay = rand() < 0.15;
      for (const session of sessions) {
        let code: string;
        if (absentToday && !(halfDay && session === 'PM')) code = absenceCode;
        else {
          const r = rand();
          code =
            r < 0.012 ? 'L' : r < 0.017 ? pick(rand, EDUCATIONAL_ACTIVITY) : session === 'AM' ? '/' : '\\';
        }
        const at = `${date}T${session === 'AM' ? '08:50' : '13:15'}:00.000Z`;
        const by = pick(rand, staff);
        const history: MarkChange[] = [];
        // Most families call before the register; an absence without a reason is entered as N
        // and chased: usually by the office later that morning or afternoon, else within days.
        const chased = code !== 'N' && absentToday && rand() < ENTERED_AS_N;
        const lag = correctionLag(rand());
        const correctedOn = schoolDays[dayIndex + lag];
        if (chased && correctedOn !== undefined && correctedOn <= options.today) {
          const correctedAt =
            lag === 0 ? (session === 'AM' ? '10:30' : '14:45') : pick(rand, ['09:40', '11:15', '14:30']);
          history.push({ by, at, from: null, to: 'N' });
          history.push({ by: 'office-01', at: `${correctedOn}T${correctedAt}:00.000Z`, from: 'N', to: code });
        } else if (chased) {
          code = 'N';
          history.push({ by, at, from: null, to: code });
        } else history.push({ by, at, from: null, to: code });
        marks.push({ pupilId: enrolment.pupilId, date, session, code, history });
      }
    }
  }

  return {
    school,
    calendar,
    pupils: plans.map((plan) => plan.pupil),
    enrolments: plans.map((plan) => plan.enrolment),
    marks,
  };
}
