/**
 * The school's records in the `school` schema: writing a school's data in bulk (imports, the
 * generator, the demo), reading back what the pure core needs (`attendanceInputFor` for the send,
 * `schoolDataOf` for insight), the staff who work there, and recording a change to one mark.
 *
 * Bulk writes send one array per column (`insert … select from unnest(…)`), so thousands of rows
 * are one statement per table on either engine. Everything a caller reads is the pure core's own
 * types (pupils.ts, school-calendar.ts), so the database path and the synthetic school meet in
 * `aggregateAttendance` unchanged.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import type { EdgateDatabase } from '../platform/db/schema.ts';
import { addDays } from '../platform/calendar.ts';
import type {
  Enrolment,
  Mark,
  MarkChange,
  Pupil,
  SchoolDetails,
  SchoolPhase,
  SchoolSession,
} from './pupils.ts';
import { compileCalendar, type Closure, type SchoolCalendar, type Term } from './school-calendar.ts';
import type { AggregationInput } from './aggregation.ts';
import type { SchoolData } from './school-csv.ts';
import { SCHOOL_PERMISSIONS, type SchoolPermission } from './tables.ts';
import { createAccount, type AccountRoleDefinition } from '../platform/auth/accounts.ts';
import './tables.ts';

type Db = Kysely<EdgateDatabase>;

/** Rows per bulk statement: arrays of this size stay well inside either engine's limits. */
const BATCH = 20_000;

/** What `saveSchoolData` wrote. */
export interface SavedSchoolData {
  pupils: number;
  enrolments: number;
  marks: number;
  changes: number;
}

/** Adds the school, or updates its name, LA, establishment number and phase. */
export async function saveSchool(db: Db, school: SchoolDetails): Promise<void> {
  await db
    .insertInto('school.school')
    .values({
      urn: school.urn,
      name: school.name,
      la_code: school.laCode,
      establishment_number: school.establishmentNumber,
      phase: school.phase,
    })
    .onConflict((oc) =>
      oc.column('urn').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        la_code: eb.ref('excluded.la_code'),
        establishment_number: eb.ref('excluded.establishment_number'),
        phase: eb.ref('excluded.phase'),
      })),
    )
    .execute();
}

export async function schoolsOf(db: Db): Promise<SchoolDetails[]> {
  const rows = await db.selectFrom('school.school').selectAll().orderBy('urn').execute();
  return rows.map((row) => ({
    urn: row.urn,
    name: row.name,
    laCode: row.la_code,
    establishmentNumber: row.establishment_number,
    phase: row.phase as SchoolPhase,
  }));
}

export async function schoolOf(db: Db, urn: number): Promise<SchoolDetails | undefined> {
  return (await schoolsOf(db)).find((school) => school.urn === urn);
}

/** The bulk insert of one table: `columns` as [name, SQL type], then one array per column. */
async function insertColumns(
  db: Db,
  table: string,
  columns: readonly (readonly [string, string])[],
  values: readonly unknown[][],
  onConflict = '',
): Promise<void> {
  const count = values[0]?.length ?? 0;
  for (let start = 0; start < count; start += BATCH) {
    const slice = values.map((column) => column.slice(start, start + BATCH));
    await sql`
      insert into ${sql.raw(table)} (${sql.join(columns.map(([name]) => sql.raw(name)))})
      select * from unnest(${sql.join(columns.map(([, type], i) => sql`${slice[i]}::${sql.raw(type)}[]`))})
      ${sql.raw(onConflict)}
    `.execute(db);
  }
}

/** `progress` is told after each table and each batch of marks: the big school takes a while. */
export type Progress = (message: string) => void;

/**
 * Replaces everything the school has (its calendar, pupils, enrolments and marks with their
 * history) with `data`, in one transaction: all or nothing. Its staff stay. Every mark written is
 * stored now, so the next send covers every date it has (`marksChangedSince`).
 */
