/**
 * Reads registrations in full from the register (those whose stored extract element no longer
 * counts, extract-fragments.ts), in ONE statement: their registration rows and the rows of every
 * child table come back as ten JSON texts (one per table), aggregated by the database. Reading
 * a registration therefore costs one JSON.parse of its share of a text instead of a driver row
 * per table row (the pg driver's per-field parsing and the objects it makes were a sixth of a
 * national run, the garbage they left another sixth), and a batch is one round trip instead of six.
 *
 * The registrations decoded here are exactly what register-store.ts's completeRegistrations
 * makes of the same rows (extract-batches.db.test.ts compares them), so the extract writer
 * gets the same input, whichever way it was read.
 */
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { executePrepared } from '../../platform/db/prepared-statements.ts';
import type {
  CertificateCondition,
  RegisterStatus,
  WelfareNotice,
  YesNo,
  ChildcareAge,
  ChildcarePeriod,
  ChildServicesRegister,
  Inspection,
  Notice,
  NoticeType,
  ProviderContact,
  ProvisionType,
  Register,
  Registration,
  RegistrationStatus,
  SettingContact,
  SpecialConsideration,
  StatusHistoryEntry,
} from '../../contracts/childcare-extract/registration.ts';

type Cell = string | null;

// A registration row as the statement sends it: the columns in this order, all as text.
type RegistrationTuple = [
  referenceNumber: string,
  laCode: string,
  provisionType: string,
  secondaryProvisionType: Cell,
  rpReferenceNumber: Cell,
  providerName: string,
  providerAddressLine1: string,
  providerAddressLine2: Cell,
  providerTown: string,
  providerCounty: Cell,
  providerPostcode: Cell,
  providerTelephone: Cell,
  providerMobile: Cell,
  providerWorkTelephone: Cell,
  providerFax: Cell,
  providerEmail: Cell,
  settingName: Cell,
  settingAddressLine1: Cell,
  settingAddressLine2: Cell,
  settingTown: Cell,
  settingCounty: Cell,
  settingPostcode: Cell,
  settingTelephone: Cell,
  settingFax: Cell,
  settingEmail: Cell,
  specialConsiderations: Cell,
  status: string,
  registrationDate: Cell,
  lastChangeDate: string,
  providerUprn: Cell,
  providerConsentWithheld: Cell,
  settingUprn: Cell,
  settingMobile: Cell,
  settingWorkTelephone: Cell,
];

// Child rows: reference number first, then the columns in document order, all as text.
type HistoryTuple = [referenceNumber: string, status: string, changeDate: string];
type RegisterTuple = [
  referenceNumber: string,
  register: string,
  status: string,
  startDate: string,
  endDate: Cell,
];
type AgeTuple = [
  referenceNumber: string,
  ageFrom: string,
  ageTo: string,
  maximumNumber: string,
  register: Cell,
];
type InspectionTuple = [referenceNumber: string, type: string, date: string, judgement: string];
type NoticeTuple = [referenceNumber: string, type: string, subType: string, status: string, date: Cell];
type ConditionTuple = [referenceNumber: string, condition: string, register: Cell];
type WelfareTuple = [referenceNumber: string, category: string, startDate: string, endDate: Cell];
type LinkTuple = [referenceNumber: string, linkedReferenceNumber: string, reason: string];

/**
 * The statement. Every value is sent as text inside a JSON array (`to_json(array_agg(array[…]))`:
 * cheaper for the server than json_build_array, which inspects each argument's type), dates
 * as `::text` ('YYYY-MM-DD', as the driver's date parser returns them elsewhere in edgate).
 * The JSON columns are cast to text so the driver does not parse them as rows. The
 * registrations are found by primary key, and each child table's rows with
 * `= any(array of the references)`, an index scan per table.
 */
