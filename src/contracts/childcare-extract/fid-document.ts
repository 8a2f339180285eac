/**
 * The extract document as the 2024 Family Information Directory (FID) serves it: JSON over REST,
 * in the shape of reference/ispp-contract/fid-json-schema.json. Same content as the XML extract
 * (extract-writer.ts), element for property, in the XML's order.
 *
 * How the schema is read (it was inferred from sample documents, so it is stricter than the
 * XML in some places and contradicts itself in others):
 *
 * - Every property the schema lists as required is always sent. An absent optional value is
 *   the empty string `""` (the schema types them all `string`, never `null`): RPReferenceNumber,
 *   SecondaryProvisionType, SpecialConsiderations, RegistrationDate, AddressLine2, County, Postcode,
 *   every contact field, a register's EndDate, an age band's Register, and the NOIDate/NODDate a
 *   notice does not carry.
 *   Readers of the XML treat an empty element as absent, so `""` loses nothing. Any other text
 *   is sent exactly, spaces included, as in the XML.
 * - An absent container the schema requires is sent with every field `""`: ProviderContact and
 *   SettingContact when there are no contact details, and Setting on registered-person (RPP)
 *   records. `Setting.SettingName === ""` therefore means "no setting" (a real setting always
 *   has a name).
 * - Lists are always arrays inside their wrapper object, even of one or no items:
 *   `{"InspectionList": {"Inspection": [...]}}`. The schema types three of them (RegistrationStatusHistory,
 *   Inspection, NoticeHistory) as `object` *and* gives them `items`, the mark of a generator that
 *   saw a single-item list serialised as an object (XML-to-JSON converters do that); an object
 *   cannot hold a second inspection, and the NoticeHistory object schema is unsatisfiable
 *   (NODDate required but not allowed), so the `items` schemas are followed.
 * - RegistrationCertificate is `null` when it has no conditions (the empty element; the schema
 *   types it `null`), else `{CertificateConditionList: {CertificateCondition: [...]}}`.
 * - The elements of Ofsted's schema v1.1–v1.3 that the published JSON schema (inferred from
 *   samples that lacked them) does not list are sent under their XML names, in XML order:
 *   UniquePropertyReferenceNumber in both addresses, ProviderConsentWithheld, a setting's
 *   MobileNumber and WorkTelephoneNumber (Ofsted's ContactStructure), and the lists
 *   WelfareNoticeHistoryList and LinkedRegistrationList (always, as arrays, like every list).
 * - Every value is a string, exactly the text of the XML element: dates `YYYY-MM-DD`,
 *   ExtractDateTime London local time `YYYY-MM-DDThh:mm:ss` without a zone, ages and
 *   MaximumNumber as decimal integers (`"0"`, `"5"`, `"6"`), as the schema types them.
 * - An LA with no registrations gets `"Registration": []` (the schema's `minItems: 1` cannot
 *   describe an empty LA; leaving the property out would break its `required`).
 *
 * Streaming: fidJsonChunks yields the opening, one chunk per registration (one line each), and
 * the closing, so a large LA never becomes one string.
 */
import type { ExtractHeader } from './extract-reader.ts';
import type { Address, Registration } from './registration.ts';

export type { ExtractHeader };

export interface FidAddress {
  AddressLine1: string;
  AddressLine2: string;
  Town: string;
  County: string;
  Postcode: string;
  /** Ofsted v1.1; not in fid-json-schema.json (see fid-schema-check.ts). */
  UniquePropertyReferenceNumber: string;
}

export interface FidProviderContact {
  TelephoneNumber: string;
  MobileNumber: string;
  WorkTelephoneNumber: string;
  FaxNumber: string;
  EmailAddress: string;
}

/** MobileNumber and WorkTelephoneNumber: Ofsted's ContactStructure, not in fid-json-schema.json. */
export type FidSettingContact = FidProviderContact;

export interface FidRegistration {
  ReferenceNumber: string;
  RPReferenceNumber: string;
  ProvisionType: string;
  SecondaryProvisionType: string;
  Provider: {
    ProviderName: string;
    ProviderAddress: FidAddress;
    ProviderContact: FidProviderContact;
    ProviderConsentWithheld: string;
  };
  Setting: { SettingName: string; SettingAddress: FidAddress; SettingContact: FidSettingContact };
  SpecialConsiderations: string;
  RegistrationStatus: string;
  RegistrationStatusHistoryList: {
    RegistrationStatusHistory: { RegistrationStatus: string; ChangeDate: string }[];
  };
  RegistrationDate: string;
  ChildServicesRegisterList: {
    ChildServicesRegister: { Register: string; Status: string; StartDate: string; EndDate: string }[];
  };
  /** `null` without conditions, as the published schema types it; the conditions when there are any. */
  RegistrationCertificate: null | {
    CertificateConditionList: { CertificateCondition: { Condition: string; Register: string }[] };
  };
  ChildcarePeriodList: { ChildcarePeriod: string[] };
  ChildcareAgeList: {
    ChildcareAge: { AgeFrom: string; AgeTo: string; MaximumNumber: string; Register: string }[];
  };
  InspectionList: {
    Inspection: { InspectionType: string; InspectionDate: string; InspectionOverallJudgement: string }[];
  };
  NoticeHistoryList: {
    NoticeHistory: { Type: string; SubType: string; Status: string; NOIDate: string; NODDate: string }[];
  };
  WelfareNoticeHistoryList: {
    WelfareNoticeHistory: { WelfareCategory: string; WelfareStartDate: string; WelfareEndDate: string }[];
  };
  LinkedRegistrationList: { LinkedRegistration: { ReferenceNumber: string; LinkedReason: string }[] };
  LastChangeDate: string;
}

