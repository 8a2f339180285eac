/**
 * The statistics API, over the attendance API's OAuth 2.0 bearer tokens:
 *
 *   GET /statistics/national?from=&to=          the country per day            attendance.read or
 *                                                                               attendance.read.la
 *   GET /statistics/la/{laCode}?from=&to=       an LA per day                   attendance.read, or
 *   GET /statistics/la/{laCode}/schools?date=   an LA's day: total, year groups, attendance.read.la for
 *                                               and each of its schools         the token's own LA
 *
 * LAs asked for this data in the seed: a client registered for an LA gets `attendance.read.la`
 * and a token whose `la` claim names it, and reads only that LA (another is VAL129, 403). England's
 * totals are published aggregates naming no school, so an LA's token reads them too: an LA sets
 * its schools beside England's.
 * Refusals are the attendance API's error objects.
 */
import { Type } from 'typebox';
import {
  BEARER_SECURITY,
  BearerError,
  ErrorObject,
  documentationOnly,
} from '../../contracts/attendance/api-schemas.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCalendarDate, londonDateOf } from '../../platform/calendar.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { accessClaims, requireScope, type BearerCheck } from '../oauth/token-routes.ts';
import { LA_READ_SCOPE } from '../oauth/scopes.ts';
import {
  envelopeError,
  internalError,
  type EnvelopeErrorCode,
} from '../../contracts/attendance/attendance-errors.ts';
import { combineFigures, type Figures } from './figures.ts';
import { useJsonApiSecurityHeaders } from '../../platform/http/server.ts';
import { dateRangeOf } from './statistics-dates.ts';
import type { AttendanceStatistics } from './attendance-statistics.ts';

const READ = 'attendance.read';
/** A day's figures for the whole country cost ~22,000 rows; two months is the most one request adds up. */
const NATIONAL_RANGE = { defaultDays: 28, maximumDays: 62 };
/** An LA's are a few hundred rows a day: a school year fits. */
const LA_RANGE = { defaultDays: 28, maximumDays: 366 };

export interface StatisticsRouteOptions {
  statistics: AttendanceStatistics;
  bearer: BearerCheck;
  now: () => Date;
}

// --- OpenAPI ---------------------------------------------------------------------------------------

const rate = (description: string) =>
  Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: `${description}, from 0 to 1; null when no session was possible`,
  });
const figureProperties = {
  schools: Type.Integer({ description: 'Schools whose figures are counted (that sent any for the day)' }),
  possible: Type.Integer({ description: 'Possible sessions: present + aea + authorised + unauthorised' }),
  present: Type.Integer({ description: 'Sessions present (/ \\ L)' }),
  aea: Type.Integer({ description: 'Sessions of approved educational activity (count as attendance)' }),
  authorised: Type.Integer({ description: 'Sessions of authorised absence' }),
  unauthorised: Type.Integer({ description: 'Sessions of unauthorised absence' }),
  notCounted: Type.Integer({ description: 'Marks not counted as possible sessions (D X Z # Q Y…)' }),
  attendanceRate: rate('(present + aea) / possible'),
  authorisedRate: rate('authorised / possible'),
  unauthorisedRate: rate('unauthorised / possible'),
};
const FiguresSchema = Type.Object(figureProperties);
const DaySchema = Type.Object({ date: Type.String({ format: 'date' }), ...figureProperties });
const RangeQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date', description: 'First date; default 27 days before to' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'Last date (included); default today' })),
});
const LaParams = Type.Object({ laCode: Type.String({ pattern: '^\\d{3}$', examples: ['825'] }) });
const security = BEARER_SECURITY;

function figuresView(figures: Figures) {
  return {
    schools: figures.schools,
    possible: figures.possible,
    present: figures.present,
    aea: figures.aea,
    authorised: figures.authorised,
    unauthorised: figures.unauthorised,
    notCounted: figures.notCounted,
    attendanceRate: figures.attendanceRate,
    authorisedRate: figures.authorisedRate,
    unauthorisedRate: figures.unauthorisedRate,
  };
}

type RangeRequest = FastifyRequest<{ Querystring: { from?: string; to?: string } }>;

