/**
 * Whether a caseworker's requested change to a registration's status is allowed under the
 * Childcare Act 2006 (see DOMAIN.md, "Registration status and its state changes").
 *
 * Pure: no clock, no database. The caller passes `today` (the Europe/London calendar date)
 * and everything known about the registration, and records the change if it is allowed.
 */

import {
  addDays,
  daysBetween,
  formatLongDate,
  formatWeeksAndDays,
  isCalendarDate,
} from '../../platform/calendar.ts';
import {
  REGISTRATION_STATUSES,
  REGISTRATION_STATUS_NAMES,
} from '../../contracts/childcare-extract/registration.ts';
import { textProblem } from '../../contracts/childcare-extract/registration-rules.ts';
import type {
  ChildServicesRegister,
  Notice,
  RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';

/**
 * Grounds for cancellation under s.68. The Act requires a notice of decision before
 * cancelling, except on disqualification; that is the caller's process, not checked here.
 */
export const CANCELLATION_GROUNDS = [
  'disqualification',
  'requirements-not-met',
  'fee-not-paid',
  'no-childcare-three-years',
  'other',
] as const;
export type CancellationGround = (typeof CANCELLATION_GROUNDS)[number];

export const CANCELLATION_GROUND_NAMES: Record<CancellationGround, string> = {
  disqualification: 'Disqualification',
  'requirements-not-met': 'Requirements of registration not met',
  'fee-not-paid': 'Registration fee not paid',
  'no-childcare-three-years': 'No childcare provided for three years',
  other: 'Other',
};

export type StatusChangeRequest =
  | { kind: 'grant' }
  | { kind: 'withdraw'; reason: string }
  | { kind: 'refuse'; reason: string }
  | {
      kind: 'suspend';
      grounds: string;
      /**
       * Optional because the law fixes it: a new suspension starts today; a further period
       * starts the day after the current one ends (or today, if that has passed). When
       * given it must equal that date, so a stale form cannot leave a gap or an overlap.
       */
      startDate?: string;
      endDate: string;
      investigationCannotFinishSooner?: boolean;
      reason: string;
    }
  | { kind: 'lift-suspension'; reason: string }
  | { kind: 'resign'; reason: string }
  | { kind: 'cancel'; ground: CancellationGround; reason: string }
  | { kind: 'correct'; to: RegistrationStatus; reason: string };

export type StatusChangeKind = StatusChangeRequest['kind'];

export const STATUS_CHANGE_KIND_LABELS: Record<StatusChangeKind, string> = {
  grant: 'Grant registration',
  withdraw: 'Withdraw application',
  refuse: 'Refuse registration',
  suspend: 'Suspend',
  'lift-suspension': 'Lift suspension',
  resign: 'Resign',
  cancel: 'Cancel registration',
  correct: 'Correct status',
};

/**
 * One suspension period, both dates included. A period lifted early must be stored with
 * the day it actually ended, or it will count towards the 12-week limit as if it ran on.
 */
export interface Suspension {
  grounds: string;
  startDate: string;
  endDate: string;
  investigationCannotFinishSooner: boolean;
}

export interface StatusChangeContext {
  status: RegistrationStatus;
  registers: ChildServicesRegister[];
  notices: Notice[];
  /** Past and current suspension periods, oldest first. */
  suspensions: Suspension[];
  /** YYYY-MM-DD, Europe/London calendar date. */
  today: string;
}

export type RefusalCode =
  | 'not-allowed-from-status'
  | 'reason-required'
  | 'resignation-barred-by-notice'
  | 'suspension-grounds-required'
  | 'invalid-dates'
  | 'suspension-too-long'
  | 'suspension-limit-reached'
  | 'invalid-cancellation-ground'
  | 'unknown-status'
  | 'correction-to-same-status'
  | 'correction-not-needed'
  | 'invalid-text';

export type StatusChangeDecision =
  | {
      allowed: true;
      from: RegistrationStatus;
      to: RegistrationStatus;
      changeDate: string;
      /** True for a correction: the caller must audit it. */
      correction: boolean;
      /** For a suspension: the period to record. */
      suspension?: Suspension;
      /**
       * For lifting a suspension: the current period cut short to end today, to store in
       * place of it, since the 12-week limit counts the days actually suspended. Any
       * further period recorded to start after today no longer applies.
       */
      liftedSuspension?: Suspension;
      cancellationGround?: CancellationGround;
    }
  | { allowed: false; code: RefusalCode; message: string };

/** s.69 + SI 2008/976: one suspension period lasts at most 6 weeks. */
export const MAX_SUSPENSION_PERIOD_DAYS = 42;
/** SI 2008/976: at most 12 weeks continuously on the same grounds, unless the investigation cannot finish sooner. */
export const MAX_CONTINUOUS_SUSPENSION_DAYS = 84;
/** s.74: appeal against a notice of decision within 28 days of it being served. */
export const NOD_APPEAL_PERIOD_DAYS = 28;
/** A correction bypasses the law's state changes, so its audit trail needs a real explanation. */
export const CORRECTION_REASON_MIN_LENGTH = 10;

/** The state changes the Act provides for, and the request that makes each. */
const NORMAL_CHANGES: Record<RegistrationStatus, Partial<Record<StatusChangeKind, RegistrationStatus>>> = {
  PROP: { grant: 'ACTV', withdraw: 'INAC', refuse: 'REFU' },
  ACTV: { suspend: 'SUSP', resign: 'RESG', cancel: 'CANC' },
  // A suspension while suspended is a further period (extension), so SUSP → SUSP.
  SUSP: { 'lift-suspension': 'ACTV', suspend: 'SUSP', resign: 'RESG', cancel: 'CANC' },
  RESG: {},
  CANC: {},
  INAC: {},
  REFU: {},
  // Exempt from registration (Childcare (Exemptions from Registration) Order 2008): outside the
  // Act's registration lifecycle, so no normal change in or out; Ofsted's record arrives by
  // import, and a change is an audited correction (docs/decisions/0013-feed-document-v1-3.md).
  EXEM: {},
};

/** Request kinds normally possible from the registration's status, for building a form. Corrections are not listed: they are an exceptional, audited action. */
export function availableStatusChanges(ctx: Pick<StatusChangeContext, 'status'>): StatusChangeKind[] {
  return Object.keys(NORMAL_CHANGES[ctx.status]) as StatusChangeKind[];
}

/** True when the Act provides a normal state change from `from` to `to`. */
export function isNormalTransition(from: RegistrationStatus, to: RegistrationStatus): boolean {
  return Object.values(NORMAL_CHANGES[from]).includes(to);
}

const NOI_BARRING_STATUSES = ['open'];
const NOD_BARRING_STATUSES = ['appeal period', 'under appeal'];
const NOD_FINAL_STATUSES = ['effective', 'withdrawn', 'overturned'];

// The feed's notice statuses are free text; compare them loosely so "open " still bars.
const normalise = (text: string): string => text.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Notices that bar resignation under s.70: an open notice of intention to cancel, or a
 * notice of decision that can still be, or is being, appealed. A NOD not yet recorded as
 * final counts while within the 28-day appeal window of s.74 (its date up to 28 days
 * before today), in case its status lags behind the appeal period.
 */
export function resignationBarringNotices(ctx: StatusChangeContext): Notice[] {
  requireToday(ctx.today);
  if (isOnVoluntaryRegisterOnly(ctx.registers, ctx.today)) return [];
  return ctx.notices.filter((notice) => {
    const status = normalise(notice.status);
    if (notice.type === 'NOI') return NOI_BARRING_STATUSES.includes(status);
    if (NOD_BARRING_STATUSES.includes(status)) return true;
    if (NOD_FINAL_STATUSES.includes(status)) return false;
    return (
      notice.date !== undefined &&
      isCalendarDate(notice.date) &&
      daysBetween(notice.date, ctx.today) <= NOD_APPEAL_PERIOD_DAYS
    );
  });
}

/**
 * s.70's bar does not apply to the voluntary register alone. A register is current unless
 * it ended before today; one starting later still counts, so that a pending compulsory
 * registration is not a way round the bar. No current register at all is not "voluntary
 * alone": without evidence of that, the bar applies.
 */
function isOnVoluntaryRegisterOnly(registers: ChildServicesRegister[], today: string): boolean {
  const current = registers.filter((r) => r.endDate === undefined || r.endDate >= today);
  return current.length > 0 && current.every((r) => r.register === 'VCR');
}

export function decideStatusChange(ctx: StatusChangeContext, req: StatusChangeRequest): StatusChangeDecision {
  requireToday(ctx.today);
  const from = ctx.status;

  // A NUL or other control character cannot be stored (PostgreSQL refuses NUL in text) or shown.
  for (const [field, value] of Object.entries(req)) {
    const problem = typeof value === 'string' ? textProblem(value, undefined) : undefined;
    if (problem !== undefined) {
      return refuse(
        'invalid-text',
        `The ${field === 'grounds' ? 'grounds' : field} ${problem.replace('XML', 'the register')}: remove it.`,
      );
    }
  }

  if (req.kind === 'correct') return decideCorrection(ctx, req);

  const to = NORMAL_CHANGES[from][req.kind];
  if (to === undefined) return refuse('not-allowed-from-status', notAllowedMessage(from, req.kind));

  // Every change but a grant is a decision against or on behalf of the provider, so its
  // reason goes on the record.
  if (req.kind !== 'grant' && req.reason.trim() === '') {
    return refuse(
      'reason-required',
      `Enter a reason for this change (${STATUS_CHANGE_KIND_LABELS[req.kind].toLowerCase()}).`,
    );
  }

  const allowed = { allowed: true, from, to, changeDate: ctx.today, correction: false } as const;
  switch (req.kind) {
    case 'grant':
    case 'withdraw':
    case 'refuse':
      return allowed;
    case 'lift-suspension': {
      const current = sortedSuspensions(ctx.suspensions)
        .filter((s) => s.startDate <= ctx.today)
        .at(-1);
      if (current === undefined) return allowed;
      const endDate = current.endDate < ctx.today ? current.endDate : ctx.today;
      return { ...allowed, liftedSuspension: { ...current, endDate } };
    }
    case 'resign': {
      const barring = resignationBarringNotices(ctx);
      if (barring.length > 0)
        return refuse('resignation-barred-by-notice', resignationBarredMessage(barring));
      return allowed;
    }
    case 'cancel':
      if (!(CANCELLATION_GROUNDS as readonly string[]).includes(req.ground)) {
        return refuse(
          'invalid-cancellation-ground',
          `Choose the ground for cancellation: ${CANCELLATION_GROUNDS.map((g) => CANCELLATION_GROUND_NAMES[g].toLowerCase()).join(', ')}.`,
        );
      }
      return { ...allowed, cancellationGround: req.ground };
    case 'suspend': {
      const result = decideSuspensionPeriod(ctx, req);
      return 'code' in result ? result : { ...allowed, suspension: result };
    }
    default: {
      const unexpected: never = req;
      throw new TypeError(`Unknown status change: ${JSON.stringify(unexpected)}`);
    }
  }
}

function decideCorrection(
  ctx: StatusChangeContext,
  req: Extract<StatusChangeRequest, { kind: 'correct' }>,
): StatusChangeDecision {
  const from = ctx.status;
  if (!(REGISTRATION_STATUSES as readonly string[]).includes(req.to)) {
    return refuse('unknown-status', `“${req.to}” is not a registration status.`);
  }
  const fromName = REGISTRATION_STATUS_NAMES[from];
  const toName = REGISTRATION_STATUS_NAMES[req.to];
  if (req.to === from) {
    return refuse(
      'correction-to-same-status',
      `The registration is already ${fromName}, so there is nothing to correct.`,
    );
  }
  // A correction must not be a way round the checks on a normal change (e.g. the s.70 bar
  // on resignation, or the suspension limits).
  const normalKind = (Object.keys(NORMAL_CHANGES[from]) as StatusChangeKind[]).find(
    (kind) => NORMAL_CHANGES[from][kind] === req.to,
  );
  if (normalKind !== undefined) {
    return refuse(
      'correction-not-needed',
      `${fromName} to ${toName} is a normal change, not a correction. Use “${STATUS_CHANGE_KIND_LABELS[normalKind]}” so that the rules for it are checked.`,
    );
  }
  if (req.reason.trim().length < CORRECTION_REASON_MIN_LENGTH) {
    return refuse(
      'reason-required',
      `A correction from ${fromName} to ${toName} must explain why it is needed (at least ${CORRECTION_REASON_MIN_LENGTH} characters), for example “Cancellation overturned on appeal”.`,
    );
  }
  return { allowed: true, from, to: req.to, changeDate: ctx.today, correction: true };
}

/**
 * Periods count both their start and end dates: a period starting on day F may end at the
 * latest on F + 41, which makes 42 days (6 weeks); likewise the 12 weeks run from the first
 * day of the continuous suspension to F + 83. "6 weeks" in SI 2008/976 is six weeks
 * beginning with the day the suspension takes effect, so the day it starts is one of them.
 */
function decideSuspensionPeriod(
  ctx: StatusChangeContext,
  req: Extract<StatusChangeRequest, { kind: 'suspend' }>,
): Suspension | { allowed: false; code: RefusalCode; message: string } {
  const grounds = req.grounds.trim();
  if (grounds === '') {
    return refuse(
      'suspension-grounds-required',
      'Enter the grounds for suspension: the risk of harm to children that is being investigated or reduced.',
    );
  }
  for (const [label, value] of [
    ['start date', req.startDate],
    ['end date', req.endDate],
  ] as const) {
    if (value !== undefined && !isCalendarDate(value)) {
      return refuse('invalid-dates', `The ${label} “${value}” is not a real date. Enter it as YYYY-MM-DD.`);
    }
  }

  const previous = sortedSuspensions(ctx.suspensions);
  const current = ctx.status === 'SUSP' ? previous.at(-1) : undefined;
  // A further period follows straight on from the current one, so the suspension has no
  // gap; if the current one has already run out, the new one can only start today.
  const followOn = current ? addDays(current.endDate, 1) : undefined;
  const startDate = followOn !== undefined && followOn > ctx.today ? followOn : ctx.today;
  if (req.startDate !== undefined && req.startDate !== startDate) {
    const why =
      ctx.status === 'ACTV'
        ? `A new suspension starts on the day it is imposed, today, ${formatLongDate(startDate)}.`
        : current === undefined || followOn === undefined
          ? `No current suspension period is recorded, so a further period starts today, ${formatLongDate(startDate)}.`
          : followOn > ctx.today
            ? `A further suspension period follows on from the current one, which ends on ${formatLongDate(current.endDate)}, so it starts on ${formatLongDate(startDate)}.`
            : `The current suspension period ended on ${formatLongDate(current.endDate)}, so a further period starts today, ${formatLongDate(startDate)}.`;
    return refuse('invalid-dates', `${why} The start date given was ${formatLongDate(req.startDate)}.`);
  }
  if (req.endDate <= startDate) {
    return refuse(
      'invalid-dates',
      `The end date of the suspension (${formatLongDate(req.endDate)}) must be after its start date (${formatLongDate(startDate)}).`,
    );
  }

  const periodDays = daysBetween(startDate, req.endDate) + 1;
  if (periodDays > MAX_SUSPENSION_PERIOD_DAYS) {
    return refuse(
      'suspension-too-long',
      `A suspension period can last at most ${formatWeeksAndDays(MAX_SUSPENSION_PERIOD_DAYS)} (section 69 of the Childcare Act 2006 and SI 2008/976). ` +
        `${formatLongDate(startDate)} to ${formatLongDate(req.endDate)} is ${formatWeeksAndDays(periodDays)}. ` +
        `The latest end date for this period is ${formatLongDate(addDays(startDate, MAX_SUSPENSION_PERIOD_DAYS - 1))}; a further period can follow if needed.`,
    );
  }

  const suspension: Suspension = {
    grounds,
    startDate,
    endDate: req.endDate,
    investigationCannotFinishSooner: req.investigationCannotFinishSooner === true,
  };
  const continuousFrom = continuousSuspensionStart(previous, suspension);
  const continuousDays = daysBetween(continuousFrom, suspension.endDate) + 1;
  if (continuousDays > MAX_CONTINUOUS_SUSPENSION_DAYS && !suspension.investigationCannotFinishSooner) {
    const latestEnd = addDays(continuousFrom, MAX_CONTINUOUS_SUSPENSION_DAYS - 1);
    const limit = formatWeeksAndDays(MAX_CONTINUOUS_SUSPENSION_DAYS);
    const room =
      latestEnd >= startDate
        ? `The latest end date within ${limit} is ${formatLongDate(latestEnd)}.`
        : `The suspension on these grounds has already lasted ${limit}.`;
    return refuse(
      'suspension-limit-reached',
      `A suspension on the same grounds can last at most ${limit} in a row, unless the investigation cannot be completed sooner (SI 2008/976). ` +
        `The suspension on these grounds began on ${formatLongDate(continuousFrom)}; ending on ${formatLongDate(suspension.endDate)} it would last ${formatWeeksAndDays(continuousDays)}. ` +
        `${room} If the investigation cannot be completed sooner, record that and try again.`,
    );
  }
  return suspension;
}

/**
 * First day of the continuous suspension on the same grounds that `next` would extend.
 * Earlier periods belong to it while they touch or overlap it with no gap of a day or more;
 * periods on other grounds, or a gap, start the 12-week clock again.
 */
function continuousSuspensionStart(previous: Suspension[], next: Suspension): string {
  let start = next.startDate;
  for (let i = previous.length - 1; i >= 0; i--) {
    const period = previous[i];
    if (period === undefined || normalise(period.grounds) !== normalise(next.grounds)) break;
    if (addDays(period.endDate, 1) < start) break;
    if (period.startDate < start) start = period.startDate;
  }
  return start;
}

function sortedSuspensions(suspensions: Suspension[]): Suspension[] {
  return [...suspensions].sort(
    (a, b) => a.startDate.localeCompare(b.startDate) || a.endDate.localeCompare(b.endDate),
  );
}

const KIND_PHRASES: Record<Exclude<StatusChangeKind, 'correct'>, string> = {
  grant: 'be granted',
  withdraw: 'be withdrawn',
  refuse: 'be refused',
  suspend: 'be suspended',
  'lift-suspension': 'have a suspension lifted',
  resign: 'be resigned',
  cancel: 'be cancelled',
};

function notAllowedMessage(from: RegistrationStatus, kind: Exclude<StatusChangeKind, 'correct'>): string {
  const name = REGISTRATION_STATUS_NAMES[from];
  const possible = availableStatusChanges({ status: from }).map((k) =>
    STATUS_CHANGE_KIND_LABELS[k].toLowerCase(),
  );
  const options =
    possible.length === 0
      ? `${name} is a final status: only a correction, with its reason recorded, can change it.`
      : `From ${name} the possible changes are: ${possible.join(', ')}.`;
  return `A registration that is ${name} cannot ${KIND_PHRASES[kind]}. ${options}`;
}

function resignationBarredMessage(barring: Notice[]): string {
  const describe = (notice: Notice): string => {
    const what =
      notice.type === 'NOI'
        ? 'a notice of intention to cancel is open'
        : normalise(notice.status) === 'under appeal'
          ? 'a notice of decision to cancel is under appeal'
          : 'a notice of decision to cancel can still be appealed';
    const details = [
      notice.subType.trim(),
      notice.date !== undefined && isCalendarDate(notice.date)
        ? `${notice.type} dated ${formatLongDate(notice.date)}`
        : notice.type,
    ].filter((part) => part !== '');
    return `${what} (${details.join(', ')})`;
  };
  const until = barring.some((n) => n.type === 'NOI')
    ? 'until the notice is withdrawn or decided and any appeal is over'
    : 'until the appeal period has ended or the appeal has been decided';
  return (
    `The provider cannot resign while ${barring.map(describe).join('; and ')}. ` +
    `Section 70 of the Childcare Act 2006 bars resignation ${until}.`
  );
}

function refuse(code: RefusalCode, message: string): { allowed: false; code: RefusalCode; message: string } {
  return { allowed: false, code, message };
}

function requireToday(today: string): void {
  if (!isCalendarDate(today))
    throw new RangeError(`today must be a YYYY-MM-DD calendar date, got ${JSON.stringify(today)}`);
}