export interface FidExtract {
  ExtractDateTime: string;
  LocalAuthority: { LocalAuthorityCode: string; LocalAuthorityName: string };
}

export interface FidDocument {
  OfstedChildcareRegisterLocalAuthorityExtract: { Extract: FidExtract; Registration: FidRegistration[] };
}

export const FID_JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Absent is `""`, as an empty element is absent in the XML; any other text is sent exactly. */
const text = (value: string | undefined): string => value ?? '';

const address = (a: Address | undefined): FidAddress => ({
  AddressLine1: a?.addressLine1 ?? '',
  AddressLine2: text(a?.addressLine2),
  Town: a?.town ?? '',
  County: text(a?.county),
  Postcode: text(a?.postcode),
  UniquePropertyReferenceNumber: text(a?.uprn),
});

export function fidExtract(header: ExtractHeader): FidExtract {
  return {
    ExtractDateTime: header.extractDateTime,
    LocalAuthority: { LocalAuthorityCode: header.laCode, LocalAuthorityName: header.laName },
  };
}

/** One registration in the FID shape; property order follows the XML element order. */
export function fidRegistration(r: Registration): FidRegistration {
  const pc = r.provider.contact;
  const sc = r.setting?.contact;
  return {
    ReferenceNumber: r.referenceNumber,
    RPReferenceNumber: text(r.rpReferenceNumber),
    ProvisionType: r.provisionType,
    SecondaryProvisionType: text(r.secondaryProvisionType),
    Provider: {
      ProviderName: r.provider.name,
      ProviderAddress: address(r.provider.address),
      ProviderContact: {
        TelephoneNumber: text(pc?.telephoneNumber),
        MobileNumber: text(pc?.mobileNumber),
        WorkTelephoneNumber: text(pc?.workTelephoneNumber),
        FaxNumber: text(pc?.faxNumber),
        EmailAddress: text(pc?.emailAddress),
      },
      ProviderConsentWithheld: text(r.provider.consentWithheld),
    },
    Setting: {
      SettingName: r.setting?.name ?? '',
      SettingAddress: address(r.setting?.address),
      SettingContact: {
        TelephoneNumber: text(sc?.telephoneNumber),
        MobileNumber: text(sc?.mobileNumber),
        WorkTelephoneNumber: text(sc?.workTelephoneNumber),
        FaxNumber: text(sc?.faxNumber),
        EmailAddress: text(sc?.emailAddress),
      },
    },
    SpecialConsiderations: text(r.specialConsiderations),
    RegistrationStatus: r.status,
    RegistrationStatusHistoryList: {
      RegistrationStatusHistory: r.statusHistory.map((h) => ({
        RegistrationStatus: h.status,
        ChangeDate: h.changeDate,
      })),
    },
    RegistrationDate: text(r.registrationDate),
    ChildServicesRegisterList: {
      ChildServicesRegister: r.registers.map((x) => ({
        Register: x.register,
        Status: x.status,
        StartDate: x.startDate,
        EndDate: text(x.endDate),
      })),
    },
    RegistrationCertificate:
      r.certificateConditions === undefined || r.certificateConditions.length === 0
        ? null
        : {
            CertificateConditionList: {
              CertificateCondition: r.certificateConditions.map((c) => ({
                Condition: c.condition,
                Register: text(c.register),
              })),
            },
          },
    ChildcarePeriodList: { ChildcarePeriod: [...r.childcarePeriods] },
    ChildcareAgeList: {
      ChildcareAge: r.ageBands.map((a) => ({
        AgeFrom: String(a.ageFrom),
        AgeTo: String(a.ageTo),
        MaximumNumber: String(a.maximumNumber),
        Register: text(a.register),
      })),
    },
    InspectionList: {
      Inspection: r.inspections.map((x) => ({
        InspectionType: x.inspectionType,
        InspectionDate: x.inspectionDate,
        InspectionOverallJudgement: x.overallJudgement,
      })),
    },
    NoticeHistoryList: {
      // As in the XML, the date goes under the notice type's own name; anything but NOD is a NOI.
      NoticeHistory: r.notices.map((n) => ({
        Type: n.type,
        SubType: n.subType,
        Status: n.status,
        NOIDate: n.type === 'NOD' ? '' : text(n.date),
        NODDate: n.type === 'NOD' ? text(n.date) : '',
      })),
    },
    WelfareNoticeHistoryList: {
      WelfareNoticeHistory: (r.welfareNotices ?? []).map((w) => ({
        WelfareCategory: w.category,
        WelfareStartDate: w.startDate,
        WelfareEndDate: text(w.endDate),
      })),
    },
    LinkedRegistrationList: {
      LinkedRegistration: (r.linkedRegistrations ?? []).map((l) => ({
        ReferenceNumber: l.referenceNumber,
        LinkedReason: l.reason,
      })),
    },
    LastChangeDate: r.lastChangeDate,
  };
}

/**
 * The whole document as text chunks: the opening with the Extract header, one line per
 * registration, the closing. Concatenated, they are one JSON document (a final line end
 * included).
 */
export function* fidJsonChunks(
  header: ExtractHeader,
  registrations: Iterable<Registration>,
): Generator<string> {
  yield `{"OfstedChildcareRegisterLocalAuthorityExtract":{"Extract":${JSON.stringify(fidExtract(header))},"Registration":[`;
  let first = true;
  for (const r of registrations) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(fidRegistration(r))}`;
    first = false;
  }
  yield first ? ']}}\n' : '\n]}}\n';
}
