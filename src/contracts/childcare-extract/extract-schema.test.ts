import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateRegister } from './synthetic-register.ts';
import { MAX_AGE } from './registration-rules.ts';
import {
  CHILDCARE_PERIODS,
  NOTICE_TYPES,
  PROVISION_TYPES,
  REFERENCE_NUMBER_PATTERN,
  REGISTERS,
  AGE_BAND_REGISTERS,
  REGISTER_STATUSES,
  YES_NO,
  REGISTRATION_STATUSES,
  SPECIAL_CONSIDERATIONS,
} from './registration.ts';
import type { Registration } from './registration.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import {
  EXTRACT_XSD_PATH,
  extractDocumentName,
  readExtractXsd,
  validateExtractXml,
} from './extract-schema.ts';
import { extractChunks } from './extract-writer.ts';

const SAMPLE = readFileSync(
  fileURLToPath(new URL('../../../reference/ispp-contract/sample-extract-synthetic.xml', import.meta.url)),
  'utf8',
);

/** The sample with its repeated URN made unique: valid, and a base to break in tests. */
function fixedSample(): string {
  const second = SAMPLE.indexOf('EY12345', SAMPLE.indexOf('EY12345') + 1);
  return `${SAMPLE.slice(0, second)}EY12346${SAMPLE.slice(second + 'EY12345'.length)}`;
}

function demoDocuments(scale: 'demo' | 'national' = 'demo', laCodes?: string[]): string[] {
  const byLa = new Map<string, Registration[]>();
  for (const r of generateRegister({
    scale,
    seed: 1,
    today: '2026-11-01',
    ...(laCodes ? { laCodes } : {}),
  })) {
    const list = byLa.get(r.laCode);
    if (list) list.push(r);
    else byLa.set(r.laCode, [r]);
  }
  return [...byLa].map(([laCode, registrations]) => {
    const header = {
      extractDateTime: '2026-11-01T05:30:00',
      laCode,
      laName: localAuthorityByCode(laCode)?.name ?? '',
    };
    return [...extractChunks(header, registrations)].join('');
  });
}

test('the XSD is where EXTRACT_XSD_PATH says and readExtractXsd returns it', async () => {
  assert.ok(existsSync(EXTRACT_XSD_PATH));
  const xsd = await readExtractXsd();
  assert.equal(xsd, readFileSync(EXTRACT_XSD_PATH, 'utf8'));
  assert.match(
    xsd,
    /targetNamespace="http:\/\/www\.ofsted\.gov\.uk\/Childcare\/Registration\/LocalAuthority"/,
  );
});

test("every LA document of the demo register is valid, against edgate's XSD and Ofsted's v1.3", async () => {
  const docs = demoDocuments();
  assert.equal(docs.length, 153);
  for (const against of ['edgate', 'ofsted-v1.3'] as const) {
    const result = await validateExtractXml(docs, against);
    assert.deepEqual(result.errors, [], against);
    assert.equal(result.valid, true);
  }
});

test("a national run's extracts are valid against Ofsted's v1.3 XSD: a sample of LAs, the largest included", async () => {
  // The whole national register takes minutes to validate; bench/extract-national validates it all.
  // 886 Kent (the largest), 825 Buckinghamshire, 201 City of London (the smallest).
  const docs = demoDocuments('national', ['201', '825', '886']);
  assert.equal(docs.length, 3);
  assert.ok(docs.every((xml) => xml.includes('<UniquePropertyReferenceNumber>')));
  const result = await validateExtractXml(docs, 'ofsted-v1.3');
  assert.deepEqual(result.errors, []);
  assert.equal(result.valid, true);
});

test('the sample is valid except for its repeated reference number', async () => {
  // Both in one run; xmllint reports every problem of every document, so no doc2 line = valid.
  const result = await validateExtractXml([SAMPLE, fixedSample()]);
  assert.equal(result.valid, false);
  assert.equal(result.errors.length, 1, result.errors.join('\n'));
  // libxml2 reports the line of the second <Registration>'s start tag.
  const second = SAMPLE.slice(0, SAMPLE.lastIndexOf('<Registration>')).split('\n').length;
  assert.match(
    result.errors[0]!,
    new RegExp(
      `^doc1\\.xml:${second}: .*Duplicate key-sequence \\['EY12345'\\] in unique identity-constraint .*UniqueReferenceNumber`,
    ),
  );
});

