/**
 * The one field table of the extract document: every leaf element of a <Registration> in
 * Ofsted's schema v1.3, in document order, with where it lives in each mapping. Declared once
 * here; the length limits and text rules are driven by it (registration-rules.ts), and
 * fields.test.ts fails when any mapping (reader, writer, edgate's XSD, Ofsted's XSD, FID JSON,
 * register columns, register CSV) misses a field or has one the table does not declare.
 *
 * Adding an element: add its row here, a migration for its column, and its line in each mapping
 * the test names.
 *
 * Paths: `element` is below <Registration> (`[]` marks a repeated item); `property` is the path
 * in `Registration`; `column` is `table.column` in the regulator schema (a list item's table has
 * reference_number and seq besides); `csv` is the register CSV column (`list[].part` for a part
 * of a list cell); `json` is the FID JSON path.
 */
import type { CodeList } from './codes.ts';

export type FieldType =
  /** Free text, kept exactly as sent (spaces included). */
  | 'text'
  /** A code from a code list (codes.ts). */
  | 'code'
  | 'date'
  /** xs:integer. */
  | 'integer'
  /** A reference number (URN). */
  | 'reference';

export interface FeedField {
  element: string;
  property: string;
  type: FieldType;
  required: boolean;
  /** Longest value Ofsted's schema allows, in characters. */
  maxLength?: number;
  codes?: CodeList;
  column: string;
  csv: string;
  json: string;
  label: string;
}

type Row = Omit<FeedField, 'required'> & { required?: boolean };
const field = (row: Row): FeedField => ({ required: false, ...row });

function address(who: 'provider' | 'setting', element: string, json: string): FeedField[] {
  const Who = who === 'provider' ? 'Provider' : 'Setting';
  const part = (
    name: string,
    prop: string,
    col: string,
    maxLength: number,
    label: string,
    required = false,
  ): FeedField =>
    field({
      element: `${element}/${name}`,
      property: `${who}.address.${prop}`,
      type: 'text',
      required,
      maxLength,
      column: `registration.${who}_${col}`,
      csv: `${who}_${col}`,
      json: `${json}.${name}`,
      label: `${Who} ${label}`,
    });
  return [
    part('AddressLine1', 'addressLine1', 'address_line1', 100, 'address line 1', true),
    part('AddressLine2', 'addressLine2', 'address_line2', 100, 'address line 2'),
    part('Town', 'town', 'town', 50, 'town', true),
    part('County', 'county', 'county', 50, 'county'),
    part('Postcode', 'postcode', 'postcode', 9, 'postcode'),
    field({
      element: `${element}/UniquePropertyReferenceNumber`,
      property: `${who}.address.uprn`,
      type: 'integer',
      maxLength: 12,
      column: `registration.${who}_uprn`,
      csv: `${who}_uprn`,
      json: `${json}.UniquePropertyReferenceNumber`,
      label: `${Who} UPRN`,
    }),
  ];
}

function contact(who: 'provider' | 'setting', element: string, json: string, parts: string[]): FeedField[] {
  const all: Record<string, [prop: string, col: string, max: number, label: string]> = {
    TelephoneNumber: ['telephoneNumber', 'telephone', 30, 'telephone'],
    MobileNumber: ['mobileNumber', 'mobile', 30, 'mobile'],
    WorkTelephoneNumber: ['workTelephoneNumber', 'work_telephone', 30, 'work telephone'],
    FaxNumber: ['faxNumber', 'fax', 30, 'fax'],
    EmailAddress: ['emailAddress', 'email', 50, 'email'],
  };
  return parts.map((name) => {
    const [prop, col, maxLength, label] = all[name]!;
    return field({
      element: `${element}/${name}`,
      property: `${who}.contact.${prop}`,
      type: 'text',
      maxLength,
      column: `registration.${who}_${col}`,
      csv: `${who}_${col}`,
      json: `${json}.${name}`,
      label: `${who === 'provider' ? 'Provider' : 'Setting'} ${label}`,
    });
  });
}

const ref = (
  element: string,
  property: string,
  column: string,
  csv: string,
  json: string,
  label: string,
  required: boolean,
): FeedField =>
  field({ element, property, type: 'reference', required, maxLength: 20, column, csv, json, label });

