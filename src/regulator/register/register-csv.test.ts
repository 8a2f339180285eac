import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImportError } from '../../platform/files/import-problem.ts';
import type { ImportProblem } from '../../platform/files/import-problem.ts';
import { readRegisterCsv, REGISTER_CSV_COLUMNS, splitListCell, writeRegisterCsv } from './register-csv.ts';
import type { RegisterCsvColumn } from './register-csv.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';

// Synthetic data only.
const childminder: Registration = {
  referenceNumber: 'EY123456',
  rpReferenceNumber: 'RP654321',
  laCode: '825',
  provisionType: 'CMR',
  secondaryProvisionType: 'HCR',
  provider: {
    name: 'Test Provider One',
    address: {
      addressLine1: '1 Example Street',
      addressLine2: 'Flat 2',
      town: 'Testtown',
      county: 'Testshire',
      postcode: 'ZZ1 1ZZ',
    },
    contact: {
      telephoneNumber: '01632 960000',
      mobileNumber: '07700 900000',
      workTelephoneNumber: '01632 960001',
      faxNumber: '01632 960002',
      emailAddress: 'provider.one@example.org',
    },
  },
  setting: {
    name: 'Little Examples',
    address: { addressLine1: '1 Example Street', town: 'Testtown', postcode: 'ZZ1 1ZZ' },
    contact: {
      telephoneNumber: '01632 960003',
      faxNumber: '01632 960004',
      emailAddress: 'setting@example.org',
    },
  },
  specialConsiderations: 'ANON',
  status: 'SUSP',
  statusHistory: [
    { status: 'ACTV', changeDate: '2012-03-16' },
    { status: 'SUSP', changeDate: '2020-01-02' },
  ],
  registrationDate: '2012-03-16',
  registers: [
    { register: 'EYR', status: 'REGD', startDate: '2012-03-16' },
    { register: 'VCR', status: 'REGD', startDate: '2012-03-16', endDate: '2019-01-01' },
  ],
  childcarePeriods: ['ALYR', '4HPD'],
  ageBands: [
    { ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' },
    { ageFrom: 5, ageTo: 8, maximumNumber: 6, register: 'CCR' },
  ],
  inspections: [
    {
      inspectionType: 'Inspection (Early Years Register)',
      inspectionDate: '2012-09-05',
      overallJudgement: 'Good',
    },
    { inspectionType: 'Regulatory visit', inspectionDate: '2019-05-01', overallJudgement: '' },
  ],
  notices: [
    { type: 'NOI', subType: 'Non-payment of fee NOI', status: 'Withdrawn', date: '2019-06-01' },
    { type: 'NOD', subType: 'Cancellation', status: 'Under appeal' },
  ],
  lastChangeDate: '2022-06-17',
};

const registeredPerson: Registration = {
  referenceNumber: 'RP654321',
  laCode: '825',
  provisionType: 'RPP',
  provider: {
    name: 'Example Childcare Ltd',
    address: { addressLine1: '9 Test Road', town: 'Testtown', postcode: 'ZZ9 9ZZ' },
  },
  status: 'ACTV',
  statusHistory: [],
  registers: [],
  childcarePeriods: [],
  ageBands: [],
  inspections: [],
  notices: [],
  lastChangeDate: '2021-01-01',
};

/** Free text with every character the CSV and the list cells have to escape. */
const awkward: Registration = {
  ...registeredPerson,
  referenceNumber: 'EY765432',
  provisionType: 'CCN',
  provider: {
    name: 'Smith, Jones & "Partners" — Crèche ✓',
    address: { addressLine1: 'Unit 4,\nExample Park', town: 'Testtown', postcode: 'ZZ2 2ZZ' },
  },
  setting: {
    name: 'Line one\r\nline two',
    address: { addressLine1: '5 Test Way', addressLine2: ';|\\:', town: 'Testtown', postcode: 'ZZ2 2ZZ' },
  },
  inspections: [
    {
      inspectionType: 'Type; with | odd \\ chars: here',
      inspectionDate: '2018-01-01',
      overallJudgement: 'Not Met (with actions)',
    },
  ],
  notices: [{ type: 'NOI', subType: 'A|B;C\\D', status: 'Open\nstill', date: '2023-05-01' }],
};

async function problemsOf(fn: () => Promise<unknown>): Promise<ImportProblem[]> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ImportError, `expected ImportError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected an ImportError');
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line for a valid CMR row, with some cells changed. */
function row(ref: string, changes: Partial<Record<RegisterCsvColumn, string>> = {}): string {
  const cells: Partial<Record<RegisterCsvColumn, string>> = {
    reference_number: ref,
    la_code: '825',
    provision_type: 'CMR',
    provider_name: 'Test Provider',
    provider_address_line1: '1 Example Street',
    provider_town: 'Testtown',
    provider_postcode: 'ZZ1 1ZZ',
    registration_status: 'ACTV',
    status_history: 'ACTV:2012-03-16',
    registration_date: '2012-03-16',
    registers: 'EYR:REGD:2012-03-16',
    childcare_periods: 'ALYR',
    age_bands: '0-5:6:EYR',
    last_change_date: '2022-06-17',
    ...changes,
  };
  return REGISTER_CSV_COLUMNS.map((c) => csvCell(cells[c] ?? '')).join(',');
}

const HEADER = REGISTER_CSV_COLUMNS.join(',');
const SETTING_ADDRESS = {
  setting_address_line1: '2 Example Street',
  setting_town: 'Testtown',
  setting_postcode: 'ZZ1 2ZZ',
};

test('write then read gives back the same registrations', async () => {
  const registrations = [childminder, registeredPerson, awkward];
  const csv = writeRegisterCsv(registrations);
  assert.ok(csv.startsWith(`\ufeff${HEADER}\r\n`));
  const expected = structuredClone(registrations);
  // A CRLF inside a cell is read back as LF, like every other line break.
  if (expected[2]?.setting) expected[2].setting.name = 'Line one\nline two';
  assert.deepEqual(await readRegisterCsv(csv, 'export.csv'), expected);
  assert.deepEqual(await readRegisterCsv(Buffer.from(csv, 'utf8'), 'export.csv'), expected);
  assert.deepEqual(await readRegisterCsv(csv.replace(/\r\n/g, '\n'), 'export.csv'), expected);
});

test('a header alone is an empty register; blank and all-empty rows are skipped', async () => {
  assert.deepEqual(await readRegisterCsv(`${HEADER}\n`, 'h.csv'), []);
  const empties = REGISTER_CSV_COLUMNS.map(() => '').join(',');
  const rows = await readRegisterCsv(
    [HEADER, '', row('EY100001'), empties, '', row('EY100002'), ''].join('\n'),
    'b.csv',
  );
  assert.deepEqual(
    rows.map((r) => r.referenceNumber),
    ['EY100001', 'EY100002'],
  );
});

test('columns may come in any order and header case does not matter', async () => {
  const order = [...REGISTER_CSV_COLUMNS].reverse();
  const csv = [writeRegisterCsv([childminder])]
    .map((text) => text.replace(/^\ufeff/, '').split('\r\n'))
    .map(([head = '', line = '']) => {
      const cells = line.split(',');
      const names = head.split(',');
      return [
        order.map((c) => ` ${c.toUpperCase()} `).join(','),
        order.map((c) => cells[names.indexOf(c)] ?? '').join(','),
      ].join('\n');
    })[0];
  assert.deepEqual(await readRegisterCsv(csv ?? '', 'o.csv'), [childminder]);
});

test('bad cells are each reported with their line, record and column', async () => {
  // Every row after the first has exactly one problem; the first row has a quoted three-line
  // cell, so physical lines and row numbers part company from there on.
  const cases: [changes: Partial<Record<RegisterCsvColumn, string>>, field: string, message: string][] = [
    [
      { provision_type: 'XYZ' },
      'provision_type',
      "unknown provision type 'XYZ' (expected CMR, CCN, CCD, HCR, RPP, CA)",
    ],
    [{ la_code: '82' }, 'la_code', "LA code '82' is not 3 digits"],
    [
      { registration_date: '2023-02-30' },
      'registration_date',
      "invalid date '2023-02-30' (expected YYYY-MM-DD)",
    ],
    [{ last_change_date: '' }, 'last_change_date', 'missing date (expected YYYY-MM-DD)'],
    [{ provider_town: ' ' }, 'provider_town', 'must not be empty'],
    [
      { registration_status: 'LIVE' },
      'registration_status',
      "unknown registration status 'LIVE' (expected PROP, ACTV, SUSP, RESG, CANC, INAC, REFU, EXEM)",
    ],
    [
      { special_considerations: 'SECRET' },
      'special_considerations',
      "unknown special consideration 'SECRET' (expected WREF, MOD, ANON)",
    ],
    [{ status_history: 'ACTV' }, 'status_history[1]', "'ACTV' is not STATUS:DATE (e.g. ACTV:2012-03-16)"],
    [
      { status_history: 'ACTV:2012-03-16; SUSP:2020-13-01' },
      'status_history[2].change_date',
      "invalid date '2020-13-01' (expected YYYY-MM-DD)",
    ],
    [
      { registers: 'EYR:REGD:2012-03-16;XYZ:REGD:2012-03-16' },
      'registers[2].register',
      "unknown register 'XYZ' (expected EYR, CCR, VCR)",
    ],
    [
      { registers: 'VCR:REGD:2012-03-16:2011-01-01' },
      'registers[1].end_date',
      'end date 2011-01-01 is before start date 2012-03-16',
    ],
    [
      { registers: 'EYR:2012-03-16' },
      'registers[1]',
      "'EYR:2012-03-16' is not REGISTER:STATUS:START[:END] (e.g. EYR:REGD:2012-03-16)",
    ],
    [
      { childcare_periods: 'ALYR;SOMETIMES' },
      'childcare_periods[2]',
      "unknown childcare period 'SOMETIMES' (expected 2HPD, 3HPD, 4HPD, 5DWK, 45WY, ALYR, OVNT, SCHO, SCTO, WDAL, WDAM, WDAS, WDBS, WDPM, WEND)",
    ],
    [{ age_bands: '0-5:six:EYR' }, 'age_bands[1].maximum_number', "'six' is not a whole number"],
    [{ age_bands: '0-5:6:EYR;5-x:6:CCR' }, 'age_bands[2].age_to', "'x' is not a whole number"],
    [{ age_bands: '0to5:6:EYR' }, 'age_bands[1].age_from', "'0to5' is not FROM-TO (e.g. 0-5)"],
    [{ age_bands: '5-0:6:EYR' }, 'age_bands[1].age_to', 'age to (0) must be greater than age from (5)'],
    [{ age_bands: '0-21:6:EYR' }, 'age_bands[1].age_to', 'must be 0–20, got 21'],
    [{ age_bands: '0-5' }, 'age_bands[1]', "'0-5' is not FROM-TO:MAXIMUM[:REGISTER] (e.g. 0-5:6:EYR)"],
    [{ inspections: '2017-02-02|Good' }, 'inspections[1]', "'2017-02-02|Good' is not DATE|JUDGEMENT|TYPE"],
    [
      { inspections: '2017-02-31|Good|Inspection' },
      'inspections[1].inspection_date',
      "invalid date '2017-02-31' (expected YYYY-MM-DD)",
    ],
    [{ notices: 'NOX|Something|Open' }, 'notices[1].type', "unknown notice type 'NOX' (expected NOI, NOD)"],
    [
      { provision_type: 'RPP', setting_name: 'Not for an RP', ...SETTING_ADDRESS },
      'setting_name',
      'a registered person (RPP) record must not have a setting',
    ],
    [SETTING_ADDRESS, 'setting_name', 'must not be empty'],
    [
      { rp_reference_number: 'RP' },
      'rp_reference_number',
      "invalid reference number 'RP' (expected EY + 5–7 digits, 6–7 digits, RP… or VC… followed by digits)",
    ],
  ];
  const lines = [HEADER, row('EY100000', { provider_address_line1: 'Unit 1\nExample Park\nEast' })];
  const expected: [number, string, string, string][] = [];
  cases.forEach(([changes, field, message], i) => {
    const ref = `EY1000${String(i + 10)}`;
    lines.push(row(ref, changes));
    // 1 header line + 3 physical lines for the first row + one per earlier case.
    expected.push([5 + i, ref, field, message]);
  });
  // A problem in a later row of a multi-line record is reported at the record's first line.
  lines.push(row('EY100099', { provider_address_line1: 'a\nb', provider_town: '' }));
  expected.push([5 + cases.length, 'EY100099', 'provider_town', 'must not be empty']);

  for (const newline of ['\n', '\r\n']) {
    const problems = await problemsOf(() => readRegisterCsv(lines.join(newline) + newline, 'cells.csv'));
    assert.deepEqual(
      problems.map((p) => [p.line, p.record, p.field, p.message]),
      expected,
    );
    assert.ok(problems.every((p) => p.file === 'cells.csv'));
  }
});

test('the formatted message names file, line, record and column', async () => {
  const csv = [
    HEADER,
    row('EY100001', { provider_name: 'Two\nlines' }),
    row('EY100002', { provision_type: 'XYZ' }),
  ].join('\n');
  await assert.rejects(readRegisterCsv(csv, 'la.csv'), (err: unknown) => {
    assert.ok(err instanceof ImportError);
    assert.equal(
      err.message,
      "la.csv:4: record EY100002, field provision_type: unknown provision type 'XYZ' (expected CMR, CCN, CCD, HCR, RPP, CA)",
    );
    return true;
  });
});

test('duplicate reference numbers, wrong cell counts and unnamed records are reported', async () => {
  const csv = [
    HEADER,
    row('EY100001'),
    row('EY100001'),
    `${row('EY100003')},extra`,
    row('', { provider_name: '' }),
  ].join('\n');
  assert.deepEqual(
    (await problemsOf(() => readRegisterCsv(csv, 'd.csv'))).map((p) => [
      p.line,
      p.record,
      p.field,
      p.message,
    ]),
    [
      [3, 'EY100001', 'reference_number', 'duplicate reference number EY100001 (first at line 2)'],
      [
        4,
        'record 3',
        undefined,
        `the row has ${REGISTER_CSV_COLUMNS.length + 1} cells but the header has ${REGISTER_CSV_COLUMNS.length}`,
      ],
      [5, 'record 4', 'reference_number', 'must not be empty'],
      [5, 'record 4', 'provider_name', 'must not be empty'],
    ],
  );
});

test('missing, unknown and repeated header columns are named', async () => {
  const names = REGISTER_CSV_COLUMNS.filter((c) => c !== 'provider_postcode' && c !== 'age_bands');
  const header = [...names, 'provider_postcod', 'setting_name', ''].join(',');
  assert.deepEqual(await problemsOf(() => readRegisterCsv(`${header}\n${row('EY100001')}\n`, 'h.csv')), [
    {
      file: 'h.csv',
      line: 1,
      message: `unknown column(s) in the header: 'provider_postcod', (empty, column ${names.length + 3})`,
    },
    { file: 'h.csv', line: 1, message: 'repeated column(s) in the header: setting_name' },
    { file: 'h.csv', line: 1, message: 'missing column(s) in the header: provider_postcode, age_bands' },
  ]);
  assert.deepEqual(await problemsOf(() => readRegisterCsv('', 'empty.csv')), [
    { file: 'empty.csv', line: 1, message: 'the file is empty (a header row is required)' },
  ]);
});

test('malformed CSV and non-UTF-8 bytes are reported with their line', async () => {
  const unclosed = [
    HEADER,
    row('EY100001'),
    row('EY100002').replace('Test Provider', '"Test Provider'),
    row('EY100003'),
  ].join('\n');
  assert.deepEqual(await problemsOf(() => readRegisterCsv(unclosed, 'q.csv')), [
    {
      file: 'q.csv',
      line: 3,
      message: 'malformed CSV: the quoted cell that starts on this line is never closed',
    },
  ]);
  const badQuote = [
    HEADER,
    row('EY100001', { provider_name: 'Two\nlines' }),
    row('EY100002').replace('Test Provider', 'Test "Provider"'),
  ].join('\n');
  const [p] = await problemsOf(() => readRegisterCsv(badQuote, 'q.csv'));
  assert.equal(p?.line, 4);
  assert.match(p?.message ?? '', /^malformed CSV: /);

  // "Crèche" saved by a spreadsheet as Windows-1252: è is the lone byte 0xE8.
  const latin1 = Buffer.concat([
    Buffer.from(`${HEADER}\n${row('EY100001')}\n`),
    Buffer.from(row('EY100002', { provider_name: 'Cr\u00e8che' }), 'latin1'),
  ]);
  assert.deepEqual(await problemsOf(() => readRegisterCsv(latin1, 'ansi.csv')), [
    { file: 'ansi.csv', line: 3, message: 'the file is not valid UTF-8 (save it as "CSV UTF-8")' },
  ]);
});

test('dates typed into a spreadsheet as DD/MM/YYYY are accepted', async () => {
  const csv = [
    HEADER,
    row('EY100001', {
      registration_date: '16/03/2012',
      last_change_date: '1/6/2022',
      status_history: 'ACTV:16/03/2012',
    }),
  ].join('\n');
  const [r] = await readRegisterCsv(csv, 'uk.csv');
  assert.equal(r?.registrationDate, '2012-03-16');
  assert.equal(r?.lastChangeDate, '2022-06-01');
  assert.deepEqual(r?.statusHistory, [{ status: 'ACTV', changeDate: '2012-03-16' }]);
  const bad = [HEADER, row('EY100001', { registration_date: '31/02/2012' })].join('\n');
  assert.deepEqual(
    (await problemsOf(() => readRegisterCsv(bad, 'uk.csv'))).map((p) => p.message),
    ["invalid date '31/02/2012' (expected YYYY-MM-DD)"],
  );
});

test('list cells: `;` between items, a part separator within, `\\` escapes, empty items ignored', () => {
  assert.deepEqual(splitListCell('ACTV:2012-03-16; SUSP:2020-01-02;', ':'), [
    ['ACTV', '2012-03-16'],
    ['SUSP', '2020-01-02'],
  ]);
  assert.deepEqual(splitListCell('2012-09-05|Good|Type \\; one \\| two \\\\;;', '|'), [
    ['2012-09-05', 'Good', 'Type ; one | two \\'],
  ]);
  assert.deepEqual(splitListCell('  ', ':'), []);
  assert.deepEqual(splitListCell('ALYR;4HPD', ''), [['ALYR'], ['4HPD']]);
});

test('Ofsted v1.3 columns: written, read back, and optional in the header of an older file', async () => {
  const full: Registration = structuredClone(childminder);
  full.provider.address.uprn = '100023336956';
  full.provider.consentWithheld = 'Y';
  full.setting!.address.uprn = '10001';
  full.certificateConditions = [
    { condition: 'No overnight care; max 3 | under 5s', register: 'EYR' },
    { condition: 'At the registered premises only' },
  ];
  full.welfareNotices = [{ category: 'Safeguarding', startDate: '2023-01-02', endDate: '2023-02-02' }];
  full.linkedRegistrations = [{ referenceNumber: 'EY654321', reason: 'Same registered person' }];
  assert.deepEqual(await readRegisterCsv(writeRegisterCsv([full]), 'v13.csv'), [full]);

  const older = [
    'provider_uprn',
    'provider_consent_withheld',
    'setting_uprn',
    'certificate_conditions',
    'welfare_notices',
    'linked_registrations',
  ];
  const keep = REGISTER_CSV_COLUMNS.map((c, i) => [c, i] as const).filter(([c]) => !older.includes(c));
  const [head = '', line = ''] = writeRegisterCsv([childminder])
    .replace(/^\ufeff/, '')
    .split('\r\n');
  const cells = line.split(',');
  assert.equal(head.split(',').length, cells.length);
  const csv = [keep.map(([c]) => c).join(','), keep.map(([, i]) => cells[i]).join(',')].join('\n');
  assert.deepEqual(await readRegisterCsv(csv, 'older.csv'), [childminder]);
});

test('a NUL or other character XML forbids is refused with line, record and column, not stored', async () => {
  const csv = [
    HEADER,
    row('EY100001', { provider_name: 'Nul\u0000Name' }),
    row('EY100002', { inspections: '2020-01-01|Good|Type\u0001x' }),
  ].join('\n');
  const problems = await problemsOf(() => readRegisterCsv(csv, 'nul.csv'));
  assert.deepEqual(
    problems.map((p) => [p.line, p.record, p.field, p.message]),
    [
      [2, 'EY100001', 'provider_name', 'contains the character U+0000 at position 4, which XML cannot carry'],
      [
        3,
        'EY100002',
        'inspections[1].inspection_type',
        'contains the character U+0001 at position 5, which XML cannot carry',
      ],
    ],
  );
});

test("values longer than Ofsted's schema allows are refused with line, record and column", async () => {
  const csv = [
    HEADER,
    row('EY100001', { provider_name: 'x'.repeat(101), provider_postcode: 'ZZ1 1ZZ ZZ1' }),
    row('EY100002', { provider_name: '\u{1F31F}'.repeat(100) }), // 100 characters (200 UTF-16 units) is fine
  ].join('\n');
  const problems = await problemsOf(() => readRegisterCsv(csv, 'long.csv'));
  assert.deepEqual(
    problems.map((p) => [p.line, p.record, p.field, p.message]),
    [
      [2, 'EY100001', 'provider_name', "is longer than 100 characters, the most Ofsted's schema allows"],
      [2, 'EY100001', 'provider_postcode', "is longer than 9 characters, the most Ofsted's schema allows"],
    ],
  );
});
