/**
 * The register, for staff with the permission to take it (`attendance-take`): one year group's
 * marks for one session on one date, each pupil's code chosen from the codes valid that day
 * (plain names), saved together with an optional reason; each mark's history on its own page.
 *
 *   GET  /school/register?date-day&date-month&date-year&session&group   the register
 *   POST /school/register                                               save it (CSRF-checked by the web shell)
 *   GET  /school/register/history?date&session&pupil                    one mark's history
 *
 * The school is always the signed-in member's own (school.staff): no URL or form field names it,
 * so a crafted request reaches only pupils of that school.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import { isCalendarDate, londonDateOf } from '../platform/calendar.ts';
import {
  dateErrorLink,
  dateInputParams,
  readDateInput,
  type DateInputValue,
} from '../platform/web/date-input.ts';
import { attendanceCodesValidOn } from '../contracts/attendance/attendance-codes.ts';
import { isPupilYearGroup, pupilYearGroups } from '../contracts/attendance/nc-year-groups.ts';
import { compileCalendar } from './school-calendar.ts';
import type { SchoolSession } from './pupils.ts';
import {
  calendarOf,
  hasPermission,
  markHistory,
  recordMark,
  staffMember,
  type StaffMember,
} from './school-data.ts';
import { changeFate } from './send-window.ts';
import { formatLondonTime } from '../platform/web/london-time.ts';

const VIEWS = 'school/views';
export const REGISTER_PAGE = '/school/register';

export function yearGroupName(code: string): string {
  if (code === 'R') return 'Reception';
  if (/^\d+$/.test(code)) return `Year ${code}`;
  return pupilYearGroups().find((g) => g.code === code)?.description ?? code;
}

const SESSION_NAMES: Record<SchoolSession, string> = { AM: 'morning', PM: 'afternoon' };

interface RegisterRow {
  pupil_id: string;
  forename: string;
  surname: string;
  code: string | null;
  changes: number;
}

/** The pupils of the year group on roll on the date, with their current mark of the session. */
async function registerRows(
  db: Database,
  urn: number,
  date: string,
  session: SchoolSession,
  group: string,
): Promise<RegisterRow[]> {
  const rows = await sql<RegisterRow>`
    select p.pupil_id, p.forename, p.surname, m.code,
      (select count(*)::integer from school.mark_change c
        where c.urn = m.urn and c.pupil_id = m.pupil_id and c.date = m.date and c.session = m.session) as changes
    from school.enrolment e
    join school.pupil p on p.urn = e.urn and p.pupil_id = e.pupil_id
    left join school.mark m on m.urn = e.urn and m.pupil_id = e.pupil_id and m.date = ${date}::date and m.session = ${session}
    where e.urn = ${urn} and e.nc_year_group = ${group}
      and e.admission_date <= ${date}::date and (e.leaving_date is null or e.leaving_date >= ${date}::date)
      and e.year_group_from <= ${date}::date and (e.year_group_to is null or e.year_group_to >= ${date}::date)
    order by p.surname, p.forename, p.pupil_id
  `.execute(db);
  return rows.rows;
}

async function yearGroupsOf(db: Database, urn: number): Promise<string[]> {
  const rows = await db
    .selectFrom('school.enrolment')
    .select('nc_year_group')
    .distinct()
    .where('urn', '=', urn)
    .execute();
  const order = new Map(pupilYearGroups().map((g, i) => [g.code, i]));
  return rows.map((r) => r.nc_year_group).sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
}

const sessionOf = (value: unknown): SchoolSession | undefined =>
  value === 'AM' || value === 'PM' ? value : undefined;