function batchStatement(references: readonly string[]) {
  return sql<{
    versions: string | null;
    registrations: string | null;
    periods: string | null;
    history: string | null;
    registers: string | null;
    ages: string | null;
    inspections: string | null;
    notices: string | null;
    conditions: string | null;
    welfare: string | null;
    links: string | null;
  }>`
    with batch as materialized (
      select * from regulator.registration r where r.reference_number = any(${[...references]}::text[])
    )
    select
      (select to_json(array_agg(version order by reference_number))::text from batch) as versions,
      (select to_json(array_agg(array[
          reference_number, la_code::text, provision_type, secondary_provision_type, rp_reference_number,
          provider_name, provider_address_line1, provider_address_line2, provider_town, provider_county,
          provider_postcode, provider_telephone, provider_mobile, provider_work_telephone, provider_fax,
          provider_email, setting_name, setting_address_line1, setting_address_line2, setting_town,
          setting_county, setting_postcode, setting_telephone, setting_fax, setting_email,
          special_considerations, status, registration_date::text, last_change_date::text,
          provider_uprn, provider_consent_withheld, setting_uprn, setting_mobile, setting_work_telephone
        ] order by reference_number))::text from batch) as registrations,
      (select json_agg(childcare_periods order by reference_number)::text from batch) as periods,
      (select to_json(array_agg(array[reference_number, status, change_date::text]
          order by reference_number, seq))::text
        from regulator.status_history where reference_number = any(array(select reference_number from batch))) as history,
      (select to_json(array_agg(array[reference_number, register, status, start_date::text, end_date::text]
          order by reference_number, seq))::text
        from regulator.child_services_register where reference_number = any(array(select reference_number from batch))) as registers,
      (select to_json(array_agg(array[reference_number, age_from::text, age_to::text, maximum_number::text, register]
          order by reference_number, seq))::text
        from regulator.childcare_age where reference_number = any(array(select reference_number from batch))) as ages,
      (select to_json(array_agg(array[reference_number, inspection_type, inspection_date::text, overall_judgement]
          order by reference_number, seq))::text
        from regulator.inspection where reference_number = any(array(select reference_number from batch))) as inspections,
      (select to_json(array_agg(array[reference_number, type, sub_type, status, notice_date::text]
          order by reference_number, seq))::text
        from regulator.notice where reference_number = any(array(select reference_number from batch))) as notices,
      (select to_json(array_agg(array[reference_number, condition, register]
          order by reference_number, seq))::text
        from regulator.certificate_condition where reference_number = any(array(select reference_number from batch))) as conditions,
      (select to_json(array_agg(array[reference_number, category, start_date::text, end_date::text]
          order by reference_number, seq))::text
        from regulator.welfare_notice where reference_number = any(array(select reference_number from batch))) as welfare,
      (select to_json(array_agg(array[reference_number, linked_reference_number, reason]
          order by reference_number, seq))::text
        from regulator.linked_registration where reference_number = any(array(select reference_number from batch))) as links
  `;
}

/** One batch as received: its rows as texts not yet parsed. */
type BatchText = Awaited<ReturnType<ReturnType<typeof batchStatement>['execute']>>['rows'][number];

/**
 * Registrations by reference number, in reference-number order, each with the version it was
 * read at (for extract-fragments.ts); the selection rule is not applied: the caller chose them.
 * Prepared: a day's run sends it once per batch with changes, and planning it cost more than
 * running it for a few registrations.
 */
export async function readRegistrations(
  db: Database,
  references: readonly string[],
): Promise<{ registration: Registration; version: number }[]> {
  const text = (await executePrepared(db, batchStatement(references).compile(db)))[0]!;
  const versions = parsed<number>(text.versions);
  return decodeBatch(text).map((registration, i) => ({ registration, version: versions[i]! }));
}

// JSON.parse returns `any`; these texts are the statement's own, in the shapes declared above.
const parsed = <T>(text: string | null): T[] => (text === null ? [] : (JSON.parse(text) as T[]));

