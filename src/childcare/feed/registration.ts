/**
 * A registration on the childcare register, in the words of the extract document
 * (OfstedChildcareRegisterLocalAuthorityExtract). One field per element; optional
 * elements are optional properties. Dates are calendar dates as `YYYY-MM-DD` strings
 * (the feed carries no time zone for them), so no Date object can shift them.
 */

export const PROVISION_TYPES = ['CMR', 'CCN', 'CCD', 'HCR', 'RPP'] as const;
export type ProvisionType = (typeof PROVISION_TYPES)[number];

export const PROVISION_TYPE_NAMES: Record<ProvisionType, string> = {
  CMR: 'Childminder',
  CCN: 'Childcare on non-domestic premises',
  CCD: 'Childcare on domestic premises',
  HCR: 'Home childcarer',
  RPP: 'Registered person',
};

export const REGISTRATION_STATUSES = ['PROP', 'ACTV', 'SUSP', 'RESG', 'CANC', 'INAC', 'REFU'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export const REGISTRATION_STATUS_NAMES: Record<RegistrationStatus, string> = {
  PROP: 'Proposed (applicant)',
  ACTV: 'Active',
  SUSP: 'Suspended',
  RESG: 'Resigned',
  CANC: 'Cancelled',
  INAC: 'Inactive (application withdrawn)',
  REFU: 'Refused',
};

/** Inactive for the 60-day rule of the extract, and terminal in law. */
export const INACTIVE_STATUSES: readonly RegistrationStatus[] = ['RESG', 'CANC', 'INAC', 'REFU'];

export const SPECIAL_CONSIDERATIONS = ['WREF', 'MOD', 'ANON'] as const;
export type SpecialConsideration = (typeof SPECIAL_CONSIDERATIONS)[number];

export const REGISTERS = ['EYR', 'CCR', 'VCR'] as const;
export type Register = (typeof REGISTERS)[number];

export const CHILDCARE_PERIODS = [
  '2HPD',
  '3HPD',
  '4HPD',
  '5DWK',
  '45WY',
  'ALYR',
  'OVNT',
  'SCHO',
  'SCTO',
  'WDAL',
  'WDAM',
  'WDAS',
  'WDBS',
  'WDPM',
  'WEND',
] as const;
export type ChildcarePeriod = (typeof CHILDCARE_PERIODS)[number];

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

export const NOTICE_TYPES = ['NOI', 'NOD'] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

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

export interface Address {
  addressLine1: string;
  addressLine2?: string;
  town: string;
  county?: string;
  postcode: string;
}

export interface ProviderContact {
  telephoneNumber?: string;
  mobileNumber?: string;
  workTelephoneNumber?: string;
  faxNumber?: string;
  emailAddress?: string;
}

export interface SettingContact {
  telephoneNumber?: string;
  faxNumber?: string;
  emailAddress?: string;
}

export interface StatusHistoryEntry {
  status: RegistrationStatus;
  changeDate: string;
}

export interface ChildServicesRegister {
  register: Register;
  status: 'REGD';
  startDate: string;
  endDate?: string;
}

export interface ChildcareAge {
  ageFrom: number;
  ageTo: number;
  maximumNumber: number;
  register: Register;
}

export interface Inspection {
  inspectionType: string;
  inspectionDate: string;
  overallJudgement: string;
}

export interface Notice {
  type: NoticeType;
  subType: string;
  status: string;
  /** NOIDate for a NOI, NODDate for a NOD. */
  date?: string;
}

export interface Registration {
  referenceNumber: string;
  rpReferenceNumber?: string;
  /** The 3-digit DfE code of the local authority the provision is located in. */
  laCode: string;
  provisionType: ProvisionType;
  secondaryProvisionType?: ProvisionType;
  provider: {
    name: string;
    address: Address;
    contact?: ProviderContact;
  };
  /** Absent on registered-person (RPP) records. */
  setting?: {
    name: string;
    address: Address;
    contact?: SettingContact;
  };
  specialConsiderations?: SpecialConsideration;
  status: RegistrationStatus;
  /** Oldest first. */
  statusHistory: StatusHistoryEntry[];
  registrationDate?: string;
  registers: ChildServicesRegister[];
  childcarePeriods: ChildcarePeriod[];
  ageBands: ChildcareAge[];
  inspections: Inspection[];
  notices: Notice[];
  lastChangeDate: string;
}

/** URN forms seen in the feed: EY + 6 digits, legacy 6–7 digits, RP…, VC…. */
export const REFERENCE_NUMBER_PATTERN = /^(EY\d{5,7}|\d{6,7}|RP\d{5,9}|VC\d{5,9})$/;

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
