/**
 * "Attendance API submissions", for a school's staff (account role `school-user`, linked to the
 * school in `school.staff`):
 *
 *   GET  /school/attendance-api                    what is sent, today's figures, consent, every send
 *   GET  /school/attendance-api/consent?action=give|remove   check your answers
 *   POST /school/attendance-api/consent            give or remove consent (Data Returns: Administer)
 *   GET  /school/attendance-api/submissions/:id    one send: its days, outcome and each error
 *   GET  /school/attendance-api/reconcile          the receiver's picture against the MIS's now
 *   POST /school/attendance-api/resend             send the window now (Data Returns: Administer)
 *
 * Every POST is CSRF-checked by the web shell. Staff without the permission see what it is and
 * whom to ask; their POSTs are refused the same way.
 */
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import type { AttendanceSubmissionBody } from '../../contracts/attendance/submission.ts';
import { hasPermission, staffMember, type StaffMember } from '../school-data.ts';
import { SCHOOL_PERMISSIONS } from '../tables.ts';
import { databaseSource } from './attendance-source.ts';
import { activeConsent, consentHistory, ConsentError, giveConsent, removeConsent } from './consent-store.ts';
import { describeRecordError } from './record-errors.ts';
import { describeDifference, reconcileSchool, shortDate, yearGroupName } from './reconcile.ts';
import type { ReceiverRecordError } from './receiver-client.ts';
import { receiverFor, runSchoolSync, ReceiverNotSetUpError } from './sync-runner.ts';
import type { SchoolSyncSettings } from './sync-settings.ts';
import type { SubmissionState } from './tables.ts';
import { formatLondonTime } from '../../platform/web/london-time.ts';

const VIEWS = 'school/sync/views';
export const SUBMISSIONS_PAGE = '/school/attendance-api';
const ADMINISTER = 'data-returns-administer' as const;
const SENDS_PER_PAGE = 50;

const when = (date: Date | null | undefined) => (date ? formatLondonTime(date) : undefined);

const OUTCOME: Record<SubmissionState, { text: string; tag: string }> = {
  queued: { text: 'Waiting to be sent', tag: 'govuk-tag--grey' },
  sending: { text: 'Sending', tag: 'govuk-tag--blue' },
  accepted: { text: '✓ Received', tag: 'govuk-tag--green' },
  'accepted-with-errors': { text: 'Received with errors', tag: 'govuk-tag--yellow' },
  failed: { text: 'Failed', tag: 'govuk-tag--red' },
  refused: { text: 'Refused', tag: 'govuk-tag--red' },
  cancelled: { text: 'Not sent', tag: 'govuk-tag--grey' },
};

function daysCovered(dates: readonly string[]): string {
  if (dates.length === 0) return 'none';
  const first = dates[0]!;
  const last = dates.at(-1)!;
  const span = first === last ? shortDate(first) : `${shortDate(first)} to ${shortDate(last)}`;
  return `${span} (${dates.length} school ${dates.length === 1 ? 'day' : 'days'})`;
}

interface ErrorsColumn {
  errors?: ReceiverRecordError[];
  errorsNotListed?: number;
  code?: string;
  title?: string;
  detail?: string;
}