/** Child rows by reference number, in the statement's (document) order. */
function byReference<T extends [string, ...unknown[]]>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row[0]);
    if (group) group.push(row);
    else groups.set(row[0], [row]);
  }
  return groups;
}

const NONE: never[] = [];

/**
 * Decodes one batch into registrations, as completeRegistrations would make them: absent
 * (null) optional values are left out rather than set to undefined, a contact with no value at
 * all is left out, a setting exists when it has a name.
 */
function decodeBatch(text: BatchText): Registration[] {
  const rows = parsed<RegistrationTuple>(text.registrations);
  const periods = parsed<ChildcarePeriod[]>(text.periods);
  const history = byReference(parsed<HistoryTuple>(text.history));
  const registers = byReference(parsed<RegisterTuple>(text.registers));
  const ages = byReference(parsed<AgeTuple>(text.ages));
  const inspections = byReference(parsed<InspectionTuple>(text.inspections));
  const notices = byReference(parsed<NoticeTuple>(text.notices));
  const conditions = byReference(parsed<ConditionTuple>(text.conditions));
  const welfare = byReference(parsed<WelfareTuple>(text.welfare));
  const links = byReference(parsed<LinkTuple>(text.links));
  return rows.map((row, i) => {
    const ref = row[0];
    const registration = registrationOf(row, periods[i] ?? []);
    registration.statusHistory = (history.get(ref) ?? NONE).map(historyEntry);
    registration.registers = (registers.get(ref) ?? NONE).map(childServicesRegister);
    registration.ageBands = (ages.get(ref) ?? NONE).map(childcareAge);
    registration.inspections = (inspections.get(ref) ?? NONE).map(inspection);
    registration.notices = (notices.get(ref) ?? NONE).map(notice);
    // Lists of Ofsted's v1.3 are left out when empty, as register-store.ts reads them.
    const conditionRows = conditions.get(ref);
    if (conditionRows) registration.certificateConditions = conditionRows.map(certificateCondition);
    const welfareRows = welfare.get(ref);
    if (welfareRows) registration.welfareNotices = welfareRows.map(welfareNotice);
    const linkRows = links.get(ref);
    if (linkRows)
      registration.linkedRegistrations = linkRows.map(([, referenceNumber, reason]) => ({
        referenceNumber,
        reason,
      }));
    return registration;
  });
}

