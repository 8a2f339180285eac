/**
 * The statistics of attendance, read from the current picture (`dfe.school_day`) when asked: a
 * submission counts from the moment it commits, with no batch in between. Each school-day row
 * carries its day's totals as generated integer columns, so national and LA figures are sums of
 * plain integers over the (date) and (la_code, date) indexes; only year groups open the `sessions`
 * JSON, for one day at a time.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { byYearGroupOrder, figuresOfRow, type Figures, type TotalsRow } from './figures.ts';

const SUMS = sql`count(*)::integer as schools,
  coalesce(sum(possible), 0)::bigint as possible, coalesce(sum(present), 0)::bigint as present,
  coalesce(sum(aea), 0)::bigint as aea, coalesce(sum(authorised), 0)::bigint as authorised,
  coalesce(sum(unauthorised), 0)::bigint as unauthorised, coalesce(sum(not_counted), 0)::bigint as not_counted`;

export interface DayFigures extends Figures {
  date: string;
}

/** Where a question is asked: the whole country, one LA, or one school. */
export type Area = { kind: 'national' } | { kind: 'la'; laCode: string } | { kind: 'school'; urn: number };

function areaFilter(area: Area): RawBuilder<unknown> {
  switch (area.kind) {
    case 'national':
      return sql`true`;
    case 'la':
      return sql`la_code = ${area.laCode}`;
    case 'school':
      return sql`urn = ${area.urn}`;
    default: {
      const unknownArea: never = area;
      throw new Error(`Unknown area ${JSON.stringify(unknownArea)}`);
    }
  }
}

/**
 * The latest `count` dates on or before `onOrBefore` with any school-day in the area, newest
 * first. Walks the index one date at a time (a "skip scan"), so it reads `count` index entries
 * rather than every school-day.
 */
export async function datesWithData(
  db: Database,
  area: Area,
  count: number,
  onOrBefore: string,
): Promise<string[]> {
  const where = areaFilter(area);
  const result = await sql<{ date: string }>`
    with recursive dates (date, n) as (
      select (select max(date) from dfe.school_day where ${where} and date <= ${onOrBefore}::date), 1
      union all
      select (select max(date) from dfe.school_day where ${where} and date < dates.date), n + 1
      from dates where dates.date is not null and n < ${count}
    )
    select date from dates where date is not null order by date desc
  `.execute(db);
  return result.rows.map((row) => row.date);
}

/** The area's figures per date from `from` to `to` (dates with no school-day are left out), oldest first. */
export async function dailyFigures(
  db: Database,
  area: Area,
  from: string,
  to: string,
): Promise<DayFigures[]> {
  const result = await sql<TotalsRow & { date: string }>`
    select date, ${SUMS} from dfe.school_day
    where ${areaFilter(area)} and date between ${from}::date and ${to}::date
    group by date order by date
  `.execute(db);
  return result.rows.map((row) => ({ date: row.date, ...figuresOfRow(row) }));
}

export interface LaFigures extends Figures {
  laCode: string;
}

/** Every LA with a school-day on `date`, by LA code. */
export async function figuresByLa(db: Database, date: string): Promise<LaFigures[]> {
  const result = await sql<TotalsRow & { la_code: string }>`
    select la_code, ${SUMS} from dfe.school_day where date = ${date}::date
    group by la_code order by la_code
  `.execute(db);
  return result.rows.map((row) => ({ laCode: row.la_code, ...figuresOfRow(row) }));
}

export interface PhaseFigures extends Figures {
  phaseOfEducation: string;
}

/** The figures of `date` per phase of education (as the school's register said at receipt). */
export async function figuresByPhase(db: Database, date: string, area: Area): Promise<PhaseFigures[]> {
  const result = await sql<TotalsRow & { phase_of_education: string }>`
    select phase_of_education, ${SUMS} from dfe.school_day
    where ${areaFilter(area)} and date = ${date}::date
    group by phase_of_education order by sum(possible) desc, phase_of_education
  `.execute(db);
  return result.rows.map((row) => ({ phaseOfEducation: row.phase_of_education, ...figuresOfRow(row) }));
}

export interface YearGroupFigures extends Figures {
  ncYearGroup: string;
}

/**
 * The figures of `date` per NC year group, both sessions together: each session value's totals
 * (`t`, in SESSION_TOTALS order), summed by the year group of its key ("AM 7" → "7"). A school is
 * counted once per year group — by its AM value, or its PM value when it sent no AM one — which
 * avoids a count(distinct) that would sort every value (~300,000 for a national day).
 */
