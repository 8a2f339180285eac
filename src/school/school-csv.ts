/**
 * The school's CSV files (docs/school-csv.md): pupils, enrolments, marks with their history, and
 * the calendar. Pure: text in, records or problems out. Every problem names the file and the line
 * the row starts on, and any problem refuses everything: an import is all or nothing.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { Info } from 'csv-parse/sync';
import { daysBetween, isCalendarDate } from '../platform/calendar.ts';
import { isAttendanceCodeValidOn, isKnownAttendanceCode } from '../contracts/attendance/attendance-codes.ts';
import { isPupilYearGroup } from '../contracts/attendance/nc-year-groups.ts';
import type { Enrolment, Mark, MarkChange, Pupil, SchoolSession } from './pupils.ts';
import { compileCalendar, type Closure, type SchoolCalendar, type Term } from './school-calendar.ts';
import { isValidUpn } from './upn.ts';

export interface CsvProblem {
  file: string;
  /** The physical line the row starts on (1 is the header). */
  line: number;
  message: string;
}

export type CsvResult<T> = { ok: true; records: T } | { ok: false; problems: CsvProblem[] };

/** "pupils.csv:12: date_of_birth: not a date (YYYY-MM-DD): 31/02/2015". */
export function formatCsvProblem(problem: CsvProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}

/** More than this many problems says "the wrong file", not "fix these". */
export const MAX_PROBLEMS = 100;

export const PUPIL_COLUMNS = ['pupil_id', 'upn', 'forename', 'surname', 'date_of_birth'] as const;
export const ENROLMENT_COLUMNS = [
  'pupil_id',
  'admission_date',
  'leaving_date',
  'nc_year_group',
  'year_group_from',
] as const;
export const MARK_COLUMNS = [
  'pupil_id',
  'date',
  'session',
  'code',
  'previous_code',
  'changed_by',
  'changed_at',
] as const;
export const CALENDAR_COLUMNS = ['kind', 'start_date', 'end_date', 'session', 'name'] as const;

interface Row<C extends string> {
  line: number;
  cell: Record<C, string>;
}

class Problems {
  readonly list: CsvProblem[] = [];
  constructor(readonly file: string) {}
  add(line: number, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ file: this.file, line, message });
  }
}

/** The rows of a file under its header, or problems with the file's shape (and then no rows). */
function readTable<C extends string>(text: string, columns: readonly C[], problems: Problems): Row<C>[] {
  let parsed: { record: string[]; info: Info; raw: string }[];
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { record: string[]; info: Info; raw: string }[];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    problems.add(typeof err['lines'] === 'number' ? err['lines'] : 1, `malformed CSV: ${err.message}`);
    return [];
  }
  const withLines = parsed
    .map(({ record, info, raw }) => {
      // info.lines is where the record ends; step back over line breaks inside quoted cells.
      const body = raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
      return { cells: record, line: info.lines - (body.split('\n').length - 1) };
    })
    .filter((row) => row.cells.some((cell) => cell !== ''));
  const header = withLines[0];
  if (!header) {
    problems.add(1, `empty file: expected a header row with ${columns.join(', ')}`);
    return [];
  }
  const names = header.cells.map((cell) => cell.toLowerCase());
  const index = new Map<C, number>();
  names.forEach((name, i) => {
    if (!(columns as readonly string[]).includes(name))
      problems.add(header.line, `unknown column '${header.cells[i]}'`);
    else if (index.has(name as C)) problems.add(header.line, `column '${name}' is given twice`);
    else index.set(name as C, i);
  });
  for (const column of columns)
    if (!index.has(column)) problems.add(header.line, `missing column '${column}'`);
  if (problems.list.length > 0) return [];
  const rows: Row<C>[] = [];
  for (const { cells, line } of withLines.slice(1)) {
    if (cells.length !== header.cells.length) {
      problems.add(line, `${cells.length} cells where the header has ${header.cells.length}`);
      continue;
    }
    const cell = {} as Record<C, string>;
    for (const column of columns) cell[column] = cells[index.get(column)!] ?? '';
    rows.push({ line, cell });
  }
  return rows;
}

