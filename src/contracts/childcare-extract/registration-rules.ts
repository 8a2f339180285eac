/**
 * Field-level rules for a registration, shared by every reader (XML extract, CSV). The readers
 * build a `Registration` from untrusted text with the enumerated fields cast, so the rules here
 * re-check every value the types claim. Fields are named by property path (`provider.address.postcode`,
 * `ageBands[0].ageTo`, 0-based) so each reader can map them to its own element or column.
 */

import { isCalendarDate } from '../../platform/calendar.ts';
import { FEED_FIELDS, type FeedField } from './fields.ts';
import {
  AGE_BAND_REGISTERS,
  CHILDCARE_PERIODS,
  NOTICE_TYPES,
  PROVISION_TYPES,
  REFERENCE_NUMBER_PATTERN,
  REGISTER_STATUSES,
  REGISTERS,
  REGISTRATION_STATUSES,
  SPECIAL_CONSIDERATIONS,
  YES_NO,
} from './registration.ts';
import type { Address, Registration } from './registration.ts';

export interface RuleProblem {
  field: string;
  message: string;
}

/** The 3-digit DfE local authority code (not the ONS code). */
export const LA_CODE_PATTERN = /^\d{3}$/;

/** Childcare ages in Ofsted's schema (ChildcareAgeType) run from birth to 20. */
export const MAX_AGE = 20;

/**
 * Characters XML 1.0 cannot carry at all (C0 controls but TAB, LF and CR; U+FFFE; U+FFFF;
 * unpaired surrogates). A value holding one could never reach an extract unchanged, and NUL is
 * refused by PostgreSQL too, so every import refuses it with the field it is in.
 */
const XML_FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoint = (ch: string): string => `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Length in characters as XML Schema counts them (code points, so an emoji is one). */
function characters(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** What is wrong with a text value for the document, or undefined: a forbidden character, or too long. */
export function textProblem(value: string, maxLength: number | undefined): string | undefined {
  const bad = XML_FORBIDDEN.exec(value);
  if (bad) {
    return `contains the character ${codePoint(bad[0])} at position ${bad.index + 1}, which XML cannot carry`;
  }
  if (maxLength !== undefined && value.length > maxLength && characters(value) > maxLength) {
    return `is longer than ${maxLength} characters, the most Ofsted's schema allows`;
  }
  return undefined;
}

/** Every value of a field in a registration, with its property path (`ageBands[1].ageTo`). */
export function fieldValues(r: Registration, field: FeedField): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  const walk = (value: unknown, steps: string[], path: string): void => {
    if (value === undefined || value === null) return;
    if (steps.length === 0) {
      out.push({ path, value });
      return;
    }
    const [step, ...rest] = steps;
    if (step === '[]') {
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, rest, `${path}[${i}]`));
      return;
    }
    walk((value as Record<string, unknown>)[step!], rest, path ? `${path}.${step}` : step!);
  };
  walk(r, field.property.replace(/\[\]/g, '.[]').split('.'), '');
  return out;
}

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
    // BS7666 UPRNtype: an integer from 1 to 999999999999.
    if (a.uprn !== undefined && !/^0*[1-9]\d{0,11}$/.test(a.uprn)) {
      add(`${prefix}.uprn`, `invalid UPRN '${a.uprn}' (expected a whole number from 1 to 999999999999)`);
    }
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
  optionalOneOf('provider.consentWithheld', r.provider.consentWithheld, YES_NO, 'consent withheld value');

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
    oneOf(`${p}.status`, reg.status, REGISTER_STATUSES, 'register status');
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

  r.certificateConditions?.forEach((c, i) => {
    required(`certificateConditions[${i}].condition`, c.condition);
    optionalOneOf(`certificateConditions[${i}].register`, c.register, REGISTERS, 'register');
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
    optionalOneOf(`${p}.register`, band.register, AGE_BAND_REGISTERS, 'register for an age band');
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

  r.welfareNotices?.forEach((w, i) => {
    const p = `welfareNotices[${i}]`;
    required(`${p}.category`, w.category);
    date(`${p}.startDate`, w.startDate);
    optionalDate(`${p}.endDate`, w.endDate);
    if (
      w.endDate !== undefined &&
      isCalendarDate(w.endDate) &&
      isCalendarDate(w.startDate) &&
      w.endDate < w.startDate
    ) {
      add(`${p}.endDate`, `end date ${w.endDate} is before start date ${w.startDate}`);
    }
  });

  r.linkedRegistrations?.forEach((link, i) => {
    const p = `linkedRegistrations[${i}]`;
    if (required(`${p}.referenceNumber`, link.referenceNumber))
      referenceNumber(`${p}.referenceNumber`, link.referenceNumber);
    required(`${p}.reason`, link.reason);
  });

  date('lastChangeDate', r.lastChangeDate);

  // Every text value: characters XML forbids, and Ofsted's length limits (fields.ts). Codes, dates
  // and references are checked above against stricter rules, so only their length can add anything.
  for (const field of FEED_FIELDS) {
    if (field.type !== 'text' && field.maxLength === undefined) continue;
    for (const { path, value } of fieldValues(r, field)) {
      if (typeof value !== 'string') continue;
      const problem = textProblem(value, field.maxLength);
      if (problem !== undefined && !problems.some((p) => p.field === path)) add(path, problem);
    }
  }
  return problems;
}