export const FEED_FIELDS: readonly FeedField[] = [
  ref(
    'ReferenceNumber',
    'referenceNumber',
    'registration.reference_number',
    'reference_number',
    'ReferenceNumber',
    'Reference number (URN)',
    true,
  ),
  ref(
    'RPReferenceNumber',
    'rpReferenceNumber',
    'registration.rp_reference_number',
    'rp_reference_number',
    'RPReferenceNumber',
    'Registered person URN',
    false,
  ),
  field({
    element: 'ProvisionType',
    property: 'provisionType',
    type: 'code',
    codes: 'provisionType',
    required: true,
    column: 'registration.provision_type',
    csv: 'provision_type',
    json: 'ProvisionType',
    label: 'Provision type',
  }),
  field({
    element: 'SecondaryProvisionType',
    property: 'secondaryProvisionType',
    type: 'code',
    codes: 'provisionType',
    column: 'registration.secondary_provision_type',
    csv: 'secondary_provision_type',
    json: 'SecondaryProvisionType',
    label: 'Secondary provision type',
  }),
  field({
    element: 'Provider/ProviderName',
    property: 'provider.name',
    type: 'text',
    required: true,
    maxLength: 100,
    column: 'registration.provider_name',
    csv: 'provider_name',
    json: 'Provider.ProviderName',
    label: 'Provider name',
  }),
  ...address('provider', 'Provider/ProviderAddress', 'Provider.ProviderAddress'),
  ...contact('provider', 'Provider/ProviderContact', 'Provider.ProviderContact', [
    'TelephoneNumber',
    'MobileNumber',
    'WorkTelephoneNumber',
    'FaxNumber',
    'EmailAddress',
  ]),
  field({
    element: 'Provider/ProviderConsentWithheld',
    property: 'provider.consentWithheld',
    type: 'code',
    codes: 'yesNo',
    column: 'registration.provider_consent_withheld',
    csv: 'provider_consent_withheld',
    json: 'Provider.ProviderConsentWithheld',
    label: 'Consent to publish personal details withheld',
  }),
  field({
    element: 'Setting/SettingName',
    property: 'setting.name',
    type: 'text',
    required: true,
    maxLength: 150,
    column: 'registration.setting_name',
    csv: 'setting_name',
    json: 'Setting.SettingName',
    label: 'Setting name',
  }),
  ...address('setting', 'Setting/SettingAddress', 'Setting.SettingAddress'),
  ...contact('setting', 'Setting/SettingContact', 'Setting.SettingContact', [
    'TelephoneNumber',
    'MobileNumber',
    'WorkTelephoneNumber',
    'FaxNumber',
    'EmailAddress',
  ]),
  field({
    element: 'SpecialConsiderations',
    property: 'specialConsiderations',
    type: 'code',
    codes: 'specialConsiderations',
    column: 'registration.special_considerations',
    csv: 'special_considerations',
    json: 'SpecialConsiderations',
    label: 'Special considerations',
  }),
  field({
    element: 'RegistrationStatus',
    property: 'status',
    type: 'code',
    codes: 'registrationStatus',
    required: true,
    column: 'registration.status',
    csv: 'registration_status',
    json: 'RegistrationStatus',
    label: 'Registration status',
  }),
  field({
    element: 'RegistrationStatusHistoryList/RegistrationStatusHistory[]/RegistrationStatus',
    property: 'statusHistory[].status',
    type: 'code',
    codes: 'registrationStatus',
    required: true,
    column: 'status_history.status',
    csv: 'status_history[].status',
    json: 'RegistrationStatusHistoryList.RegistrationStatusHistory[].RegistrationStatus',
    label: 'Past status',
  }),
  field({
    element: 'RegistrationStatusHistoryList/RegistrationStatusHistory[]/ChangeDate',
    property: 'statusHistory[].changeDate',
    type: 'date',
    required: true,
    column: 'status_history.change_date',
    csv: 'status_history[].change_date',
    json: 'RegistrationStatusHistoryList.RegistrationStatusHistory[].ChangeDate',
    label: 'Status changed on',
  }),
  field({
    element: 'RegistrationDate',
    property: 'registrationDate',
    type: 'date',
    column: 'registration.registration_date',
    csv: 'registration_date',
    json: 'RegistrationDate',
    label: 'Registration date',
  }),
  field({
    element: 'ChildServicesRegisterList/ChildServicesRegister[]/Register',
    property: 'registers[].register',
    type: 'code',
    codes: 'register',
    required: true,
    column: 'child_services_register.register',
    csv: 'registers[].register',
    json: 'ChildServicesRegisterList.ChildServicesRegister[].Register',
    label: 'Register',
  }),
  field({
    element: 'ChildServicesRegisterList/ChildServicesRegister[]/Status',
    property: 'registers[].status',
    type: 'code',
    codes: 'registerStatus',
    required: true,
    column: 'child_services_register.status',
    csv: 'registers[].status',
    json: 'ChildServicesRegisterList.ChildServicesRegister[].Status',
    label: 'Register status',
  }),
  field({
    element: 'ChildServicesRegisterList/ChildServicesRegister[]/StartDate',
    property: 'registers[].startDate',
    type: 'date',
    required: true,
    column: 'child_services_register.start_date',
    csv: 'registers[].start_date',
    json: 'ChildServicesRegisterList.ChildServicesRegister[].StartDate',
    label: 'On the register from',
  }),
  field({
    element: 'ChildServicesRegisterList/ChildServicesRegister[]/EndDate',
    property: 'registers[].endDate',
    type: 'date',
    column: 'child_services_register.end_date',
    csv: 'registers[].end_date',
    json: 'ChildServicesRegisterList.ChildServicesRegister[].EndDate',
    label: 'On the register until',
  }),
  field({
    element: 'RegistrationCertificate/CertificateConditionList/CertificateCondition[]/Condition',
    property: 'certificateConditions[].condition',
    type: 'text',
    required: true,
    maxLength: 400,
    column: 'certificate_condition.condition',
    csv: 'certificate_conditions[].condition',
    json: 'RegistrationCertificate.CertificateConditionList.CertificateCondition[].Condition',
    label: 'Certificate condition',
  }),
  field({
    element: 'RegistrationCertificate/CertificateConditionList/CertificateCondition[]/Register',
    property: 'certificateConditions[].register',
    type: 'code',
    codes: 'register',
    column: 'certificate_condition.register',
    csv: 'certificate_conditions[].register',
    json: 'RegistrationCertificate.CertificateConditionList.CertificateCondition[].Register',
    label: 'Condition applies to register',
  }),
  field({
    element: 'ChildcarePeriodList/ChildcarePeriod[]',
    property: 'childcarePeriods[]',
    type: 'code',
    codes: 'childcarePeriod',
    required: true,
    column: 'registration.childcare_periods',
    csv: 'childcare_periods[]',
    json: 'ChildcarePeriodList.ChildcarePeriod[]',
    label: 'Childcare period',
  }),
  field({
    element: 'ChildcareAgeList/ChildcareAge[]/AgeFrom',
    property: 'ageBands[].ageFrom',
    type: 'integer',
    required: true,
    column: 'childcare_age.age_from',
    csv: 'age_bands[].age_from',
    json: 'ChildcareAgeList.ChildcareAge[].AgeFrom',
    label: 'Age from',
  }),
  field({
    element: 'ChildcareAgeList/ChildcareAge[]/AgeTo',
    property: 'ageBands[].ageTo',
    type: 'integer',
    required: true,
    column: 'childcare_age.age_to',
    csv: 'age_bands[].age_to',
    json: 'ChildcareAgeList.ChildcareAge[].AgeTo',
    label: 'Age to',
  }),
  field({
    element: 'ChildcareAgeList/ChildcareAge[]/MaximumNumber',
    property: 'ageBands[].maximumNumber',
    type: 'integer',
    required: true,
    column: 'childcare_age.maximum_number',
    csv: 'age_bands[].maximum_number',
    json: 'ChildcareAgeList.ChildcareAge[].MaximumNumber',
    label: 'Maximum number of children',
  }),
  field({
    element: 'ChildcareAgeList/ChildcareAge[]/Register',
    property: 'ageBands[].register',
    type: 'code',
    codes: 'register',
    column: 'childcare_age.register',
    csv: 'age_bands[].register',
    json: 'ChildcareAgeList.ChildcareAge[].Register',
    label: 'Register',
  }),
  field({
    element: 'InspectionList/Inspection[]/InspectionType',
    property: 'inspections[].inspectionType',
    type: 'text',
    required: true,
    maxLength: 80,
    column: 'inspection.inspection_type',
    csv: 'inspections[].inspection_type',
    json: 'InspectionList.Inspection[].InspectionType',
    label: 'Inspection type',
  }),
  field({
    element: 'InspectionList/Inspection[]/InspectionDate',
    property: 'inspections[].inspectionDate',
    type: 'date',
    required: true,
    column: 'inspection.inspection_date',
    csv: 'inspections[].inspection_date',
    json: 'InspectionList.Inspection[].InspectionDate',
    label: 'Inspection date',
  }),
  field({
    element: 'InspectionList/Inspection[]/InspectionOverallJudgement',
    property: 'inspections[].overallJudgement',
    type: 'text',
    required: true,
    maxLength: 80,
    column: 'inspection.overall_judgement',
    csv: 'inspections[].overall_judgement',
    json: 'InspectionList.Inspection[].InspectionOverallJudgement',
    label: 'Overall judgement',
  }),
  field({
    element: 'NoticeHistoryList/NoticeHistory[]/Type',
    property: 'notices[].type',
    type: 'code',
    codes: 'noticeType',
    required: true,
    maxLength: 80,
    column: 'notice.type',
    csv: 'notices[].type',
    json: 'NoticeHistoryList.NoticeHistory[].Type',
    label: 'Notice type',
  }),
  field({
    element: 'NoticeHistoryList/NoticeHistory[]/SubType',
    property: 'notices[].subType',
    type: 'text',
    required: true,
    maxLength: 80,
    column: 'notice.sub_type',
    csv: 'notices[].sub_type',
    json: 'NoticeHistoryList.NoticeHistory[].SubType',
    label: 'Notice',
  }),
  field({
    element: 'NoticeHistoryList/NoticeHistory[]/Status',
    property: 'notices[].status',
    type: 'text',
    required: true,
    maxLength: 80,
    column: 'notice.status',
    csv: 'notices[].status',
    json: 'NoticeHistoryList.NoticeHistory[].Status',
    label: 'Notice status',
  }),
  // One property, two elements: the date is named after the notice type.
  field({
    element: 'NoticeHistoryList/NoticeHistory[]/NOIDate',
    property: 'notices[].date',
    type: 'date',
    column: 'notice.notice_date',
    csv: 'notices[].date',
    json: 'NoticeHistoryList.NoticeHistory[].NOIDate',
    label: 'Notice of intention served on',
  }),
  field({
    element: 'NoticeHistoryList/NoticeHistory[]/NODDate',
    property: 'notices[].date',
    type: 'date',
    column: 'notice.notice_date',
    csv: 'notices[].date',
    json: 'NoticeHistoryList.NoticeHistory[].NODDate',
    label: 'Notice of decision served on',
  }),
  field({
    element: 'WelfareNoticeHistoryList/WelfareNoticeHistory[]/WelfareCategory',
    property: 'welfareNotices[].category',
    type: 'text',
    required: true,
    maxLength: 80,
    column: 'welfare_notice.category',
    csv: 'welfare_notices[].category',
    json: 'WelfareNoticeHistoryList.WelfareNoticeHistory[].WelfareCategory',
    label: 'Welfare notice category',
  }),
  field({
    element: 'WelfareNoticeHistoryList/WelfareNoticeHistory[]/WelfareStartDate',
    property: 'welfareNotices[].startDate',
    type: 'date',
    required: true,
    column: 'welfare_notice.start_date',
    csv: 'welfare_notices[].start_date',
    json: 'WelfareNoticeHistoryList.WelfareNoticeHistory[].WelfareStartDate',
    label: 'Welfare notice from',
  }),
  field({
    element: 'WelfareNoticeHistoryList/WelfareNoticeHistory[]/WelfareEndDate',
    property: 'welfareNotices[].endDate',
    type: 'date',
    column: 'welfare_notice.end_date',
    csv: 'welfare_notices[].end_date',
    json: 'WelfareNoticeHistoryList.WelfareNoticeHistory[].WelfareEndDate',
    label: 'Welfare notice until',
  }),
  ref(
    'LinkedRegistrationList/LinkedRegistration[]/ReferenceNumber',
    'linkedRegistrations[].referenceNumber',
    'linked_registration.linked_reference_number',
    'linked_registrations[].reference_number',
    'LinkedRegistrationList.LinkedRegistration[].ReferenceNumber',
    'Linked registration',
    true,
  ),
  field({
    element: 'LinkedRegistrationList/LinkedRegistration[]/LinkedReason',
    property: 'linkedRegistrations[].reason',
    type: 'text',
    required: true,
    maxLength: 80,
    column: 'linked_registration.reason',
    csv: 'linked_registrations[].reason',
    json: 'LinkedRegistrationList.LinkedRegistration[].LinkedReason',
    label: 'Reason for the link',
  }),
  field({
    element: 'LastChangeDate',
    property: 'lastChangeDate',
    type: 'date',
    required: true,
    column: 'registration.last_change_date',
    csv: 'last_change_date',
    json: 'LastChangeDate',
    label: 'Last changed by Ofsted',
  }),
];

/** The header's leaves (the <Extract> element), with Ofsted's limits. */
export const HEADER_LIMITS = { LocalAuthorityCode: 3, LocalAuthorityName: 80 } as const;

/** The field a property path names: `ageBands[2].ageTo` → the `ageBands[].ageTo` row. */
export function fieldOfProperty(property: string): FeedField | undefined {
  const generic = property.replace(/\[\d+\]/g, '[]');
  return FEED_FIELDS.find((f) => f.property === generic);
}

/** Longest value allowed for an element below <Registration> (`[n]` indexes ignored); undefined if none. */
export function maxLengthOfElement(element: string): number | undefined {
  const generic = element.replace(/\[\d+\]/g, '[]');
  return FEED_FIELDS.find((f) => f.element === generic)?.maxLength;
}