const UK_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** `YYYY-MM-DD`, or `DD/MM/YYYY` as a UK spreadsheet saves a date; undefined when not a real date. */
function readDate(value: string): string | undefined {
  const uk = UK_DATE.exec(value);
  const date = uk ? `${uk[3]}-${uk[2]}-${uk[1]}` : value;
  return isCalendarDate(date) ? date : undefined;
}

function required<C extends string>(row: Row<C>, column: C, problems: Problems): string | undefined {
  const value = row.cell[column];
  if (value === '') problems.add(row.line, `${column}: required`);
  return value === '' ? undefined : value;
}

function date<C extends string>(
  row: Row<C>,
  column: C,
  problems: Problems,
  optional = false,
): string | undefined {
  const value = row.cell[column];
  if (value === '') {
    if (!optional) problems.add(row.line, `${column}: required`);
    return undefined;
  }
  const read = readDate(value);
  if (read === undefined) problems.add(row.line, `${column}: not a date (YYYY-MM-DD): ${value}`);
  return read;
}

function session<C extends string>(row: Row<C>, column: C, problems: Problems): SchoolSession | undefined {
  const value = row.cell[column].toUpperCase();
  if (value === 'AM' || value === 'PM') return value;
  problems.add(row.line, `${column}: must be AM or PM, not ${JSON.stringify(row.cell[column])}`);
  return undefined;
}

function result<T>(problems: Problems, records: T): CsvResult<T> {
  return problems.list.length > 0 ? { ok: false, problems: problems.list } : { ok: true, records };
}

// ---------------------------------------------------------------------------------------------

export function readPupilsCsv(text: string, file: string): CsvResult<Pupil[]> {
  return result(...parsePupils(text, file));
}

function parsePupils(text: string, file: string): [Problems, Pupil[]] {
  const problems = new Problems(file);
  const pupils: Pupil[] = [];
  const ids = new Map<string, number>();
  const upns = new Map<string, number>();
  for (const row of readTable(text, PUPIL_COLUMNS, problems)) {
    const id = required(row, 'pupil_id', problems);
    const upn = required(row, 'upn', problems);
    const forename = required(row, 'forename', problems);
    const surname = required(row, 'surname', problems);
    const dateOfBirth = date(row, 'date_of_birth', problems);
    if (id !== undefined) {
      const first = ids.get(id);
      if (first !== undefined) problems.add(row.line, `pupil_id: ${id} is already on line ${first}`);
      else ids.set(id, row.line);
    }
    if (upn !== undefined) {
      if (!isValidUpn(upn.toUpperCase()))
        problems.add(row.line, `upn: not a valid UPN (a check letter and 12 digits): ${upn}`);
      const first = upns.get(upn.toUpperCase());
      if (first !== undefined) problems.add(row.line, `upn: ${upn} is already on line ${first}`);
      else upns.set(upn.toUpperCase(), row.line);
    }
    if (id && upn && forename && surname && dateOfBirth)
      pupils.push({ id, upn: upn.toUpperCase(), forename, surname, dateOfBirth });
  }
  return [problems, pupils];
}

// ---------------------------------------------------------------------------------------------

interface EnrolmentRead {
  enrolment: Enrolment;
  line: number;
}

export function readEnrolmentsCsv(text: string, file: string): CsvResult<Enrolment[]> {
  const [problems, read] = parseEnrolments(text, file);
  return result(
    problems,
    read.map((r) => r.enrolment),
  );
}

/**
 * One row per year group an enrolment had: rows with the same pupil_id and admission_date are one
 * enrolment, each giving its year group from `year_group_from` (empty: from admission).
 */
