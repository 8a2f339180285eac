import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRegistration } from './registration-rules.ts';
import type { Registration } from './registration.ts';

// Synthetic data only.
function childminder(): Registration {
  return {
    referenceNumber: 'EY123456',
    laCode: '825',
    provisionType: 'CMR',
    provider: {
      name: 'Test Provider One',
      address: { addressLine1: '1 Example Street', town: 'Testtown', postcode: 'ZZ1 1ZZ' },
      contact: { telephoneNumber: '01632 960000', emailAddress: 'provider@example.org' },
    },
    setting: {
      name: 'Test Setting One',
      address: {
        addressLine1: '1 Example Street',
        town: 'Testtown',
        county: 'Testshire',
        postcode: 'ZZ1 1ZZ',
      },
    },
    status: 'ACTV',
    statusHistory: [
      { status: 'PROP', changeDate: '2012-01-10' },
      { status: 'ACTV', changeDate: '2012-03-16' },
    ],
    registrationDate: '2012-03-16',
    registers: [
      { register: 'EYR', status: 'REGD', startDate: '2012-03-16' },
      { register: 'VCR', status: 'REGD', startDate: '2012-03-16', endDate: '2019-01-01' },
    ],
    childcarePeriods: ['ALYR', '4HPD'],
    ageBands: [{ ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' }],
    inspections: [
      {
        inspectionType: 'Inspection (Early Years Register)',
        inspectionDate: '2017-02-02',
        overallJudgement: 'Good',
      },
    ],
    notices: [{ type: 'NOI', subType: 'Non-payment of fee NOI', status: 'Open', date: '2023-05-01' }],
    lastChangeDate: '2022-06-17',
  };
}

function registeredPerson(): Registration {
  return {
    referenceNumber: 'RP123456',
    laCode: '825',
    provisionType: 'RPP',
    provider: {
      name: 'Test Company Ltd',
      address: { addressLine1: '2 Example Road', town: 'Testtown', postcode: 'ZZ1 2ZZ' },
    },
    status: 'ACTV',
    statusHistory: [],
    registers: [],
    childcarePeriods: [],
    ageBands: [],
    inspections: [],
    notices: [],
    lastChangeDate: '2022-06-17',
  };
}

/** Builds a registration from untrusted-looking values, as a reader would (casts included). */
function withChange(change: (r: Registration) => void, base: () => Registration = childminder): Registration {
  const r = base();
  change(r);
  return r;
}

const fields = (r: Registration): string[] => validateRegistration(r).map((p) => p.field);

test('a complete, valid registration has no problems', () => {
  assert.deepEqual(validateRegistration(childminder()), []);
});

test('a registered person with no setting, history or lists is valid', () => {
  assert.deepEqual(validateRegistration(registeredPerson()), []);
});

test('reference numbers: EY, legacy, RP and VC forms pass; others fail', () => {
  for (const ok of ['EY123456', 'EY12345', '123456', '1234567', 'RP123456', 'VC123456']) {
    assert.deepEqual(fields(withChange((r) => (r.referenceNumber = ok))), [], ok);
  }
  for (const bad of ['XY123456', 'EY12', 'EY 123456', '12345']) {
    const problems = validateRegistration(withChange((r) => (r.referenceNumber = bad)));
    assert.equal(problems.length, 1, bad);
    assert.equal(problems[0]?.field, 'referenceNumber');
    assert.match(problems[0]?.message ?? '', new RegExp(`invalid reference number '${bad}'`));
  }
  assert.deepEqual(validateRegistration(withChange((r) => (r.referenceNumber = ''))), [
    { field: 'referenceNumber', message: 'must not be empty' },
  ]);
  assert.deepEqual(fields(withChange((r) => (r.rpReferenceNumber = 'RP1'))), ['rpReferenceNumber']);
});

test('LA code must be 3 digits', () => {
  assert.deepEqual(validateRegistration(withChange((r) => (r.laCode = '82'))), [
    { field: 'laCode', message: "LA code '82' is not 3 digits" },
  ]);
  assert.deepEqual(fields(withChange((r) => (r.laCode = 'E10000002'))), ['laCode']);
});

test('enumerated values name the bad value and the allowed ones', () => {
  const cases: [(r: Registration) => void, string, string][] = [
    [
      (r) => (r.provisionType = 'XYZ' as Registration['provisionType']),
      'provisionType',
      "unknown provision type 'XYZ' (expected CMR, CCN, CCD, HCR, RPP, CA)",
    ],
    [
      (r) => (r.secondaryProvisionType = 'CM' as Registration['provisionType']),
      'secondaryProvisionType',
      "unknown provision type 'CM' (expected CMR, CCN, CCD, HCR, RPP, CA)",
    ],
    [
      (r) => (r.status = 'ACTIVE' as Registration['status']),
      'status',
      "unknown registration status 'ACTIVE' (expected PROP, ACTV, SUSP, RESG, CANC, INAC, REFU, EXEM)",
    ],
    [
      (r) => (r.specialConsiderations = 'SECRET' as Registration['specialConsiderations']),
      'specialConsiderations',
      "unknown special consideration 'SECRET' (expected WREF, MOD, ANON)",
    ],
    [
      (r) => (r.statusHistory[1] = { status: 'XXXX' as Registration['status'], changeDate: '2012-03-16' }),
      'statusHistory[1].status',
      "unknown registration status 'XXXX' (expected PROP, ACTV, SUSP, RESG, CANC, INAC, REFU, EXEM)",
    ],
    [
      (r) => (r.registers[0] = { register: 'ABC' as 'EYR', status: 'REGD', startDate: '2012-03-16' }),
      'registers[0].register',
      "unknown register 'ABC' (expected EYR, CCR, VCR)",
    ],
    [
      (r) => (r.registers[0] = { register: 'EYR', status: 'DREG' as 'REGD', startDate: '2012-03-16' }),
      'registers[0].status',
      "unknown register status 'DREG' (expected REGD, EXEM)",
    ],
    [
      (r) => (r.childcarePeriods = ['ALYR', 'ALLYEAR' as 'ALYR']),
      'childcarePeriods[1]',
      "unknown childcare period 'ALLYEAR' (expected 2HPD, 3HPD, 4HPD, 5DWK, 45WY, ALYR, OVNT, SCHO, SCTO, WDAL, WDAM, WDAS, WDBS, WDPM, WEND)",
    ],
    [
      (r) => (r.ageBands[0] = { ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'XYZ' as 'EYR' }),
      'ageBands[0].register',
      "unknown register for an age band 'XYZ' (expected EYR, CCR)",
    ],
    [
      (r) => (r.notices[0] = { type: 'NOX' as 'NOI', subType: '', status: '' }),
      'notices[0].type',
      "unknown notice type 'NOX' (expected NOI, NOD)",
    ],
    [
      (r) => (r.provisionType = '' as Registration['provisionType']),
      'provisionType',
      'missing provision type (expected CMR, CCN, CCD, HCR, RPP, CA)',
    ],
  ];
  for (const [change, field, message] of cases) {
    assert.deepEqual(validateRegistration(withChange(change)), [{ field, message }]);
  }
});

test('dates must be real calendar dates in YYYY-MM-DD', () => {
  assert.deepEqual(validateRegistration(withChange((r) => (r.lastChangeDate = '2023-02-29'))), [
    { field: 'lastChangeDate', message: "invalid date '2023-02-29' (expected YYYY-MM-DD)" },
  ]);
  assert.deepEqual(fields(withChange((r) => (r.lastChangeDate = '2024-02-29'))), []);
  assert.deepEqual(fields(withChange((r) => (r.registrationDate = '16/03/2012'))), ['registrationDate']);
  assert.deepEqual(fields(withChange((r) => (r.lastChangeDate = ''))), ['lastChangeDate']);
  assert.deepEqual(
    fields(
      withChange((r) => {
        r.statusHistory[0] = { status: 'PROP', changeDate: '2012-13-01' };
        r.inspections[0] = {
          inspectionType: 'Inspection',
          inspectionDate: '2017-02-30',
          overallJudgement: '',
        };
        r.notices[0] = { type: 'NOD', subType: '', status: '', date: 'soon' };
        r.registers[0] = { register: 'EYR', status: 'REGD', startDate: '2012-03-16T00:00:00' };
      }),
    ),
    [
      'statusHistory[0].changeDate',
      'registers[0].startDate',
      'inspections[0].inspectionDate',
      'notices[0].date',
    ],
  );
});

test('a register cannot end before it starts', () => {
  assert.deepEqual(
    validateRegistration(
      withChange(
        (r) =>
          (r.registers[1] = {
            register: 'VCR',
            status: 'REGD',
            startDate: '2012-03-16',
            endDate: '2011-01-01',
          }),
      ),
    ),
    [{ field: 'registers[1].endDate', message: 'end date 2011-01-01 is before start date 2012-03-16' }],
  );
  // Same-day end is a registration that never ran, but it is not contradictory.
  assert.deepEqual(
    fields(
      withChange(
        (r) =>
          (r.registers[1] = {
            register: 'VCR',
            status: 'REGD',
            startDate: '2012-03-16',
            endDate: '2012-03-16',
          }),
      ),
    ),
    [],
  );
});

test("age bands: whole numbers 0–20 (Ofsted's ChildcareAgeType), from below to, maximum not negative, register optional", () => {
  const band = (ageFrom: number, ageTo: number, maximumNumber = 6) =>
    validateRegistration(
      withChange((r) => (r.ageBands = [{ ageFrom, ageTo, maximumNumber, register: 'EYR' }])),
    );
  assert.deepEqual(band(0, 18), []);
  assert.deepEqual(band(19, 20), []);
  assert.deepEqual(
    validateRegistration(withChange((r) => (r.ageBands = [{ ageFrom: 0, ageTo: 20, maximumNumber: 6 }]))),
    [],
  );
  assert.deepEqual(band(5, 5), [
    { field: 'ageBands[0].ageTo', message: 'age to (5) must be greater than age from (5)' },
  ]);
  assert.deepEqual(band(8, 5), [
    { field: 'ageBands[0].ageTo', message: 'age to (5) must be greater than age from (8)' },
  ]);
  assert.deepEqual(band(0, 21), [{ field: 'ageBands[0].ageTo', message: 'must be 0–20, got 21' }]);
  assert.deepEqual(band(-1, 5), [{ field: 'ageBands[0].ageFrom', message: 'must be 0–20, got -1' }]);
  assert.deepEqual(band(0.5, 5), [{ field: 'ageBands[0].ageFrom', message: "'0.5' is not a whole number" }]);
  assert.deepEqual(band(0, 5, -2), [
    { field: 'ageBands[0].maximumNumber', message: 'must be 0 or more, got -2' },
  ]);
  assert.deepEqual(band(0, 5, 0), []);
  // Ofsted's ChildServicesRegisterAgeRangeType: numbers by age are published for EYR and CCR only.
  assert.deepEqual(
    validateRegistration(
      withChange((r) => (r.ageBands = [{ ageFrom: 5, ageTo: 8, maximumNumber: 6, register: 'VCR' }])),
    ),
    [
      {
        field: 'ageBands[0].register',
        message: "unknown register for an age band 'VCR' (expected EYR, CCR)",
      },
    ],
  );
  assert.deepEqual(
    band(NaN, 5).map((p) => p.field),
    ['ageBands[0].ageFrom'],
  );
});

test('a registered person (RPP) must not have a setting', () => {
  const r = withChange((rp) => {
    rp.setting = {
      name: 'Somewhere',
      address: { addressLine1: '3 Example Lane', town: 'Testtown', postcode: 'ZZ1 3ZZ' },
    };
  }, registeredPerson);
  assert.deepEqual(validateRegistration(r), [
    { field: 'setting', message: 'a registered person (RPP) record must not have a setting' },
  ]);
});

test("required text must not be blank; a postcode may be left out, as Ofsted's schema allows", () => {
  const r = withChange((x) => {
    x.provider.name = '  ';
    delete x.provider.address.postcode;
    if (x.setting) x.setting.address.town = '';
  });
  assert.deepEqual(validateRegistration(r), [
    { field: 'provider.name', message: 'must not be empty' },
    { field: 'setting.address.town', message: 'must not be empty' },
  ]);
});

test('free text is not constrained: judgements, notice sub-types and statuses, emails', () => {
  const r = withChange((x) => {
    x.inspections[0] = {
      inspectionType: 'Inspection',
      inspectionDate: '2017-02-02',
      overallJudgement: 'Not Met (with actions)',
    };
    x.inspections.push({
      inspectionType: 'Regulatory visit',
      inspectionDate: '2018-02-02',
      overallJudgement: '',
    });
    x.notices[0] = { type: 'NOD', subType: 'Something new', status: 'Whatever the feed says' };
    x.provider.contact = { emailAddress: 'not an email' };
  });
  assert.deepEqual(validateRegistration(r), []);
});

test('every problem is reported, not just the first', () => {
  const r = withChange((x) => {
    x.referenceNumber = 'bad';
    x.provisionType = 'XYZ' as Registration['provisionType'];
    x.lastChangeDate = 'yesterday';
    x.ageBands = [{ ageFrom: 9, ageTo: 3, maximumNumber: -1, register: 'EYR' }];
  });
  assert.deepEqual(fields(r), [
    'referenceNumber',
    'provisionType',
    'ageBands[0].ageTo',
    'ageBands[0].maximumNumber',
    'lastChangeDate',
  ]);
});
