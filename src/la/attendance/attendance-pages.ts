/**
 * The LA officer's attendance pages (role `la-officer` for their own LA, `admin` for any), from the
 * figures the LA fetched from the DfE with its own client (attendance-fetch.ts), never from the
 * DfE's tables:
 *
 *   GET /la/attendance                         to the officer's own LA (an admin chooses)
 *   GET /la/:code/attendance?date=             the latest school day (or a kept one): the LA beside
 *                                              England, the last 20 school days (chart and table),
 *                                              schools that sent nothing for two school days, each
 *                                              school, phases and year groups
 *   GET /la/:code/attendance/schools.csv?date= the schools of that day as CSV
 *   GET /la/:code/attendance/schools/:urn      one school's last 20 school days beside the LA and England
 *
 * Opening a page fetches the figures again when they are due; when the DfE cannot be reached the
 * page shows the figures kept, when they were fetched and why they are stale. Another LA's
 * address, or a school that is not among the LA's, is "page not found", as an unknown one is.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { formatLongDate, isCalendarDate } from '../../platform/calendar.ts';
import { formatRate, rateChart } from '../../platform/web/rate-chart.ts';
import { mayAct } from '../directory/directory-pages.ts';
import { pupilYearGroups } from '../../contracts/attendance/nc-year-groups.ts';
import { listAttendanceSources } from './attendance-source.ts';
import {
  fetchAttendance,
  fetchState,
  keptDays,
  keptSchoolDays,
  keptSchoolsDay,
  SCHOOL_DAYS,
  type FetchState,
} from './attendance-fetch.ts';
import {
  byPhase,
  latest,
  notSentForTwoSchoolDays,
  schoolsCsv,
  withRates,
  type DayTotals,
} from './attendance-figures.ts';

const VIEWS = 'la/attendance/views';
const yearGroupLabels = new Map(pupilYearGroups().map((group) => [group.code, group.description]));

export interface AttendancePageOptions {
  db: Database;
  box: SecretBox;
  now: () => Date;
  /** When kept figures are fetched again, and how long after a failure the DfE is asked again. */
  freshForMs: number;
  retryAfterMs: number;
  timeoutMs: number;
}

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/London',
});
/** "7 December 2026 at 09:15", London time. */
export const londonTime = (instant: Date): string => londonDateTime.format(instant);

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const shortDate = (date: string) => `${Number(date.slice(8))} ${SHORT_MONTHS[Number(date.slice(5, 7)) - 1]}`;

/** GOV.UK colours: the school or LA in blue, England in black. */
const COLOURS = ['#1d70b8', '#0b0c0c', '#f47738'];

/** A chart of attendance rates, one line per area, over dates oldest first. */
function attendanceChart(dates: readonly string[], lines: { label: string; values: (number | null)[] }[]) {
  return rateChart({
    labels: dates.map(shortDate),
    longLabels: dates.map(formatLongDate),
    series: lines.map((line, index) => ({
      key: `line${index}`,
      label: line.label,
      colour: COLOURS[index] ?? '#505a5f',
      values: line.values,
    })),
  });
}

/** What the pages say of the figures' age: when fetched, and why stale when the last try failed. */
function freshness(state: FetchState | undefined) {
  return {
    fetchedAt: state?.fetchedAt ? londonTime(state.fetchedAt) : undefined,
    problem: state?.problem ?? undefined,
    triedAt: state ? londonTime(state.triedAt) : undefined,
    // Claimed by another instance (or another officer's page) and not yet done: the first fetch.
    fetching: state !== undefined && state.fetchedAt === null && state.problem === null,
  };
}

