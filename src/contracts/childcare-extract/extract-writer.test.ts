import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readExtract } from './extract-reader.ts';
import { generateRegister } from './synthetic-register.ts';
import type { Registration } from './registration.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import {
  EXTRACT_CLOSING,
  escapeText,
  extractChunks,
  extractOpening,
  registrationElement,
} from './extract-writer.ts';
import type { ExtractHeader } from './extract-writer.ts';

const SAMPLE = readFileSync(
  fileURLToPath(new URL('../../../reference/ispp-contract/sample-extract-synthetic.xml', import.meta.url)),
  'utf8',
);

const HEADER: ExtractHeader = { extractDateTime: '2026-11-01T05:30:00', laCode: '825', laName: 'Testshire' };

/** The demo register, one entry per LA, in the generator's (LA code) order. */
function demoByLa(): Map<string, Registration[]> {
  const byLa = new Map<string, Registration[]>();
  for (const r of generateRegister({ scale: 'demo', seed: 1, today: '2026-11-01' })) {
    const list = byLa.get(r.laCode);
    if (list) list.push(r);
    else byLa.set(r.laCode, [r]);
  }
  return byLa;
}

function headerFor(laCode: string): ExtractHeader {
  return { extractDateTime: '2026-11-01T05:30:00', laCode, laName: localAuthorityByCode(laCode)?.name ?? '' };
}

const write = (header: ExtractHeader, registrations: Iterable<Registration>): string =>
  [...extractChunks(header, registrations)].join('');