export async function replaceSchoolData(
  db: Database,
  school: SchoolDetails,
  data: SchoolData,
  { storedAt = new Date(), progress = () => {} }: { storedAt?: Date; progress?: Progress } = {},
): Promise<SavedSchoolData> {
  // The calendar must compile before anything is deleted.
  compileCalendar(data.calendar);
  return db.transaction().execute(async (trx) => {
    await saveSchool(trx, school);
    const urn = school.urn;
    // Marks and history have no foreign key (decision 0026): deleted here; enrolments cascade.
    await trx.deleteFrom('school.mark_change').where('urn', '=', urn).execute();
    await trx.deleteFrom('school.mark').where('urn', '=', urn).execute();
    await trx.deleteFrom('school.pupil').where('urn', '=', urn).execute();
    await trx.deleteFrom('school.term').where('urn', '=', urn).execute();
    await trx.deleteFrom('school.closure').where('urn', '=', urn).execute();
    await writeCalendar(trx, urn, data.calendar);
    await writePupils(trx, urn, data.pupils);
    const enrolments = await writeEnrolments(trx, urn, data.enrolments);
    progress(`${data.pupils.length} pupils, ${enrolments} enrolment rows`);
    const { marks, changes } = await writeMarks(trx, urn, data.marks, storedAt, progress);
    return { pupils: data.pupils.length, enrolments, marks, changes };
  });
}

async function writeCalendar(db: Db, urn: number, calendar: SchoolCalendar): Promise<void> {
  if (calendar.terms.length > 0)
    await insertColumns(
      db,
      'school.term',
      [
        ['urn', 'integer'],
        ['name', 'text'],
        ['starts', 'date'],
        ['ends', 'date'],
      ],
      [
        calendar.terms.map(() => urn),
        calendar.terms.map((t) => t.name),
        calendar.terms.map((t) => t.start),
        calendar.terms.map((t) => t.end),
      ],
    );
  const rows = [
    ...calendar.insetDays.map((date) => ({ date, session: 'both', inset: true, reason: 'INSET day' })),
    ...calendar.closures.map((c) => ({
      date: c.date,
      session: c.session ?? 'both',
      inset: false,
      reason: c.reason,
    })),
  ];
  if (rows.length > 0)
    await insertColumns(
      db,
      'school.closure',
      [
        ['urn', 'integer'],
        ['date', 'date'],
        ['session', 'text'],
        ['inset', 'boolean'],
        ['reason', 'text'],
      ],
      [
        rows.map(() => urn),
        rows.map((r) => r.date),
        rows.map((r) => r.session),
        rows.map((r) => r.inset),
        rows.map((r) => r.reason),
      ],
      // An INSET day also listed as a closure is shut either way: the first row stands.
      'on conflict do nothing',
    );
}

async function writePupils(db: Db, urn: number, pupils: readonly Pupil[]): Promise<void> {
  if (pupils.length === 0) return;
  await insertColumns(
    db,
    'school.pupil',
    [
      ['urn', 'integer'],
      ['pupil_id', 'text'],
      ['upn', 'text'],
      ['forename', 'text'],
      ['surname', 'text'],
      ['date_of_birth', 'date'],
    ],
    [
      pupils.map(() => urn),
      pupils.map((p) => p.id),
      pupils.map((p) => p.upn),
      pupils.map((p) => p.forename),
      pupils.map((p) => p.surname),
      pupils.map((p) => p.dateOfBirth),
    ],
  );
}

async function writeEnrolments(db: Db, urn: number, enrolments: readonly Enrolment[]): Promise<number> {
  const columns: unknown[][] = [[], [], [], [], [], [], []];
  for (const enrolment of enrolments) {
    const periods = [...enrolment.yearGroups].sort((a, b) => (a.from < b.from ? -1 : 1));
    periods.forEach((period, i) => {
      const next = periods[i + 1];
      const row = [
        urn,
        enrolment.pupilId,
        enrolment.admitted,
        enrolment.left ?? null,
        period.ncYearGroup,
        period.from,
        next ? addDays(next.from, -1) : (enrolment.left ?? null),
      ];
      row.forEach((value, c) => columns[c]!.push(value));
    });
  }
  if (columns[0]!.length > 0)
    await insertColumns(
      db,
      'school.enrolment',
      [
        ['urn', 'integer'],
        ['pupil_id', 'text'],
        ['admission_date', 'date'],
        ['leaving_date', 'date'],
        ['nc_year_group', 'text'],
        ['year_group_from', 'date'],
        ['year_group_to', 'date'],
      ],
      columns,
    );
  return columns[0]!.length;
}

