import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readExtract } from './extract-reader.ts';
import { ImportError, MAX_PROBLEMS } from '../../platform/files/import-problem.ts';
import type { ImportProblem } from '../../platform/files/import-problem.ts';
import type { Registration } from './registration.ts';

const SAMPLE = fileURLToPath(
  new URL('../../../reference/ispp-contract/sample-extract-synthetic.xml', import.meta.url),
);
const NS = 'http://www.ofsted.gov.uk/Childcare/Registration/LocalAuthority';

/** Runs `fn`, expecting an ImportError, and returns its problems. */
async function problemsOf(fn: () => Promise<unknown>): Promise<ImportProblem[]> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ImportError, `expected ImportError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected an ImportError');
}

/** 1-based line of the `occurrence`-th (1-based) appearance of `needle` in `text`. */
function lineOf(text: string, needle: string, occurrence = 1): number {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${needle} #${occurrence} not found`);
  }
  return text.slice(0, at).split('\n').length;
}

async function* chunks(buffer: Buffer, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

// --- synthetic documents -------------------------------------------------------------------

function extractDoc(records: string[], laCode = '825'): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<OfstedChildcareRegisterLocalAuthorityExtract xmlns:xs="http://www.w3.org/2001/XMLSchema-instance" xmlns="${NS}">`,
    '  <Extract>',
    '    <ExtractDateTime>2024-01-30T05:30:46</ExtractDateTime>',
    '    <LocalAuthority>',
    `      <LocalAuthorityCode>${laCode}</LocalAuthorityCode>`,
    '      <LocalAuthorityName>Testshire</LocalAuthorityName>',
    '    </LocalAuthority>',
    '  </Extract>',
    ...records,
    '</OfstedChildcareRegisterLocalAuthorityExtract>',
    '',
  ].join('\n');
}

/** A valid minimal childminder record; `replace` swaps whole lines of it for tests to break it. */
function record(ref: string, replace: Record<string, string> = {}): string {
  const lines = [
    '  <Registration>',
    `    <ReferenceNumber>${ref}</ReferenceNumber>`,
    '    <ProvisionType>CMR</ProvisionType>',
    '    <Provider>',
    '      <ProviderName>Test Provider</ProviderName>',
    '      <ProviderAddress>',
    '        <AddressLine1>1 Example Street</AddressLine1>',
    '        <AddressLine2 />',
    '        <Town>Testtown</Town>',
    '        <County>   </County>',
    '        <Postcode>ZZ1 1ZZ</Postcode>',
    '      </ProviderAddress>',
    '    </Provider>',
    '    <RegistrationStatus>ACTV</RegistrationStatus>',
    '    <RegistrationStatusHistoryList />',
    '    <RegistrationDate>2012-03-16T00:00:00</RegistrationDate>',
    '    <ChildServicesRegisterList>',
    '      <ChildServicesRegister>',
    '        <Register>EYR</Register>',
    '        <Status>REGD</Status>',
    '        <StartDate>2012-03-16</StartDate>',
    '      </ChildServicesRegister>',
    '    </ChildServicesRegisterList>',
    '    <RegistrationCertificate />',
    '    <ChildcarePeriodList>',
    '      <ChildcarePeriod>ALYR</ChildcarePeriod>',
    '    </ChildcarePeriodList>',
    '    <ChildcareAgeList>',
    '      <ChildcareAge>',
    '        <AgeFrom>0</AgeFrom>',
    '        <AgeTo>5</AgeTo>',
    '        <MaximumNumber>6</MaximumNumber>',
    '        <Register>EYR</Register>',
    '      </ChildcareAge>',
    '    </ChildcareAgeList>',
    '    <InspectionList />',
    '    <NoticeHistoryList />',
    '    <LastChangeDate>2022-06-17</LastChangeDate>',
    '  </Registration>',
  ];
  const out = lines.map((line) => {
    const key = line.trim();
    return key in replace ? (replace[key] ?? line) : line;
  });
  for (const key of Object.keys(replace)) {
    assert.ok(
      lines.some((l) => l.trim() === key),
      `test bug: no line ${key}`,
    );
  }
  return out.join('\n');
}

// --- the published synthetic sample -----------------------------------------------------------

test('the sample extract is refused: it repeats ReferenceNumber EY12345', async () => {
  const text = readFileSync(SAMPLE, 'utf8');
  const problems = await problemsOf(() => readExtract(createReadStream(SAMPLE), 'sample.xml'));
  assert.deepEqual(problems, [
    {
      file: 'sample.xml',
      line: lineOf(text, '<ReferenceNumber>EY12345</ReferenceNumber>', 2),
      record: 'EY12345',
      field: 'ReferenceNumber',
      message: `duplicate reference number EY12345 (first at line ${lineOf(text, '<ReferenceNumber>EY12345')})`,
    },
  ]);
});

const sampleRecord = (referenceNumber: string): Registration => ({
  referenceNumber,
  laCode: '825',
  provisionType: 'CMR',
  provider: {
    name: 'Not a real name',
    address: {
      addressLine1: 'Not a real',
      addressLine2: 'Address',
      town: 'Imaginary town',
      county: 'County of nowhere',
      postcode: 'AB12 3CD',
    },
    contact: {
      telephoneNumber: '3423423',
      mobileNumber: '234234',
      workTelephoneNumber: '234234',
      emailAddress: 'fg-dev@tpximpact.com',
    },
  },
  setting: {
    name: 'Not a real name',
    address: {
      addressLine1: 'Not a real',
      town: 'Imaginary town',
      county: 'County of nowhere',
      postcode: 'AB12 3CD',
    },
  },
  status: 'ACTV',
  statusHistory: [{ status: 'ACTV', changeDate: '2012-03-16' }],
  registrationDate: '2012-03-16',
  registers: [
    { register: 'EYR', status: 'REGD', startDate: '2012-03-16' },
    { register: 'CCR', status: 'REGD', startDate: '2012-03-16' },
    { register: 'VCR', status: 'REGD', startDate: '2012-03-16' },
  ],
  childcarePeriods: ['ALYR', '4HPD', '5DWK', '45WY', 'WDAL'],
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
    {
      inspectionType: 'Inspection (Early Years Register)',
      inspectionDate: '2017-02-02',
      overallJudgement: 'Good',
    },
    {
      inspectionType: 'Inspection (Early Years Register)',
      inspectionDate: '2022-05-12',
      overallJudgement: 'Good',
    },
  ],
  notices: [],
  lastChangeDate: '2022-06-17',
});

test('the sample with its second reference number changed reads fully', async () => {
  const text = readFileSync(SAMPLE, 'utf8');
  const second = text.lastIndexOf('<ReferenceNumber>EY12345<');
  const fixed = text.slice(0, second) + text.slice(second).replace('EY12345', 'EY12346');
  const extract = await readExtract(fixed, 'sample.xml');
  assert.deepEqual(extract, {
    header: { extractDateTime: '2024-01-30T05:30:46', laCode: '825', laName: 'Buckinghamshire' },
    registrations: [sampleRecord('EY12345'), sampleRecord('EY12346')],
  });

  // Byte chunks that split tags and multi-byte characters read the same as one string.
  const accented = fixed.replace(
    '<LocalAuthorityName>Buckinghamshire',
    '<LocalAuthorityName>Bückinghamshire — ✓',
  );
  const fromString = await readExtract(accented, 'sample.xml');
  const fromChunks = await readExtract(chunks(Buffer.from(accented, 'utf8'), 7), 'sample.xml');
  assert.equal(fromString.header.laName, 'Bückinghamshire — ✓');
  assert.deepEqual(fromChunks, fromString);
});

// --- refusals ----------------------------------------------------------------------------------

test('a DOCTYPE (billion laughs) is refused before any entity is looked at', async () => {
  const doc = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    '  <!ENTITY lol "lol">',
    '  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
    '  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
    '  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">',
    ']>',
    `<OfstedChildcareRegisterLocalAuthorityExtract xmlns="${NS}">&lol4;</OfstedChildcareRegisterLocalAuthorityExtract>`,
  ].join('\n');
  assert.deepEqual(await problemsOf(() => readExtract(doc, 'lol.xml')), [
    { file: 'lol.xml', line: 7, message: 'DOCTYPE is not allowed' },
  ]);

  const external = `<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "file:///etc/passwd">\n<x>&xxe;</x>`;
  const problems = await problemsOf(() => readExtract(external, 'xxe.xml'));
  assert.deepEqual(
    problems.map((p) => p.message),
    ['DOCTYPE is not allowed'],
  );
});

test('a truncated document reports the line where it ended', async () => {
  const doc = extractDoc([record('EY100001'), record('EY100002')]);
  const cut = doc.slice(0, doc.indexOf('<Town>', doc.indexOf('EY100002')) + 8);
  const problems = await problemsOf(() => readExtract(cut, 'cut.xml'));
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.equal(p?.file, 'cut.xml');
  assert.equal(p?.line, cut.split('\n').length);
  assert.equal(typeof p?.column, 'number');
  assert.match(p?.message ?? '', /^malformed XML: /);
});

test('malformed XML in the middle gives line and column', async () => {
  const doc = extractDoc([record('EY100001', { '<Town>Testtown</Town>': '        <Town>Testtown</Twn>' })]);
  assert.deepEqual(await problemsOf(() => readExtract(doc, 'bad.xml')), [
    {
      file: 'bad.xml',
      line: lineOf(doc, '</Twn>'),
      column: '        <Town>Testtown</Twn>'.length,
      message: 'malformed XML: unexpected close tag.',
    },
  ]);
});

test('an unknown ProvisionType names file, line, record and field', async () => {
  const doc = extractDoc([
    record('EY100001'),
    record('EY100002', { '<ProvisionType>CMR</ProvisionType>': '    <ProvisionType>XYZ</ProvisionType>' }),
  ]);
  const line = lineOf(doc, '<ProvisionType>XYZ');
  const err = await readExtract(doc, 'la825.xml').then(
    () => assert.fail('expected ImportError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ImportError);
  assert.equal(
    err.message,
    `la825.xml:${line}: record EY100002, field ProvisionType: unknown provision type 'XYZ' (expected CMR, CCN, CCD, HCR, RPP, CA)`,
  );
  assert.deepEqual(err.problems, [
    {
      file: 'la825.xml',
      line,
      record: 'EY100002',
      field: 'ProvisionType',
      message: "unknown provision type 'XYZ' (expected CMR, CCN, CCD, HCR, RPP, CA)",
    },
  ]);
});

test('the wrong namespace or root element is refused with one problem', async () => {
  const wrongNs = extractDoc([record('EY100001')]).replace(
    `xmlns="${NS}"`,
    'xmlns="http://example.org/other"',
  );
  assert.deepEqual(await problemsOf(() => readExtract(wrongNs, 'ns.xml')), [
    {
      file: 'ns.xml',
      line: 2,
      message: `root element must be OfstedChildcareRegisterLocalAuthorityExtract in namespace ${NS}, found {http://example.org/other}OfstedChildcareRegisterLocalAuthorityExtract`,
    },
  ]);
  const noNs = extractDoc([]).replace(` xmlns="${NS}"`, '');
  assert.equal((await problemsOf(() => readExtract(noNs, 'ns.xml'))).length, 1);
  const wrongRoot = `<?xml version="1.0"?>\n<Extract xmlns="${NS}"/>`;
  assert.match(
    (await problemsOf(() => readExtract(wrongRoot, 'root.xml')))[0]?.message ?? '',
    /found \{.*\}Extract$/,
  );
});