function parseEnrolments(text: string, file: string): [Problems, EnrolmentRead[]] {
  const problems = new Problems(file);
  const byKey = new Map<string, EnrolmentRead & { leftLine: number }>();
  for (const row of readTable(text, ENROLMENT_COLUMNS, problems)) {
    const pupilId = required(row, 'pupil_id', problems);
    const admitted = date(row, 'admission_date', problems);
    const left = date(row, 'leaving_date', problems, true);
    const group = required(row, 'nc_year_group', problems);
    const from = date(row, 'year_group_from', problems, true) ?? admitted;
    if (group !== undefined && !isPupilYearGroup(group))
      problems.add(row.line, `nc_year_group: not a pupil's NC year group (E1 E2 N1 N2 R 1–14 X): ${group}`);
    if (admitted !== undefined && left !== undefined && left < admitted)
      problems.add(row.line, `leaving_date ${left} is before admission_date ${admitted}`);
    if (
      from !== undefined &&
      admitted !== undefined &&
      (from < admitted || (left !== undefined && from > left))
    )
      problems.add(
        row.line,
        `year_group_from ${from} is outside the enrolment (${admitted} to ${left ?? 'now'})`,
      );
    if (pupilId === undefined || admitted === undefined || group === undefined || from === undefined)
      continue;
    const key = `${pupilId}\n${admitted}`;
    const found = byKey.get(key);
    if (!found) {
      const enrolment: Enrolment = { pupilId, admitted, yearGroups: [{ from, ncYearGroup: group }] };
      if (left !== undefined) enrolment.left = left;
      byKey.set(key, { enrolment, line: row.line, leftLine: row.line });
      continue;
    }
    if (found.enrolment.left !== left)
      problems.add(
        row.line,
        `leaving_date ${left ?? '(none)'} differs from line ${found.leftLine} for the same enrolment`,
      );
    if (found.enrolment.yearGroups.some((period) => period.from === from))
      problems.add(row.line, `two year groups from ${from} for the same enrolment`);
    found.enrolment.yearGroups.push({ from, ncYearGroup: group });
  }
  const read = [...byKey.values()];
  for (const { enrolment, line } of read) {
    enrolment.yearGroups.sort((a, b) => (a.from < b.from ? -1 : 1));
    if (enrolment.yearGroups[0]!.from !== enrolment.admitted)
      problems.add(
        line,
        `pupil ${enrolment.pupilId}: no year group from the admission date ${enrolment.admitted}`,
      );
  }
  // One pupil on roll twice at once is a mistake in the file.
  const byPupil = new Map<string, EnrolmentRead[]>();
  for (const r of read) byPupil.set(r.enrolment.pupilId, [...(byPupil.get(r.enrolment.pupilId) ?? []), r]);
  for (const list of byPupil.values()) {
    list.sort((a, b) => (a.enrolment.admitted < b.enrolment.admitted ? -1 : 1));
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]!;
      if (before.enrolment.left === undefined || before.enrolment.left >= list[i]!.enrolment.admitted)
        problems.add(
          list[i]!.line,
          `pupil ${list[i]!.enrolment.pupilId} is still on roll from line ${before.line}`,
        );
    }
  }
  return [problems, read];
}

// ---------------------------------------------------------------------------------------------

interface MarkRead {
  mark: Mark;
  line: number;
}

