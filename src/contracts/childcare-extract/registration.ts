/**
 * A registration on the childcare register, in the words of the extract document
 * (OfstedChildcareRegisterLocalAuthorityExtract). One field per element; optional
 * elements are optional properties. Dates are calendar dates as `YYYY-MM-DD` strings
 * (the feed carries no time zone for them), so no Date object can shift them.
 */

export * from './codes.ts';
import type {
  ChildcarePeriod,
  NoticeType,
  ProvisionType,
  Register,
  RegisterStatus,
  RegistrationStatus,
  SpecialConsideration,
  YesNo,
} from './codes.ts';

export interface Address {
  addressLine1: string;
  addressLine2?: string;
  town: string;
  county?: string;
  /** Optional in Ofsted's schema: an address not matched to the Postcode Address File may have none. */
  postcode?: string;
  /** BS7666 Unique Property Reference Number: 1–12 digits, as sent. */
  uprn?: string;
}

/** Ofsted's ContactStructure, the same for a provider and a setting. */
export interface Contact {
  telephoneNumber?: string;
  mobileNumber?: string;
  workTelephoneNumber?: string;
  faxNumber?: string;
  emailAddress?: string;
}

export type ProviderContact = Contact;
export type SettingContact = Contact;

export interface StatusHistoryEntry {
  status: RegistrationStatus;
  changeDate: string;
}

export interface ChildServicesRegister {
  register: Register;
  status: RegisterStatus;
  startDate: string;
  endDate?: string;
}

export interface ChildcareAge {
  ageFrom: number;
  ageTo: number;
  maximumNumber: number;
  /** Optional in Ofsted's schema: a band may apply to the registration as a whole. */
  register?: Register;
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

/** A condition on the registration certificate, for one register or all. */
export interface CertificateCondition {
  condition: string;
  register?: Register;
}

export interface WelfareNotice {
  category: string;
  startDate: string;
  endDate?: string;
}

/** Another proposed, active or suspended registration related to this one. */
export interface LinkedRegistration {
  referenceNumber: string;
  reason: string;
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
    /** Y: the provider asked that their personal details are not released for public viewing. */
    consentWithheld?: YesNo;
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
  /** RegistrationCertificate/CertificateConditionList; left out when there is none (v1.3 element). */
  certificateConditions?: CertificateCondition[];
  childcarePeriods: ChildcarePeriod[];
  ageBands: ChildcareAge[];
  inspections: Inspection[];
  notices: Notice[];
  /** WelfareNoticeHistoryList; left out when empty (v1.3 element). */
  welfareNotices?: WelfareNotice[];
  /** LinkedRegistrationList; left out when empty (v1.3 element). */
  linkedRegistrations?: LinkedRegistration[];
  lastChangeDate: string;
}

/** URN forms seen in the feed: EY + 6 digits, legacy 6–7 digits, RP…, VC…. */
export const REFERENCE_NUMBER_PATTERN = /^(EY\d{5,7}|\d{6,7}|RP\d{5,9}|VC\d{5,9})$/;

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