export async function registerPages(
  app: FastifyInstance,
  options: { db: Database; now: () => Date },
): Promise<void> {
  const { db, now } = options;

  /** The signed-in member with the permission, or a page saying why not (then undefined). */
  const memberFor = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<StaffMember | undefined> => {
    const member = await staffMember(db, request.session!.account.username);
    if (hasPermission(member, 'attendance-take')) return member;
    reply.code(403);
    await reply.view('message.njk', {
      pageTitle: 'You cannot take the register',
      paragraphs: [
        member
          ? `Taking the register needs the permission "Attendance: Take the register" at ${member.schoolName}. Ask your school's administrator.`
          : 'Your account is not staff of any school. Ask your school’s administrator.',
      ],
    });
    return undefined;
  };

  const renderRegister = async (
    reply: FastifyReply,
    member: StaffMember,
    choice: { date?: string; session?: SchoolSession; group?: string; asked?: DateInputValue },
    extra: Record<string, unknown> = {},
  ) => {
    const groups = await yearGroupsOf(db, member.urn);
    const today = londonDateOf(now());
    const date = choice.date ?? today;
    const session = choice.session ?? (now().getUTCHours() >= 12 ? 'PM' : 'AM');
    const group = choice.group && groups.includes(choice.group) ? choice.group : groups[0];
    const context: Record<string, unknown> = {
      pageTitle: 'Take the register',
      school: member.schoolName,
      base: REGISTER_PAGE,
      dateInput: dateInputParams('date', choice.asked ?? readDateInput({ date }, 'date', { label: 'Date' }), {
        legend: 'Date',
      }),
      date,
      session,
      sessionName: SESSION_NAMES[session],
      group,
      groupItems: groups.map((g) => ({ value: g, text: yearGroupName(g), selected: g === group })),
      ...extra,
    };
    if (group === undefined || extra.errorSummary) return reply.view(`${VIEWS}/register.njk`, context);
    const calendar = compileCalendar(await calendarOf(db, member.urn));
    if (!calendar.sessionsOn(date).includes(session))
      return reply.view(`${VIEWS}/register.njk`, {
        ...context,
        closed: `The school did not meet on the ${SESSION_NAMES[session]} of that date (a weekend, a holiday, an INSET day or a closure).`,
      });
    const codes = attendanceCodesValidOn(date);
    const rows = await registerRows(db, member.urn, date, session, group);
    const fate = changeFate(calendar, date, today);
    return reply.view(`${VIEWS}/register.njk`, {
      ...context,
      heading: `${yearGroupName(group)}, ${SESSION_NAMES[session]} of`,
      fate,
      pupils: rows.map((row) => ({
        id: row.pupil_id,
        name: `${row.surname}, ${row.forename}`,
        code: row.code,
        changed: row.changes > 0,
        historyHref: `${REGISTER_PAGE}/history?date=${date}&session=${session}&pupil=${encodeURIComponent(row.pupil_id)}`,
        items: [
          { value: '', text: 'Not marked', selected: row.code === null },
          ...codes.map((c) => ({
            value: c.code,
            text: `${c.code} — ${c.meaning}`,
            selected: c.code === row.code,
          })),
        ],
      })),
      marked: rows.filter((r) => r.code !== null).length,
    });
  };

  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('school-user');

      scope.get('/', { preHandler: allowed }, async (request, reply) => {
        const member = await memberFor(request, reply);
        if (!member) return reply;
        const query = request.query as Record<string, unknown>;
        // Day, month and year from the form, or ?date=YYYY-MM-DD from a link.
        const asked = readDateInput(query, 'date', {
          label: 'Date',
          today: londonDateOf(now()),
          notAfterToday: true,
        });
        const date = asked.date;
        const session = sessionOf(query.session);
        const group =
          typeof query.group === 'string' && isPupilYearGroup(query.group) ? query.group : undefined;
        const saved = Number(query.saved);
        const choice = { session, group, ...(date ? { date } : {}), ...(asked.given ? { asked } : {}) };
        if (asked.error) {
          reply.code(400);
          return renderRegister(reply, member, choice, {
            errorSummary: [dateErrorLink('date', asked.error)],
          });
        }
        return renderRegister(
          reply,
          member,
          choice,
          Number.isInteger(saved) && query.saved !== undefined ? { saved } : {},
        );
      });

      scope.post('/', { preHandler: allowed }, async (request, reply) => {
        const member = await memberFor(request, reply);
        if (!member) return reply;
        const body = (request.body ?? {}) as Record<string, unknown>;
        const date = typeof body.date === 'string' && isCalendarDate(body.date) ? body.date : undefined;
        const session = sessionOf(body.session);
        const group = typeof body.group === 'string' && isPupilYearGroup(body.group) ? body.group : undefined;
        const reason =
          typeof body.reason === 'string' && body.reason.trim() !== ''
            ? body.reason.trim().slice(0, 500)
            : undefined;
        const refuse = (message: string) => {
          reply.code(400);
          return reply.view('message.njk', {
            pageTitle: 'The register was not saved',
            paragraphs: [message, 'Nothing was changed.'],
            link: { href: REGISTER_PAGE, text: 'Back to the register' },
          });
        };
        if (!date || !session || !group)
          return refuse('The form was incomplete: a date, a session and a year group are needed.');
        const today = londonDateOf(now());
        const calendar = compileCalendar(await calendarOf(db, member.urn));
        if (date > today || !calendar.sessionsOn(date).includes(session))
          return refuse(`The school did not meet on the ${SESSION_NAMES[session]} of ${date}.`);
        const onRoll = new Map(
          (await registerRows(db, member.urn, date, session, group)).map((r) => [r.pupil_id, r]),
        );
        const valid = new Set(attendanceCodesValidOn(date).map((c) => c.code));
        const entries: { pupilId: string; code: string }[] = [];
        for (const [name, value] of Object.entries(body)) {
          if (!name.startsWith('mark-')) continue;
          const pupilId = name.slice('mark-'.length);
          if (!onRoll.has(pupilId))
            return refuse(
              `A pupil of the form is not on the register of ${yearGroupName(group)} on that date.`,
            );
          if (typeof value !== 'string' || value === '') continue;
          if (!valid.has(value)) return refuse(`"${value}" is not an attendance code on ${date}.`);
          entries.push({ pupilId, code: value });
        }
        const account = request.session!.account;
        const at = now();
        let changed = 0;
        for (const entry of entries) {
          if (onRoll.get(entry.pupilId)!.code === entry.code) continue;
          const entryOf = { urn: member.urn, date, session, by: account.username, at, ...entry };
          if (await recordMark(db, reason ? { ...entryOf, reason } : entryOf)) changed++;
        }
        request.log.info({ urn: member.urn, date, session, group, changed }, 'register saved');
        const [y, m, d] = date.split('-');
        return reply.redirect(
          `${REGISTER_PAGE}?date-day=${Number(d)}&date-month=${Number(m)}&date-year=${y}&session=${session}&group=${encodeURIComponent(group)}&saved=${changed}`,
          303,
        );
      });

      scope.get('/history', { preHandler: allowed }, async (request, reply) => {
        const member = await memberFor(request, reply);
        if (!member) return reply;
        const query = request.query as Record<string, unknown>;
        const date = typeof query.date === 'string' && isCalendarDate(query.date) ? query.date : undefined;
        const session = sessionOf(query.session);
        const pupilId = typeof query.pupil === 'string' ? query.pupil : undefined;
        const pupil =
          date && session && pupilId
            ? await db
                .selectFrom('school.pupil')
                .select(['forename', 'surname'])
                .where('urn', '=', member.urn)
                .where('pupil_id', '=', pupilId)
                .executeTakeFirst()
            : undefined;
        if (!pupil || !date || !session || !pupilId) {
          reply.code(404);
          return reply.view('message.njk', {
            pageTitle: 'There is no such mark',
            paragraphs: ['No pupil of your school has a mark for that session.'],
            link: { href: REGISTER_PAGE, text: 'Back to the register' },
          });
        }
        const history = await markHistory(db, { urn: member.urn, pupilId, date, session });
        return reply.view(`${VIEWS}/mark-history.njk`, {
          pageTitle: `${pupil.forename} ${pupil.surname}: ${SESSION_NAMES[session]} mark`,
          school: member.schoolName,
          date,
          base: REGISTER_PAGE,
          changes: history.map((h) => ({
            at: formatLondonTime(new Date(h.at)),
            by: h.by,
            from: h.from ?? 'Not marked',
            to: h.to,
            reason: h.reason ?? '',
          })),
        });
      });
    },
    { prefix: REGISTER_PAGE },
  );
  app.addNavigation({ href: REGISTER_PAGE, text: 'Register', roles: ['school-user'] });
}
