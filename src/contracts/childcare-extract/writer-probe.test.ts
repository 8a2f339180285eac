import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registrationElement } from './extract-writer.ts';
import {
  CHILDCARE_PERIODS,
  PROVISION_TYPES,
  REGISTERS,
  REGISTER_STATUSES,
  REGISTRATION_STATUSES,
  SPECIAL_CONSIDERATIONS,
} from './registration.ts';
import { writerProbeRegistrations } from './writer-probe.ts';

const probe = writerProbeRegistrations();
const elements = probe.map(registrationElement);
const written = elements.join('');

const xsd = readFileSync(path.join(import.meta.dirname, 'childcare-register-extract.xsd'), 'utf8');
/** Element names of a registration (the header's are written once a document, not per registration). */
const HEADER = new Set([
  'OfstedChildcareRegisterLocalAuthorityExtract',
  'Extract',
  'ExtractDateTime',
  'LocalAuthority',
  'LocalAuthorityCode',
  'LocalAuthorityName',
]);
const declared = (optionalOnly: boolean): Set<string> =>
  new Set(
    [...xsd.matchAll(/<xs:element name="(\w+)"([^>]*)>/g)]
      .filter(([, , rest]) => !optionalOnly || rest!.includes('minOccurs="0"'))
      .map(([, name]) => name!)
      .filter((name) => !HEADER.has(name)),
  );
const opens = (element: string, name: string): boolean =>
  element.includes(`<${name}>`) || element.includes(`<${name} />`);

describe("the extract writer's probe", () => {
  test('writes every element of the schema', () => {
    const missing = [...declared(false)].filter((name) => !opens(written, name));
    assert.deepEqual(missing, []);
  });

  test('leaves out every optional element in some registration', () => {
    // Registration is the list item itself. Register is optional only in a certificate condition, and always written in a register or age band.
    const alwaysThere = [...declared(true)].filter(
      (name) =>
        name !== 'Register' && name !== 'Registration' && elements.every((element) => opens(element, name)),
    );
    assert.deepEqual(alwaysThere, []);
    assert.ok(
      elements.some((element) =>
        /<CertificateCondition>\n\s*<Condition>[^<]*<\/Condition>\n\s*<\/CertificateCondition>/.test(element),
      ),
      'a certificate condition without a register',
    );
  });

  test('writes every list both empty and with items, and a notice of each type with and without a date', () => {
    for (const list of [
      'RegistrationStatusHistoryList',
      'ChildServicesRegisterList',
      'ChildcarePeriodList',
      'ChildcareAgeList',
      'InspectionList',
      'NoticeHistoryList',
      'RegistrationCertificate',
    ]) {
      assert.ok(written.includes(`<${list} />`), `${list} empty`);
      assert.ok(written.includes(`<${list}>`), `${list} with items`);
    }
    assert.ok(/<Type>NOI<\/Type>\n.*\n.*\n\s*<NOIDate>/.test(written));
    assert.ok(/<Type>NOD<\/Type>\n.*\n.*\n\s*<NODDate>/.test(written));
    assert.ok(/<Type>NOI<\/Type>\n.*\n.*\n\s*<\/NoticeHistory>/.test(written));
    assert.ok(/<Type>NOD<\/Type>\n.*\n.*\n\s*<\/NoticeHistory>/.test(written));
  });

  test('writes every code of every code list', () => {
    const codes = [
      ['ProvisionType', PROVISION_TYPES],
      ['RegistrationStatus', REGISTRATION_STATUSES],
      ['Register', REGISTERS],
      ['Status', REGISTER_STATUSES],
      ['ChildcarePeriod', CHILDCARE_PERIODS],
      ['SpecialConsiderations', SPECIAL_CONSIDERATIONS],
    ] as const;
    for (const [name, list] of codes)
      for (const code of list) assert.ok(written.includes(`<${name}>${code}</${name}>`), `${name} ${code}`);
  });

  test('exercises every escaping rule', () => {
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : typeof value === 'object' && value
          ? Object.values(value).flatMap(strings)
          : [];
    const text = strings(probe).join('');
    for (const escaped of ['&amp;', '&lt;', '&gt;', ']]&gt;', '&#13;', '\u{1F31F}', '\t'])
      assert.ok(written.includes(escaped), JSON.stringify(escaped));
    // Characters XML 1.0 forbids are in the input and not in the output, an unpaired surrogate too.
    for (const forbidden of ['\u0001', '\u0002', '\uFFFF'])
      assert.ok(text.includes(forbidden), JSON.stringify(forbidden));
    assert.ok(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(text), 'an unpaired surrogate');
    for (const forbidden of ['\u0001', '\u0002', '\uFFFF']) assert.ok(!written.includes(forbidden));
  });

  test('is the same registrations on every call', () => {
    assert.deepEqual(writerProbeRegistrations(), probe);
    assert.equal(new Set(probe.map((registration) => registration.referenceNumber)).size, probe.length);
  });
});
