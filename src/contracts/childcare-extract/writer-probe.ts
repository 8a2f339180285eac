/**
 * The extract writer's probe: a fixed, hand-written set of registrations whose written form
 * fingerprints the writer (`writerIdentity` in extract/extract-fragments.ts). Together they use
 * every element of Ofsted's schema v1.3, leave out every optional element and container, write
 * every list both empty and with items, every code of every code list, and every escaping rule
 * (markup characters, `]]>`, CR, characters XML 1.0 forbids, unpaired and paired surrogates).
 * So a release that changes the document's form in any of these changes the fingerprint, and
 * elements stored by the previous release stop counting.
 *
 * Production code: built from the code lists and feed-fixtures.ts, never from the synthetic
 * register generator, so what the writer's identity means does not move with demo data.
 */
import {
  CHILDCARE_PERIODS,
  PROVISION_TYPES,
  REGISTERS,
  REGISTER_STATUSES,
  REGISTRATION_STATUSES,
  SPECIAL_CONSIDERATIONS,
  type Registration,
} from './registration.ts';
import { everyElementRegistration, exemptAgency } from './feed-fixtures.ts';

/** Hostile text in every field: markup, `]]>`, CR, forbidden characters, surrogates; a county of only a forbidden character. */
function awkward(): Registration {
  return {
    referenceNumber: 'EY000000',
    laCode: '825',
    provisionType: 'CCN',
    secondaryProvisionType: 'HCR',
    rpReferenceNumber: 'RP000000',
    specialConsiderations: 'WREF',
    provider: {
      name: 'A & B <Nursery> "q" \\ \u0001 \r\n \uD800 😀 \uFFFF ]]>',
      address: { addressLine1: 'x', addressLine2: '   ', town: '\t', county: '\u0002', postcode: 'HP1 1AA' },
      contact: {
        telephoneNumber: '0',
        mobileNumber: '1',
        workTelephoneNumber: '2',
        faxNumber: '3',
        emailAddress: 'e',
      },
    },
    setting: {
      name: 's',
      address: { addressLine1: 'a', addressLine2: 'b', town: 'c', county: 'd', postcode: 'e' },
      contact: { telephoneNumber: '4', faxNumber: '5', emailAddress: 'f' },
    },
    status: 'ACTV',
    statusHistory: [{ status: 'ACTV', changeDate: '2026-01-01' }],
    registrationDate: '2026-01-01',
    registers: [{ register: 'EYR', status: 'REGD', startDate: '2026-01-01', endDate: '2026-02-01' }],
    childcarePeriods: ['2HPD'],
    ageBands: [{ ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' }],
    inspections: [{ inspectionType: 'i', inspectionDate: '2026-01-02', overallJudgement: 'Good' }],
    notices: [
      { type: 'NOI', subType: 'x', status: 'Open', date: '2026-01-03' },
      { type: 'NOD', subType: 'y', status: 'Closed', date: '2026-01-04' },
    ],
    lastChangeDate: '2026-01-05',
  };
}

/**
 * Optional parts present but with nothing to write: contacts of empty values (containers left
 * out), empty optional lists given as `[]`, a notice of each type without a date, a certificate
 * condition without a register, a welfare notice without an end date, no setting.
 */
function emptyOptionals(): Registration {
  return {
    referenceNumber: 'EY000004',
    rpReferenceNumber: '',
    laCode: '825',
    provisionType: 'CMR',
    secondaryProvisionType: undefined,
    provider: {
      name: 'Plain Provider',
      address: {
        addressLine1: '1 Road',
        addressLine2: '',
        town: 'Town',
        county: '',
        postcode: 'HP1 1AB',
        uprn: '',
      },
      contact: {
        telephoneNumber: '',
        mobileNumber: '',
        workTelephoneNumber: '',
        faxNumber: '',
        emailAddress: '',
      },
    },
    status: 'SUSP',
    statusHistory: [],
    registrationDate: '',
    registers: [{ register: 'CCR', status: 'REGD', startDate: '2025-09-01' }],
    certificateConditions: [{ condition: 'Only at the registered premises' }],
    childcarePeriods: [],
    ageBands: [],
    inspections: [],
    notices: [
      { type: 'NOI', subType: 'Suspension NOI', status: 'Open' },
      { type: 'NOD', subType: 'Cancellation NOD', status: 'Open' },
    ],
    welfareNotices: [{ category: 'Welfare requirements notice', startDate: '2025-10-01' }],
    linkedRegistrations: [],
    lastChangeDate: '2025-10-02',
  };
}

/** Typical registrations that between them write every code of every code list. */
function everyCode(): Registration[] {
  const lists = [
    PROVISION_TYPES,
    REGISTRATION_STATUSES,
    REGISTERS,
    REGISTER_STATUSES,
    CHILDCARE_PERIODS,
    SPECIAL_CONSIDERATIONS,
  ];
  const count = Math.max(...lists.map((list) => list.length));
  const at = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
  const registrations: Registration[] = [];
  for (let i = 0; i < count; i++) {
    const register = at(REGISTERS, i);
    registrations.push({
      referenceNumber: `EY0001${String(i).padStart(2, '0')}`,
      laCode: '825',
      provisionType: at(PROVISION_TYPES, i),
      provider: {
        name: `Provider ${i}`,
        address: {
          addressLine1: `${i} High Street`,
          town: 'Aylesbury',
          postcode: 'HP20 1AA',
          uprn: `${1000 + i}`,
        },
        contact: { telephoneNumber: `01296 0000${String(i).padStart(2, '0')}` },
        consentWithheld: i % 2 === 0 ? 'N' : 'Y',
      },
      setting: {
        name: `Setting ${i}`,
        address: { addressLine1: `${i} Church Lane`, town: 'Wendover', postcode: 'HP22 6AA' },
        contact: { emailAddress: `setting${i}@example.org` },
      },
      specialConsiderations: i % 2 === 0 ? at(SPECIAL_CONSIDERATIONS, i) : undefined,
      status: at(REGISTRATION_STATUSES, i),
      statusHistory: [
        { status: 'PROP', changeDate: '2020-01-02' },
        { status: at(REGISTRATION_STATUSES, i), changeDate: '2021-02-03' },
      ],
      registrationDate: '2020-02-01',
      registers: [{ register, status: at(REGISTER_STATUSES, i), startDate: '2020-02-01' }],
      childcarePeriods: [at(CHILDCARE_PERIODS, i)],
      ageBands: [{ ageFrom: i % 8, ageTo: 8 + i, maximumNumber: 10 * i + 1, register }],
      inspections: [
        { inspectionType: 'Inspection', inspectionDate: '2022-03-04', overallJudgement: 'Outstanding' },
      ],
      notices: [],
      lastChangeDate: '2022-03-04',
    });
  }
  return registrations;
}

/** The probe, in a fixed order: every call gives equal registrations. */
export function writerProbeRegistrations(): Registration[] {
  const withoutSetting: Registration = { ...awkward(), referenceNumber: 'EY000001', notices: [] };
  delete withoutSetting.setting;
  return [
    awkward(),
    withoutSetting,
    everyElementRegistration('EY000002'),
    exemptAgency('EY000003'),
    emptyOptionals(),
    ...everyCode(),
  ];
}