test('broken documents are refused, each for its own reason', async () => {
  const base = fixedSample();
  const cases: { name: string; xml: string; error: RegExp }[] = [
    {
      name: 'unknown ProvisionType',
      xml: base.replace('<ProvisionType>CMR</ProvisionType>', '<ProvisionType>NUR</ProvisionType>'),
      error: /ProvisionType.*'NUR' is not an element of the set/,
    },
    {
      name: 'elements out of order',
      xml: base.replace(
        '<ReferenceNumber>EY12345</ReferenceNumber>\n    <ProvisionType>CMR</ProvisionType>',
        '<ProvisionType>CMR</ProvisionType>\n    <ReferenceNumber>EY12345</ReferenceNumber>',
      ),
      error: /Element '.*ProvisionType': This element is not expected\. Expected is .*ReferenceNumber/,
    },
    {
      name: 'missing required element',
      xml: base.replace('<LastChangeDate>2022-06-17</LastChangeDate>\n', ''),
      error: /Missing child element.*LastChangeDate/,
    },
    {
      name: 'missing Town',
      xml: base.replace('<Town>Imaginary town</Town>\n', ''),
      error: /Element '.*County': This element is not expected\. Expected is .*Town/,
    },
    {
      name: 'duplicate reference number',
      xml: SAMPLE,
      error: /Duplicate key-sequence \['EY12345'\]/,
    },
    {
      name: 'impossible date',
      xml: base.replace(
        '<LastChangeDate>2022-06-17</LastChangeDate>',
        '<LastChangeDate>2022-02-30</LastChangeDate>',
      ),
      error: /LastChangeDate.*'2022-02-30' is not a valid value/,
    },
    {
      name: 'date in UK format',
      xml: base.replace('<ChangeDate>2012-03-16</ChangeDate>', '<ChangeDate>16/03/2012</ChangeDate>'),
      error: /ChangeDate.*'16\/03\/2012' is not a valid value/,
    },
    {
      name: 'date with a time zone',
      xml: base.replace(
        '<InspectionDate>2012-09-05</InspectionDate>',
        '<InspectionDate>2012-09-05Z</InspectionDate>',
      ),
      error: /InspectionDate.*\[facet 'pattern'\]/,
    },
    {
      name: 'extract time with a time zone',
      xml: base.replace('2024-01-30T05:30:46', '2024-01-30T05:30:46+00:00'),
      error: /ExtractDateTime.*\[facet 'pattern'\]/,
    },
    {
      name: 'LA code not 3 digits',
      xml: base.replace(
        '<LocalAuthorityCode>825</LocalAuthorityCode>',
        '<LocalAuthorityCode>E06000060</LocalAuthorityCode>',
      ),
      error: /LocalAuthorityCode.*\[facet 'pattern'\]/,
    },
    {
      name: 'malformed reference number',
      xml: base.replace(
        '<ReferenceNumber>EY12346</ReferenceNumber>',
        '<ReferenceNumber>EY12</ReferenceNumber>',
      ),
      error: /ReferenceNumber.*\[facet 'pattern'\]/,
    },
    {
      name: 'blank provider name',
      xml: base.replace('<ProviderName>Not a real name</ProviderName>', '<ProviderName>  </ProviderName>'),
      error: /ProviderName.*\[facet 'pattern'\]/,
    },
    {
      name: 'age over 20',
      xml: base.replace('<AgeTo>8</AgeTo>', '<AgeTo>21</AgeTo>'),
      error: /AgeTo.*\[facet 'maxInclusive'\]/,
    },
    {
      name: 'negative maximum number',
      xml: base.replace('<MaximumNumber>6</MaximumNumber>', '<MaximumNumber>-1</MaximumNumber>'),
      error: /MaximumNumber.*'-1' is not a valid value/,
    },
    {
      name: 'unknown element',
      xml: base.replace(
        '<RegistrationCertificate />',
        '<RegistrationCertificate />\n    <Website>x</Website>',
      ),
      error: /Element '.*Website': This element is not expected/,
    },
    {
      name: 'content in RegistrationCertificate',
      xml: base.replace(
        '<RegistrationCertificate />',
        '<RegistrationCertificate>yes</RegistrationCertificate>',
      ),
      error: /RegistrationCertificate': Character content other than whitespace is not allowed/,
    },
    {
      name: 'both notice dates',
      xml: base.replace(
        '<NoticeHistoryList />',
        '<NoticeHistoryList><NoticeHistory><Type>NOI</Type><SubType>x</SubType><Status>Open</Status>' +
          '<NOIDate>2020-01-01</NOIDate><NODDate>2020-02-01</NODDate></NoticeHistory></NoticeHistoryList>',
      ),
      error: /Element '.*NODDate': This element is not expected/,
    },
    {
      name: 'wrong namespace',
      xml: base.replace(
        'xmlns="http://www.ofsted.gov.uk/Childcare/Registration/LocalAuthority"',
        'xmlns="urn:other"',
      ),
      error: /No matching global declaration available for the validation root/,
    },
    {
      name: 'not well-formed',
      xml: base.replace('</Extract>', '</Extrac>'),
      error: /parser error/,
    },
  ];

  // One xmllint run for all of them: each document's problems are told apart by its name.
  const result = await validateExtractXml(cases.map((c) => c.xml));
  assert.equal(result.valid, false);
  cases.forEach((c, i) => {
    const prefix = `${extractDocumentName(i)}:`;
    const own = result.errors.filter((e) => e.startsWith(prefix));
    assert.ok(own.length > 0, `${c.name}: no error reported`);
    assert.ok(
      own.some((e) => c.error.test(e)),
      `${c.name}: expected ${String(c.error)}, got:\n${own.join('\n')}`,
    );
  });
});