export async function submissionsPages(
  app: FastifyInstance,
  options: { db: Database; secretBox: SecretBox; settings: SchoolSyncSettings; now: () => Date },
): Promise<void> {
  const { db, secretBox, settings, now } = options;
  const source = databaseSource(db);

  /** The signed-in person's school, or a page saying why there is none. */
  const staffOf = async (request: FastifyRequest, reply: FastifyReply): Promise<StaffMember | undefined> => {
    const member = await staffMember(db, request.session!.account.username);
    if (!member) {
      reply.code(403).view('message.njk', {
        pageTitle: 'Your account is not linked to a school',
        paragraphs: ['Ask your school’s office team to add you to the school’s staff in the MIS.'],
      });
    }
    return member;
  };
  const lacksPermission = (reply: FastifyReply, member: StaffMember) =>
    reply.code(403).view('message.njk', {
      pageTitle: 'You cannot give or remove consent',
      paragraphs: [
        `Giving or removing consent, and sending again, need the permission “${SCHOOL_PERMISSIONS[ADMINISTER]}”. You do not have it at ${member.schoolName}.`,
        'If you should, ask your office team to assign it to you.',
      ],
      link: { href: SUBMISSIONS_PAGE, text: 'Back to Attendance API submissions' },
    });

  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('school-user');

      scope.get('/', { preHandler: allowed }, async (request, reply) => {
        const member = await staffOf(request, reply);
        if (!member) return reply;
        const query = request.query as { done?: string; page?: string };
        const page = /^[1-9]\d{0,5}$/.test(query.page ?? '') ? Number(query.page) : 1;
        const today = londonDateOf(now());
        const [consent, history, prepared, sends] = await Promise.all([
          activeConsent(db, member.urn),
          consentHistory(db, member.urn),
          source.prepare(member.urn, now()),
          db
            .selectFrom('school.submission')
            .select([
              'id',
              'dates',
              'state',
              'failure',
              'receiver_errors',
              'created_at',
              'sent_at',
              'finished_at',
            ])
            .where('urn', '=', member.urn)
            .orderBy('created_at', 'desc')
            .orderBy('seq', 'desc')
            .limit(SENDS_PER_PAGE + 1)
            .offset((page - 1) * SENDS_PER_PAGE)
            .execute(),
        ]);
        return reply.view(`${VIEWS}/submissions.njk`, {
          pageTitle: 'Attendance API submissions',
          school: member.schoolName,
          urn: member.urn,
          canAdminister: hasPermission(member, ADMINISTER),
          permissionName: SCHOOL_PERMISSIONS[ADMINISTER],
          done: ['given', 'removed', 'resent'].includes(query.done ?? '') ? query.done : undefined,
          consent: consent && {
            givenBy: consent.givenBy,
            givenAt: when(consent.givenAt),
            receiverToldAt: when(consent.receiverToldAt),
            receiverOutcome: consent.receiverOutcome,
          },
          lastRemoval: history.find((c) => c.removedAt !== null),
          lastRemovalAt: when(history.find((c) => c.removedAt !== null)?.removedAt),
          preview: previewOf(prepared?.body, today),
          window: prepared ? daysCovered(prepared.dates) : undefined,
          page,
          olderPage: sends.length > SENDS_PER_PAGE ? page + 1 : undefined,
          sends: sends.slice(0, SENDS_PER_PAGE).map((send) => {
            const errors = (send.receiver_errors as ErrorsColumn | null)?.errors ?? [];
            return {
              id: send.id,
              at: when(send.sent_at ?? send.created_at),
              days: daysCovered(send.dates),
              outcome: OUTCOME[send.state],
              summary:
                send.state === 'accepted-with-errors'
                  ? `${errors.length + ((send.receiver_errors as ErrorsColumn | null)?.errorsNotListed ?? 0)} ${errors.length === 1 ? 'entry' : 'entries'} not taken`
                  : (send.failure ?? ''),
            };
          }),
          base: SUBMISSIONS_PAGE,
        });
      });

      scope.get('/consent', { preHandler: allowed }, async (request, reply) => {
        const member = await staffOf(request, reply);
        if (!member) return reply;
        if (!hasPermission(member, ADMINISTER)) return lacksPermission(reply, member);
        const action = (request.query as { action?: string }).action;
        if (action !== 'give' && action !== 'remove') return reply.redirect(SUBMISSIONS_PAGE, 303);
        const prepared = action === 'give' ? await source.prepare(member.urn, now()) : undefined;
        const account = request.session!.account;
        return reply.view(`${VIEWS}/consent-check.njk`, {
          pageTitle: action === 'give' ? 'Check before you give consent' : 'Check before you remove consent',
          action,
          school: member.schoolName,
          urn: member.urn,
          person: account.displayName,
          window: prepared ? daysCovered(prepared.dates) : undefined,
          base: SUBMISSIONS_PAGE,
        });
      });

      scope.post('/consent', { preHandler: allowed }, async (request, reply) => {
        const member = await staffOf(request, reply);
        if (!member) return reply;
        if (!hasPermission(member, ADMINISTER)) return lacksPermission(reply, member);
        const action = (request.body as { action?: unknown } | undefined)?.action;
        if (action !== 'give' && action !== 'remove') return reply.redirect(SUBMISSIONS_PAGE, 303);
        const account = request.session!.account;
        const person = `${account.displayName} (${account.username})`;
        const receiver = await receiverFor(db, secretBox, settings);
        try {
          if (action === 'give')
            await giveConsent(db, receiver, { urn: member.urn, givenBy: person, now: now() });
          else await removeConsent(db, receiver, { urn: member.urn, removedBy: person, now: now() });
        } catch (error) {
          if (!(error instanceof ConsentError)) throw error;
          reply.code(409);
          return reply.view('message.njk', {
            pageTitle: 'Nothing was changed',
            paragraphs: [error.message],
            link: { href: SUBMISSIONS_PAGE, text: 'Back to Attendance API submissions' },
          });
        }
        request.log.info({ urn: member.urn, action }, 'attendance consent changed');
        return reply.redirect(`${SUBMISSIONS_PAGE}?done=${action === 'give' ? 'given' : 'removed'}`, 303);
      });

      scope.get('/submissions/:id', { preHandler: allowed }, async (request, reply) => {
        const member = await staffOf(request, reply);
        if (!member) return reply;
        const id = (request.params as { id: string }).id;
        const send = /^[0-9a-f-]{36}$/.test(id)
          ? await db
              .selectFrom('school.submission')
              .selectAll()
              .where('id', '=', id)
              .where('urn', '=', member.urn)
              .executeTakeFirst()
          : undefined;
        if (!send) {
          reply.code(404);
          return reply.view('message.njk', {
            pageTitle: 'There is no such send',
            paragraphs: ['It may belong to another school.'],
            link: { href: SUBMISSIONS_PAGE, text: 'Back to Attendance API submissions' },
          });
        }
        const body = JSON.parse(gunzipSync(send.body).toString('utf8')) as AttendanceSubmissionBody;
        const column = (send.receiver_errors as ErrorsColumn | null) ?? {};
        return reply.view(`${VIEWS}/submission.njk`, {
          pageTitle: `Send of ${when(send.sent_at ?? send.created_at)}`,
          school: member.schoolName,
          outcome: OUTCOME[send.state],
          days: daysCovered(send.dates),
          created: when(send.created_at),
          sent: when(send.sent_at),
          attempts: send.attempts,
          status: send.last_status,
          ref: send.submission_ref,
          failure: send.failure,
          refusal: column.code
            ? [column.code, column.title, column.detail].filter(Boolean).join(' — ')
            : undefined,
          errors: (column.errors ?? []).map((error) => describeRecordError(body, error)),
          errorsNotListed: column.errorsNotListed ?? 0,
          entries: body.submissionData.length,
          pupils: body.totalNoOfPupils,
          base: SUBMISSIONS_PAGE,
        });
      });

      scope.get('/reconcile', { preHandler: allowed }, async (request, reply) => {
        const member = await staffOf(request, reply);
        if (!member) return reply;
        const result = await reconcileSchool(db, source, member.urn, now());
        return reply.view(`${VIEWS}/reconcile.njk`, {
          pageTitle: 'Does the DfE have what the school has?',
          school: member.schoolName,
          matches: result.matches,
          canAdminister: hasPermission(member, ADMINISTER),
          consented: (await activeConsent(db, member.urn)) !== undefined,
          dates: result.dates.map((d) => ({
            date: shortDate(d.date),
            acceptedAt: when(d.acceptedAt),
            differences: d.differences.map((difference) => describeDifference(difference)),
          })),
          base: SUBMISSIONS_PAGE,
        });
      });

      scope.post('/resend', { preHandler: allowed }, async (request, reply) => {
        const member = await staffOf(request, reply);
        if (!member) return reply;
        if (!hasPermission(member, ADMINISTER)) return lacksPermission(reply, member);
        try {
          await runSchoolSync(db, secretBox, settings, { now: now(), urns: [member.urn] });
        } catch (error) {
          if (!(error instanceof ReceiverNotSetUpError)) throw error;
          reply.code(503);
          return reply.view('message.njk', {
            pageTitle: 'Nothing was sent',
            paragraphs: ['The receiver is not set up yet: ask your MIS supplier.'],
            link: { href: SUBMISSIONS_PAGE, text: 'Back to Attendance API submissions' },
          });
        }
        return reply.redirect(`${SUBMISSIONS_PAGE}?done=resent`, 303);
      });
    },
    { prefix: SUBMISSIONS_PAGE },
  );
  app.addNavigation({ href: SUBMISSIONS_PAGE, text: 'Attendance API submissions', roles: ['school-user'] });
}

/** Today's figures as the send has them (or the latest day's), one row per year group and session. */
function previewOf(body: AttendanceSubmissionBody | undefined, today: string) {
  if (!body || body.submissionData.length === 0) return undefined;
  const dates = body.submissionData.map((e) => e.date).sort();
  const date = dates.includes(today) ? today : dates.at(-1)!;
  const rows = body.submissionData
    .filter((e) => e.date === date)
    .map((e) => ({
      group: yearGroupName(e.ncYearGroup),
      session: e.schoolSession,
      marks: e.attendances
        .filter((a) => a.value > 0)
        .map((a) => `${a.attendanceCode} ${a.value}`)
        .join(', '),
      total: e.attendances.reduce((sum, a) => sum + a.value, 0),
    }));
  return {
    date: shortDate(date),
    isToday: date === today,
    rows,
    pupils: body.totalNoOfPupils,
    enrolments: (body.enrolments ?? []).map((e) => ({ group: yearGroupName(e.ncYearGroup), value: e.value })),
  };
}
