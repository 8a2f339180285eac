/**
 * Field-level rules for a registration, shared by every reader (XML extract, CSV). The readers
 * build a `Registration` from untrusted text with the enumerated fields cast, so the rules here
 * re-check every value the types claim. Fields are named by property path (`provider.address.postcode`,
 * `ageBands[0].ageTo`, 0-based) so each reader can map them to its own element or column.
 */

import { isCalendarDate } from '../../platform/calendar.ts';
import {
  CHILDCARE_PERIODS,
  NOTICE_TYPES,
  PROVISION_TYPES,
  REFERENCE_NUMBER_PATTERN,
  REGISTERS,
  REGISTRATION_STATUSES,
  SPECIAL_CONSIDERATIONS,
} from './registration.ts';
import type { Address, Registration } from './registration.ts';

export interface RuleProblem {
  field: string;
  message: string;
}

/** The 3-digit DfE local authority code (not the ONS code). */
export const LA_CODE_PATTERN = /^\d{3}$/;

/** Childcare ages on the register run from birth to 18. */
export const MAX_AGE = 18;

const REFERENCE_NUMBER_EXPECTED = 'expected EY + 5–7 digits, 6–7 digits, RP… or VC… followed by digits';

export function validateRegistration(r: Registration): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (field: string, message: string): void => {
    problems.push({ field, message });
  };
  const required = (field: string, value: string): boolean => {
    if (value.trim() !== '') return true;
    add(field, 'must not be empty');
    return false;
  };
  const oneOf = (field: string, value: string, allowed: readonly string[], what: string): void => {
    const expected = `(expected ${allowed.join(', ')})`;
    if (value.trim() === '') add(field, `missing ${what} ${expected}`);
    else if (!allowed.includes(value)) add(field, `unknown ${what} '${value}' ${expected}`);
  };
  const optionalOneOf = (
    field: string,
    value: string | undefined,
    allowed: readonly string[],
    what: string,
  ) => {
    if (value !== undefined && value !== '') oneOf(field, value, allowed, what);
  };
  const date = (field: string, value: string): void => {
    if (value.trim() === '') add(field, 'missing date (expected YYYY-MM-DD)');
    else if (!isCalendarDate(value)) add(field, `invalid date '${value}' (expected YYYY-MM-DD)`);
  };
  const optionalDate = (field: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') date(field, value);
  };
  const referenceNumber = (field: string, value: string): void => {
    if (!REFERENCE_NUMBER_PATTERN.test(value)) {
      add(field, `invalid reference number '${value}' (${REFERENCE_NUMBER_EXPECTED})`);
    }
  };
  const wholeNumber = (field: string, value: number, min: number, max: number): boolean => {
    if (!Number.isInteger(value)) add(field, `'${value}' is not a whole number`);
    else if (value < min || value > max) {
      add(
        field,
        max === Infinity ? `must be ${min} or more, got ${value}` : `must be ${min}–${max}, got ${value}`,
      );
    } else return true;
    return false;
  };
  const address = (prefix: string, a: Address): void => {
    required(`${prefix}.addressLine1`, a.addressLine1);
    required(`${prefix}.town`, a.town);
    required(`${prefix}.postcode`, a.postcode);
  };

  if (required('referenceNumber', r.referenceNumber)) referenceNumber('referenceNumber', r.referenceNumber);
  if (r.rpReferenceNumber !== undefined && r.rpReferenceNumber !== '') {
    referenceNumber('rpReferenceNumber', r.rpReferenceNumber);
  }
  if (!LA_CODE_PATTERN.test(r.laCode)) add('laCode', `LA code '${r.laCode}' is not 3 digits`);
  oneOf('provisionType', r.provisionType, PROVISION_TYPES, 'provision type');
  optionalOneOf('secondaryProvisionType', r.secondaryProvisionType, PROVISION_TYPES, 'provision type');

  required('provider.name', r.provider.name);
  address('provider.address', r.provider.address);

  if (r.setting !== undefined) {
    // The extract never carries a setting for a registered person: the RP record is the
    // person behind other registrations, and any setting belongs to those.
    if (r.provisionType === 'RPP') add('setting', 'a registered person (RPP) record must not have a setting');
    required('setting.name', r.setting.name);
    address('setting.address', r.setting.address);
  }

  optionalOneOf(
    'specialConsiderations',
    r.specialConsiderations,
    SPECIAL_CONSIDERATIONS,
    'special consideration',
  );
  oneOf('status', r.status, REGISTRATION_STATUSES, 'registration status');
  r.statusHistory.forEach((h, i) => {
    oneOf(`statusHistory[${i}].status`, h.status, REGISTRATION_STATUSES, 'registration status');
    date(`statusHistory[${i}].changeDate`, h.changeDate);
  });
  optionalDate('registrationDate', r.registrationDate);

  r.registers.forEach((reg, i) => {
    const p = `registers[${i}]`;
    oneOf(`${p}.register`, reg.register, REGISTERS, 'register');
    oneOf(`${p}.status`, reg.status, ['REGD'], 'register status');
    date(`${p}.startDate`, reg.startDate);
    optionalDate(`${p}.endDate`, reg.endDate);
    if (
      reg.endDate !== undefined &&
      isCalendarDate(reg.endDate) &&
      isCalendarDate(reg.startDate) &&
      reg.endDate < reg.startDate
    ) {
      add(`${p}.endDate`, `end date ${reg.endDate} is before start date ${reg.startDate}`);
    }
  });

  r.childcarePeriods.forEach((period, i) => {
    oneOf(`childcarePeriods[${i}]`, period, CHILDCARE_PERIODS, 'childcare period');
  });

  r.ageBands.forEach((band, i) => {
    const p = `ageBands[${i}]`;
    const fromOk = wholeNumber(`${p}.ageFrom`, band.ageFrom, 0, MAX_AGE);
    const toOk = wholeNumber(`${p}.ageTo`, band.ageTo, 0, MAX_AGE);
    if (fromOk && toOk && band.ageFrom >= band.ageTo) {
      add(`${p}.ageTo`, `age to (${band.ageTo}) must be greater than age from (${band.ageFrom})`);
    }
    wholeNumber(`${p}.maximumNumber`, band.maximumNumber, 0, Infinity);
    oneOf(`${p}.register`, band.register, REGISTERS, 'register');
  });

  // Judgements are free text: the feed's wording has changed over the years.
  r.inspections.forEach((insp, i) => {
    required(`inspections[${i}].inspectionType`, insp.inspectionType);
    date(`inspections[${i}].inspectionDate`, insp.inspectionDate);
  });

  // Notice sub-type and status are free text too ("Non-payment of fee NOI", …).
  r.notices.forEach((n, i) => {
    oneOf(`notices[${i}].type`, n.type, NOTICE_TYPES, 'notice type');
    optionalDate(`notices[${i}].date`, n.date);
  });

  date('lastChangeDate', r.lastChangeDate);
  return problems;
}
