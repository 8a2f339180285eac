/**
 * Who may collect which LA's extract, and what the gateway answers (the ISPP Status codes).
 * Pure: the caller passes the account, the authorisations, the London date and time, and
 * whether today's extract is ready.
 */
import { londonDateOf } from '../../platform/calendar.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';

export type GatewayStatusCode =
  | 'Success'
  | 'LocalAuthorityAccessInvalid'
  | 'ServiceMaintenanceOutage'
  | 'ServiceUnavailablePeriod'
  | 'GeneralSystemFailure';

export interface GatewayAccount {
  id: number;
  username: string;
  /** An LA's own account collects its own extract; an agent's collects for the LAs that authorised its organisation. */
  kind: 'la' | 'agent';
  laCode: string | null;
  organisation: string;
}

export interface Authorisation {
  organisation: string;
  laCode: string;
  validFrom: string;
  /** Last day it holds; none means until revoked. */
  validUntil: string | null;
  revokedAt: Date | null;
}

export type AccessDecision =
  { allowed: true; basis: 'own-la' | 'authorised-agent' } | { allowed: false; reason: string };

export function mayCollect(
  account: GatewayAccount,
  laCode: string,
  authorisations: readonly Authorisation[],
  today: string,
): AccessDecision {
  if (!/^\d{3}$/.test(laCode) || !localAuthorityByCode(laCode)) {
    return { allowed: false, reason: `'${laCode}' is not the 3-digit code of a live local authority` };
  }
  if (account.kind === 'la') {
    return account.laCode === laCode
      ? { allowed: true, basis: 'own-la' }
      : { allowed: false, reason: `this account collects for local authority ${account.laCode} only` };
  }
  const current = authorisations.some(
    (a) =>
      a.organisation === account.organisation &&
      a.laCode === laCode &&
      a.revokedAt === null &&
      a.validFrom <= today &&
      (a.validUntil === null || today <= a.validUntil),
  );
  return current
    ? { allowed: true, basis: 'authorised-agent' }
    : {
        allowed: false,
        reason: `${account.organisation} holds no current authorisation from local authority ${laCode}`,
      };
}

/** A daily maintenance window in London time, e.g. 02:00–02:30; `to` before `from` spans midnight. */
export interface MaintenanceWindow {
  from: string;
  to: string;
}

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

export function inMaintenanceWindow(now: Date, window: MaintenanceWindow | undefined): boolean {
  if (!window) return false;
  const time = londonClock.format(now);
  return window.from <= window.to
    ? time >= window.from && time < window.to
    : time >= window.from || time < window.to;
}

export interface CollectionContext {
  account: GatewayAccount;
  laCode: string;
  authorisations: readonly Authorisation[];
  now: Date;
  maintenance?: MaintenanceWindow;
  /** Whether the extract of the London date of `now` is built and stored for that LA. */
  extractReady: boolean;
}

export interface CollectionDecision {
  code: GatewayStatusCode;
  description?: string;
  /** The London date whose extract is served. */
  extractDate: string;
}

/** The order matters: a maintenance window answers everyone alike; access is checked before availability, so an account cannot learn which other LAs' extracts exist. */
export function decideCollection(context: CollectionContext): CollectionDecision {
  const extractDate = londonDateOf(context.now);
  if (inMaintenanceWindow(context.now, context.maintenance)) {
    const { from, to } = context.maintenance!;
    return {
      code: 'ServiceMaintenanceOutage',
      description: `The service is in maintenance from ${from} to ${to} (London time).`,
      extractDate,
    };
  }
  const access = mayCollect(context.account, context.laCode, context.authorisations, extractDate);
  if (!access.allowed)
    return { code: 'LocalAuthorityAccessInvalid', description: access.reason, extractDate };
  if (!context.extractReady) {
    return {
      code: 'ServiceUnavailablePeriod',
      description: `Today's extract (${extractDate}) for local authority ${context.laCode} is not ready yet. Try again later.`,
      extractDate,
    };
  }
  return { code: 'Success', extractDate };
}