function registrationOf(row: RegistrationTuple, childcarePeriods: ChildcarePeriod[]): Registration {
  const [
    referenceNumber,
    laCode,
    provisionType,
    secondaryProvisionType,
    rpReferenceNumber,
    providerName,
    providerAddressLine1,
    providerAddressLine2,
    providerTown,
    providerCounty,
    providerPostcode,
    providerTelephone,
    providerMobile,
    providerWorkTelephone,
    providerFax,
    providerEmail,
    settingName,
    settingAddressLine1,
    settingAddressLine2,
    settingTown,
    settingCounty,
    settingPostcode,
    settingTelephone,
    settingFax,
    settingEmail,
    specialConsiderations,
    status,
    registrationDate,
    lastChangeDate,
    providerUprn,
    providerConsentWithheld,
    settingUprn,
    settingMobile,
    settingWorkTelephone,
  ] = row;
  const registration: Registration = {
    referenceNumber,
    laCode,
    provisionType: provisionType as ProvisionType,
    provider: {
      name: providerName,
      address: { addressLine1: providerAddressLine1, town: providerTown },
    },
    status: status as RegistrationStatus,
    statusHistory: [],
    registers: [],
    childcarePeriods,
    ageBands: [],
    inspections: [],
    notices: [],
    lastChangeDate,
  };
  if (rpReferenceNumber !== null) registration.rpReferenceNumber = rpReferenceNumber;
  if (secondaryProvisionType !== null)
    registration.secondaryProvisionType = secondaryProvisionType as ProvisionType;
  if (providerAddressLine2 !== null) registration.provider.address.addressLine2 = providerAddressLine2;
  if (providerCounty !== null) registration.provider.address.county = providerCounty;
  if (providerPostcode !== null) registration.provider.address.postcode = providerPostcode;
  if (providerUprn !== null) registration.provider.address.uprn = providerUprn;
  const providerContact = contactOf<ProviderContact>({
    telephoneNumber: providerTelephone,
    mobileNumber: providerMobile,
    workTelephoneNumber: providerWorkTelephone,
    faxNumber: providerFax,
    emailAddress: providerEmail,
  });
  if (providerContact) registration.provider.contact = providerContact;
  if (providerConsentWithheld !== null)
    registration.provider.consentWithheld = providerConsentWithheld as YesNo;
  if (settingName !== null) {
    const setting: NonNullable<Registration['setting']> = {
      name: settingName,
      address: {
        addressLine1: settingAddressLine1 ?? '',
        town: settingTown ?? '',
      },
    };
    if (settingAddressLine2 !== null) setting.address.addressLine2 = settingAddressLine2;
    if (settingCounty !== null) setting.address.county = settingCounty;
    if (settingPostcode !== null) setting.address.postcode = settingPostcode;
    if (settingUprn !== null) setting.address.uprn = settingUprn;
    const settingContact = contactOf<SettingContact>({
      telephoneNumber: settingTelephone,
      mobileNumber: settingMobile,
      workTelephoneNumber: settingWorkTelephone,
      faxNumber: settingFax,
      emailAddress: settingEmail,
    });
    if (settingContact) setting.contact = settingContact;
    registration.setting = setting;
  }
  if (specialConsiderations !== null)
    registration.specialConsiderations = specialConsiderations as SpecialConsideration;
  if (registrationDate !== null) registration.registrationDate = registrationDate;
  return registration;
}

/** The values that are there; undefined when none is (a contact with no value is no contact). */
function contactOf<T extends object>(values: { [K in keyof T]-?: Cell }): T | undefined {
  let contact: Record<string, string> | undefined;
  for (const key in values) {
    const value = values[key];
    if (value !== null) (contact ??= {})[key] = value;
  }
  return contact as T | undefined;
}

const historyEntry = ([, status, changeDate]: HistoryTuple): StatusHistoryEntry => ({
  status: status as RegistrationStatus,
  changeDate,
});

function childServicesRegister([
  ,
  register,
  status,
  startDate,
  endDate,
]: RegisterTuple): ChildServicesRegister {
  const entry: ChildServicesRegister = {
    register: register as Register,
    status: status as RegisterStatus,
    startDate,
  };
  if (endDate !== null) entry.endDate = endDate;
  return entry;
}

function childcareAge([, ageFrom, ageTo, maximumNumber, register]: AgeTuple): ChildcareAge {
  const band: ChildcareAge = {
    ageFrom: Number(ageFrom),
    ageTo: Number(ageTo),
    maximumNumber: Number(maximumNumber),
  };
  if (register !== null) band.register = register as Register;
  return band;
}

const inspection = ([, inspectionType, inspectionDate, overallJudgement]: InspectionTuple): Inspection => ({
  inspectionType,
  inspectionDate,
  overallJudgement,
});

function certificateCondition([, condition, register]: ConditionTuple): CertificateCondition {
  const entry: CertificateCondition = { condition };
  if (register !== null) entry.register = register as Register;
  return entry;
}

function welfareNotice([, category, startDate, endDate]: WelfareTuple): WelfareNotice {
  const entry: WelfareNotice = { category, startDate };
  if (endDate !== null) entry.endDate = endDate;
  return entry;
}

function notice([, type, subType, status, date]: NoticeTuple): Notice {
  const entry: Notice = { type: type as NoticeType, subType, status };
  if (date !== null) entry.date = date;
  return entry;
}
