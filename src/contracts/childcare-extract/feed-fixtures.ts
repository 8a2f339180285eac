/**
 * For tests, and the extract writer's probe (writer-probe.ts): registrations that use every element of Ofsted's schema v1.3, with text that is
 * hostile but valid (spaces at either end and inside, markup characters, CR, CRLF, tab,
 * non-Latin scripts, emoji, values at the schema's length limits). Synthetic data only.
 */
import type { Registration } from './registration.ts';

/** Exactly `length` characters (code points), starting with `start`. */
const atLength = (start: string, length: number): string => {
  const chars = [...start];
  while (chars.length < length) chars.push(chars.length % 10 === 9 ? ' ' : 'x');
  return chars.slice(0, length).join('');
};

export function everyElementRegistration(referenceNumber = 'EY100001', laCode = '825'): Registration {
  return {
    referenceNumber,
    rpReferenceNumber: 'RP100001',
    laCode,
    provisionType: 'CMR',
    secondaryProvisionType: 'HCR',
    provider: {
      name: `  Ann & "Nan" <O'Hara>  ]]> \u{1F31F}  `,
      address: {
        addressLine1: ' 1\tHigh  Street ',
        addressLine2: 'Flat 2\r\nRear door\rSide\ngate',
        town: atLength('Aylesbury \u00e9', 50),
        county: 'Bucks\u00a0',
        postcode: ' HP20 1AA',
        uprn: '100023336956',
      },
      contact: {
        telephoneNumber: ' 01296 000001 ',
        mobileNumber: '07700 900001',
        workTelephoneNumber: '01296 000002',
        faxNumber: '01296 000003',
        emailAddress: atLength('ann.o.hara', 38) + '@example.org',
      },
      consentWithheld: 'Y',
    },
    setting: {
      name: atLength(
        'Little Stars \u2728 \u2014 \u00dcn\u00efc\u00f6d\u00e9 \u0928\u092e\u0938\u094d\u0924\u0947 \u05e9\u05dc\u05d5\u05dd ',
        150,
      ),
      address: {
        addressLine1: atLength('The Hall & Annexe ', 100),
        addressLine2: '\tChurch Lane',
        town: 'Wendover',
        county: ' Buckinghamshire  ',
        postcode: 'HP22 6AA',
        uprn: '1',
      },
      contact: {
        telephoneNumber: '01296 000004',
        mobileNumber: ' 07700 900002 ',
        workTelephoneNumber: atLength('01296 000006 ext ', 30),
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
      { register: 'VCR', status: 'EXEM', startDate: '2019-03-04', endDate: '2023-08-31' },
    ],
    certificateConditions: [
      {
        condition: atLength('No more than 3 children under 1 at any one time <incl. own> & ', 400),
        register: 'EYR',
      },
      { condition: ' Care only at the registered premises\r\n(and garden) ' },
    ],
    childcarePeriods: ['ALYR', 'WEND'],
    ageBands: [
      { ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' },
      { ageFrom: 5, ageTo: 8, maximumNumber: 3, register: 'CCR' },
      // Ofsted's schema allows ages to 20 and a band without a register.
      { ageFrom: 8, ageTo: 20, maximumNumber: 2 },
    ],
    inspections: [
      {
        inspectionType: ' Inspection (Early Years Register) ',
        inspectionDate: '2020-05-06',
        overallJudgement: 'Good',
      },
    ],
    notices: [
      { type: 'NOI', subType: 'Non-payment of fee NOI', status: 'Withdrawn', date: '2021-01-05' },
      { type: 'NOD', subType: 'Cancellation NOD', status: 'Overturned', date: '2021-02-05' },
    ],
    welfareNotices: [
      {
        category: 'Welfare requirements notice: safeguarding ',
        startDate: '2022-01-10',
        endDate: '2022-03-10',
      },
      { category: atLength('Welfare & <premises> ', 80), startDate: '2024-02-01' },
    ],
    linkedRegistrations: [{ referenceNumber: 'EY100002', reason: ' Same registered person ' }],
    lastChangeDate: '2024-05-07',
  };
}

/** A childminder agency found exempt: v1.3's CA and EXEM, no registration date. */
export function exemptAgency(referenceNumber = 'EY100003', laCode = '825'): Registration {
  return {
    referenceNumber,
    laCode,
    provisionType: 'CA',
    provider: {
      name: 'Agency\u00a0Ltd',
      // No postcode: optional in Ofsted's schema (an overseas or unmatched address).
      address: { addressLine1: 'Unit 4', town: 'Aylesbury', uprn: '200003' },
      consentWithheld: 'N',
    },
    status: 'EXEM',
    statusHistory: [
      { status: 'PROP', changeDate: '2024-01-02' },
      { status: 'EXEM', changeDate: '2024-02-03' },
    ],
    registers: [],
    childcarePeriods: [],
    ageBands: [],
    inspections: [],
    notices: [],
    lastChangeDate: '2024-02-03',
  };
}