async function writeMarks(
  db: Db,
  urn: number,
  marks: readonly Mark[],
  storedAt: Date,
  progress: Progress,
): Promise<{ marks: number; changes: number }> {
  let changes = 0;
  const importedAt = storedAt.toISOString();
  for (let start = 0; start < marks.length; start += BATCH) {
    const batch = marks.slice(start, start + BATCH);
    const mark: unknown[][] = [[], [], [], [], [], [], [], []];
    const change: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const m of batch) {
      const last = m.history.at(-1);
      [
        urn,
        m.pupilId,
        m.date,
        m.session,
        m.code,
        last?.by ?? 'import',
        last?.at ?? importedAt,
        importedAt,
      ].forEach((value, c) => mark[c]!.push(value));
      // A mark entered once is its own history (recorded_by, recorded_at): only changed marks have rows.
      if (m.history.length > 1)
        for (const h of m.history)
          [urn, m.pupilId, m.date, m.session, h.from, h.to, h.by, h.at].forEach((value, c) =>
            change[c]!.push(value),
          );
    }
    await insertColumns(
      db,
      'school.mark',
      [
        ['urn', 'integer'],
        ['pupil_id', 'text'],
        ['date', 'date'],
        ['session', 'text'],
        ['code', 'text'],
        ['recorded_by', 'text'],
        ['recorded_at', 'timestamptz'],
        ['stored_at', 'timestamptz'],
      ],
      mark,
    );
    if (change[0]!.length > 0)
      await insertColumns(
        db,
        'school.mark_change',
        [
          ['urn', 'integer'],
          ['pupil_id', 'text'],
          ['date', 'date'],
          ['session', 'text'],
          ['from_code', 'text'],
          ['to_code', 'text'],
          ['changed_by', 'text'],
          ['changed_at', 'timestamptz'],
        ],
        change,
      );
    changes += change[0]!.length;
    if (marks.length > BATCH) progress(`${Math.min(start + BATCH, marks.length)} of ${marks.length} marks`);
  }
  return { marks: marks.length, changes };
}

// ---------------------------------------------------------------------------------------------

export async function calendarOf(db: Db, urn: number): Promise<SchoolCalendar> {
  const terms = await db
    .selectFrom('school.term')
    .select(['name', 'starts', 'ends'])
    .where('urn', '=', urn)
    .orderBy('starts')
    .execute();
  const closures = await db
    .selectFrom('school.closure')
    .select(['date', 'session', 'inset', 'reason'])
    .where('urn', '=', urn)
    .orderBy('date')
    .orderBy('session')
    .execute();
  return {
    terms: terms.map((t): Term => ({ name: t.name, start: t.starts, end: t.ends })),
    insetDays: closures.filter((c) => c.inset).map((c) => c.date),
    closures: closures
      .filter((c) => !c.inset)
      .map((c): Closure =>
        c.session === 'both'
          ? { date: c.date, reason: c.reason }
          : { date: c.date, session: c.session, reason: c.reason },
      ),
  };
}

interface EnrolmentRow {
  pupil_id: string;
  admission_date: string;
  leaving_date: string | null;
  nc_year_group: string;
  year_group_from: string;
}

function enrolmentsFromRows(rows: readonly EnrolmentRow[]): Enrolment[] {
  const byStay = new Map<string, Enrolment>();
  for (const row of rows) {
    const key = `${row.pupil_id}\n${row.admission_date}`;
    let enrolment = byStay.get(key);
    if (!enrolment) {
      enrolment = { pupilId: row.pupil_id, admitted: row.admission_date, yearGroups: [] };
      if (row.leaving_date !== null) enrolment.left = row.leaving_date;
      byStay.set(key, enrolment);
    }
    enrolment.yearGroups.push({ from: row.year_group_from, ncYearGroup: row.nc_year_group });
  }
  return [...byStay.values()];
}

/** Enrolments on roll at some point from `from` to `to` (both included; unbounded when absent). */
export async function enrolmentsOf(db: Db, urn: number, from?: string, to?: string): Promise<Enrolment[]> {
  let query = db
    .selectFrom('school.enrolment')
    .select(['pupil_id', 'admission_date', 'leaving_date', 'nc_year_group', 'year_group_from'])
    .where('urn', '=', urn);
  if (to !== undefined) query = query.where('admission_date', '<=', to);
  if (from !== undefined)
    query = query.where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', from)]));
  const rows = await query.orderBy('pupil_id').orderBy('admission_date').orderBy('year_group_from').execute();
  return enrolmentsFromRows(rows);
}

