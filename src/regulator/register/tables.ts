import type { ColumnType, Generated } from 'kysely';

/** A calendar date column: written and read as 'YYYY-MM-DD'. */
type CalendarDate = string;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RegistrationTable {
  reference_number: string;
  la_code: string;
  provision_type: string;
  secondary_provision_type: string | null;
  rp_reference_number: string | null;
  provider_name: string;
  provider_address_line1: string;
  provider_address_line2: string | null;
  provider_town: string;
  provider_county: string | null;
  provider_postcode: string | null;
  provider_uprn: string | null;
  provider_telephone: string | null;
  provider_mobile: string | null;
  provider_work_telephone: string | null;
  provider_fax: string | null;
  provider_email: string | null;
  provider_consent_withheld: string | null;
  setting_name: string | null;
  setting_address_line1: string | null;
  setting_address_line2: string | null;
  setting_town: string | null;
  setting_county: string | null;
  setting_postcode: string | null;
  setting_uprn: string | null;
  setting_telephone: string | null;
  setting_mobile: string | null;
  setting_work_telephone: string | null;
  setting_fax: string | null;
  setting_email: string | null;
  special_considerations: string | null;
  status: string;
  /** Date of the latest status change: the 60-day rule of the extract reads it. */
  status_changed_on: CalendarDate;
  registration_date: CalendarDate | null;
  last_change_date: CalendarDate;
  childcare_periods: string[];
  /** Bumped on every change; a form posts the version it showed, so a stale form fails. */
  version: Generated<number>;
  updated_at: Timestamp;
}

interface Child {
  reference_number: string;
  /** Document order within the registration. */
  seq: number;
}

export interface StatusHistoryTable extends Child {
  status: string;
  change_date: CalendarDate;
}

export interface ChildServicesRegisterTable extends Child {
  register: string;
  status: string;
  start_date: CalendarDate;
  end_date: CalendarDate | null;
}

export interface ChildcareAgeTable extends Child {
  age_from: number;
  age_to: number;
  maximum_number: number;
  register: string | null;
}

export interface InspectionTable extends Child {
  inspection_type: string;
  inspection_date: CalendarDate;
  overall_judgement: string;
}

export interface NoticeTable extends Child {
  type: string;
  sub_type: string;
  status: string;
  notice_date: CalendarDate | null;
}

export interface CertificateConditionTable extends Child {
  condition: string;
  register: string | null;
}

export interface WelfareNoticeTable extends Child {
  category: string;
  start_date: CalendarDate;
  end_date: CalendarDate | null;
}

export interface LinkedRegistrationTable extends Child {
  linked_reference_number: string;
  reason: string;
}

export interface SuspensionTable extends Child {
  grounds: string;
  start_date: CalendarDate;
  end_date: CalendarDate;
  investigation_cannot_finish_sooner: boolean;
}

/** The audit of every status change: who, when, why. Never updated or deleted. */
export interface StatusChangeTable {
  id: Generated<number>;
  reference_number: string;
  kind: string;
  from_status: string;
  to_status: string;
  change_date: CalendarDate;
  reason: string;
  correction: boolean;
  details: ColumnType<Record<string, unknown>, string, string>;
  changed_by: string;
  changed_at: Timestamp;
}

export interface RegulatorTables {
  'regulator.registration': RegistrationTable;
  'regulator.status_history': StatusHistoryTable;
  'regulator.child_services_register': ChildServicesRegisterTable;
  'regulator.childcare_age': ChildcareAgeTable;
  'regulator.inspection': InspectionTable;
  'regulator.notice': NoticeTable;
  'regulator.certificate_condition': CertificateConditionTable;
  'regulator.welfare_notice': WelfareNoticeTable;
  'regulator.linked_registration': LinkedRegistrationTable;
  'regulator.suspension': SuspensionTable;
  'regulator.status_change': StatusChangeTable;
  'regulator.extract': ExtractTable;
}

export interface ExtractTable {
  extract_date: string;
  la_code: string;
  status: 'building' | 'ready' | 'failed';
  claimed_by: string;
  claimed_at: Timestamp;
  lease_until: Timestamp;
  attempts: Generated<number>;
  error: string | null;
  extract_date_time: string | null;
  record_count: number | null;
  size_bytes: number | null;
  gzip_bytes: number | null;
  sha256: string | null;
  build_ms: number | null;
  built_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  content: Buffer | null;
}

// This role's tables join the database's type (the platform names no role).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface EdgateDatabase extends RegulatorTables {}
}