/** A small valid registration with every optional part present. */
function fullRegistration(): Registration {
  return {
    referenceNumber: 'EY123456',
    rpReferenceNumber: 'RP123456',
    laCode: '825',
    provisionType: 'CMR',
    secondaryProvisionType: 'HCR',
    provider: {
      name: 'Provider Name',
      address: {
        addressLine1: '1 High Street',
        addressLine2: 'Upper Flat',
        town: 'Testtown',
        county: 'Testshire',
        postcode: 'ZZ1 1ZZ',
      },
      contact: {
        telephoneNumber: '01632 960000',
        mobileNumber: '07700 900000',
        workTelephoneNumber: '01632 960001',
        faxNumber: '01632 960002',
        emailAddress: 'provider@example.org',
      },
    },
    setting: {
      name: 'Setting Name',
      address: { addressLine1: '2 Low Road', town: 'Testtown', postcode: 'ZZ1 2ZZ' },
      contact: { telephoneNumber: '01632 960003', faxNumber: '01632 960004', emailAddress: 's@example.org' },
    },
    specialConsiderations: 'WREF',
    status: 'ACTV',
    statusHistory: [
      { status: 'PROP', changeDate: '2019-12-01' },
      { status: 'ACTV', changeDate: '2020-01-02' },
    ],
    registrationDate: '2020-01-02',
    registers: [{ register: 'EYR', status: 'REGD', startDate: '2020-01-02', endDate: '2021-01-02' }],
    childcarePeriods: ['ALYR', 'WDAL'],
    ageBands: [{ ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' }],
    inspections: [
      {
        inspectionType: 'Inspection (Early Years Register)',
        inspectionDate: '2021-03-04',
        overallJudgement: 'Good',
      },
    ],
    notices: [
      { type: 'NOI', subType: 'Cancellation NOI', status: 'Superseded', date: '2022-01-01' },
      { type: 'NOD', subType: 'Cancellation NOD', status: 'Effective', date: '2022-02-01' },
    ],
    lastChangeDate: '2022-02-01',
  };
}

/** The same registration with nothing optional: no RP, setting, contacts, dates, list items. */
function bareRegistration(): Registration {
  return {
    referenceNumber: 'RP654321',
    laCode: '825',
    provisionType: 'RPP',
    provider: {
      name: 'Bare Ltd',
      address: { addressLine1: '3 Side Street', town: 'Testtown', postcode: 'ZZ1 3ZZ' },
    },
    status: 'ACTV',
    statusHistory: [],
    registers: [],
    childcarePeriods: [],
    ageBands: [],
    inspections: [],
    notices: [],
    lastChangeDate: '2022-02-01',
  };
}

async function* utf8Chunks(chunks: Iterable<string>): AsyncIterable<Buffer> {
  for (const chunk of chunks) yield Buffer.from(chunk, 'utf8');
}

// --- round trip ------------------------------------------------------------------------------

test('every LA of the demo register reads back as written', async () => {
  const byLa = demoByLa();
  assert.equal(byLa.size, 153);
  for (const [laCode, registrations] of byLa) {
    const header = headerFor(laCode);
    // As bytes, in the writer's own chunks, the way a stream would deliver them.
    const extract = await readExtract(utf8Chunks(extractChunks(header, registrations)), `${laCode}.xml`);
    assert.deepEqual(extract.header, header);
    // Exactly: text comes back as recorded, spaces included.
    assert.deepEqual(extract.registrations, registrations, `LA ${laCode}`);
  }
});

test('the demo register really does carry untrimmed values (so the exact comparison matters)', () => {
  const all = [...demoByLa().values()].flat();
  assert.ok(all.some((r) => r.provider.address.town !== r.provider.address.town.trim()));
});

test('the sample document is rewritten byte for byte from what the reader makes of it', async () => {
  // The sample repeats EY12345, which the reader (rightly) refuses; give the second one its own URN.
  const second = SAMPLE.indexOf('EY12345', SAMPLE.indexOf('EY12345') + 1);
  const sample = `${SAMPLE.slice(0, second)}EY12346${SAMPLE.slice(second + 'EY12345'.length)}`;
  const extract = await readExtract(sample, 'sample.xml');
  assert.equal(extract.registrations.length, 2);
  // The only formatting difference: the sample has no line end after its last line; the writer
  // ends the document with one, as a text file should.
  assert.ok(!sample.endsWith('\n'));
  assert.equal(write(extract.header, extract.registrations), `${sample}\n`);
});

test('awkward text survives the round trip: markup characters, CR, LF, tab, emoji', async () => {
  const r = fullRegistration();
  r.provider.name = `Smith & Sons <Childcare> "Ltd" 'x' ]]> end`;
  r.provider.address.addressLine2 = 'Line one\r\nLine two\rLine three\n\tindented';
  r.setting!.name = 'Little Stars \u{1F31F} Nursery';
  r.inspections[0]!.overallJudgement = 'Not Met (with actions)';
  const extract = await readExtract(utf8Chunks(extractChunks(HEADER, [r])), 'awkward.xml');
  assert.deepEqual(extract.registrations, [r]);
});

test('characters XML cannot carry are dropped, and the rest of the value reads back', async () => {
  const r = fullRegistration();
  r.provider.address.town = 'Test\u0001town\u001F';
  r.provider.name = 'Lone \uD800surrogate';
  const extract = await readExtract(write(HEADER, [r]), 'forbidden.xml');
  assert.equal(extract.registrations[0]?.provider.address.town, 'Testtown');
  assert.equal(extract.registrations[0]?.provider.name, 'Lone surrogate');
});

// --- escaping --------------------------------------------------------------------------------

test('escapeText escapes &, < and >, and leaves quotes alone', () => {
  assert.equal(escapeText(`a & b < c > d "e" 'f'`), `a &amp; b &lt; c &gt; d "e" 'f'`);
  assert.equal(escapeText('&amp;'), '&amp;amp;');
  assert.equal(escapeText(']]>'), ']]&gt;');
});

test('escapeText returns an ordinary value unchanged', () => {
  const value = 'Flat 3, 12 Acacia Avenue';
  assert.equal(escapeText(value), value);
  assert.equal(escapeText(''), '');
});

test('escapeText removes the characters XML 1.0 forbids and keeps TAB and LF', () => {
  const forbidden = [
    ...Array.from({ length: 9 }, (_, i) => String.fromCharCode(i)), // U+0000–U+0008
    '\u000B',
    '\u000C',
    ...Array.from({ length: 18 }, (_, i) => String.fromCharCode(0x0e + i)), // U+000E–U+001F
    '\uFFFE',
    '\uFFFF',
  ];
  assert.equal(escapeText(`a${forbidden.join('')}b`), 'ab');
  assert.equal(escapeText('a\tb\nc'), 'a\tb\nc');
  // DEL and C1 controls are allowed in XML 1.0 and kept.
  assert.equal(escapeText('a\u007F\u0085b'), 'a\u007F\u0085b');
});

test('escapeText writes CR as a character reference, so it is not turned into LF', () => {
  assert.equal(escapeText('a\r\nb\rc'), 'a&#13;\nb&#13;c');
});

test('escapeText keeps astral characters and removes unpaired surrogates', () => {
  assert.equal(escapeText('smile \u{1F600} \u{1D11E}'), 'smile \u{1F600} \u{1D11E}');
  assert.equal(escapeText('a\uD83Db'), 'ab'); // high surrogate alone
  assert.equal(escapeText('a\uDE00b'), 'ab'); // low surrogate alone
  assert.equal(escapeText('a\uDE00\uD83Db'), 'ab'); // the pair reversed is two lone halves
  assert.equal(escapeText('\uD83D'), '');
  assert.equal(escapeText('\uD83D\uD83D\uDE00'), '\u{1F600}'); // a lone half before a pair
  assert.equal(escapeText('x & \u{1F600}\u0000'), 'x &amp; \u{1F600}');
});

// --- shape -----------------------------------------------------------------------------------

test('a registration is written in the feed order, with every optional element when present', () => {
  const xml = registrationElement(fullRegistration());
  const order = [
    'ReferenceNumber',
    'RPReferenceNumber',
    'ProvisionType',
    'SecondaryProvisionType',
    'Provider',
    'ProviderContact',
    'FaxNumber',
    'Setting',
    'SettingContact',
    'SpecialConsiderations',
    'RegistrationStatus',
    'RegistrationStatusHistoryList',
    'RegistrationDate',
    'ChildServicesRegisterList',
    'EndDate',
    'RegistrationCertificate',
    'ChildcarePeriodList',
    'ChildcareAgeList',
    'InspectionList',
    'NoticeHistoryList',
    'NOIDate',
    'NODDate',
    'LastChangeDate',
  ];
  const at = order.map((name) => xml.indexOf(`<${name}`));
  assert.ok(
    at.every((i) => i >= 0),
    `missing: ${order.filter((_, i) => at[i]! < 0).join(', ')}`,
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
  );
  assert.match(xml, /<NoticeHistory>\n\s+<Type>NOI<\/Type>[^]*?<NOIDate>2022-01-01<\/NOIDate>/);
  assert.match(xml, /<Type>NOD<\/Type>[^]*?<NODDate>2022-02-01<\/NODDate>/);
});

test('optional elements and containers are left out when absent or empty; spaces are a value', () => {
  const bare = registrationElement(bareRegistration());
  for (const name of [
    'RPReferenceNumber',
    'SecondaryProvisionType',
    'ProviderContact',
    'AddressLine2',
    'County',
    'Setting',
    'SpecialConsiderations',
    'RegistrationDate',
  ]) {
    assert.ok(!bare.includes(`<${name}`), `${name} written`);
  }

  const r = fullRegistration();
  r.provider.address.county = '';
  r.provider.address.addressLine2 = '\u0001'; // nothing left once the forbidden character goes
  r.provider.contact = { telephoneNumber: '', faxNumber: '' };
  r.setting!.contact = {};
  delete r.registers[0]!.endDate;
  r.notices = [{ type: 'NOD', subType: 'Cancellation NOD', status: 'Appeal period' }];
  const xml = registrationElement(r);
  for (const name of [
    'County',
    'AddressLine2',
    'ProviderContact',
    'SettingContact',
    'EndDate',
    'NODDate',
    'NOIDate',
  ]) {
    assert.ok(!xml.includes(`<${name}`), `${name} written`);
  }
  // Text is written exactly: a value of spaces is a value (Ofsted's minLength is 1).
  r.provider.address.county = '   ';
  assert.ok(registrationElement(r).includes('<County>   </County>'));
});

test('list containers and RegistrationCertificate are always written; empty ones self-closed', () => {
  const bare = registrationElement(bareRegistration());
  for (const name of [
    'RegistrationStatusHistoryList',
    'ChildServicesRegisterList',
    'RegistrationCertificate',
    'ChildcarePeriodList',
    'ChildcareAgeList',
    'InspectionList',
    'NoticeHistoryList',
  ]) {
    assert.ok(bare.includes(`\n    <${name} />\n`), `${name} not self-closed`);
  }
  assert.ok(registrationElement(fullRegistration()).includes('\n    <RegistrationCertificate />\n'));
});

test('the document is laid out like the feed: declaration, namespaces, 2-space indents, LF', () => {
  const xml = write(HEADER, [bareRegistration()]);
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n'));
  assert.ok(
    xml.includes(
      '<OfstedChildcareRegisterLocalAuthorityExtract xmlns:xs="http://www.w3.org/2001/XMLSchema-instance"\n' +
        '  xmlns="http://www.ofsted.gov.uk/Childcare/Registration/LocalAuthority">\n',
    ),
  );
  assert.ok(!xml.includes('\r'));
  for (const line of xml.split('\n').slice(3, -2)) {
    assert.match(line, /^( {2})+<[^<]*(<\/[A-Za-z0-9]+>)?$/, `line: ${line}`);
  }
  assert.ok(xml.endsWith(EXTRACT_CLOSING));
  assert.equal(EXTRACT_CLOSING, '</OfstedChildcareRegisterLocalAuthorityExtract>\n');
});

test('an extract with no registrations is just the header', async () => {
  const xml = write(HEADER, []);
  assert.equal(xml, extractOpening(HEADER) + EXTRACT_CLOSING);
  const extract = await readExtract(xml, 'empty.xml');
  assert.deepEqual(extract, { header: HEADER, registrations: [] });
});

test('header values are escaped too', () => {
  const opening = extractOpening({ ...HEADER, laName: 'Bath & North East Somerset' });
  assert.ok(opening.includes('<LocalAuthorityName>Bath &amp; North East Somerset</LocalAuthorityName>'));
});

test('extractChunks streams: opening, one chunk per registration, closing, pulled lazily', () => {
  let pulled = 0;
  function* source(): Generator<Registration> {
    for (const r of [fullRegistration(), bareRegistration()]) {
      pulled += 1;
      yield r;
    }
  }
  const chunks = extractChunks(HEADER, source());
  assert.equal(chunks.next().value, extractOpening(HEADER));
  assert.equal(pulled, 0);
  assert.equal(chunks.next().value, registrationElement(fullRegistration()));
  assert.equal(pulled, 1);
  assert.equal(chunks.next().value, registrationElement(bareRegistration()));
  assert.equal(chunks.next().value, EXTRACT_CLOSING);
  assert.equal(chunks.next().done, true);
});

test('the same header and registrations always give the same bytes', () => {
  const digest = (): string => {
    const hash = createHash('sha256');
    for (const [laCode, registrations] of demoByLa()) {
      for (const chunk of extractChunks(headerFor(laCode), registrations)) hash.update(chunk);
    }
    return hash.digest('hex');
  };
  assert.equal(digest(), digest());
});
