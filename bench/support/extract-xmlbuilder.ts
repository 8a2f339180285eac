/**
 * Baseline (b) of bench/extract-national: what a typical Node project would write to produce
 * an LA's extract document — xmlbuilder2, one element per call, then `end({ prettyPrint: true })`.
 *
 * Same element structure and the same rules as src/contracts/childcare-extract/extract-writer.ts (optional
 * elements and contact containers left out when empty, list containers always written but v1.3's
 * welfare notices and linked registrations only when not empty, empty ones self-closed, the
 * NOD/NOI date name, certificate conditions), so both sides do the same work and the bench can
 * check that the two documents read back to the same registrations.
 */
import { create } from 'xmlbuilder2';
import { EXTRACT_NAMESPACE, EXTRACT_ROOT } from '../../src/contracts/childcare-extract/extract-reader.ts';
import type { ExtractHeader } from '../../src/contracts/childcare-extract/extract-writer.ts';
import type { Address, Registration } from '../../src/contracts/childcare-extract/registration.ts';

/** xmlbuilder2 exports no types from its entry point; every overload of create returns one. */
type XMLBuilder = ReturnType<typeof create>;

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

// As the writer: an optional value is left out only when absent or empty; spaces are a value.
const present = (value: string | undefined): value is string => value !== undefined && value !== '';

function leaf(parent: XMLBuilder, name: string, value: string | number): void {
  parent.ele(name).txt(String(value));
}

function optionalLeaf(parent: XMLBuilder, name: string, value: string | undefined): void {
  if (present(value)) parent.ele(name).txt(value);
}

function address(parent: XMLBuilder, name: string, a: Address): void {
  const el = parent.ele(name);
  leaf(el, 'AddressLine1', a.addressLine1);
  optionalLeaf(el, 'AddressLine2', a.addressLine2);
  leaf(el, 'Town', a.town);
  optionalLeaf(el, 'County', a.county);
  optionalLeaf(el, 'Postcode', a.postcode);
  optionalLeaf(el, 'UniquePropertyReferenceNumber', a.uprn);
}

function contact(parent: XMLBuilder, name: string, fields: [string, string | undefined][]): void {
  if (!fields.some(([, value]) => present(value))) return;
  const el = parent.ele(name);
  for (const [element, value] of fields) optionalLeaf(el, element, value);
}