/** Joins a session's pupil ids and codes in `marksOfDates`: a control character no MIS puts in either. */
const SEPARATOR = '\u001f';

/**
 * The current marks of `dates`, without history, in one query: a row per (date, session) holding
 * its pupil ids and their codes each joined into one text (`string_agg` feeds both in the same
 * row order), so 16 rows come back instead of one per mark — decoding rows is what reading 32,000
 * marks costs (bench/school-load: on PGlite ~250 ms of CPU a row each, ~30 ms joined). Should an
 * id or a code hold the separator, the session's count says so and the marks are read a row each.
 */
export async function marksOfDates(db: Db, urn: number, dates: readonly string[]): Promise<Mark[]> {
  if (dates.length === 0) return [];
  const sessions = await sql<{ date: string; session: SchoolSession; n: number; ids: string; codes: string }>`
    select date, session, count(*)::integer as n,
      string_agg(pupil_id, chr(31)) as ids, string_agg(code, chr(31)) as codes
    from school.mark
    where urn = ${urn} and date = any(${[...dates]}::date[])
    group by date, session
  `.execute(db);
  const marks: Mark[] = [];
  for (const { date, session, n, ids, codes } of sessions.rows) {
    const pupilIds = ids.split(SEPARATOR);
    const codeList = codes.split(SEPARATOR);
    if (pupilIds.length !== n || codeList.length !== n) return marksOfDatesRowByRow(db, urn, dates);
    for (let i = 0; i < n; i++)
      marks.push({ pupilId: pupilIds[i]!, date, session, code: codeList[i]!, history: [] });
  }
  return marks;
}

/** The plain read of `marksOfDates`: a row per mark. */
export async function marksOfDatesRowByRow(db: Db, urn: number, dates: readonly string[]): Promise<Mark[]> {
  if (dates.length === 0) return [];
  const rows = await db
    .selectFrom('school.mark')
    .select(['pupil_id', 'date', 'session', 'code'])
    .where('urn', '=', urn)
    .where(sql<boolean>`date = any(${[...dates]}::date[])`)
    .execute();
  return rows.map((row) => ({
    pupilId: row.pupil_id,
    date: row.date,
    session: row.session,
    code: row.code,
    history: [],
  }));
}

/**
 * Everything `aggregateAttendance` needs to build the send of `dates` on `today`, read in three
 * queries: the calendar, the enrolments on roll in the span, the current marks of those dates.
 * Marks come without history (the send counts current codes only).
 */
export async function attendanceInputFor(
  db: Db,
  urn: number,
  { dates, today, calendar }: { dates: readonly string[]; today: string; calendar?: SchoolCalendar },
): Promise<AggregationInput> {
  const compiled = compileCalendar(calendar ?? (await calendarOf(db, urn)));
  const span = [...dates, today].sort();
  const [enrolments, marks] = await Promise.all([
    enrolmentsOf(db, urn, span[0], span.at(-1)),
    marksOfDates(db, urn, dates),
  ]);
  return { urn, calendar: compiled, enrolments, marks, dates: [...dates], today };
}

/** The school's whole record (insight reads the year from it): pupils, enrolments, calendar, current marks. */
export async function schoolDataOf(
  db: Db,
  urn: number,
  { marksFrom, marksTo }: { marksFrom?: string; marksTo?: string } = {},
): Promise<SchoolData> {
  const pupils = await db
    .selectFrom('school.pupil')
    .select(['pupil_id', 'upn', 'forename', 'surname', 'date_of_birth'])
    .where('urn', '=', urn)
    .orderBy('pupil_id')
    .execute();
  let markQuery = db
    .selectFrom('school.mark')
    .select(['pupil_id', 'date', 'session', 'code'])
    .where('urn', '=', urn);
  if (marksFrom !== undefined) markQuery = markQuery.where('date', '>=', marksFrom);
  if (marksTo !== undefined) markQuery = markQuery.where('date', '<=', marksTo);
  const marks = await markQuery.execute();
  return {
    pupils: pupils.map((p) => ({
      id: p.pupil_id,
      upn: p.upn,
      forename: p.forename,
      surname: p.surname,
      dateOfBirth: p.date_of_birth,
    })),
    enrolments: await enrolmentsOf(db, urn),
    marks: marks.map((m) => ({
      pupilId: m.pupil_id,
      date: m.date,
      session: m.session,
      code: m.code,
      history: [],
    })),
    calendar: await calendarOf(db, urn),
  };
}