export async function attendancePages(app: FastifyInstance, options: AttendancePageOptions): Promise<void> {
  const { db, box, now } = options;

  const notFound = (reply: FastifyReply) => {
    reply.code(404);
    return reply.view('message.njk', {
      pageTitle: 'Page not found',
      paragraphs: ['If you typed the web address, check it is correct.'],
    });
  };

  /** The LA of the address when the account may see it; else "page not found" is sent. */
  const laOf = (request: FastifyRequest<{ Params: { code: string } }>, reply: FastifyReply) => {
    const { code } = request.params;
    if (!/^\d{3}$/.test(code) || !mayAct(request.session!.account, code)) {
      void notFound(reply);
      return undefined;
    }
    return localAuthorityByCode(code)!;
  };

  /** Fetching again when due: a failure is recorded for the page, never thrown at the officer. */
  const fetchOptions = () => ({
    now: now(),
    freshForMs: options.freshForMs,
    retryAfterMs: options.retryAfterMs,
    timeoutMs: options.timeoutMs,
  });

  const askedDate = (query: unknown): string | undefined => {
    const date = (query as { date?: unknown }).date;
    return typeof date === 'string' && isCalendarDate(date) ? date : undefined;
  };

  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('la-officer', 'admin');

      scope.get('/attendance', { preHandler: allowed }, async (request, reply) => {
        const account = request.session!.account;
        if (!account.roles.includes('admin') && account.laCode)
          return reply.redirect(`/la/${account.laCode}/attendance`);
        const sources = await listAttendanceSources(db);
        return reply.view('la/directory/views/choose-la.njk', {
          pageTitle: 'Attendance',
          section: 'attendance',
          las: sources.map((s) => ({
            code: s.laCode,
            name: `${localAuthorityByCode(s.laCode)?.name ?? 'LA'} (${s.laCode})`,
          })),
          none: 'No local authority reads its attendance from the DfE yet.',
        });
      });

      scope.get<{ Params: { code: string } }>(
        '/:code/attendance',
        { preHandler: allowed },
        async (request, reply) => {
          const la = laOf(request, reply);
          if (!la) return reply;
          const outcome = await fetchAttendance(db, box, la.code, fetchOptions());
          if (outcome.kind === 'no-source')
            return reply.view(`${VIEWS}/not-set-up.njk`, { pageTitle: 'Attendance', la });
          const [state, days, [source]] = await Promise.all([
            fetchState(db, la.code),
            keptDays(db, la.code),
            listAttendanceSources(db, la.code),
          ]);
          const series = latest(days.la, SCHOOL_DAYS);
          const dates = series.map((day) => day.date).reverse();
          // A date without kept figures shows the latest, and says so.
          const asked = askedDate(request.query);
          const unknownDate = asked !== undefined && !dates.includes(asked);
          const date = asked !== undefined && !unknownDate ? asked : dates[0];
          const dayIndex = date === undefined ? -1 : dates.indexOf(date);
          const [day, previous] = await Promise.all([
            date === undefined ? undefined : keptSchoolsDay(db, la.code, date),
            dayIndex >= 0 && dates[dayIndex + 1]
              ? keptSchoolsDay(db, la.code, dates[dayIndex + 1]!)
              : undefined,
          ]);
          const england = new Map(days.national.map((d) => [d.date, withRates(d)]));
          const rows = series.map((d: DayTotals) => ({
            date: d.date,
            la: withRates(d),
            england: england.get(d.date),
          }));
          const chosen = rows.find((row) => row.date === date);
          return reply.view(`${VIEWS}/attendance.njk`, {
            pageTitle: `Attendance in ${la.name}`,
            la,
            ...freshness(state),
            rate: formatRate,
            dates,
            date,
            chosen,
            rows: [...rows].reverse(),
            chart: attendanceChart(
              rows.map((row) => row.date),
              [
                { label: la.name, values: rows.map((row) => row.la.attendanceRate) },
                { label: 'England', values: rows.map((row) => row.england?.attendanceRate ?? null) },
              ],
            ),
            day: day && {
              ...day,
              schools: day.schools.map((school) => ({
                ...school,
                figures: school.figures && withRates(school.figures),
              })),
              reporting: day.schools.filter((school) => school.figures).length,
              yearGroups: day.yearGroups.map((group) => ({
                ncYearGroup: group.ncYearGroup,
                label: yearGroupLabels.get(group.ncYearGroup) ?? group.ncYearGroup,
                ...withRates(group),
              })),
              phases: byPhase(day),
            },
            notSent: notSentForTwoSchoolDays(day, previous),
            unknownDate,
            source: source && { ...source, updatedAt: londonTime(source.updatedAt) },
          });
        },
      );

      scope.get<{ Params: { code: string } }>(
        '/:code/attendance/schools.csv',
        { preHandler: allowed },
        async (request, reply) => {
          const la = laOf(request, reply);
          if (!la) return reply;
          const { la: laDays } = await keptDays(db, la.code);
          const date = askedDate(request.query) ?? laDays.at(-1)?.date;
          const day = date === undefined ? undefined : await keptSchoolsDay(db, la.code, date);
          if (!day) return notFound(reply);
          return reply
            .type('text/csv; charset=utf-8')
            .header(
              'content-disposition',
              `attachment; filename="attendance-${la.code}-schools-${day.date}.csv"`,
            )
            .header('cache-control', 'no-store')
            .send(schoolsCsv(la.code, day));
        },
      );

      scope.get<{ Params: { code: string; urn: string } }>(
        '/:code/attendance/schools/:urn',
        { preHandler: allowed },
        async (request, reply) => {
          const la = laOf(request, reply);
          if (!la) return reply;
          const { urn } = request.params;
          // Only a school among this LA's answers: another LA's school is as unknown as no school.
          const kept = /^\d{6}$/.test(urn) ? await keptSchoolDays(db, la.code, Number(urn)) : [];
          const newest = kept.at(-1);
          if (!newest) return notFound(reply);
          const [state, days] = await Promise.all([fetchState(db, la.code), keptDays(db, la.code)]);
          const laByDate = new Map(days.la.map((d) => [d.date, withRates(d)]));
          const englandByDate = new Map(days.national.map((d) => [d.date, withRates(d)]));
          const rows = kept.map(({ date, school }) => ({
            date,
            school: school.figures ? withRates(school.figures) : undefined,
            la: laByDate.get(date),
            england: englandByDate.get(date),
          }));
          return reply.view(`${VIEWS}/school.njk`, {
            pageTitle: `${newest.school.name ?? `School ${urn}`} (${urn})`,
            la,
            school: newest.school,
            urn,
            ...freshness(state),
            rate: formatRate,
            rows: [...rows].reverse(),
            chart: attendanceChart(
              rows.map((row) => row.date),
              [
                {
                  label: newest.school.name ?? `School ${urn}`,
                  values: rows.map((row) => row.school?.attendanceRate ?? null),
                },
                { label: 'England', values: rows.map((row) => row.england?.attendanceRate ?? null) },
                { label: la.name, values: rows.map((row) => row.la?.attendanceRate ?? null) },
              ],
            ),
          });
        },
      );
    },
    { prefix: '/la' },
  );

  app.addNavigation({ href: '/la/attendance', text: 'Attendance', roles: ['la-officer', 'admin'] });
}