export async function figuresByYearGroup(
  db: Database,
  date: string,
  area: Area,
): Promise<YearGroupFigures[]> {
  const total = (index: number) => sql`coalesce(sum((v.t->>${sql.lit(index)})::integer), 0)::bigint`;
  const result = await sql<TotalsRow & { year_group: string }>`
    select split_part(s.key, ' ', 2) as year_group,
      count(*) filter (where s.key like 'AM %' or not d.sessions ? ('AM ' || split_part(s.key, ' ', 2)))::integer
        as schools,
      ${total(0)} as possible, ${total(1)} as present, ${total(2)} as aea,
      ${total(3)} as authorised, ${total(4)} as unauthorised, ${total(5)} as not_counted
    from dfe.school_day d
      cross join lateral jsonb_each(d.sessions) s
      cross join lateral (select s.value->'t' as t) v
    where ${areaFilter(area)} and d.date = ${date}::date
    group by 1
  `.execute(db);
  return byYearGroupOrder(result.rows.map((row) => ({ ncYearGroup: row.year_group, ...figuresOfRow(row) })));
}

export interface SchoolOfLa {
  urn: number;
  /** Null for a school that reported but is no longer in the schools register. */
  name: string | null;
  phaseOfEducation: string;
  /** Null when the school has no school-day on that date. */
  figures: Figures | null;
}

/**
 * An LA's schools on `date`: every school of the register in the LA that is not closed, whether
 * it reported or not, and any school that reported for the LA on that date.
 */
export async function schoolsOfLa(db: Database, laCode: string, date: string): Promise<SchoolOfLa[]> {
  const result = await sql<
    TotalsRow & { urn: number; name: string | null; phase: string; reported: boolean }
  >`
    select coalesce(s.urn, d.urn) as urn, s.name, coalesce(d.phase_of_education, s.phase_of_education) as phase,
      d.urn is not null as reported, case when d.urn is null then 0 else 1 end as schools,
      coalesce(d.possible, 0) as possible, coalesce(d.present, 0) as present, coalesce(d.aea, 0) as aea,
      coalesce(d.authorised, 0) as authorised, coalesce(d.unauthorised, 0) as unauthorised,
      coalesce(d.not_counted, 0) as not_counted
    from (select urn, name, phase_of_education from dfe.school where la_code = ${laCode} and status <> 'Closed') s
    full join (select * from dfe.school_day where la_code = ${laCode} and date = ${date}::date) d on d.urn = s.urn
    order by s.name nulls last, urn
  `.execute(db);
  return result.rows.map((row) => ({
    urn: row.urn,
    name: row.name,
    phaseOfEducation: row.phase,
    figures: row.reported ? figuresOfRow(row) : null,
  }));
}

/** Schools of the register that are not closed, per LA code. */
export async function schoolsInRegisterByLa(db: Database): Promise<Map<string, number>> {
  const result = await sql<{ la_code: string; schools: number }>`
    select la_code, count(*)::integer as schools from dfe.school where status <> 'Closed' group by la_code
  `.execute(db);
  return new Map(result.rows.map((row) => [row.la_code, row.schools]));
}

export interface SchoolDayFigures extends DayFigures {
  /** When the newest of the day's values was received. */
  updatedAt: Date;
}

/** A school's latest `count` school-days, newest first. */
export async function latestSchoolDays(
  db: Database,
  urn: number,
  count: number,
): Promise<SchoolDayFigures[]> {
  const result = await sql<TotalsRow & { date: string; updated_at: Date }>`
    select date, updated_at, 1 as schools, possible, present, aea, authorised, unauthorised, not_counted
    from dfe.school_day where urn = ${urn} order by date desc limit ${count}
  `.execute(db);
  return result.rows.map((row) => ({ date: row.date, updatedAt: row.updated_at, ...figuresOfRow(row) }));
}

/** What became of one request for a school: an accepted submission or a refused one. */
export interface SchoolRequest {
  receivedAt: Date;
  clientName: string;
  outcome: 'accepted' | 'accepted with errors' | 'refused';
  /** The submission's reference; null for a refusal. */
  ref: string | null;
  entriesStored: number | null;
  errorCount: number | null;
  /** The refusal's HTTP status and error code. */
  refusal: { status: number; code: string } | null;
}