test('a document that is not XML at all is reported, not thrown', async () => {
  const result = await validateExtractXml('not xml');
  assert.equal(result.valid, false);
  assert.match(result.errors[0] ?? '', /^doc1\.xml:1: parser error/);
});

test('validating nothing is trivially valid', async () => {
  assert.deepEqual(await validateExtractXml([]), { valid: true, errors: [] });
});

// --- the XSD and registration.ts must change together -------------------------------------------

/** The enumeration values of a named simple type in the XSD, in order. */
function enumeration(xsd: string, typeName: string): string[] {
  const start = xsd.indexOf(`<xs:simpleType name="${typeName}">`);
  assert.ok(start >= 0, `no simple type ${typeName}`);
  const body = xsd.slice(start, xsd.indexOf('</xs:simpleType>', start));
  return [...body.matchAll(/<xs:enumeration value="([^"]*)"/g)].map((m) => m[1]!);
}

test('the XSD enumerations, reference pattern and age limit match codes.ts and the rules', async () => {
  const xsd = await readExtractXsd();
  assert.deepEqual(enumeration(xsd, 'ProvisionTypeCode'), [...PROVISION_TYPES]);
  assert.deepEqual(enumeration(xsd, 'RegistrationStatusCode'), [...REGISTRATION_STATUSES]);
  assert.deepEqual(enumeration(xsd, 'SpecialConsiderationCode'), [...SPECIAL_CONSIDERATIONS]);
  assert.deepEqual(enumeration(xsd, 'RegisterCode'), [...REGISTERS]);
  assert.deepEqual(enumeration(xsd, 'AgeBandRegisterCode'), [...AGE_BAND_REGISTERS]);
  assert.deepEqual(enumeration(xsd, 'RegisterStatusCode'), [...REGISTER_STATUSES]);
  assert.deepEqual(enumeration(xsd, 'YesNoCode'), [...YES_NO]);
  assert.deepEqual(enumeration(xsd, 'ChildcarePeriodCode'), [...CHILDCARE_PERIODS]);
  assert.deepEqual(enumeration(xsd, 'NoticeTypeCode'), [...NOTICE_TYPES]);

  // XSD patterns are anchored and `\d` there means any Unicode digit, hence [0-9].
  const jsPattern = REFERENCE_NUMBER_PATTERN.source
    .replace(/^\^\((.*)\)\$$/, '$1')
    .replaceAll('\\d', '[0-9]');
  assert.ok(
    xsd.includes(`<xs:pattern value="${jsPattern}"/>`),
    `reference pattern ${jsPattern} not in the XSD`,
  );

  const age = xsd.slice(xsd.indexOf('<xs:simpleType name="AgeType">'));
  assert.match(age, new RegExp(`^[^]*?<xs:maxInclusive value="${MAX_AGE}"/>[^]*?</xs:simpleType>`));
});
