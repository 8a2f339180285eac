/**
 * The DfE's attendance pages, for analysts (and administrators), all under /dfe/attendance:
 *
 *   /                        dashboard: the last 20 dates with figures (chart and table), phases of the latest
 *   /national.csv            … its series as CSV
 *   /year-groups?date=       the country's year groups on a day
 *   /las?date=, /las.csv     every LA reporting on a day
 *   /las/{la}?date=          an LA: its last 20 dates, its day by phase and year group, its schools
 *   /las/{la}/schools.csv    … its schools on the day as CSV
 *   /schools/{urn}?date=     a school: its last 20 days, a day's year groups, its submissions, consents
 *   /suppliers               each client's submissions today and over 7 days, refusals, last seen
 *
 * A date that is missing or not YYYY-MM-DD means the latest date with figures.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/database.ts';
import { pageFields, typed } from '../../platform/http/typed-routes.ts';
import { formatLongDate, londonDateOf } from '../../platform/calendar.ts';
import {
  dateErrorLink,
  dateFieldNames,
  dateInputParams,
  readDateInput,
  type DateInputValue,
} from '../../platform/web/date-input.ts';
import { liveLocalAuthorities, localAuthorityByCode } from '../../platform/reference.ts';
import { schoolByUrn } from '../schools/school-store.ts';
import { listConsents } from '../consent/consent-store.ts';
import { combineFigures, formatRate } from './figures.ts';
import { FIGURE_COLUMNS, figureCells } from '../../contracts/attendance/figure-columns.ts';
import { RATE_COLOURS, rateChart, type RateChart } from '../../platform/web/rate-chart.ts';
import { csvDocument } from './statistics-csv.ts';
import { monitorWindow } from './statistics-dates.ts';
import { headlineCoverage } from './headline.ts';
import type { AttendanceStatistics } from './attendance-statistics.ts';
import type { DayFigures } from './statistics-store.ts';
import { formatLondonTime } from '../../platform/web/london-time.ts';

const VIEWS = 'dfe/statistics/views';
export const STATISTICS_PAGES = '/dfe/attendance';
/** How many dates with figures the dashboard, an LA and a school show. */
const SERIES_DATES = 20;
const SCHOOL_REQUESTS = 20;
const NATIONAL = { kind: 'national' } as const;

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const shortDate = (date: string) => `${Number(date.slice(8))} ${SHORT_MONTHS[Number(date.slice(5, 7)) - 1]}`;
const longDate = formatLongDate;

/** "20 Nov 2026, 09:00:05", London time. */
const dateTime = (instant: Date) => formatLondonTime(instant);

/** Two charts of a series, oldest first: attendance alone, so that its scale shows its movement. */
function seriesCharts(days: readonly DayFigures[]): { attendance: RateChart; absence: RateChart } {
  const labels = days.map((day) => shortDate(day.date));
  const longLabels = days.map((day) => longDate(day.date));
  return {
    attendance: rateChart({
      labels,
      longLabels,
      series: [
        {
          key: 'attendance',
          label: 'Attendance',
          colour: RATE_COLOURS.attendance,
          values: days.map((d) => d.attendanceRate),
        },
      ],
    }),
    absence: rateChart({
      labels,
      longLabels,
      series: [
        {
          key: 'authorised',
          label: 'Authorised absence',
          colour: RATE_COLOURS.authorised,
          values: days.map((d) => d.authorisedRate),
        },
        {
          key: 'unauthorised',
          label: 'Unauthorised absence',
          colour: RATE_COLOURS.unauthorised,
          values: days.map((d) => d.unauthorisedRate),
        },
      ],
    }),
  };
}

function sendCsv(reply: FastifyReply, filename: string, text: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(text);
}

/** `?date=YYYY-MM-DD` or the date input's parts; none means the latest with figures. */
const DayQuery = pageFields(...dateFieldNames('date'));
const LaParams = Type.Object({ la: Type.String() });
const UrnParams = Type.Object({ urn: Type.String() });

/** The date asked for, by the GOV.UK date input's day, month and year or by ?date=YYYY-MM-DD. */
function askedDay(query: Record<string, unknown>, today: string): DateInputValue {
  return readDateInput(query, 'date', { label: 'Date', today, notAfterToday: true });
}

/**
 * The day a page shows (the one asked for, else `fallback`) and what its date input and error
 * summary show. A date that is wrong is said on the field; the page shows the fallback meanwhile.
 */
function dayShown(asked: DateInputValue, fallback: string) {
  const date = asked.date ?? fallback;
  const input = asked.error ? asked : readDateInput({ date }, 'date', { label: 'Date' });
  return {
    date,
    error: asked.error,
    view: {
      dateInput: dateInputParams('date', input, {
        legend: 'Show another date',
        hint: 'For example, 20 11 2026',
      }),
      ...(asked.error ? { errorSummary: [dateErrorLink('date', asked.error)] } : {}),
    },
  };
}

