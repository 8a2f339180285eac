/**
 * A school's consent for a supplier to send its attendance. In the MIS, only a user with the
 * permission "Data Returns: Administer" may give it, after reviewing what will be sent; the
 * supplier then tells the receiver who gave it and when (`PUT /consents/{urn}`), and that it was
 * removed (`DELETE`). An administrator can record either with `edgate dfe consent`.
 *
 * A consent given "in the future" is refused: the supplier's clock may run a little fast, so up
 * to `CLOCK_SKEW_MS` is allowed.
 */
import { isCalendarDate } from '../../platform/calendar.ts';

export const CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_NAME_LENGTH = 200;

export interface ConsentGiven {
  /** Who gave it: the MIS user with "Data Returns: Administer". */
  givenBy: string;
  givenAt: Date;
}

export interface Consent extends ConsentGiven {
  clientId: string;
  urn: number;
  recordedAt: Date;
  recordedBy: string;
  withdrawnAt: Date | null;
  withdrawnBy: string | null;
}

/** The body of `PUT /consents/{urn}` and `GET` of one: what a supplier reads back. */
export interface ConsentView {
  urn: number;
  givenBy: string;
  givenAt: string;
  recordedAt: string;
  active: boolean;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
}

export function consentView(consent: Consent): ConsentView {
  return {
    urn: consent.urn,
    givenBy: consent.givenBy,
    givenAt: consent.givenAt.toISOString(),
    recordedAt: consent.recordedAt.toISOString(),
    active: consent.withdrawnAt === null,
    withdrawnAt: consent.withdrawnAt?.toISOString() ?? null,
    withdrawnBy: consent.withdrawnBy,
  };
}

/** An ISO 8601 date and time with an offset or Z, as JSON clients write one. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseDateTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !DATE_TIME.test(value) || !isCalendarDate(value.slice(0, 10)))
    return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function parsePersonName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  // Control characters would end up in pages and CSV files.
  return name !== '' && name.length <= MAX_NAME_LENGTH && ![...name].some((c) => c < ' ' || c === '\u007f')
    ? name
    : undefined;
}

/** Reads a consent as given, or says what is wrong with it (the `detail` of a VAL123). */
export function readConsentGiven(
  body: unknown,
  now: Date,
): { ok: true; consent: ConsentGiven } | { ok: false; detail: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, detail: 'The body must be a JSON object with givenBy and givenAt' };
  const fields = body as Record<string, unknown>;
  const givenBy = parsePersonName(fields.givenBy);
  if (givenBy === undefined)
    return { ok: false, detail: `givenBy must name who gave consent (1 to ${MAX_NAME_LENGTH} characters)` };
  const givenAt = parseDateTime(fields.givenAt);
  if (givenAt === undefined)
    return { ok: false, detail: 'givenAt must be a date and time with a zone, such as 2026-11-20T09:15:00Z' };
  if (givenAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
    return { ok: false, detail: 'givenAt is in the future' };
  return { ok: true, consent: { givenBy, givenAt } };
}
