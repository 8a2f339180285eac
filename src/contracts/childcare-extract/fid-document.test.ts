import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractChunks } from './extract-writer.ts';
import { readExtract, type ExtractHeader } from './extract-reader.ts';
import { generateRegister } from './synthetic-register.ts';
import type {
  Address,
  ChildcarePeriod,
  NoticeType,
  ProviderContact,
  ProvisionType,
  Register,
  RegisterStatus,
  Registration,
  RegistrationStatus,
  SettingContact,
  SpecialConsideration,
  YesNo,
} from './registration.ts';
import {
  fidJsonChunks,
  fidRegistration,
  type FidAddress,
  type FidDocument,
  type FidRegistration,
} from './fid-document.ts';
import { fidSchema, literalFidSchema, schemaProblems } from './fid-schema-check.ts';

const IGNORE = { ignore: ['maxItems'] } as const;

const header = (laCode: string, laName = 'Testshire'): ExtractHeader => ({
  extractDateTime: '2026-11-01T05:30:12',
  laCode,
  laName,
});

function jsonOf(h: ExtractHeader, registrations: Iterable<Registration>): FidDocument {
  return JSON.parse([...fidJsonChunks(h, registrations)].join('')) as FidDocument;
}

// ---------------------------------------------------------------------------------------------
// The inverse mapping, to show nothing is lost: `""` is absent, an all-empty container is absent.

const given = (value: string): string | undefined => (value === '' ? undefined : value);

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function addressFromFid(a: FidAddress): Address {
  return withoutUndefined({
    addressLine1: a.AddressLine1,
    addressLine2: given(a.AddressLine2),
    town: a.Town,
    county: given(a.County),
    postcode: given(a.Postcode),
    uprn: given(a.UniquePropertyReferenceNumber),
  });
}

function contactFromFid<T extends object>(c: T): T | undefined {
  const kept = withoutUndefined(
    Object.fromEntries(
      Object.entries(c).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), given(v as string)]),
    ) as T,
  );
  return Object.keys(kept).length === 0 ? undefined : kept;
}

function registrationFromFid(f: FidRegistration, laCode: string): Registration {
  const providerContact = contactFromFid(f.Provider.ProviderContact) as ProviderContact | undefined;
  const settingContact = contactFromFid(f.Setting.SettingContact) as SettingContact | undefined;
  return withoutUndefined({
    referenceNumber: f.ReferenceNumber,
    rpReferenceNumber: given(f.RPReferenceNumber),
    laCode,
    provisionType: f.ProvisionType as ProvisionType,
    secondaryProvisionType: given(f.SecondaryProvisionType) as ProvisionType | undefined,
    provider: withoutUndefined({
      name: f.Provider.ProviderName,
      address: addressFromFid(f.Provider.ProviderAddress),
      contact: providerContact,
      consentWithheld: given(f.Provider.ProviderConsentWithheld) as YesNo | undefined,
    }),
    setting:
      f.Setting.SettingName === ''
        ? undefined
        : withoutUndefined({
            name: f.Setting.SettingName,
            address: addressFromFid(f.Setting.SettingAddress),
            contact: settingContact,
          }),
    specialConsiderations: given(f.SpecialConsiderations) as SpecialConsideration | undefined,
    status: f.RegistrationStatus as RegistrationStatus,
    statusHistory: f.RegistrationStatusHistoryList.RegistrationStatusHistory.map((h) => ({
      status: h.RegistrationStatus as RegistrationStatus,
      changeDate: h.ChangeDate,
    })),
    registrationDate: given(f.RegistrationDate),
    registers: f.ChildServicesRegisterList.ChildServicesRegister.map((x) =>
      withoutUndefined({
        register: x.Register as Register,
        status: x.Status as RegisterStatus,
        startDate: x.StartDate,
        endDate: given(x.EndDate),
      }),
    ),
    certificateConditions: f.RegistrationCertificate?.CertificateConditionList.CertificateCondition.map((c) =>
      withoutUndefined({ condition: c.Condition, register: given(c.Register) as Register | undefined }),
    ),
    childcarePeriods: f.ChildcarePeriodList.ChildcarePeriod as ChildcarePeriod[],
    ageBands: f.ChildcareAgeList.ChildcareAge.map((a) =>
      withoutUndefined({
        ageFrom: Number(a.AgeFrom),
        ageTo: Number(a.AgeTo),
        maximumNumber: Number(a.MaximumNumber),
        register: given(a.Register) as Register | undefined,
      }),
    ),
    inspections: f.InspectionList.Inspection.map((x) => ({
      inspectionType: x.InspectionType,
      inspectionDate: x.InspectionDate,
      overallJudgement: x.InspectionOverallJudgement,
    })),
    notices: f.NoticeHistoryList.NoticeHistory.map((n) =>
      withoutUndefined({
        type: n.Type as NoticeType,
        subType: n.SubType,
        status: n.Status,
        date: given(n.Type === 'NOD' ? n.NODDate : n.NOIDate),
      }),
    ),
    welfareNotices: nonEmpty(
      f.WelfareNoticeHistoryList.WelfareNoticeHistory.map((w) =>
        withoutUndefined({
          category: w.WelfareCategory,
          startDate: w.WelfareStartDate,
          endDate: given(w.WelfareEndDate),
        }),
      ),
    ),
    linkedRegistrations: nonEmpty(
      f.LinkedRegistrationList.LinkedRegistration.map((l) => ({
        referenceNumber: l.ReferenceNumber,
        reason: l.LinkedReason,
      })),
    ),
    lastChangeDate: f.LastChangeDate,
  });
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length === 0 ? undefined : list);

