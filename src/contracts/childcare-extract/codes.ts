/**
 * The extract document's code lists (Ofsted's schema v1.3), each with the plain-English label a
 * page shows for it. One table per list: the reader's rules, edgate's XSD (checked by
 * extract-schema.test.ts), the CSV documentation and every page read the codes from here.
 */

/** A code list: each code with its label, in the order pages list them. */
type Labels<C extends string> = Readonly<Record<C, string>>;

const codesOf = <C extends string>(labels: Labels<C>): readonly C[] => Object.keys(labels) as C[];

export const PROVISION_TYPE_NAMES = {
  CMR: 'Childminder',
  CCN: 'Childcare on non-domestic premises',
  CCD: 'Childcare on domestic premises',
  HCR: 'Home childcarer',
  RPP: 'Registered person',
  CA: 'Childminder agency',
} as const satisfies Labels<string>;
export type ProvisionType = keyof typeof PROVISION_TYPE_NAMES;
export const PROVISION_TYPES = codesOf<ProvisionType>(PROVISION_TYPE_NAMES);

export const REGISTRATION_STATUS_NAMES = {
  PROP: 'Proposed (applicant)',
  ACTV: 'Active',
  SUSP: 'Suspended',
  RESG: 'Resigned',
  CANC: 'Cancelled',
  INAC: 'Inactive (application withdrawn)',
  REFU: 'Refused',
  EXEM: 'Exempt from registration',
} as const satisfies Labels<string>;
export type RegistrationStatus = keyof typeof REGISTRATION_STATUS_NAMES;
export const REGISTRATION_STATUSES = codesOf<RegistrationStatus>(REGISTRATION_STATUS_NAMES);

/** Inactive for the 60-day rule of the extract, and terminal in law. EXEM is not: see docs/decisions/0013. */
export const INACTIVE_STATUSES: readonly RegistrationStatus[] = ['RESG', 'CANC', 'INAC', 'REFU'];

export const SPECIAL_CONSIDERATION_NAMES = {
  WREF: "Women's refuge",
  MOD: 'Military base',
  ANON: 'Anonymity requested',
} as const satisfies Labels<string>;
export type SpecialConsideration = keyof typeof SPECIAL_CONSIDERATION_NAMES;
export const SPECIAL_CONSIDERATIONS = codesOf<SpecialConsideration>(SPECIAL_CONSIDERATION_NAMES);

/** What a special consideration means for anything published from the register. */
export const SPECIAL_CONSIDERATIONS_MEANING =
  'Ofsted marks this registration as extremely sensitive: its address and setting must never appear in a public directory or open data.';

export const REGISTER_NAMES = {
  EYR: 'Early Years Register',
  CCR: 'Childcare Register (compulsory part)',
  VCR: 'Childcare Register (voluntary part)',
} as const satisfies Labels<string>;
export type Register = keyof typeof REGISTER_NAMES;
export const REGISTERS = codesOf<Register>(REGISTER_NAMES);
/** The registers an age band may name (Ofsted's ChildServicesRegisterAgeRangeType): Ofsted publishes numbers by age for these only. */
export const AGE_BAND_REGISTERS: readonly Register[] = ['EYR', 'CCR'];

export const REGISTER_STATUS_NAMES = {
  REGD: 'Registered',
  EXEM: 'Exempt',
} as const satisfies Labels<string>;
export type RegisterStatus = keyof typeof REGISTER_STATUS_NAMES;
export const REGISTER_STATUSES = codesOf<RegisterStatus>(REGISTER_STATUS_NAMES);

export const CHILDCARE_PERIOD_NAMES = {
  '2HPD': '2 hours or more per day',
  '3HPD': '3 hours or more per day',
  '4HPD': '4 hours or more per day',
  '5DWK': '5 days or more per week',
  '45WY': '45 weeks or more per year',
  ALYR: 'All year round',
  OVNT: 'Overnight',
  SCHO: 'School holidays only',
  SCTO: 'School term only',
  WDAL: 'Weekdays, all day',
  WDAM: 'Weekday mornings',
  WDAS: 'Weekdays after school',
  WDBS: 'Weekdays before school',
  WDPM: 'Weekday afternoons',
  WEND: 'Weekends',
} as const satisfies Labels<string>;
export type ChildcarePeriod = keyof typeof CHILDCARE_PERIOD_NAMES;
export const CHILDCARE_PERIODS = codesOf<ChildcarePeriod>(CHILDCARE_PERIOD_NAMES);

export const NOTICE_TYPE_NAMES = {
  NOI: 'Notice of intention',
  NOD: 'Notice of decision',
} as const satisfies Labels<string>;
export type NoticeType = keyof typeof NOTICE_TYPE_NAMES;
export const NOTICE_TYPES = codesOf<NoticeType>(NOTICE_TYPE_NAMES);

export const YES_NO_NAMES = { Y: 'Yes', N: 'No' } as const satisfies Labels<string>;
export type YesNo = keyof typeof YES_NO_NAMES;
export const YES_NO = codesOf<YesNo>(YES_NO_NAMES);

/** What ProviderConsentWithheld = Y means for anything published from the register. */
export const CONSENT_WITHHELD_MEANING =
  "The provider asked that their personal details are not released for public viewing: publish no name, address or contact details of theirs (the provision's own setting details may still be published).";

/** Judgements are free text in the feed; these are the wordings it uses, best first. Their label is the wording. */
export const INSPECTION_JUDGEMENTS = [
  'Outstanding',
  'Good',
  'Satisfactory',
  'Requires Improvement',
  'Inadequate',
  'Met',
  'Not Met (with actions)',
  'Not Met (with enforcement)',
] as const;

/**
 * Notice statuses edgate records. A NOI is "open" until withdrawn or superseded by a NOD;
 * a NOD is in its appeal period, under appeal, then effective, withdrawn or overturned.
 */
export const NOTICE_STATUSES = [
  'Open',
  'Withdrawn',
  'Superseded',
  'Appeal period',
  'Under appeal',
  'Effective',
  'Overturned',
] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** Every code list by name, for pages: `codeLabel('provisionType', 'CMR')` → "Childminder". */
export const CODE_LABELS = {
  provisionType: PROVISION_TYPE_NAMES,
  registrationStatus: REGISTRATION_STATUS_NAMES,
  specialConsiderations: SPECIAL_CONSIDERATION_NAMES,
  register: REGISTER_NAMES,
  registerStatus: REGISTER_STATUS_NAMES,
  childcarePeriod: CHILDCARE_PERIOD_NAMES,
  noticeType: NOTICE_TYPE_NAMES,
  yesNo: YES_NO_NAMES,
} as const;
export type CodeList = keyof typeof CODE_LABELS;

/** The plain label of a code; an unknown code (never stored, but pages must not break) is shown as is. */
export function codeLabel(list: CodeList, code: string | undefined): string {
  if (code === undefined) return '';
  const labels: Readonly<Record<string, string>> = CODE_LABELS[list];
  return Object.hasOwn(labels, code) ? labels[code]! : code;
}