export function readMarksCsv(text: string, file: string): CsvResult<Mark[]> {
  const [problems, read] = parseMarks(text, file);
  return result(
    problems,
    read.map((r) => r.mark),
  );
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * One row per change to a mark, in any order: the changes of one (pupil, date, session) are put in
 * the order of `changed_at`, and each must start from the code the one before left.
 */
function parseMarks(text: string, file: string): [Problems, MarkRead[]] {
  const problems = new Problems(file);
  const byKey = new Map<
    string,
    { pupilId: string; date: string; session: SchoolSession; changes: (MarkChange & { line: number })[] }
  >();
  for (const row of readTable(text, MARK_COLUMNS, problems)) {
    const pupilId = required(row, 'pupil_id', problems);
    const day = date(row, 'date', problems);
    const when = session(row, 'session', problems);
    const code = required(row, 'code', problems);
    const previous = row.cell.previous_code;
    const by = required(row, 'changed_by', problems);
    const atText = required(row, 'changed_at', problems);
    if (code !== undefined && day !== undefined && !isAttendanceCodeValidOn(code, day))
      problems.add(
        row.line,
        isKnownAttendanceCode(code)
          ? `code: ${code} is not valid on ${day}`
          : `code: not an attendance code: ${JSON.stringify(code)}`,
      );
    if (previous !== '' && !isKnownAttendanceCode(previous))
      problems.add(row.line, `previous_code: not an attendance code: ${JSON.stringify(previous)}`);
    let at: string | undefined;
    if (atText !== undefined) {
      const ms = INSTANT.test(atText) ? Date.parse(atText) : NaN;
      if (Number.isNaN(ms))
        problems.add(
          row.line,
          `changed_at: not a date and time with its offset (2026-11-12T08:50:00Z): ${atText}`,
        );
      else at = new Date(ms).toISOString();
    }
    if (!pupilId || !day || !when || !code || !by || !at) continue;
    const key = `${pupilId}\n${day}\n${when}`;
    let found = byKey.get(key);
    if (!found) {
      found = { pupilId, date: day, session: when, changes: [] };
      byKey.set(key, found);
    }
    found.changes.push({ by, at, from: previous === '' ? null : previous, to: code, line: row.line });
  }
  const read: MarkRead[] = [];
  for (const found of byKey.values()) {
    // ISO instants in UTC compare as strings; the sort is stable, so equal times keep file order.
    found.changes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    found.changes.forEach((change, i) => {
      const before = found.changes[i - 1];
      if (before === undefined && change.from !== null)
        problems.add(
          change.line,
          `previous_code: the first change to this mark has no previous code, not ${change.from}`,
        );
      if (before !== undefined && change.from !== before.to)
        problems.add(
          change.line,
          `previous_code: ${change.from ?? '(empty)'} is not the code before this change (${before.to}, line ${before.line})`,
        );
    });
    const last = found.changes.at(-1)!;
    read.push({
      mark: {
        pupilId: found.pupilId,
        date: found.date,
        session: found.session,
        code: last.to,
        history: found.changes.map(({ by, at, from, to }) => ({ by, at, from, to })),
      },
      line: last.line,
    });
  }
  return [problems, read];
}

// ---------------------------------------------------------------------------------------------

export function readCalendarCsv(text: string, file: string): CsvResult<SchoolCalendar> {
  return result(...parseCalendar(text, file));
}

const MAX_RANGE_DAYS = 366;

function eachDay(start: string, end: string): string[] {
  const days: string[] = [];
  for (
    let day = new Date(`${start}T00:00:00Z`);
    day.toISOString().slice(0, 10) <= end;
    day.setUTCDate(day.getUTCDate() + 1)
  )
    days.push(day.toISOString().slice(0, 10));
  return days;
}

/** `term` rows (name, start and end), `inset` and `closure` rows (a date, or a range of dates). */
function parseCalendar(text: string, file: string): [Problems, SchoolCalendar] {
  const problems = new Problems(file);
  const calendar: SchoolCalendar = { terms: [], insetDays: [], closures: [] };
  const termLines = new Map<Term, number>();
  for (const row of readTable(text, CALENDAR_COLUMNS, problems)) {
    const kind = row.cell.kind.toLowerCase();
    if (kind !== 'term' && kind !== 'inset' && kind !== 'closure') {
      problems.add(row.line, `kind: must be term, inset or closure, not ${JSON.stringify(row.cell.kind)}`);
      continue;
    }
    const start = date(row, 'start_date', problems);
    const end = date(row, 'end_date', problems, kind !== 'term') ?? start;
    if (start !== undefined && end !== undefined && end < start)
      problems.add(row.line, `end_date ${end} is before start_date ${start}`);
    // A calendar is one school year: a longer range is a typo, and would be expanded day by day.
    if (start !== undefined && end !== undefined && daysBetween(start, end) > MAX_RANGE_DAYS) {
      problems.add(row.line, `${start} to ${end} is longer than a year`);
      continue;
    }
    if (kind === 'term') {
      const name = required(row, 'name', problems);
      if (row.cell.session !== '') problems.add(row.line, 'session: only for a closure');
      if (name && start && end && end >= start) {
        const term = { name, start, end };
        termLines.set(term, row.line);
        calendar.terms.push(term);
      }
    } else if (kind === 'inset') {
      if (row.cell.session !== '')
        problems.add(row.line, 'session: an INSET day has no pupil sessions at all');
      if (start && end && end >= start) calendar.insetDays.push(...eachDay(start, end));
    } else {
      const only = row.cell.session === '' ? undefined : session(row, 'session', problems);
      if (start && end && end >= start)
        for (const day of eachDay(start, end)) {
          const closure: Closure = { date: day, reason: row.cell.name };
          if (only) closure.session = only;
          calendar.closures.push(closure);
        }
    }
  }
  const sorted = [...calendar.terms].sort((a, b) => (a.start < b.start ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start <= sorted[i - 1]!.end)
      problems.add(
        termLines.get(sorted[i]!)!,
        `term ${sorted[i]!.name} overlaps term ${sorted[i - 1]!.name}`,
      );
  }
  return [problems, calendar];
}

// ---------------------------------------------------------------------------------------------

export interface SchoolFiles {
  pupils: { text: string; file: string };
  enrolments: { text: string; file: string };
  marks: { text: string; file: string };
  calendar: { text: string; file: string };
}

export interface SchoolData {
  pupils: Pupil[];
  enrolments: Enrolment[];
  marks: Mark[];
  calendar: SchoolCalendar;
}

/**
 * The four files together, checked against each other: every enrolment and mark is of a pupil in
 * the pupils file, and every mark is of a session the school held while the pupil was on roll.
 */
export function readSchoolCsvs(files: SchoolFiles): CsvResult<SchoolData> {
  const [pupilProblems, pupils] = parsePupils(files.pupils.text, files.pupils.file);
  const [enrolmentProblems, enrolments] = parseEnrolments(files.enrolments.text, files.enrolments.file);
  const [markProblems, marks] = parseMarks(files.marks.text, files.marks.file);
  const [calendarProblems, calendar] = parseCalendar(files.calendar.text, files.calendar.file);
  const known = new Set(pupils.map((pupil) => pupil.id));
  for (const { enrolment, line } of enrolments)
    if (!known.has(enrolment.pupilId))
      enrolmentProblems.add(line, `pupil_id: ${enrolment.pupilId} is not in ${files.pupils.file}`);
  const fileProblems = [pupilProblems, enrolmentProblems, markProblems, calendarProblems];
  if (fileProblems.every((p) => p.list.length === 0)) {
    const compiled = compileCalendar(calendar);
    const byPupil = new Map<string, Enrolment[]>();
    for (const { enrolment } of enrolments)
      byPupil.set(enrolment.pupilId, [...(byPupil.get(enrolment.pupilId) ?? []), enrolment]);
    for (const { mark, line } of marks) {
      if (!known.has(mark.pupilId))
        markProblems.add(line, `pupil_id: ${mark.pupilId} is not in ${files.pupils.file}`);
      else if (
        !(byPupil.get(mark.pupilId) ?? []).some(
          (e) => e.admitted <= mark.date && (e.left === undefined || mark.date <= e.left),
        )
      )
        markProblems.add(line, `pupil ${mark.pupilId} is not on roll on ${mark.date}`);
      else if (!compiled.sessionsOn(mark.date).includes(mark.session))
        markProblems.add(line, `${mark.date} ${mark.session} is not a session of the school's calendar`);
    }
  }
  const problems = fileProblems.flatMap((p) => p.list).slice(0, MAX_PROBLEMS);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    records: {
      pupils,
      enrolments: enrolments.map((r) => r.enrolment),
      marks: marks.map((r) => r.mark),
      calendar,
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** One CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvText(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  return [columns.join(','), ...rows.map((row) => row.map(csvCell).join(','))].join('\r\n') + '\r\n';
}

/** A school's data as the four files `readSchoolCsvs` reads back to the same records. */
export function writeSchoolCsvs(data: SchoolData): SchoolFiles {
  return {
    pupils: {
      file: 'pupils.csv',
      text: csvText(
        PUPIL_COLUMNS,
        data.pupils.map((p) => [p.id, p.upn, p.forename, p.surname, p.dateOfBirth]),
      ),
    },
    enrolments: {
      file: 'enrolments.csv',
      text: csvText(
        ENROLMENT_COLUMNS,
        data.enrolments.flatMap((e) =>
          e.yearGroups.map((g) => [e.pupilId, e.admitted, e.left ?? '', g.ncYearGroup, g.from]),
        ),
      ),
    },
    marks: {
      file: 'marks.csv',
      text: csvText(
        MARK_COLUMNS,
        data.marks.flatMap((m) =>
          m.history.map((c) => [m.pupilId, m.date, m.session, c.to, c.from ?? '', c.by, c.at]),
        ),
      ),
    },
    calendar: {
      file: 'calendar.csv',
      text: csvText(CALENDAR_COLUMNS, [
        ...data.calendar.terms.map((t) => ['term', t.start, t.end, '', t.name]),
        ...data.calendar.insetDays.map((d) => ['inset', d, '', '', '']),
        ...data.calendar.closures.map((c) => ['closure', c.date, '', c.session ?? '', c.reason]),
      ]),
    },
  };
}