// ---------------------------------------------------------------------------------------------

const FULL: Registration = {
  referenceNumber: 'EY123456',
  rpReferenceNumber: 'RP900001',
  laCode: '825',
  provisionType: 'CMR',
  secondaryProvisionType: 'HCR',
  provider: {
    name: 'Ann "Nan" O\'Hara \\ Sons',
    address: {
      addressLine1: '1 High St',
      addressLine2: 'Flat <2>',
      town: 'Aylesbury',
      county: 'Buckinghamshire',
      postcode: 'HP20 1AA',
      uprn: '766299000123',
    },
    contact: {
      telephoneNumber: '01296 000001',
      mobileNumber: '07700 900001',
      workTelephoneNumber: '01296 000002',
      faxNumber: '01296 000003',
      emailAddress: 'ann@example.org',
    },
    consentWithheld: 'Y',
  },
  setting: {
    name: 'Little Stars — Tiny Tots ✨',
    address: {
      addressLine1: 'The Hall',
      addressLine2: 'Church Lane',
      town: 'Wendover',
      county: 'Bucks',
      postcode: 'HP22 6AA',
    },
    contact: {
      telephoneNumber: '01296 000004',
      mobileNumber: '07700 900004',
      workTelephoneNumber: '01296 000006',
      faxNumber: '01296 000005',
      emailAddress: 'stars@example.org',
    },
  },
  specialConsiderations: 'WREF',
  status: 'ACTV',
  statusHistory: [
    { status: 'PROP', changeDate: '2019-01-02' },
    { status: 'ACTV', changeDate: '2019-03-04' },
  ],
  registrationDate: '2019-03-04',
  registers: [
    { register: 'EYR', status: 'REGD', startDate: '2019-03-04' },
    { register: 'CCR', status: 'REGD', startDate: '2019-03-04', endDate: '2023-08-31' },
  ],
  certificateConditions: [
    { condition: 'No more than 3 children under 1 at any one time', register: 'EYR' },
    { condition: 'Care only at the registered premises' },
  ],
  childcarePeriods: ['ALYR', '5DWK'],
  ageBands: [
    { ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' },
    { ageFrom: 5, ageTo: 8, maximumNumber: 3, register: 'CCR' },
    { ageFrom: 8, ageTo: 20, maximumNumber: 2 },
  ],
  inspections: [
    {
      inspectionType: 'Inspection (Early Years Register)',
      inspectionDate: '2020-05-06',
      overallJudgement: 'Good',
    },
    {
      inspectionType: 'Inspection (Early Years Register)',
      inspectionDate: '2024-05-06',
      overallJudgement: 'Outstanding',
    },
  ],
  notices: [
    { type: 'NOI', subType: 'Non-payment of fee NOI', status: 'Withdrawn', date: '2021-01-05' },
    { type: 'NOD', subType: 'Cancellation NOD', status: 'Overturned', date: '2021-02-05' },
  ],
  welfareNotices: [
    { category: 'Welfare requirements notice', startDate: '2022-01-10', endDate: '2022-03-10' },
  ],
  linkedRegistrations: [{ referenceNumber: 'EY654321', reason: 'Same registered person' }],
  lastChangeDate: '2024-05-07',
};

/** A registered person: no optional element, every list empty. */
const BARE: Registration = {
  referenceNumber: 'RP900001',
  laCode: '825',
  provisionType: 'RPP',
  provider: {
    name: 'Ann O’Hara',
    address: { addressLine1: '1 High St', town: 'Aylesbury' },
  },
  status: 'PROP',
  statusHistory: [],
  registers: [],
  childcarePeriods: [],
  ageBands: [],
  inspections: [],
  notices: [],
  lastChangeDate: '2024-05-07',
};

test('a registration with every optional field: every value in its place, and valid against the schema', () => {
  const doc = jsonOf(header('825'), [FULL]);
  assert.deepEqual(schemaProblems(fidSchema(), doc, IGNORE), []);
  const [r] = doc.OfstedChildcareRegisterLocalAuthorityExtract.Registration;
  assert.deepEqual(r, {
    ReferenceNumber: 'EY123456',
    RPReferenceNumber: 'RP900001',
    ProvisionType: 'CMR',
    SecondaryProvisionType: 'HCR',
    Provider: {
      ProviderName: 'Ann "Nan" O\'Hara \\ Sons',
      ProviderAddress: {
        AddressLine1: '1 High St',
        AddressLine2: 'Flat <2>',
        Town: 'Aylesbury',
        County: 'Buckinghamshire',
        Postcode: 'HP20 1AA',
        UniquePropertyReferenceNumber: '766299000123',
      },
      ProviderContact: {
        TelephoneNumber: '01296 000001',
        MobileNumber: '07700 900001',
        WorkTelephoneNumber: '01296 000002',
        FaxNumber: '01296 000003',
        EmailAddress: 'ann@example.org',
      },
      ProviderConsentWithheld: 'Y',
    },
    Setting: {
      SettingName: 'Little Stars — Tiny Tots ✨',
      SettingAddress: {
        AddressLine1: 'The Hall',
        AddressLine2: 'Church Lane',
        Town: 'Wendover',
        County: 'Bucks',
        Postcode: 'HP22 6AA',
        UniquePropertyReferenceNumber: '',
      },
      SettingContact: {
        TelephoneNumber: '01296 000004',
        MobileNumber: '07700 900004',
        WorkTelephoneNumber: '01296 000006',
        FaxNumber: '01296 000005',
        EmailAddress: 'stars@example.org',
      },
    },
    SpecialConsiderations: 'WREF',
    RegistrationStatus: 'ACTV',
    RegistrationStatusHistoryList: {
      RegistrationStatusHistory: [
        { RegistrationStatus: 'PROP', ChangeDate: '2019-01-02' },
        { RegistrationStatus: 'ACTV', ChangeDate: '2019-03-04' },
      ],
    },
    RegistrationDate: '2019-03-04',
    ChildServicesRegisterList: {
      ChildServicesRegister: [
        { Register: 'EYR', Status: 'REGD', StartDate: '2019-03-04', EndDate: '' },
        { Register: 'CCR', Status: 'REGD', StartDate: '2019-03-04', EndDate: '2023-08-31' },
      ],
    },
    RegistrationCertificate: {
      CertificateConditionList: {
        CertificateCondition: [
          { Condition: 'No more than 3 children under 1 at any one time', Register: 'EYR' },
          { Condition: 'Care only at the registered premises', Register: '' },
        ],
      },
    },
    ChildcarePeriodList: { ChildcarePeriod: ['ALYR', '5DWK'] },
    ChildcareAgeList: {
      ChildcareAge: [
        { AgeFrom: '0', AgeTo: '5', MaximumNumber: '6', Register: 'EYR' },
        { AgeFrom: '5', AgeTo: '8', MaximumNumber: '3', Register: 'CCR' },
        { AgeFrom: '8', AgeTo: '20', MaximumNumber: '2', Register: '' },
      ],
    },
    InspectionList: {
      Inspection: [
        {
          InspectionType: 'Inspection (Early Years Register)',
          InspectionDate: '2020-05-06',
          InspectionOverallJudgement: 'Good',
        },
        {
          InspectionType: 'Inspection (Early Years Register)',
          InspectionDate: '2024-05-06',
          InspectionOverallJudgement: 'Outstanding',
        },
      ],
    },
    NoticeHistoryList: {
      NoticeHistory: [
        {
          Type: 'NOI',
          SubType: 'Non-payment of fee NOI',
          Status: 'Withdrawn',
          NOIDate: '2021-01-05',
          NODDate: '',
        },
        {
          Type: 'NOD',
          SubType: 'Cancellation NOD',
          Status: 'Overturned',
          NOIDate: '',
          NODDate: '2021-02-05',
        },
      ],
    },
    WelfareNoticeHistoryList: {
      WelfareNoticeHistory: [
        {
          WelfareCategory: 'Welfare requirements notice',
          WelfareStartDate: '2022-01-10',
          WelfareEndDate: '2022-03-10',
        },
      ],
    },
    LinkedRegistrationList: {
      LinkedRegistration: [{ ReferenceNumber: 'EY654321', LinkedReason: 'Same registered person' }],
    },
    LastChangeDate: '2024-05-07',
  });
  // Property order follows the XML element order.
  assert.deepEqual(Object.keys(r!), [
    'ReferenceNumber',
    'RPReferenceNumber',
    'ProvisionType',
    'SecondaryProvisionType',
    'Provider',
    'Setting',
    'SpecialConsiderations',
    'RegistrationStatus',
    'RegistrationStatusHistoryList',
    'RegistrationDate',
    'ChildServicesRegisterList',
    'RegistrationCertificate',
    'ChildcarePeriodList',
    'ChildcareAgeList',
    'InspectionList',
    'NoticeHistoryList',
    'WelfareNoticeHistoryList',
    'LinkedRegistrationList',
    'LastChangeDate',
  ]);
  assert.deepEqual(registrationFromFid(r!, '825'), FULL);
});

test('a registration with no optional field: every required property still there, empty', () => {
  const doc = jsonOf(header('825'), [BARE]);
  assert.deepEqual(schemaProblems(fidSchema(), doc, IGNORE), []);
  const [r] = doc.OfstedChildcareRegisterLocalAuthorityExtract.Registration;
  const emptyAddress = {
    AddressLine1: '',
    AddressLine2: '',
    Town: '',
    County: '',
    Postcode: '',
    UniquePropertyReferenceNumber: '',
  };
  assert.equal(r!.RPReferenceNumber, '');
  assert.equal(r!.SecondaryProvisionType, '');
  assert.equal(r!.SpecialConsiderations, '');
  assert.equal(r!.RegistrationDate, '');
  assert.deepEqual(r!.Provider.ProviderAddress, {
    ...emptyAddress,
    AddressLine1: '1 High St',
    Town: 'Aylesbury',
  });
  assert.deepEqual(r!.Provider.ProviderContact, {
    TelephoneNumber: '',
    MobileNumber: '',
    WorkTelephoneNumber: '',
    FaxNumber: '',
    EmailAddress: '',
  });
  assert.equal(r!.Provider.ProviderConsentWithheld, '');
  assert.deepEqual(r!.WelfareNoticeHistoryList, { WelfareNoticeHistory: [] });
  assert.deepEqual(r!.LinkedRegistrationList, { LinkedRegistration: [] });
  assert.deepEqual(r!.Setting, {
    SettingName: '',
    SettingAddress: emptyAddress,
    SettingContact: {
      TelephoneNumber: '',
      MobileNumber: '',
      WorkTelephoneNumber: '',
      FaxNumber: '',
      EmailAddress: '',
    },
  });
  assert.deepEqual(r!.RegistrationStatusHistoryList, { RegistrationStatusHistory: [] });
  assert.deepEqual(r!.ChildServicesRegisterList, { ChildServicesRegister: [] });
  assert.equal(r!.RegistrationCertificate, null);
  assert.deepEqual(r!.ChildcarePeriodList, { ChildcarePeriod: [] });
  assert.deepEqual(r!.ChildcareAgeList, { ChildcareAge: [] });
  assert.deepEqual(r!.InspectionList, { Inspection: [] });
  assert.deepEqual(r!.NoticeHistoryList, { NoticeHistory: [] });
  assert.deepEqual(registrationFromFid(r!, '825'), BARE);
});

test('empty optional values are absent, as in the XML; spaces are sent exactly', () => {
  const blank: Registration = {
    ...BARE,
    rpReferenceNumber: '  ',
    provider: {
      ...BARE.provider,
      address: { ...BARE.provider.address, county: ' ' },
      contact: { faxNumber: '' },
    },
  };
  const [r] = jsonOf(header('825'), [blank]).OfstedChildcareRegisterLocalAuthorityExtract.Registration;
  assert.equal(r!.RPReferenceNumber, '  ');
  assert.equal(r!.Provider.ProviderAddress.County, ' ');
  assert.equal(r!.Provider.ProviderContact.FaxNumber, '');
});

test('the demo register of several LAs: valid, and the JSON registrations are the XML’s, one for one', async () => {
  const today = '2026-11-01';
  const laCodes = ['825', '330', '850', '201'];
  const all = [...generateRegister({ scale: 'demo', seed: 3, today, laCodes })];
  const seen = { rp: 0, secondary: 0, special: 0, noSetting: 0, endDate: 0, nod: 0, noi: 0, noContact: 0 };
  for (const laCode of laCodes) {
    const own = all.filter((r) => r.laCode === laCode);
    // Through the stored form, as the route does: written as XML, read back.
    const xml = [...extractChunks(header(laCode, `LA ${laCode}`), own)].join('');
    const extract = await readExtract(xml, `${laCode}.xml`);
    const chunks = [...fidJsonChunks(extract.header, extract.registrations)];
    assert.equal(chunks.length, extract.registrations.length + 2, 'one chunk per registration');
    extract.registrations.forEach((r, i) =>
      assert.equal(chunks[i + 1]?.replace(/^,?\n/, ''), JSON.stringify(fidRegistration(r))),
    );
    const doc = JSON.parse(chunks.join('')) as FidDocument;
    assert.deepEqual(schemaProblems(fidSchema(), doc, IGNORE), [], `LA ${laCode}`);
    const root = doc.OfstedChildcareRegisterLocalAuthorityExtract;
    assert.deepEqual(root.Extract, {
      ExtractDateTime: '2026-11-01T05:30:12',
      LocalAuthority: { LocalAuthorityCode: laCode, LocalAuthorityName: `LA ${laCode}` },
    });
    assert.equal(root.Registration.length, extract.registrations.length);
    assert.deepEqual(
      root.Registration.map((r) => registrationFromFid(r, laCode)),
      extract.registrations,
    );
    for (const r of extract.registrations) {
      if (r.rpReferenceNumber) seen.rp++;
      if (r.secondaryProvisionType) seen.secondary++;
      if (r.specialConsiderations) seen.special++;
      if (!r.setting) seen.noSetting++;
      if (!r.provider.contact) seen.noContact++;
      if (r.registers.some((x) => x.endDate)) seen.endDate++;
      if (r.notices.some((n) => n.type === 'NOD')) seen.nod++;
      if (r.notices.some((n) => n.type === 'NOI')) seen.noi++;
    }
  }
  // The demo data exercises the optional parts (otherwise the round trip above proves less).
  for (const [what, count] of Object.entries(seen)) assert.ok(count > 0, `no registration with ${what}`);
});

test('an LA with no registrations: an empty list, which only the schema’s minItems objects to', () => {
  const doc = jsonOf(header('420'), []);
  assert.deepEqual(doc.OfstedChildcareRegisterLocalAuthorityExtract.Registration, []);
  assert.deepEqual(schemaProblems(fidSchema(), doc, IGNORE), [
    '$.OfstedChildcareRegisterLocalAuthorityExtract.Registration: fewer than 1 items',
  ]);
});

test('the checker finds what is wrong; the literal schema cannot accept any notice or a second history entry', () => {
  const good = jsonOf(header('825'), [FULL]);
  const broken = structuredClone(good);
  const [r] = broken.OfstedChildcareRegisterLocalAuthorityExtract.Registration;
  (r as unknown as Record<string, unknown>).Extra = 'x';
  delete (r!.Provider.ProviderAddress as Partial<FidAddress>).County;
  (r!.ChildcareAgeList.ChildcareAge[0] as unknown as Record<string, unknown>).AgeFrom = 0;
  (r as unknown as Record<string, unknown>).RegistrationCertificate = '';
  const at = '$.OfstedChildcareRegisterLocalAuthorityExtract.Registration[0]';
  assert.deepEqual(schemaProblems(fidSchema(), broken, IGNORE).sort(), [
    `${at}.ChildcareAgeList.ChildcareAge[0].AgeFrom: expected string, got number`,
    `${at}.Provider.ProviderAddress: missing required property County`,
    `${at}.RegistrationCertificate: expected null or object, got string`,
    `${at}: property Extra is not allowed`,
  ]);
  // Why fidSchema() corrects three list types: as published, they must be single objects; and it
  // never saw the elements of Ofsted's v1.1–v1.3 (UPRN, consent, a setting's mobile and work
  // telephone, conditions, welfare notices, links).
  const literal = schemaProblems(literalFidSchema(), good, IGNORE);
  assert.deepEqual(literal, [
    `${at}.Provider.ProviderAddress: property UniquePropertyReferenceNumber is not allowed`,
    `${at}.Provider: property ProviderConsentWithheld is not allowed`,
    `${at}.Setting.SettingAddress: property UniquePropertyReferenceNumber is not allowed`,
    `${at}.Setting.SettingContact: property MobileNumber is not allowed`,
    `${at}.Setting.SettingContact: property WorkTelephoneNumber is not allowed`,
    `${at}.RegistrationStatusHistoryList.RegistrationStatusHistory: expected object, got array`,
    `${at}.RegistrationCertificate: expected null, got object`,
    `${at}.InspectionList.Inspection: expected object, got array`,
    `${at}.NoticeHistoryList.NoticeHistory: expected object, got array`,
    `${at}: property WelfareNoticeHistoryList is not allowed`,
    `${at}: property LinkedRegistrationList is not allowed`,
  ]);
  // …and even one notice as an object fails it: NODDate is required there but not allowed.
  const single = { Type: 'NOI', SubType: 'x', Status: 'Open', NOIDate: '2021-01-05', NODDate: '' };
  const noticeSchema =
    literalFidSchema().properties?.OfstedChildcareRegisterLocalAuthorityExtract?.properties?.Registration
      ?.items?.properties?.NoticeHistoryList?.properties?.NoticeHistory;
  assert.ok(noticeSchema);
  assert.deepEqual(schemaProblems(noticeSchema, single), ['$: property NODDate is not allowed']);
  const { NODDate: _dropped, ...withoutNod } = single;
  assert.deepEqual(schemaProblems(noticeSchema, withoutNod), ['$: missing required property NODDate']);
});