export interface StatisticsPageOptions {
  db: Database;
  statistics: AttendanceStatistics;
  now: () => Date;
}

export async function statisticsPages(app: FastifyInstance, options: StatisticsPageOptions): Promise<void> {
  const { db, statistics, now } = options;
  const today = () => londonDateOf(now());

  /** The asked date, else the latest with national figures (else today). */
  const nationalDay = async (query: Record<string, unknown>) => {
    const asked = askedDay(query, today());
    const latest = asked.date ?? (await statistics.latestDates(NATIONAL, 1, today()))[0] ?? today();
    return dayShown(asked, latest);
  };

  const nationalSeries = async () => {
    const dates = await statistics.latestDates(NATIONAL, SERIES_DATES, today());
    const newest = dates[0];
    const oldest = dates[dates.length - 1];
    return newest && oldest ? statistics.daily(NATIONAL, oldest, newest) : [];
  };

  const notFound = (reply: FastifyReply, title: string, paragraph: string) => {
    reply.code(404);
    return reply.view('message.njk', {
      pageTitle: title,
      paragraphs: [paragraph],
      link: { href: STATISTICS_PAGES, text: 'Attendance dashboard' },
    });
  };

  const laTable = async (date: string) => {
    const [byLa, register] = await Promise.all([statistics.byLa(date), statistics.schoolsInRegisterByLa()]);
    const names = new Map(liveLocalAuthorities().map((la) => [la.code, la.name]));
    return {
      rows: byLa.map((la) => ({
        ...la,
        name: names.get(la.laCode) ?? `LA ${la.laCode}`,
        schoolsInRegister: register.get(la.laCode) ?? 0,
      })),
      total: combineFigures(byLa),
    };
  };

  await app.register(
    async (plain) => {
      const scope = typed(plain);
      const allowed = scope.requireRole('dfe-analyst', 'admin');
      const onDay = { querystring: DayQuery };
      const laOfDay = { params: LaParams, querystring: DayQuery };
      const common = { rate: formatRate, dateTime, base: STATISTICS_PAGES };

      scope.get('/', { preHandler: allowed }, async (_request, reply) => {
        const days = await nationalSeries();
        const latest = days[days.length - 1];
        const previous = days[days.length - 2];
        const phases = latest ? await statistics.byPhase(latest.date, NATIONAL) : [];
        return reply.view(`${VIEWS}/dashboard.njk`, {
          ...common,
          pageTitle: 'Attendance',
          days,
          newestFirst: [...days].reverse(),
          latest,
          previous,
          coverage: latest ? headlineCoverage(latest, previous, today()) : undefined,
          phases,
          charts: seriesCharts(days),
        });
      });

      scope.get('/national.csv', { preHandler: allowed }, async (_request, reply) => {
        const days = await nationalSeries();
        const text = csvDocument(
          ['date', ...FIGURE_COLUMNS],
          days.map((day) => [day.date, ...figureCells(day)]),
        );
        return sendCsv(reply, `attendance-national-${days.at(-1)?.date ?? today()}.csv`, text);
      });

      scope.get('/year-groups', { preHandler: allowed, schema: onDay }, async (request, reply) => {
        const { date, error, view } = await nationalDay(request.query);
        const [yearGroups, dates] = await Promise.all([
          statistics.byYearGroup(date, NATIONAL),
          statistics.latestDates(NATIONAL, SERIES_DATES, today()),
        ]);
        if (error) reply.code(400);
        return reply.view(`${VIEWS}/year-groups.njk`, {
          ...common,
          ...view,
          pageTitle: `Year groups on ${longDate(date)}`,
          date,
          dates,
          yearGroups,
        });
      });

      scope.get('/las', { preHandler: allowed, schema: onDay }, async (request, reply) => {
        const { date, error, view } = await nationalDay(request.query);
        const [table, dates] = await Promise.all([
          laTable(date),
          statistics.latestDates(NATIONAL, SERIES_DATES, today()),
        ]);
        if (error) reply.code(400);
        return reply.view(`${VIEWS}/las.njk`, {
          ...common,
          ...view,
          pageTitle: `Local authorities on ${longDate(date)}`,
          date,
          dates,
          ...table,
        });
      });

      scope.get('/las.csv', { preHandler: allowed, schema: onDay }, async (request, reply) => {
        const { date, error } = await nationalDay(request.query);
        if (error) return reply.code(400).type('text/plain; charset=utf-8').send(error.message);
        const { rows } = await laTable(date);
        const text = csvDocument(
          ['date', 'la_code', 'la_name', 'schools_in_register', ...FIGURE_COLUMNS],
          rows.map((row) => [date, row.laCode, row.name, row.schoolsInRegister, ...figureCells(row)]),
        );
        return sendCsv(reply, `attendance-las-${date}.csv`, text);
      });

      /** An LA's day: its schools (reporting or not), totals, phases and year groups. */
      const laDay = async (laCode: string, query: Record<string, unknown>) => {
        const area = { kind: 'la', laCode } as const;
        const dates = await statistics.latestDates(area, SERIES_DATES, today());
        const { date, error, view } = dayShown(askedDay(query, today()), dates[0] ?? today());
        const [schools, phases, yearGroups] = await Promise.all([
          statistics.schoolsOfLa(laCode, date),
          statistics.byPhase(date, area),
          statistics.byYearGroup(date, area),
        ]);
        const reported = schools.flatMap((school) => (school.figures ? [school.figures] : []));
        return {
          area,
          dates,
          date,
          error,
          view,
          schools,
          phases,
          yearGroups,
          total: combineFigures(reported),
        };
      };

      scope.get('/las/:la', { preHandler: allowed, schema: laOfDay }, async (request, reply) => {
        const { la: laCode } = request.params;
        const la = localAuthorityByCode(laCode);
        if (!la) return notFound(reply, 'Local authority not found', `No live LA has the code ${laCode}.`);
        const { error, view, ...day } = await laDay(la.code, request.query);
        if (error) reply.code(400);
        const newest = day.dates[0];
        const oldest = day.dates[day.dates.length - 1];
        const days = newest && oldest ? await statistics.daily(day.area, oldest, newest) : [];
        return reply.view(`${VIEWS}/la.njk`, {
          ...common,
          ...view,
          pageTitle: `${la.name} on ${longDate(day.date)}`,
          la,
          ...day,
          days,
          charts: seriesCharts(days),
          reporting: day.schools.filter((school) => school.figures).length,
        });
      });

      scope.get('/las/:la/schools.csv', { preHandler: allowed, schema: laOfDay }, async (request, reply) => {
        const { la: laCode } = request.params;
        const la = localAuthorityByCode(laCode);
        if (!la) return reply.code(404).type('text/plain').send(`No live LA has the code ${laCode}`);
        const { date, schools, error } = await laDay(la.code, request.query);
        if (error) return reply.code(400).type('text/plain; charset=utf-8').send(error.message);
        const text = csvDocument(
          ['date', 'la_code', 'urn', 'school_name', 'phase_of_education', 'reported', ...FIGURE_COLUMNS],
          schools.map((school) => [
            date,
            la.code,
            school.urn,
            school.name,
            school.phaseOfEducation,
            school.figures ? 'yes' : 'no',
            ...figureCells(school.figures),
          ]),
        );
        return sendCsv(reply, `attendance-${la.code}-schools-${date}.csv`, text);
      });

      const schoolOfDay = { params: UrnParams, querystring: DayQuery };
      scope.get('/schools/:urn', { preHandler: allowed, schema: schoolOfDay }, async (request, reply) => {
        const { urn: asked } = request.params;
        const urn = /^\d{6}$/.test(asked) ? Number(asked) : undefined;
        const school = urn === undefined ? undefined : await schoolByUrn(db, urn);
        const recent = urn === undefined ? [] : await statistics.latestSchoolDays(urn, SERIES_DATES);
        if (urn === undefined || (!school && recent.length === 0))
          return notFound(reply, 'School not found', `No school has the URN ${asked}.`);
        const { date, error, view } = dayShown(askedDay(request.query, today()), recent[0]?.date ?? today());
        if (error) reply.code(400);
        const [yearGroups, requests, consents] = await Promise.all([
          statistics.byYearGroup(date, { kind: 'school', urn }),
          statistics.requestsForSchool(urn, SCHOOL_REQUESTS),
          listConsents(db, { urn }),
        ]);
        const days = [...recent].reverse();
        return reply.view(`${VIEWS}/school.njk`, {
          ...common,
          ...view,
          pageTitle: school ? `${school.name} (${urn})` : `School ${urn}`,
          urn,
          school,
          la: school ? localAuthorityByCode(school.laCode) : undefined,
          recent,
          charts: seriesCharts(days),
          date,
          yearGroups,
          // The year groups add up to the day; one school.
          dayTotal: yearGroups.length > 0 ? { ...combineFigures(yearGroups), schools: 1 } : undefined,
          requests,
          consents,
        });
      });

      scope.get('/suppliers', { preHandler: allowed }, async (_request, reply) => {
        const window = monitorWindow(now());
        const suppliers = await statistics.supplierActivity(window);
        return reply.view(`${VIEWS}/suppliers.njk`, {
          ...common,
          pageTitle: 'Suppliers',
          window,
          suppliers,
        });
      });
    },
    { prefix: STATISTICS_PAGES },
  );
  app.addNavigation({ href: STATISTICS_PAGES, text: 'Attendance', roles: ['dfe-analyst', 'admin'] });
}
