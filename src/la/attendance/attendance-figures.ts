/**
 * The LA's attendance figures as the DfE's statistics API gives them, read and arranged for its
 * pages. Pure: answers in, figures out. The DfE's answers are untrusted: their shape is checked
 * here, and only the integer totals are kept; the rates are worked out again by the contract's
 * arithmetic (aggregation.ts), the same formula the DfE uses, so the LA's figures equal the DfE's.
 */
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { combineSummaries, type MarkSummary } from '../../contracts/attendance/aggregation.ts';
import { csvCell } from '../directory/change-export.ts';
import { FIGURE_COLUMNS, figureCells } from '../../contracts/attendance/figure-columns.ts';

const count = () => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const totalsProperties = {
  schools: count(),
  possible: count(),
  present: count(),
  aea: count(),
  authorised: count(),
  unauthorised: count(),
  notCounted: count(),
};
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const TotalsSchema = Type.Object(totalsProperties);
const DaysAnswer = Type.Object({
  days: Type.Array(Type.Object({ date: Type.String({ pattern: DATE }), ...totalsProperties }), {
    maxItems: 400,
  }),
});
const SchoolsAnswer = Type.Object({
  date: Type.String({ pattern: DATE }),
  yearGroups: Type.Array(Type.Object({ ncYearGroup: Type.String({ maxLength: 10 }), ...totalsProperties }), {
    maxItems: 50,
  }),
  schools: Type.Array(
    Type.Object({
      urn: Type.Integer({ minimum: 100000, maximum: 999999 }),
      name: Type.Union([Type.String({ maxLength: 300 }), Type.Null()]),
      phaseOfEducation: Type.String({ maxLength: 100 }),
      figures: Type.Union([TotalsSchema, Type.Null()]),
    }),
    { maxItems: 5000 },
  ),
});
const daysCheck = Compile(DaysAnswer);
const schoolsCheck = Compile(SchoolsAnswer);

/** Totals of some school-days and how many schools they came from. */
export type Totals = Static<typeof TotalsSchema>;
export interface DayTotals extends Totals {
  date: string;
}
export interface SchoolsDay {
  date: string;
  yearGroups: (Totals & { ncYearGroup: string })[];
  schools: { urn: number; name: string | null; phaseOfEducation: string; figures: Totals | null }[];
}

const totalsOf = (value: Totals): Totals => ({
  schools: value.schools,
  possible: value.possible,
  present: value.present,
  aea: value.aea,
  authorised: value.authorised,
  unauthorised: value.unauthorised,
  notCounted: value.notCounted,
});

/** The days of `GET /statistics/la/{la}` or `/statistics/national`, oldest first; undefined when unreadable. */
export function readDaysAnswer(body: unknown): DayTotals[] | undefined {
  if (!daysCheck.Check(body)) return undefined;
  return body.days
    .map((day) => ({ date: day.date, ...totalsOf(day) }))
    .sort((a, b) => a.date.localeCompare(b.date));
}

/** The day of `GET /statistics/la/{la}/schools`; undefined when unreadable. */
export function readSchoolsAnswer(body: unknown): SchoolsDay | undefined {
  if (!schoolsCheck.Check(body)) return undefined;
  return {
    date: body.date,
    yearGroups: body.yearGroups.map((group) => ({ ncYearGroup: group.ncYearGroup, ...totalsOf(group) })),
    schools: body.schools.map((school) => ({
      urn: school.urn,
      name: school.name,
      phaseOfEducation: school.phaseOfEducation,
      figures: school.figures && totalsOf(school.figures),
    })),
  };
}

/** Totals with their rates. */
export type Figures = Totals & MarkSummary;

/** Adds up the totals of distinct schools, with their rates. */
export function addUp(parts: readonly Totals[]): Figures {
  return { ...combineSummaries(parts), schools: parts.reduce((sum, part) => sum + part.schools, 0) };
}

export function withRates(totals: Totals): Figures {
  return addUp([totals]);
}

/** The day's schools that reported, per phase of education: most sessions first, as the DfE orders them. */
export function byPhase(day: SchoolsDay): (Figures & { phaseOfEducation: string })[] {
  const groups = new Map<string, Totals[]>();
  for (const school of day.schools)
    if (school.figures)
      groups.set(school.phaseOfEducation, [...(groups.get(school.phaseOfEducation) ?? []), school.figures]);
  return [...groups]
    .map(([phaseOfEducation, parts]) => ({ phaseOfEducation, ...addUp(parts) }))
    .sort((a, b) => b.possible - a.possible || a.phaseOfEducation.localeCompare(b.phaseOfEducation));
}

/**
 * The schools that sent nothing on either of the two latest school days. A school day is a date on
 * which any school of the LA sent figures: a holiday is nobody's, and a morning before the first
 * send is not yet a day. Undefined when fewer than two school days are known.
 */
export function notSentForTwoSchoolDays(
  latest: SchoolsDay | undefined,
  previous: SchoolsDay | undefined,
): SchoolsDay['schools'] | undefined {
  if (!latest || !previous) return undefined;
  const sentBefore = new Set(previous.schools.filter((s) => s.figures).map((s) => s.urn));
  return latest.schools.filter((school) => !school.figures && !sentBefore.has(school.urn));
}

/** The latest `count` entries of a series sorted oldest first. */
export function latest<T>(series: readonly T[], count: number): T[] {
  return series.slice(Math.max(0, series.length - count));
}

/** The schools of a day as CSV, in the DfE's columns, formula cells neutralised as the change export does. */
export function schoolsCsv(laCode: string, day: SchoolsDay): string {
  const header = [
    'date',
    'la_code',
    'urn',
    'school_name',
    'phase_of_education',
    'reported',
    ...FIGURE_COLUMNS,
  ];
  const rows = day.schools.map((school) => [
    day.date,
    laCode,
    school.urn,
    school.name ?? '',
    school.phaseOfEducation,
    school.figures ? 'yes' : 'no',
    ...figureCells(school.figures && withRates(school.figures)).map((cell) => cell ?? ''),
  ]);
  return `\uFEFF${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