test('a document with many problems reports them all, in line order', async () => {
  const doc = extractDoc(
    [
      record('EY100001', {
        '<Postcode>ZZ1 1ZZ</Postcode>': '        <Postcod>ZZ1 1ZZ</Postcod>',
        '<AgeTo>5</AgeTo>': '        <AgeTo>five</AgeTo>',
      }),
      record('EY100002', {
        '<Town>Testtown</Town>': '',
        '<LastChangeDate>2022-06-17</LastChangeDate>': '    <LastChangeDate>2022-02-30</LastChangeDate>',
        '<ChildcarePeriod>ALYR</ChildcarePeriod>':
          '      <ChildcarePeriod>ALYR</ChildcarePeriod>\n      <ChildcarePeriod>SOMETIMES</ChildcarePeriod>',
      }),
      record('EY99', {
        '<ProvisionType>CMR</ProvisionType>':
          '    <ProvisionType>CMR</ProvisionType>\n    <ProvisionType>CCN</ProvisionType>',
        '<Register>EYR</Register>': '        <Register>XXX</Register>',
      }),
      record('EY100001', {
        '<ProvisionType>CMR</ProvisionType>': '    <ProvisionType>RPP</ProvisionType>',
        '<RegistrationStatus>ACTV</RegistrationStatus>': '',
        '<InspectionList />': [
          '    <Setting>',
          '      <SettingName>Not allowed here</SettingName>',
          '      <SettingAddress><AddressLine1>1 Example Street</AddressLine1><Town>Testtown</Town><Postcode>ZZ1 1ZZ</Postcode></SettingAddress>',
          '    </Setting>',
          '    <InspectionList />',
        ].join('\n'),
        '<NoticeHistoryList />': [
          '    <NoticeHistoryList>',
          '      <NoticeHistory><Type>NOD</Type><SubType>Test</SubType><Status>Open</Status><NOIDate>2023-01-01</NOIDate></NoticeHistory>',
          '    </NoticeHistoryList>',
        ].join('\n'),
      }),
    ],
    '82',
  );
  const problems = await problemsOf(() => readExtract(doc, 'many.xml'));
  const summary = problems.map((p) => [p.line, p.record, p.field, p.message]);
  const expected = [
    [
      lineOf(doc, '<LocalAuthorityCode>'),
      undefined,
      'Extract/LocalAuthority/LocalAuthorityCode',
      "LA code '82' is not 3 digits (the DfE code, e.g. 825)",
    ],
    [
      lineOf(doc, '<Postcod>'),
      'EY100001',
      'Provider/ProviderAddress/Postcod',
      'unknown element Postcod (expected one of AddressLine1, AddressLine2, Town, County, Postcode, UniquePropertyReferenceNumber)',
    ],
    [
      lineOf(doc, '<AgeTo>five'),
      'EY100001',
      'ChildcareAgeList/ChildcareAge[1]/AgeTo',
      "'five' is not a whole number",
    ],
    [
      lineOf(doc, '<ProviderAddress>', 2),
      'EY100002',
      'Provider/ProviderAddress/Town',
      'missing element Town',
    ],
    [
      lineOf(doc, 'SOMETIMES'),
      'EY100002',
      'ChildcarePeriodList/ChildcarePeriod[2]',
      "unknown childcare period 'SOMETIMES' (expected 2HPD, 3HPD, 4HPD, 5DWK, 45WY, ALYR, OVNT, SCHO, SCTO, WDAL, WDAM, WDAS, WDBS, WDPM, WEND)",
    ],
    [
      lineOf(doc, '2022-02-30'),
      'EY100002',
      'LastChangeDate',
      "invalid date '2022-02-30' (expected YYYY-MM-DD)",
    ],
    [
      lineOf(doc, '<ReferenceNumber>EY99'),
      'EY99',
      'ReferenceNumber',
      "invalid reference number 'EY99' (expected EY + 5–7 digits, 6–7 digits, RP… or VC… followed by digits)",
    ],
    [
      lineOf(doc, '<ProvisionType>CCN'),
      'EY99',
      'ProvisionType',
      'element ProvisionType appears more than once',
    ],
    [
      lineOf(doc, '<Register>XXX'),
      'EY99',
      'ChildServicesRegisterList/ChildServicesRegister[1]/Register',
      "unknown register 'XXX' (expected EYR, CCR, VCR)",
    ],
    [
      lineOf(doc, '<Register>XXX', 2),
      'EY99',
      'ChildcareAgeList/ChildcareAge[1]/Register',
      "unknown register for an age band 'XXX' (expected EYR, CCR)",
    ],
    [
      lineOf(doc, '<Registration>', 4),
      'EY100001',
      'RegistrationStatus',
      'missing element RegistrationStatus',
    ],
    [
      lineOf(doc, '<ReferenceNumber>EY100001', 2),
      'EY100001',
      'ReferenceNumber',
      `duplicate reference number EY100001 (first at line ${lineOf(doc, '<ReferenceNumber>EY100001')})`,
    ],
    [
      lineOf(doc, '<Setting>'),
      'EY100001',
      'Setting',
      'a registered person (RPP) record must not have a setting',
    ],
    [
      lineOf(doc, '<NOIDate>'),
      'EY100001',
      'NoticeHistoryList/NoticeHistory[1]/NOIDate',
      'a NOD notice carries NODDate, not NOIDate',
    ],
  ];
  assert.deepEqual(summary, expected);
  assert.ok(problems.every((p) => p.file === 'many.xml'));
});