function registration(root: XMLBuilder, r: Registration): void {
  const reg = root.ele('Registration');
  leaf(reg, 'ReferenceNumber', r.referenceNumber);
  optionalLeaf(reg, 'RPReferenceNumber', r.rpReferenceNumber);
  leaf(reg, 'ProvisionType', r.provisionType);
  optionalLeaf(reg, 'SecondaryProvisionType', r.secondaryProvisionType);

  const provider = reg.ele('Provider');
  leaf(provider, 'ProviderName', r.provider.name);
  address(provider, 'ProviderAddress', r.provider.address);
  const pc = r.provider.contact;
  if (pc) {
    contact(provider, 'ProviderContact', [
      ['TelephoneNumber', pc.telephoneNumber],
      ['MobileNumber', pc.mobileNumber],
      ['WorkTelephoneNumber', pc.workTelephoneNumber],
      ['FaxNumber', pc.faxNumber],
      ['EmailAddress', pc.emailAddress],
    ]);
  }
  optionalLeaf(provider, 'ProviderConsentWithheld', r.provider.consentWithheld);

  if (r.setting) {
    const setting = reg.ele('Setting');
    leaf(setting, 'SettingName', r.setting.name);
    address(setting, 'SettingAddress', r.setting.address);
    const sc = r.setting.contact;
    if (sc) {
      contact(setting, 'SettingContact', [
        ['TelephoneNumber', sc.telephoneNumber],
        ['MobileNumber', sc.mobileNumber],
        ['WorkTelephoneNumber', sc.workTelephoneNumber],
        ['FaxNumber', sc.faxNumber],
        ['EmailAddress', sc.emailAddress],
      ]);
    }
  }

  optionalLeaf(reg, 'SpecialConsiderations', r.specialConsiderations);
  leaf(reg, 'RegistrationStatus', r.status);
  const history = reg.ele('RegistrationStatusHistoryList');
  for (const h of r.statusHistory) {
    const item = history.ele('RegistrationStatusHistory');
    leaf(item, 'RegistrationStatus', h.status);
    leaf(item, 'ChangeDate', h.changeDate);
  }
  optionalLeaf(reg, 'RegistrationDate', r.registrationDate);
  const registers = reg.ele('ChildServicesRegisterList');
  for (const g of r.registers) {
    const item = registers.ele('ChildServicesRegister');
    leaf(item, 'Register', g.register);
    leaf(item, 'Status', g.status);
    leaf(item, 'StartDate', g.startDate);
    optionalLeaf(item, 'EndDate', g.endDate);
  }
  const certificate = reg.ele('RegistrationCertificate');
  if (r.certificateConditions?.length) {
    const list = certificate.ele('CertificateConditionList');
    for (const c of r.certificateConditions) {
      const item = list.ele('CertificateCondition');
      leaf(item, 'Condition', c.condition);
      optionalLeaf(item, 'Register', c.register);
    }
  }
  const periods = reg.ele('ChildcarePeriodList');
  for (const p of r.childcarePeriods) leaf(periods, 'ChildcarePeriod', p);
  const ages = reg.ele('ChildcareAgeList');
  for (const a of r.ageBands) {
    const item = ages.ele('ChildcareAge');
    leaf(item, 'AgeFrom', a.ageFrom);
    leaf(item, 'AgeTo', a.ageTo);
    leaf(item, 'MaximumNumber', a.maximumNumber);
    optionalLeaf(item, 'Register', a.register);
  }
  const inspections = reg.ele('InspectionList');
  for (const x of r.inspections) {
    const item = inspections.ele('Inspection');
    leaf(item, 'InspectionType', x.inspectionType);
    leaf(item, 'InspectionDate', x.inspectionDate);
    leaf(item, 'InspectionOverallJudgement', x.overallJudgement);
  }
  const notices = reg.ele('NoticeHistoryList');
  for (const n of r.notices) {
    const item = notices.ele('NoticeHistory');
    leaf(item, 'Type', n.type);
    leaf(item, 'SubType', n.subType);
    leaf(item, 'Status', n.status);
    optionalLeaf(item, n.type === 'NOD' ? 'NODDate' : 'NOIDate', n.date);
  }
  if (r.welfareNotices?.length) {
    const welfare = reg.ele('WelfareNoticeHistoryList');
    for (const w of r.welfareNotices) {
      const item = welfare.ele('WelfareNoticeHistory');
      leaf(item, 'WelfareCategory', w.category);
      leaf(item, 'WelfareStartDate', w.startDate);
      optionalLeaf(item, 'WelfareEndDate', w.endDate);
    }
  }
  if (r.linkedRegistrations?.length) {
    const links = reg.ele('LinkedRegistrationList');
    for (const l of r.linkedRegistrations) {
      const item = links.ele('LinkedRegistration');
      leaf(item, 'ReferenceNumber', l.referenceNumber);
      leaf(item, 'LinkedReason', l.reason);
    }
  }
  leaf(reg, 'LastChangeDate', r.lastChangeDate);
}

/** The whole LA document as one string, built the xmlbuilder2 way. */
export function xmlbuilder2Extract(header: ExtractHeader, registrations: readonly Registration[]): string {
  const root = create({ version: '1.0', encoding: 'utf-8' }).ele(EXTRACT_NAMESPACE, EXTRACT_ROOT, {
    'xmlns:xs': XSI_NAMESPACE,
  });
  const extract = root.ele('Extract');
  leaf(extract, 'ExtractDateTime', header.extractDateTime);
  const la = extract.ele('LocalAuthority');
  leaf(la, 'LocalAuthorityCode', header.laCode);
  leaf(la, 'LocalAuthorityName', header.laName);
  for (const r of registrations) registration(root, r);
  return root.end({ prettyPrint: true });
}