/** The latest `count` submissions for a school, accepted or refused, newest first. */
export async function requestsForSchool(db: Database, urn: number, count: number): Promise<SchoolRequest[]> {
  const result = await sql<{
    received_at: Date;
    client_name: string | null;
    client_id: string;
    ref: string | null;
    entries_stored: number | null;
    error_count: number | null;
    status: number | null;
    code: string | null;
  }>`
    select r.*, c.name as client_name from (
      (select received_at, client_id, ref::text as ref, entries_stored, error_count,
         null::integer as status, null::text as code
       from dfe.submission where urn = ${urn} order by received_at desc limit ${count})
      union all
      (select received_at, client_id, null, null, null, status, code
       from dfe.refused_request where urn = ${urn} order by received_at desc limit ${count})
    ) r left join dfe.oauth_client c on c.id = r.client_id
    order by r.received_at desc limit ${count}
  `.execute(db);
  return result.rows.map((row) => ({
    receivedAt: row.received_at,
    clientName: row.client_name ?? row.client_id,
    outcome: row.ref === null ? 'refused' : row.error_count === 0 ? 'accepted' : 'accepted with errors',
    ref: row.ref,
    entriesStored: row.entries_stored,
    errorCount: row.error_count,
    refusal: row.status !== null && row.code !== null ? { status: row.status, code: row.code } : null,
  }));
}

export interface RequestCounts {
  accepted: number;
  acceptedWithErrors: number;
  refused: number;
}

export interface SupplierActivity {
  clientId: string;
  name: string;
  laCode: string | null;
  scopes: string[];
  requiresConsent: boolean;
  disabledAt: Date | null;
  activeConsents: number;
  today: RequestCounts;
  week: RequestCounts;
  /** The latest request, accepted or refused; null if it never sent one. */
  lastSeen: Date | null;
}

/**
 * What each client sent since `weekFrom` and since `todayFrom`: submissions accepted (with and
 * without record errors) and refused, and when it was last seen at all. Each client's rows are
 * read through its (client_id, received_at) index.
 */
export async function supplierActivity(
  db: Database,
  window: { todayFrom: Date; weekFrom: Date },
): Promise<SupplierActivity[]> {
  const { todayFrom, weekFrom } = window;
  const result = await sql<{
    id: string;
    name: string;
    la_code: string | null;
    scopes: string[];
    requires_consent: boolean;
    disabled_at: Date | null;
    active_consents: number;
    accepted_today: number;
    errors_today: number;
    accepted_week: number;
    errors_week: number;
    refused_today: number;
    refused_week: number;
    last_submission: Date | null;
    last_refusal: Date | null;
  }>`
    select c.id, c.name, c.la_code, c.scopes, c.requires_consent, c.disabled_at,
      (select count(*)::integer from dfe.consent k where k.client_id = c.id and k.withdrawn_at is null) as active_consents,
      s.accepted_today, s.errors_today, s.accepted_week, s.errors_week,
      r.refused_today, r.refused_week,
      (select max(received_at) from dfe.submission where client_id = c.id) as last_submission,
      (select max(received_at) from dfe.refused_request where client_id = c.id) as last_refusal
    from dfe.oauth_client c
    cross join lateral (
      select count(*) filter (where error_count = 0 and received_at >= ${todayFrom})::integer as accepted_today,
        count(*) filter (where error_count > 0 and received_at >= ${todayFrom})::integer as errors_today,
        count(*) filter (where error_count = 0)::integer as accepted_week,
        count(*) filter (where error_count > 0)::integer as errors_week
      from dfe.submission where client_id = c.id and received_at >= ${weekFrom}
    ) s
    cross join lateral (
      select count(*) filter (where received_at >= ${todayFrom})::integer as refused_today,
        count(*)::integer as refused_week
      from dfe.refused_request where client_id = c.id and received_at >= ${weekFrom}
    ) r
    order by c.name, c.id
  `.execute(db);
  const latest = (a: Date | null, b: Date | null) => (a === null ? b : b === null || a > b ? a : b);
  return result.rows.map((row) => ({
    clientId: row.id,
    name: row.name,
    laCode: row.la_code,
    scopes: row.scopes,
    requiresConsent: row.requires_consent,
    disabledAt: row.disabled_at,
    activeConsents: row.active_consents,
    today: { accepted: row.accepted_today, acceptedWithErrors: row.errors_today, refused: row.refused_today },
    week: { accepted: row.accepted_week, acceptedWithErrors: row.errors_week, refused: row.refused_week },
    lastSeen: latest(row.last_submission, row.last_refusal),
  }));
}