export async function statisticsRoutes(app: FastifyInstance, options: StatisticsRouteOptions): Promise<void> {
  const { statistics, now } = options;
  useJsonApiSecurityHeaders(app);

  app.setErrorHandler(async (error: Error, request, reply) => {
    request.log.error({ err: error }, 'statistics request failed');
    return reply.code(500).send(internalError(request.id));
  });

  const refuse = (reply: FastifyReply, code: EnvelopeErrorCode, detail?: string) => {
    const error = envelopeError(code, detail);
    return reply.code(Number(error.status)).send(error);
  };

  /** The LA a request may read, or a refusal already sent. */
  const permittedLa = (request: FastifyRequest<{ Params: { laCode: string } }>, reply: FastifyReply) => {
    const claims = accessClaims(request);
    const { laCode } = request.params;
    const national = (claims?.scope.split(' ') ?? []).includes(READ);
    // LA-scoped: its own LA only, and an unknown code is refused the same way, revealing nothing.
    if (!national && laCode !== claims?.la) {
      refuse(reply, 'VAL129');
      return undefined;
    }
    const la = localAuthorityByCode(laCode);
    if (!la) {
      refuse(reply, 'VAL130');
      return undefined;
    }
    return la;
  };

  const rangeOf = (request: RangeRequest, reply: FastifyReply, rules: typeof NATIONAL_RANGE) => {
    const range = dateRangeOf(request.query, { today: londonDateOf(now()), ...rules });
    if (!range.ok) {
      refuse(reply, range.code, range.detail);
      return undefined;
    }
    return range;
  };

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/statistics/national',
    {
      helmet: false,
      preHandler: requireScope(options.bearer, READ, LA_READ_SCOPE),
      validatorCompiler: documentationOnly,
      schema: {
        tags: ['attendance'],
        summary: 'National attendance per day',
        description:
          'Every school-day received for each date from `from` to `to` (at most 62 days), added up as it ' +
          'stands now: a submission counts as soon as it is answered 201. Dates without any school-day are ' +
          'left out. England’s totals name no school, so an LA’s token (`attendance.read.la`) reads them ' +
          'too, to set its own schools beside them.',
        security,
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            from: Type.String({ format: 'date' }),
            to: Type.String({ format: 'date' }),
            days: Type.Array(DaySchema),
          }),
          400: ErrorObject,
          401: BearerError,
          403: BearerError,
        },
      },
    },
    async (request, reply) => {
      const range = rangeOf(request, reply, NATIONAL_RANGE);
      if (!range) return reply;
      const days = await statistics.daily({ kind: 'national' }, range.from, range.to);
      return reply.send({
        from: range.from,
        to: range.to,
        days: days.map((day) => ({ date: day.date, ...figuresView(day) })),
      });
    },
  );

  app.get<{ Params: { laCode: string }; Querystring: { from?: string; to?: string } }>(
    '/statistics/la/:laCode',
    {
      helmet: false,
      preHandler: requireScope(options.bearer, READ, LA_READ_SCOPE),
      validatorCompiler: documentationOnly,
      schema: {
        tags: ['attendance'],
        summary: 'An LA’s attendance per day',
        description:
          'The school-days of the LA’s schools (the LA the school was in when the figures arrived) for each ' +
          'date from `from` to `to` (at most 366 days). With `attendance.read.la`, only the token’s own LA.',
        security,
        params: LaParams,
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            laCode: Type.String(),
            laName: Type.String(),
            from: Type.String({ format: 'date' }),
            to: Type.String({ format: 'date' }),
            days: Type.Array(DaySchema),
          }),
          400: ErrorObject,
          401: BearerError,
          403: Type.Union([ErrorObject, BearerError]),
          404: ErrorObject,
        },
      },
    },
    async (request, reply) => {
      const la = permittedLa(request, reply);
      if (!la) return reply;
      const range = rangeOf(request, reply, LA_RANGE);
      if (!range) return reply;
      const days = await statistics.daily({ kind: 'la', laCode: la.code }, range.from, range.to);
      return reply.send({
        laCode: la.code,
        laName: la.name,
        from: range.from,
        to: range.to,
        days: days.map((day) => ({ date: day.date, ...figuresView(day) })),
      });
    },
  );

  app.get<{ Params: { laCode: string }; Querystring: { date?: string } }>(
    '/statistics/la/:laCode/schools',
    {
      helmet: false,
      preHandler: requireScope(options.bearer, READ, LA_READ_SCOPE),
      validatorCompiler: documentationOnly,
      schema: {
        tags: ['attendance'],
        summary: 'An LA’s day: its total, its year groups and each of its schools',
        description:
          'Every open school of the LA in the schools register, with `figures: null` when it sent nothing for ' +
          'the date, and any other school that reported for the LA. `date` defaults to the latest date with ' +
          'figures for the LA.',
        security,
        params: LaParams,
        querystring: Type.Object({ date: Type.Optional(Type.String({ format: 'date' })) }),
        response: {
          200: Type.Object({
            laCode: Type.String(),
            laName: Type.String(),
            date: Type.String({ format: 'date' }),
            schoolsReporting: Type.Integer(),
            schoolsListed: Type.Integer(),
            total: FiguresSchema,
            yearGroups: Type.Array(Type.Object({ ncYearGroup: Type.String(), ...figureProperties })),
            schools: Type.Array(
              Type.Object({
                urn: Type.Integer(),
                name: Type.Union([Type.String(), Type.Null()]),
                phaseOfEducation: Type.String(),
                figures: Type.Union([FiguresSchema, Type.Null()]),
              }),
            ),
          }),
          400: ErrorObject,
          401: BearerError,
          403: Type.Union([ErrorObject, BearerError]),
          404: ErrorObject,
        },
      },
    },
    async (request, reply) => {
      const la = permittedLa(request, reply);
      if (!la) return reply;
      const asked = request.query.date;
      if (asked !== undefined && asked !== '' && !isCalendarDate(asked)) return refuse(reply, 'VAL128');
      const today = londonDateOf(now());
      const area = { kind: 'la', laCode: la.code } as const;
      const date = asked || ((await statistics.latestDates(area, 1, today))[0] ?? today);
      const [schools, yearGroups] = await Promise.all([
        statistics.schoolsOfLa(la.code, date),
        statistics.byYearGroup(date, area),
      ]);
      const reported = schools.flatMap((school) => (school.figures ? [school.figures] : []));
      return reply.send({
        laCode: la.code,
        laName: la.name,
        date,
        schoolsReporting: reported.length,
        schoolsListed: schools.length,
        total: figuresView(combineFigures(reported)),
        yearGroups: yearGroups.map((group) => ({ ncYearGroup: group.ncYearGroup, ...figuresView(group) })),
        schools: schools.map((school) => ({
          urn: school.urn,
          name: school.name,
          phaseOfEducation: school.phaseOfEducation,
          figures: school.figures && figuresView(school.figures),
        })),
      });
    },
  );
}