/**
 * The dates of the school whose marks edgate stored after `since` (an import, the register page),
 * oldest first: the days a send made at `since` no longer shows as they are.
 */
export async function marksChangedSince(db: Db, urn: number, since: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('school.mark')
    .select('date')
    .distinct()
    .where('urn', '=', urn)
    .where('stored_at', '>', since)
    .orderBy('date')
    .execute();
  return rows.map((row) => row.date);
}

// ---------------------------------------------------------------------------------------------

export interface StaffMember {
  username: string;
  urn: number;
  schoolName: string;
  /** The school's LA. */
  laCode: string;
  permissions: SchoolPermission[];
}

/** The school a `school-user` account works in and what it may do there; undefined when none. */
export async function staffMember(db: Db, username: string): Promise<StaffMember | undefined> {
  const row = await db
    .selectFrom('school.staff')
    .innerJoin('school.school', 'school.school.urn', 'school.staff.urn')
    .select([
      'school.staff.username',
      'school.staff.urn',
      'school.staff.permissions',
      'school.school.name',
      'school.school.la_code',
    ])
    .where('school.staff.username', '=', username.toLowerCase())
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    username: row.username,
    urn: row.urn,
    schoolName: row.name,
    laCode: row.la_code,
    permissions: row.permissions as SchoolPermission[],
  };
}

export function hasPermission(member: StaffMember | undefined, permission: SchoolPermission): boolean {
  return member?.permissions.includes(permission) ?? false;
}

// ---------------------------------------------------------------------------------------------

export interface MarkEntry {
  urn: number;
  pupilId: string;
  date: string;
  session: SchoolSession;
  code: string;
  by: string;
  at: Date;
  /** Why it changed (optional): kept in the history. */
  reason?: string;
}

/**
 * Records one pupil session's mark: a new mark, or a change to the current one (the history keeps
 * old → new, who and when). The row is locked while it changes, so two people saving the same
 * register at once both land in the history, the later one current. Returns false when the code
 * was already the current one (nothing recorded).
 */
export async function recordMark(db: Database, entry: MarkEntry): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('school.mark')
      .select(['code', 'recorded_by', 'recorded_at'])
      .where('urn', '=', entry.urn)
      .where('pupil_id', '=', entry.pupilId)
      .where('date', '=', entry.date)
      .where('session', '=', entry.session)
      .forUpdate()
      .executeTakeFirst();
    if (current?.code === entry.code) return false;
    const at = entry.at.toISOString();
    if (current) {
      // A mark entered once has no history rows yet: its first entry goes in before the change.
      const history = await trx
        .selectFrom('school.mark_change')
        .select('id')
        .where('urn', '=', entry.urn)
        .where('pupil_id', '=', entry.pupilId)
        .where('date', '=', entry.date)
        .where('session', '=', entry.session)
        .limit(1)
        .executeTakeFirst();
      if (!history)
        await trx
          .insertInto('school.mark_change')
          .values({
            urn: entry.urn,
            pupil_id: entry.pupilId,
            date: entry.date,
            session: entry.session,
            from_code: null,
            to_code: current.code,
            changed_by: current.recorded_by,
            changed_at: current.recorded_at,
            reason: null,
          })
          .execute();
    }
    await trx
      .insertInto('school.mark')
      .values({
        urn: entry.urn,
        pupil_id: entry.pupilId,
        date: entry.date,
        session: entry.session,
        code: entry.code,
        recorded_by: entry.by,
        recorded_at: at,
        stored_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['urn', 'date', 'session', 'pupil_id']).doUpdateSet({
          code: entry.code,
          recorded_by: entry.by,
          recorded_at: at,
          stored_at: at,
        }),
      )
      .execute();
    // A first entry is its own history (the mark's recorded_by and recorded_at).
    if (!current) return true;
    await trx
      .insertInto('school.mark_change')
      .values({
        urn: entry.urn,
        pupil_id: entry.pupilId,
        date: entry.date,
        session: entry.session,
        from_code: current.code,
        to_code: entry.code,
        changed_by: entry.by,
        changed_at: at,
        reason: entry.reason ?? null,
      })
      .execute();
    return true;
  });
}

// ---------------------------------------------------------------------------------------------