test('unknown elements, stray text and attributes are errors, so typos are caught', async () => {
  const doc = extractDoc([
    record('EY100001', {
      '<RegistrationCertificate />':
        '    <RegistrationCertificate><Anything>not in the schema</Anything></RegistrationCertificate>',
      '<InspectionList />': '    <InspectionLists />',
      '<NoticeHistoryList />': '    <NoticeHistoryList>oops</NoticeHistoryList>',
      '<ProviderName>Test Provider</ProviderName>':
        '      <ProviderName lang="en">Test <b>Provider</b></ProviderName>',
    }),
    '  <Registrations />',
  ]);
  const problems = await problemsOf(() => readExtract(doc, 'typo.xml'));
  assert.deepEqual(
    problems.map((p) => [p.line, p.record, p.field, p.message]),
    [
      [lineOf(doc, '<ProviderName'), 'EY100001', 'Provider/ProviderName', 'unexpected attribute lang'],
      [
        lineOf(doc, '<ProviderName'),
        'EY100001',
        'Provider/ProviderName/b',
        'unexpected element b inside ProviderName',
      ],
      [
        lineOf(doc, '<Anything>'),
        'EY100001',
        'RegistrationCertificate/Anything',
        'unknown element Anything (expected one of CertificateConditionList)',
      ],
      [
        lineOf(doc, '<InspectionLists'),
        'EY100001',
        'InspectionLists',
        `unknown element InspectionLists (expected one of ${[
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
        ].join(', ')})`,
      ],
      [lineOf(doc, '>oops<'), 'EY100001', 'NoticeHistoryList', 'unexpected text'],
      [
        lineOf(doc, '<Registrations'),
        undefined,
        'Registrations',
        'unknown element Registrations (expected one of Extract, Registration)',
      ],
    ],
  );
});

