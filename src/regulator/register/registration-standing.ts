/**
 * What is current about a registration on a given day: which of its registers still hold and
 * whether a suspension is running. A registration that has ended (resigned, cancelled, refused,
 * withdrawn) ends its registers and any running suspension on the day it ended, whatever end
 * dates the feed or the suspension's own period named: a resigned provider is on no register.
 *
 * Pure: the caller passes the registration's status, the date it took that status and today
 * (Europe/London).
 */
import {
  INACTIVE_STATUSES,
  type ChildServicesRegister,
  type RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';
import type { Suspension } from './status-change.ts';

export interface RegisterStanding extends ChildServicesRegister {
  current: boolean;
  /** The last day it held: its own end date or the day the registration ended, the earlier. */
  endedOn?: string;
}

export interface SuspensionStanding extends Suspension {
  /** Running today. */
  current: boolean;
  /** The day it stopped, when the registration ended before its period ran out. */
  endedOn?: string;
  /** The period was to start after the registration ended, so it never took effect. */
  neverStarted: boolean;
}

export interface RegistrationStanding {
  /** The day the registration ended, for a status that ends it. */
  endedOn?: string;
  registers: RegisterStanding[];
  suspensions: SuspensionStanding[];
}

export interface StandingInput {
  status: RegistrationStatus;
  /** The day the registration took its current status. */
  statusChangedOn: string;
  registers: readonly ChildServicesRegister[];
  suspensions: readonly Suspension[];
  /** YYYY-MM-DD, Europe/London. */
  today: string;
}

/** The day a registration ended, when its status is one that ends it. */
export function registrationEndedOn(status: RegistrationStatus, statusChangedOn: string): string | undefined {
  return INACTIVE_STATUSES.includes(status) ? statusChangedOn : undefined;
}

const earlier = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

export function standingOf(input: StandingInput): RegistrationStanding {
  const { today } = input;
  const endedOn = registrationEndedOn(input.status, input.statusChangedOn);
  const registers = input.registers.map((register): RegisterStanding => {
    const until = earlier(register.endDate, endedOn);
    // A register ending today still holds today, unless the registration itself has ended.
    const current = endedOn === undefined && (until === undefined || until >= today);
    return { ...register, current, ...(until !== undefined ? { endedOn: until } : {}) };
  });
  const suspensions = input.suspensions.map((suspension): SuspensionStanding => {
    const neverStarted = endedOn !== undefined && suspension.startDate > endedOn;
    const cutShort = endedOn !== undefined && endedOn < suspension.endDate ? endedOn : undefined;
    const current =
      endedOn === undefined &&
      input.status === 'SUSP' &&
      suspension.startDate <= today &&
      suspension.endDate >= today;
    return { ...suspension, current, neverStarted, ...(cutShort !== undefined ? { endedOn: cutShort } : {}) };
  });
  return { ...(endedOn !== undefined ? { endedOn } : {}), registers, suspensions };
}