/** A refusal about school data the operator can act on (plain words). */
export class SchoolDataError extends Error {}

export interface StaffAdded {
  member: StaffMember;
  /** Set when the account was created: its password, to be shown once. */
  password?: string;
  /** True when an existing account was linked (given the account role school-user if it lacked it). */
  linked: boolean;
}

export function permissionProblems(permissions: readonly string[]): string[] {
  const known = Object.keys(SCHOOL_PERMISSIONS);
  return permissions
    .filter((p) => !known.includes(p))
    .map((p) => `"${p}" is not a school permission: they are ${known.join(', ')}`);
}

/**
 * Makes `username` staff of the school with these permissions: creates a `school-user` account
 * (with `password`) when there is none, or links the existing one, giving it the account role
 * when it lacks it. A member of another school is refused: an account works in one school.
 */
export async function addStaff(
  db: Database,
  input: {
    username: string;
    urn: number;
    permissions: readonly string[];
    addedBy: string;
    displayName?: string;
    password: string;
  },
  accountRoles: readonly AccountRoleDefinition[],
): Promise<StaffAdded> {
  const username = input.username.trim().toLowerCase();
  const problems = permissionProblems(input.permissions);
  if (problems.length > 0) throw new SchoolDataError(problems.join('; '));
  const school = await schoolOf(db, input.urn);
  if (!school) throw new SchoolDataError(`No school with URN ${input.urn}: import or generate it first`);
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('platform.account')
      .select(['id', 'roles'])
      .where('username', '=', username)
      .forUpdate()
      .executeTakeFirst();
    let password: string | undefined;
    if (!account) {
      await createAccount(
        trx,
        {
          username,
          displayName: input.displayName ?? username,
          password: input.password,
          roles: ['school-user'],
        },
        accountRoles,
      );
      password = input.password;
    } else if (!account.roles.includes('school-user')) {
      await trx
        .updateTable('platform.account')
        .set({ roles: [...account.roles, 'school-user'] })
        .where('id', '=', account.id)
        .execute();
    }
    const elsewhere = await trx
      .selectFrom('school.staff')
      .select('urn')
      .where('username', '=', username)
      .executeTakeFirst();
    if (elsewhere && elsewhere.urn !== input.urn)
      throw new SchoolDataError(
        `${username} is already staff of the school with URN ${elsewhere.urn}: an account works in one school`,
      );
    const permissions = [...new Set(input.permissions)].sort();
    await trx
      .insertInto('school.staff')
      .values({ username, urn: input.urn, permissions, added_by: input.addedBy })
      .onConflict((oc) => oc.column('username').doUpdateSet({ permissions }))
      .execute();
    const added: StaffAdded = {
      member: {
        username,
        urn: input.urn,
        schoolName: school.name,
        laCode: school.laCode,
        permissions: permissions as SchoolPermission[],
      },
      linked: account !== undefined,
    };
    if (password !== undefined) added.password = password;
    return added;
  });
}

/** A mark's history, oldest first: its rows in mark_change, or the mark itself when never changed. */
export async function markHistory(
  db: Db,
  key: { urn: number; pupilId: string; date: string; session: SchoolSession },
): Promise<(MarkChange & { reason: string | null })[]> {
  const rows = await db
    .selectFrom('school.mark_change')
    .select(['from_code', 'to_code', 'changed_by', 'changed_at', 'reason'])
    .where('urn', '=', key.urn)
    .where('pupil_id', '=', key.pupilId)
    .where('date', '=', key.date)
    .where('session', '=', key.session)
    .orderBy('changed_at')
    .orderBy('id')
    .execute();
  if (rows.length > 0)
    return rows.map((r) => ({
      by: r.changed_by,
      at: new Date(r.changed_at).toISOString(),
      from: r.from_code,
      to: r.to_code,
      reason: r.reason,
    }));
  const mark = await db
    .selectFrom('school.mark')
    .select(['code', 'recorded_by', 'recorded_at'])
    .where('urn', '=', key.urn)
    .where('pupil_id', '=', key.pupilId)
    .where('date', '=', key.date)
    .where('session', '=', key.session)
    .executeTakeFirst();
  return mark
    ? [
        {
          by: mark.recorded_by,
          at: new Date(mark.recorded_at).toISOString(),
          from: null,
          to: mark.code,
          reason: null,
        },
      ]
    : [];
}