test('dates with a midnight time are normalised; empty optional elements are omitted; text is kept exactly', async () => {
  const doc = extractDoc([
    record('EY100001', {
      '<RegistrationStatusHistoryList />': [
        '    <RegistrationStatusHistoryList>',
        '      <RegistrationStatusHistory><RegistrationStatus>ACTV</RegistrationStatus><ChangeDate>2012-03-16T00:00:00</ChangeDate></RegistrationStatusHistory>',
        '    </RegistrationStatusHistoryList>',
      ].join('\n'),
      '<NoticeHistoryList />': [
        '    <NoticeHistoryList>',
        '      <NoticeHistory><Type>NOI</Type><SubType>Non-payment of fee NOI</SubType><Status>Open</Status><NOIDate>2023-05-01T00:00:00</NOIDate></NoticeHistory>',
        '      <NoticeHistory><Type>NOD</Type><SubType /><Status /><NODDate /></NoticeHistory>',
        '    </NoticeHistoryList>',
      ].join('\n'),
      '<Provider>': '    <SpecialConsiderations xs:nil="true" />\n    <Provider>',
      '<ProviderName>Test Provider</ProviderName>':
        '      <ProviderName>  Test Provider  </ProviderName>\n      <ProviderContact><TelephoneNumber /><EmailAddress>\n</EmailAddress></ProviderContact>',
    }),
  ]);
  const { registrations } = await readExtract(doc, 'dates.xml');
  assert.deepEqual(registrations, [
    {
      referenceNumber: 'EY100001',
      laCode: '825',
      provisionType: 'CMR',
      provider: {
        // Leading and trailing spaces are part of the text (edgate's XSD promises text as recorded).
        name: '  Test Provider  ',
        address: { addressLine1: '1 Example Street', county: '   ', town: 'Testtown', postcode: 'ZZ1 1ZZ' },
        contact: { emailAddress: '\n' },
      },
      status: 'ACTV',
      statusHistory: [{ status: 'ACTV', changeDate: '2012-03-16' }],
      registrationDate: '2012-03-16',
      registers: [{ register: 'EYR', status: 'REGD', startDate: '2012-03-16' }],
      childcarePeriods: ['ALYR'],
      ageBands: [{ ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' }],
      inspections: [],
      notices: [
        { type: 'NOI', subType: 'Non-payment of fee NOI', status: 'Open', date: '2023-05-01' },
        { type: 'NOD', subType: '', status: '' },
      ],
      lastChangeDate: '2022-06-17',
    },
  ]);

  const notMidnight = extractDoc([
    record('EY100001', {
      '<LastChangeDate>2022-06-17</LastChangeDate>':
        '    <LastChangeDate>2022-06-17T13:00:00</LastChangeDate>',
    }),
  ]);
  assert.deepEqual(
    (await problemsOf(() => readExtract(notMidnight, 'x.xml'))).map((p) => p.message),
    ["invalid date '2022-06-17T13:00:00' (expected YYYY-MM-DD)"],
  );
});

test('an empty status history is allowed, but RegistrationStatus is still required', async () => {
  const ok = extractDoc([record('EY100001', { '<RegistrationStatusHistoryList />': '' })]);
  assert.deepEqual((await readExtract(ok, 'ok.xml')).registrations[0]?.statusHistory, []);

  const doc = extractDoc([record('EY100001', { '<RegistrationStatus>ACTV</RegistrationStatus>': '' })]);
  assert.deepEqual(await problemsOf(() => readExtract(doc, 'st.xml')), [
    {
      file: 'st.xml',
      line: lineOf(doc, '<Registration>'),
      record: 'EY100001',
      field: 'RegistrationStatus',
      message: 'missing element RegistrationStatus',
    },
  ]);
});

test('an extract with no registrations reads as an empty list; a missing header is refused', async () => {
  assert.deepEqual(await readExtract(extractDoc([]), 'empty.xml'), {
    header: { extractDateTime: '2024-01-30T05:30:46', laCode: '825', laName: 'Testshire' },
    registrations: [],
  });
  const noHeader = `<OfstedChildcareRegisterLocalAuthorityExtract xmlns="${NS}">\n${record('EY100001')}\n</OfstedChildcareRegisterLocalAuthorityExtract>`;
  assert.deepEqual(await problemsOf(() => readExtract(noHeader, 'nh.xml')), [
    { file: 'nh.xml', line: 1, field: 'Extract', message: 'missing element Extract' },
  ]);
});

test('header problems are reported against the Extract element', async () => {
  const doc = extractDoc([record('EY100001')])
    .replace('2024-01-30T05:30:46', '2024-02-30T05:30:46')
    .replace('<LocalAuthorityName>Testshire</LocalAuthorityName>', '<LocalAuthorityName/>');
  assert.deepEqual(
    (await problemsOf(() => readExtract(doc, 'h.xml'))).map((p) => [p.line, p.field, p.message]),
    [
      [
        4,
        'Extract/ExtractDateTime',
        "invalid date-time '2024-02-30T05:30:46' (expected YYYY-MM-DDThh:mm:ss)",
      ],
      [7, 'Extract/LocalAuthority/LocalAuthorityName', 'must not be empty'],
    ],
  );
});

test('bytes declared in another encoding are refused', async () => {
  const doc = extractDoc([]).replace('encoding="utf-8"', 'encoding="windows-1252"');
  assert.deepEqual(
    (await problemsOf(() => readExtract(chunks(Buffer.from(doc), 1024), 'enc.xml'))).map((p) => p.message),
    ["encoding 'windows-1252' is not supported (expected UTF-8)"],
  );
  // A string was decoded already (e.g. taken out of a SOAP envelope), so its declaration is moot.
  const utf16 = extractDoc([]).replace('encoding="utf-8"', 'encoding="utf-16"');
  assert.equal((await readExtract(utf16, 'soap.xml')).header.laCode, '825');
});

test(`problems stop at ${MAX_PROBLEMS}, with a note that there were more`, async () => {
  const records = Array.from({ length: 150 }, (_, i) =>
    record(`EY${200000 + i}`, {
      '<ProvisionType>CMR</ProvisionType>': '    <ProvisionType>XYZ</ProvisionType>',
    }),
  );
  const problems = await problemsOf(() => readExtract(extractDoc(records), 'big.xml'));
  assert.equal(problems.length, MAX_PROBLEMS + 1);
  assert.equal(problems[MAX_PROBLEMS - 1]?.record, `EY${200000 + MAX_PROBLEMS - 1}`);
  assert.equal(
    problems[MAX_PROBLEMS]?.message,
    `too many problems: stopped reading after the first ${MAX_PROBLEMS}`,
  );
});
