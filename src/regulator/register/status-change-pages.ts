/**
 * A caseworker's status change, one question a page, then a check-your-answers page saying what
 * will change, for whom and from when, then the change itself. The confirm step asks the state
 * machine again on the registration as it is then: someone may have changed it in between.
 *
 *   GET  /regulator/registrations/:ref/status            what change? (the kind)
 *   POST /regulator/registrations/:ref/status/kind       → the details page (a grant, which needs
 *                                                        none: straight to the check page)
 *   GET  /regulator/registrations/:ref/status?kind=K     the details kind K needs (?correct=1: a
 *                                                        correction)
 *   POST /regulator/registrations/:ref/status            checked → check-your-answers page
 *   POST /regulator/registrations/:ref/status/confirm    recorded → the registration page
 */
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/database.ts';
import { formBody, pageFields, type TypedApp } from '../../platform/http/typed-routes.ts';
import { daysBetween, formatLongDate, formatWeeksAndDays } from '../../platform/calendar.ts';
import {
  dateErrorLink,
  dateFieldNames,
  dateInputParams,
  readDateInput,
  type DateInputValue,
  type DatePart,
} from '../../platform/web/date-input.ts';
import { loadRegistration } from './register-store.ts';
import { checkStatusChange, recordStatusChange, type StatusChangeCheck } from './record-status-change.ts';
import { standingOf } from './registration-standing.ts';
import {
  availableStatusChanges,
  CANCELLATION_GROUNDS,
  CANCELLATION_GROUND_NAMES,
  resignationBarringNotices,
  STATUS_CHANGE_KIND_LABELS,
  type CancellationGround,
  type RefusalCode,
  type StatusChangeKind,
  type StatusChangeRequest,
} from './status-change.ts';
import {
  INACTIVE_STATUSES,
  REGISTER_NAMES,
  REGISTRATION_STATUSES,
  REGISTRATION_STATUS_NAMES,
  type RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';

const VIEWS = 'regulator/register/views';

/** Reads a status change from a submitted form; missing fields become empty strings so the state machine can explain them. */
export function statusChangeFromForm(body: Record<string, unknown>): StatusChangeRequest | undefined {
  const text = (key: string) => {
    const value = body[key];
    return typeof value === 'string' ? value.trim() : '';
  };
  const reason = text('reason');
  // Each case narrows the kind; the ground and the status are the state machine's to explain.
  const kind = text('kind');
  switch (kind) {
    case 'grant':
      return { kind };
    case 'withdraw':
    case 'refuse':
    case 'lift-suspension':
    case 'resign':
      return { kind, reason };
    case 'cancel':
      return { kind, ground: text('ground') as CancellationGround, reason };
    case 'suspend':
      return {
        kind,
        grounds: text('grounds'),
        endDate: text('endDate'),
        investigationCannotFinishSooner: body.investigationCannotFinishSooner === 'yes',
        reason,
      };
    case 'correct':
      return { kind, to: text('to') as RegistrationStatus, reason };
    default:
      return undefined;
  }
}

const RefParams = Type.Object({ ref: Type.String() });

/** What the status change form sends (and `_csrf`); the check page sends them back, the end date as YYYY-MM-DD. */
const STATUS_FORM_FIELDS = [
  'kind',
  'reason',
  'ground',
  'grounds',
  ...dateFieldNames('endDate'),
  'investigationCannotFinishSooner',
  'to',
  'version',
  'change',
] as const;

const END_DATE_LABEL = 'Last day of this suspension period';

/** The form field a refusal is about, so its message is shown on that field. */
const REFUSAL_FIELD: Partial<Record<RefusalCode, string>> = {
  'reason-required': 'reason',
  'suspension-grounds-required': 'grounds',
  'invalid-dates': 'endDate',
  'suspension-too-long': 'endDate',
  'suspension-limit-reached': 'endDate',
  'invalid-cancellation-ground': 'ground',
  'unknown-status': 'to',
  'correction-to-same-status': 'to',
  'correction-not-needed': 'to',
};

/** Refusals about the kind of change itself: said on the kind page, the others on the details page. */
const KIND_REFUSALS: readonly RefusalCode[] = ['not-allowed-from-status', 'resignation-barred-by-notice'];

/** The details page's heading, for each kind that has one (a grant needs no details). */
const DETAILS_TITLES: Record<Exclude<StatusChangeKind, 'grant'>, string> = {
  withdraw: 'Withdraw the application',
  refuse: 'Refuse the registration',
  suspend: 'Suspend the registration',
  'lift-suspension': 'Lift the suspension',
  resign: 'Record the resignation',
  cancel: 'Cancel the registration',
  correct: 'Correct the registration status',
};

const statusName = (s: RegistrationStatus) => REGISTRATION_STATUS_NAMES[s] ?? s;

type Step = { step: 'kind' } | { step: 'details'; kind: Exclude<StatusChangeKind, 'grant'> };

export function statusChangePages(app: TypedApp, db: Database, today: () => string): void {
  const caseworker = app.requireRole('caseworker', 'admin');
  const statusPath = (ref: string) => `/regulator/registrations/${encodeURIComponent(ref)}/status`;

  const renderForm = async (
    reply: FastifyReply,
    ref: string,
    at: Step,
    options: {
      form?: Record<string, unknown>;
      endDate?: DateInputValue;
      errors?: Record<string, string>;
      errorSummary?: { text: string; href?: string }[];
      refused?: boolean;
    } = {},
  ) => {
    const stored = await loadRegistration(db, ref);
    if (!stored) return notFound(reply, ref);
    const r = stored.registration;
    const kinds = availableStatusChanges({ status: r.status });
    // An address naming a change the status no longer allows asks the kind again.
    if (at.step === 'details' && at.kind !== 'correct' && !kinds.includes(at.kind)) at = { step: 'kind' };
    const form = at.step === 'details' ? { ...options.form, kind: at.kind } : (options.form ?? {});
    const barring = resignationBarringNotices({
      status: r.status,
      registers: r.registers,
      notices: r.notices,
      suspensions: stored.suspensions,
      today: today(),
    });
    const endDate =
      options.endDate ??
      readDateInput(typeof form.endDate === 'string' ? { endDate: form.endDate } : {}, 'endDate', {
        label: END_DATE_LABEL,
      });
    return reply.view(`${VIEWS}/status-change.njk`, {
      pageTitle: at.step === 'kind' ? 'Change the registration status' : DETAILS_TITLES[at.kind],
      step: at.step,
      action: at.step === 'kind' ? `${statusPath(ref)}/kind` : statusPath(ref),
      back:
        at.step === 'kind' || at.kind === 'correct'
          ? { text: 'Back to the registration', href: `/regulator/registrations/${encodeURIComponent(ref)}` }
          : { text: 'Back', href: statusPath(ref) },
      r,
      version: stored.version,
      statusName,
      kinds: kinds.map((k) => ({
        value: k,
        text: STATUS_CHANGE_KIND_LABELS[k],
      })),
      correctionTargets: REGISTRATION_STATUSES.filter((s) => s !== r.status).map((s) => ({
        value: s,
        text: REGISTRATION_STATUS_NAMES[s],
      })),
      grounds: CANCELLATION_GROUNDS.map((g) => ({ value: g, text: CANCELLATION_GROUND_NAMES[g] })),
      barring,
      currentSuspension: r.status === 'SUSP' ? stored.suspensions.at(-1) : undefined,
      endDateInput: dateInputParams('endDate', endDate, {
        legend: END_DATE_LABEL,
        hint: 'At most 6 weeks, counting the first day. At most 12 weeks in a row on the same grounds. For example, 27 3 2027',
      }),
      form,
      errors: options.errors ?? {},
      errorSummary: options.errorSummary,
      refused: options.refused,
    });
  };

  /** The details step for a kind named in a form or address, if it has one. */
  const detailsOf = (kind: unknown): Step | undefined =>
    typeof kind === 'string' && kind !== 'grant' && Object.hasOwn(DETAILS_TITLES, kind)
      ? { step: 'details', kind: kind as keyof typeof DETAILS_TITLES }
      : undefined;

  const kindMissing = (reply: FastifyReply, ref: string, form: Record<string, unknown>) => {
    const message = 'Select the change to make';
    return renderForm(
      reply.code(400),
      ref,
      { step: 'kind' },
      {
        form,
        errors: { kind: message },
        errorSummary: [{ text: message, href: '#kind' }],
      },
    );
  };

  const statusForm = { params: RefParams, querystring: pageFields('correct', 'kind') };
  app.get(
    '/registrations/:ref/status',
    { preHandler: caseworker, schema: statusForm },
    async (request, reply) => {
      const { ref } = request.params;
      const details = request.query.correct === '1' ? detailsOf('correct') : detailsOf(request.query.kind);
      return renderForm(reply, ref, details ?? { step: 'kind' });
    },
  );

  const kindForm = { params: RefParams, body: formBody('kind', 'version') };
  app.post(
    '/registrations/:ref/status/kind',
    { preHandler: caseworker, schema: kindForm },
    async (request, reply) => {
      const { ref } = request.params;
      const body: Record<string, unknown> = { ...(request.body ?? {}) };
      const stored = await loadRegistration(db, ref);
      if (!stored) return notFound(reply, ref);
      const kind = typeof body.kind === 'string' ? body.kind : '';
      if (!availableStatusChanges({ status: stored.registration.status }).some((k) => k === kind))
        return kindMissing(reply, ref, body);
      // A grant needs nothing more: its check page comes next.
      if (kind === 'grant') return checkAnswers(reply, ref, body);
      return reply.redirect(`${statusPath(ref)}?kind=${encodeURIComponent(kind)}`, 303);
    },
  );

  /** The form again with the refusal on the field it is about. */
  const refusedForm = (
    reply: FastifyReply,
    ref: string,
    body: Record<string, unknown>,
    refusal: { code: RefusalCode; message: string },
    endDate?: DateInputValue,
  ) => {
    const field = REFUSAL_FIELD[refusal.code];
    const details = KIND_REFUSALS.includes(refusal.code) ? undefined : detailsOf(body.kind);
    const href = field === 'endDate' ? '#endDate-day' : field ? `#${field}` : details ? undefined : '#kind';
    // A rule about the period is about the whole date: every part is marked.
    const dated =
      endDate && field === 'endDate'
        ? { ...endDate, error: { message: refusal.message, parts: ['day', 'month', 'year'] as DatePart[] } }
        : endDate;
    return renderForm(reply.code(422), ref, details ?? { step: 'kind' }, {
      form: body,
      ...(dated ? { endDate: dated } : {}),
      errors: field ? { [field]: refusal.message } : details ? {} : { kind: refusal.message },
      errorSummary: [{ text: refusal.message, ...(href ? { href } : {}) }],
      refused: true,
    });
  };

  /** A filled-in change, checked by the state machine: its check page, or the form again with why not. */
  const checkAnswers = async (reply: FastifyReply, ref: string, body: Record<string, unknown>) => {
    const details = detailsOf(body.kind);
    let endDate: DateInputValue | undefined;
    if (body.kind === 'suspend') {
      endDate = readDateInput(body, 'endDate', { label: END_DATE_LABEL, required: true });
      if (endDate.error) {
        return renderForm(reply.code(400), ref, details!, {
          form: body,
          endDate,
          errorSummary: [dateErrorLink('endDate', endDate.error)],
        });
      }
      body.endDate = endDate.date;
    }
    const change = statusChangeFromForm(body);
    if (!change) return kindMissing(reply, ref, body);
    const version = Number(body.version);
    const checked = await checkStatusChange(db, {
      referenceNumber: ref,
      request: change,
      today: today(),
      expectedVersion: Number.isInteger(version) ? version : undefined,
    });
    switch (checked.outcome) {
      case 'not-found':
        return notFound(reply, ref);
      case 'stale': {
        const message =
          'Someone else changed this registration while you were looking at it. Check its current status below and try again.';
        return renderForm(reply.code(409), ref, details ?? { step: 'kind' }, {
          form: body,
          errorSummary: [{ text: message }],
        });
      }
      case 'refused':
        return refusedForm(reply, ref, body, checked, endDate);
      case 'allowed':
        return renderCheck(reply, ref, change, checked, body);
      default: {
        const unexpected: never = checked;
        throw new Error(`unexpected outcome ${JSON.stringify(unexpected)}`);
      }
    }
  };

  const statusChange = { params: RefParams, body: formBody(...STATUS_FORM_FIELDS) };
  app.post(
    '/registrations/:ref/status',
    { preHandler: caseworker, schema: statusChange },
    async (request, reply) => {
      const { ref } = request.params;
      const body: Record<string, unknown> = { ...(request.body ?? {}) };
      // "Change" on the check page: the details again, as they were filled in (a grant has none).
      if (body.change !== undefined)
        return renderForm(reply, ref, detailsOf(body.kind) ?? { step: 'kind' }, { form: body });
      return checkAnswers(reply, ref, body);
    },
  );

  const renderCheck = async (
    reply: FastifyReply,
    ref: string,
    change: StatusChangeRequest,
    checked: Extract<StatusChangeCheck, { outcome: 'allowed' }>,
    body: Record<string, unknown>,
  ) => {
    const stored = await loadRegistration(db, ref);
    if (!stored) return notFound(reply, ref);
    const { decision, context } = checked;
    const r = stored.registration;
    const rows: { key: string; value: string }[] = [
      { key: 'Provider', value: `${r.provider.name}, reference number ${ref}` },
      { key: 'Change', value: STATUS_CHANGE_KIND_LABELS[change.kind] },
      {
        key: 'Status',
        value:
          decision.from === decision.to
            ? `Stays ${statusName(decision.to)}`
            : `${statusName(decision.from)} now, ${statusName(decision.to)} from ${formatLongDate(decision.changeDate)}`,
      },
    ];
    if (decision.suspension) {
      const s = decision.suspension;
      const days = daysBetween(s.startDate, s.endDate) + 1;
      rows.push(
        {
          key: 'Suspension period',
          value: `${formatLongDate(s.startDate)} to ${formatLongDate(s.endDate)} (${formatWeeksAndDays(days)})`,
        },
        { key: 'Grounds', value: s.grounds },
      );
      if (s.investigationCannotFinishSooner)
        rows.push({ key: 'Investigation', value: 'Cannot be completed sooner' });
    }
    if (decision.cancellationGround) {
      rows.push({ key: 'Ground', value: CANCELLATION_GROUND_NAMES[decision.cancellationGround] });
    }
    if (decision.liftedSuspension) {
      rows.push({
        key: 'Suspension',
        value: `Ends on ${formatLongDate(decision.liftedSuspension.endDate)}`,
      });
    }
    // What ends with the registration, read by the same rule as the registration page.
    const after = standingOf({
      status: decision.to,
      statusChangedOn: decision.changeDate,
      registers: context.registers,
      suspensions: context.suspensions,
      today: decision.changeDate,
    });
    if (after.endedOn !== undefined) {
      const ending = after.registers.filter((g) => g.endedOn === after.endedOn);
      if (ending.length > 0) {
        rows.push({
          key: 'Registers',
          value: ending
            .map((g) => `${REGISTER_NAMES[g.register]} ends on ${formatLongDate(after.endedOn!)}`)
            .join('. '),
        });
      }
      const running = after.suspensions.filter((s) => s.endedOn !== undefined && !s.neverStarted);
      if (running.length > 0) {
        rows.push({
          key: 'Suspension',
          value: `The suspension due to run until ${formatLongDate(running.at(-1)!.endDate)} ends on ${formatLongDate(after.endedOn)}`,
        });
      }
    }
    if ('reason' in change && change.reason !== '') rows.push({ key: 'Reason', value: change.reason });
    const final = INACTIVE_STATUSES.includes(decision.to) || decision.correction;
    return reply.view(`${VIEWS}/status-check.njk`, {
      pageTitle: 'Check the change before you confirm it',
      r,
      rows,
      warning: final
        ? `This cannot be undone. Only a correction, with its reason recorded, can change a registration that is ${statusName(decision.to)}.`
        : undefined,
      // Sent back as they were read: the confirm step checks them again.
      hidden: Object.entries({ ...body, version: String(checked.version) }).flatMap(([name, value]) =>
        typeof value === 'string' && name !== '_csrf' && !name.startsWith('endDate-') && name !== 'change'
          ? [{ name, value }]
          : [],
      ),
    });
  };

  const confirm = { params: RefParams, body: formBody(...STATUS_FORM_FIELDS) };
  app.post(
    '/registrations/:ref/status/confirm',
    { preHandler: caseworker, schema: confirm },
    async (request, reply) => {
      const { ref } = request.params;
      const body: Record<string, unknown> = request.body ?? {};
      const change = statusChangeFromForm(body);
      const version = Number(body.version);
      if (!change || !Number.isInteger(version)) {
        reply.code(400);
        return reply.view('message.njk', {
          pageTitle: 'The change was incomplete',
          paragraphs: ['Nothing was changed. Start the change again from the registration.'],
          link: {
            href: `/regulator/registrations/${encodeURIComponent(ref)}/status`,
            text: 'Change the status',
          },
        });
      }
      const outcome = await recordStatusChange(db, {
        referenceNumber: ref,
        request: change,
        actor: request.session!.account.username,
        today: today(),
        expectedVersion: version,
      });
      const again = {
        href: `/regulator/registrations/${encodeURIComponent(ref)}`,
        text: 'Back to the registration',
      };
      switch (outcome.outcome) {
        case 'changed':
          request.log.info(
            { ref, from: outcome.from, to: outcome.to, correction: outcome.correction },
            'status changed',
          );
          return reply.redirect(
            `/regulator/registrations/${encodeURIComponent(ref)}?changed=${outcome.to}`,
            303,
          );
        case 'not-found':
          return notFound(reply, ref);
        case 'stale': {
          const now = await loadRegistration(db, ref);
          reply.code(409);
          return reply.view('message.njk', {
            pageTitle: 'The registration changed after you checked',
            paragraphs: [
              `Someone else changed this registration after you checked your answers${now ? `: it is now ${statusName(now.registration.status)}` : ''}.`,
              'Nothing was changed. Look at the registration again, then make the change if it is still needed.',
            ],
            link: again,
          });
        }
        case 'refused':
          reply.code(422);
          return reply.view('message.njk', {
            pageTitle: 'This change can no longer be made',
            paragraphs: [outcome.message, 'Nothing was changed.'],
            link: again,
          });
        default: {
          const unexpected: never = outcome;
          throw new Error(`unexpected outcome ${JSON.stringify(unexpected)}`);
        }
      }
    },
  );
}

export function notFound(reply: FastifyReply, ref: string) {
  reply.code(404);
  return reply.view('message.njk', {
    pageTitle: 'Registration not found',
    paragraphs: [`There is no registration with reference number ${ref}.`],
    link: { href: '/regulator/registrations', text: 'Search the register' },
  });
}
