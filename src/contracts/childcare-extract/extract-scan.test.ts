/**
 * The fast path against the general reader (docs/decisions/0017): whatever scanExtract returns
 * must be exactly what readExtract reads from the same bytes, and whenever readExtract refuses a
 * document scanExtract must give up. Documents written by the writer, rewritten as other writers
 * would (indentation, line ends, attribute and element order, declarations), and damaged at random.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SaxesParser } from 'saxes';
import { EXTRACT_NAMESPACE, readExtract, type Extract, type ExtractHeader } from './extract-reader.ts';
import { readExtractDocument, scanExtract } from './extract-scan.ts';
import { escapeText, extractChunks } from './extract-writer.ts';
import { everyElementRegistration, exemptAgency } from './feed-fixtures.ts';
import { FEED_FIELDS } from './fields.ts';
import { ImportError } from '../../platform/files/import-problem.ts';
import type { Registration } from './registration.ts';
import { generateRegister } from './synthetic-register.ts';

const HEADER: ExtractHeader = { extractDateTime: '2026-11-01T05:30:00', laCode: '825', laName: 'Testshire' };
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const ROOT = 'OfstedChildcareRegisterLocalAuthorityExtract';

const write = (registrations: readonly Registration[], header: ExtractHeader = HEADER): string =>
  [...extractChunks(header, registrations)].join('');

async function* pieces(bytes: Buffer, size = 4096): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** readExtract over the bytes as a stream: the extract, or the ImportError it throws. */
async function general(bytes: Buffer): Promise<Extract | ImportError> {
  try {
    return await readExtract(pieces(bytes), 'doc.xml');
  } catch (err) {
    if (err instanceof ImportError) return err;
    throw err;
  }
}

/**
 * Asserts the two readers agree on `doc`: the scanner gives up, or returns what readExtract
 * reads (deeply equal, and with properties in the same order). True when the scanner read it.
 */
async function agree(doc: string | Buffer, what: string): Promise<boolean> {
  const bytes = typeof doc === 'string' ? Buffer.from(doc, 'utf8') : doc;
  const scanned = scanExtract(bytes);
  if (scanned === undefined) return false;
  const read = await general(bytes);
  if (read instanceof ImportError) {
    assert.fail(`${what}: the scanner read a document readExtract refuses:\n${read.message}`);
  }
  assert.deepEqual(scanned, read, what);
  assert.equal(JSON.stringify(scanned), JSON.stringify(read), `${what}: property order`);
  return true;
}

/** Both readers read `doc`, to the same extract. */
async function bothRead(doc: string | Buffer, what: string): Promise<Extract> {
  assert.ok(await agree(doc, what), `${what}: the scanner gave up`);
  return scanExtract(Buffer.isBuffer(doc) ? doc : Buffer.from(doc))!;
}

/** The scanner gives up and readExtract refuses `doc`. */
async function bothRefuse(doc: string, what: string): Promise<void> {
  const bytes = Buffer.from(doc);
  assert.equal(scanExtract(bytes), undefined, `${what}: the scanner read it`);
  assert.ok((await general(bytes)) instanceof ImportError, `${what}: readExtract read it`);
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** Every optional property of the fixture removed one at a time, and the v1.3 lists emptied. */
function withoutEachOptional(): Registration[] {
  const out: Registration[] = [];
  const strip: ((r: Registration) => void)[] = [
    (r) => delete r.rpReferenceNumber,
    (r) => delete r.secondaryProvisionType,
    (r) => delete r.provider.contact,
    (r) => delete r.provider.consentWithheld,
    (r) => delete r.provider.address.addressLine2,
    (r) => delete r.provider.address.county,
    (r) => delete r.provider.address.postcode,
    (r) => delete r.provider.address.uprn,
    (r) => delete r.setting,
    (r) => delete r.setting!.contact,
    (r) => delete r.specialConsiderations,
    (r) => delete r.registrationDate,
    (r) => delete r.certificateConditions,
    (r) => delete r.welfareNotices,
    (r) => delete r.linkedRegistrations,
    (r) => delete r.registers[1]!.endDate,
    (r) => delete r.ageBands[0]!.register,
    (r) => delete r.notices[0]!.date,
    (r) => delete r.welfareNotices![0]!.endDate,
    (r) => delete r.certificateConditions![0]!.register,
    (r) => (r.statusHistory = []),
    (r) => (r.registers = []),
    (r) => (r.childcarePeriods = []),
    (r) => (r.ageBands = []),
    (r) => (r.inspections = []),
    (r) => (r.notices = []),
  ];
  strip.forEach((remove, i) => {
    const r = everyElementRegistration(`EY${200000 + i}`);
    remove(r);
    out.push(r);
  });
  return out;
}

// --- a tiny element tree, to rewrite documents as other writers would ---------------------------

interface Node {
  name: string;
  attributes: [string, string][];
  children: Node[];
  text: string;
}

function parse(xml: string): Node {
  const parser = new SaxesParser({ xmlns: false });
  const stack: Node[] = [];
  let root: Node | undefined;
  parser.on('opentag', (tag) => {
    const node: Node = {
      name: tag.name,
      attributes: Object.entries(tag.attributes as Record<string, string>),
      children: [],
      text: '',
    };
    stack.at(-1)?.children.push(node);
    root ??= node;
    stack.push(node);
  });
  parser.on('text', (text) => {
    const top = stack.at(-1);
    if (top) top.text += text;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  return root!;
}

interface Style {
  indent: string;
  newline: string;
  /** `<X />`, `<X/>` or `<X></X>` for an element with nothing in it. */
  empty: (name: string) => string;
  /** White space before `>` in start and end tags. */
  tagSpace: string;
  declaration: string;
  attributes: (attributes: [string, string][]) => [string, string][];
  quote: string;
  shuffle?: () => number;
}

function serialise(node: Node, style: Style, depth = 0): string {
  const pad = style.indent.repeat(depth);
  const attrs =
    depth === 0
      ? style
          .attributes(node.attributes)
          .map(([k, v]) => ` ${k}=${style.quote}${v}${style.quote}`)
          .join('')
      : '';
  const open = `<${node.name}${attrs}${style.tagSpace}>`;
  const close = `</${node.name}${style.tagSpace}>`;
  if (node.children.length > 0) {
    const children = [...node.children];
    if (style.shuffle) {
      for (let i = children.length - 1; i > 0; i--) {
        const j = Math.floor(style.shuffle() * (i + 1));
        [children[i], children[j]] = [children[j]!, children[i]!];
      }
    }
    const inner = children.map((c) => pad + style.indent + serialise(c, style, depth + 1) + style.newline);
    return `${open}${style.newline}${inner.join('')}${pad}${close}`;
  }
  if (node.text === '' && depth > 0) return style.empty(node.name);
  return `${open}${escapeText(node.text)}${close}`;
}

const WRITER_LIKE: Style = {
  indent: '  ',
  newline: '\n',
  empty: (name) => `<${name} />`,
  tagSpace: '',
  declaration: '<?xml version="1.0" encoding="utf-8"?>\n',
  attributes: (a) => a,
  quote: '"',
};

const STYLES: Record<string, Style> = {
  'tabs, CRLF line ends, end tags written out': {
    ...WRITER_LIKE,
    indent: '\t',
    newline: '\r\n',
    empty: (name) => `<${name}></${name}>`,
    declaration: '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\r\n',
  },
  'no white space at all, no declaration': {
    ...WRITER_LIKE,
    indent: '',
    newline: '',
    empty: (name) => `<${name}/>`,
    declaration: '',
  },
  'space before > in tags, single quotes, attributes reversed, schemaLocation': {
    ...WRITER_LIKE,
    indent: '    ',
    tagSpace: ' ',
    quote: "'",
    declaration: "<?xml version='1.0'?>",
    attributes: (a) => [...a.reverse(), ['xs:schemaLocation', `${EXTRACT_NAMESPACE} extract.xsd`]],
  },
  'a byte order mark and a default namespace only': {
    ...WRITER_LIKE,
    declaration: '\ufeff<?xml version="1.0" encoding="utf8"?>\n\n',
    attributes: () => [['xmlns', EXTRACT_NAMESPACE]],
  },
  'children in shuffled order': { ...WRITER_LIKE, shuffle: random(7) },
  'children in another shuffled order': { ...WRITER_LIKE, shuffle: random(8), indent: ' ' },
};

const rewrite = (xml: string, style: Style): string =>
  style.declaration + serialise(parse(xml), style) + '\n';

// ---------------------------------------------------------------------------------------------

test('documents the writer writes are read by the scanner exactly as readExtract reads them', async () => {
  const nodFirst = everyElementRegistration('EY100004');
  nodFirst.notices.reverse();
  await bothRead(write([everyElementRegistration(), exemptAgency(), nodFirst]), 'every element');
  await bothRead(write(withoutEachOptional()), 'each optional element absent');
  await bothRead(write([]), 'no registrations');
  const extract = await bothRead(
    write([exemptAgency()], { ...HEADER, laName: ' Tëstshire & Co ' }),
    'header',
  );
  assert.deepEqual(extract.header, {
    extractDateTime: '2026-11-01T05:30:00',
    laCode: '825',
    laName: ' Tëstshire & Co ',
  });
});

test('synthetic registers of several seeds and scales read the same both ways', async () => {
  const cases = [
    { scale: 'demo', seed: 1, laCodes: undefined },
    { scale: 'demo', seed: 2, laCodes: undefined },
    { scale: 'national', seed: 3, laCodes: ['420'] },
    { scale: 'national', seed: 4, laCodes: ['201', '943'] },
    { scale: 'national', seed: 5, laCodes: ['825'] },
  ] as const;
  for (const { scale, seed, laCodes } of cases) {
    const registrations: Registration[] = [];
    const options = { scale, seed, today: '2026-11-01', ...(laCodes ? { laCodes: [...laCodes] } : {}) };
    // The first 400 of each: readExtract, the reference, reads ~3 MB a second.
    for (const r of generateRegister(options)) if (registrations.push(r) === 400) break;
    // One document as an LA would get it, whatever LAs the records came from.
    const extract = await bothRead(write(registrations), `${scale} seed ${seed}`);
    assert.equal(extract.registrations.length, registrations.length);
  }
});

test('documents rewritten as other writers would write them read the same both ways', async () => {
  const nodFirst = everyElementRegistration('EY100004');
  nodFirst.notices.reverse();
  const synthetic = [...generateRegister({ scale: 'demo', seed: 3, today: '2026-11-01' })].slice(0, 40);
  const xml = write([
    everyElementRegistration(),
    exemptAgency(),
    nodFirst,
    ...withoutEachOptional(),
    ...synthetic,
  ]);
  const original = scanExtract(Buffer.from(xml))!;
  for (const [what, style] of Object.entries(STYLES)) {
    const extract = await bothRead(rewrite(xml, style), what);
    if (!style.shuffle) {
      // Only line ends inside text (CRLF and CR are LF to XML) may differ from the original.
      assert.equal(extract.registrations.length, original.registrations.length, what);
    }
  }
  // The header after the registrations.
  const headerLast = xml
    .replace(/ {2}<Extract>[^]*?<\/Extract>\n/, '')
    .replace(
      `</${ROOT}>`,
      `  <Extract><ExtractDateTime>2026-11-01T05:30:00</ExtractDateTime><LocalAuthority><LocalAuthorityName>Testshire</LocalAuthorityName><LocalAuthorityCode> 825 </LocalAuthorityCode></LocalAuthority></Extract>\n</${ROOT}>`,
    );
  assert.deepEqual(await bothRead(headerLast, 'header last'), original);
});

test('entities, character references and line ends are read as XML reads them', async () => {
  const r = exemptAgency();
  const xml = write([r]);
  const variants: [string, string][] = [
    ['<Town>Aylesbury</Town>', '<Town>Ay&#108;es&#x62;ury &amp; &lt;&gt;&quot;&apos; &#x1F31F;&#13;</Town>'],
    ['<Town>Aylesbury</Town>', '<Town>Ayles\r\nbury\rtown\n</Town>'],
    ['<AddressLine1>Unit 4</AddressLine1>', '<AddressLine1>Unit > 4 ]] ] ></AddressLine1>'],
    ['<AddressLine1>Unit 4</AddressLine1>', '<AddressLine1>Ünit 4 \u00a0\u2028</AddressLine1>'],
    ['<ProviderName>Agency\u00a0Ltd</ProviderName>', '<ProviderName>&#65;&#00000066;</ProviderName>'],
  ];
  for (const [from, to] of variants) {
    assert.ok(xml.includes(from), from);
    await bothRead(xml.replace(from, to), to);
  }
  // Dates: the midnight time is dropped; only real days are dates (years before 100 are not).
  for (const [date, ok] of [
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2023-02-29', false],
    ['2024-02-29T00:00:00', true],
    ['2024-02-29T00:00:00.000', true],
    ['2024-02-29T00:00:01', false],
    [' 2024-04-30 ', true],
    ['2024-04-31', false],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['2024-01-00', false],
    ['0100-01-01', true],
    ['0099-01-01', false],
    ['２０２４-01-01', false],
  ] as const) {
    const doc = xml.replace(
      '<LastChangeDate>2024-02-03</LastChangeDate>',
      `<LastChangeDate>${date}</LastChangeDate>`,
    );
    if (ok) await bothRead(doc, date);
    else await bothRefuse(doc, date);
  }
});

test('the published sample: refused both ways with its repeated reference number, read alike without', async () => {
  const sample = readFileSync(
    fileURLToPath(new URL('../../../reference/ispp-contract/sample-extract-synthetic.xml', import.meta.url)),
    'utf8',
  );
  await bothRefuse(sample, 'sample');
  const second = sample.indexOf(
    '<ReferenceNumber>EY12345</ReferenceNumber>',
    sample.indexOf('</Registration>'),
  );
  assert.ok(second > 0);
  const fixed = sample.slice(0, second) + sample.slice(second).replace('EY12345', 'EY12346');
  await bothRead(fixed, 'sample fixed');
});

test('every length limit of the field table: at the limit both read it, one more and both refuse', async () => {
  const limited = FEED_FIELDS.filter((f) => f.type === 'text' && f.maxLength !== undefined);
  assert.ok(limited.length >= 20);
  for (const field of limited) {
    for (const extra of [0, 1]) {
      const r = everyElementRegistration();
      const steps = field.property.replace(/\[\]/g, '.0').split('.');
      let target = r as unknown as Record<string, unknown>;
      for (const step of steps.slice(0, -1)) target = target[step] as Record<string, unknown>;
      // An emoji last: the limit counts characters, not UTF-16 units.
      target[steps.at(-1)!] = 'y'.repeat(field.maxLength! - 1 + extra) + '\u{1F31F}';
      if (extra === 0) await bothRead(write([r]), `${field.property} at its limit`);
      else await bothRefuse(write([r]), `${field.property} one over`);
    }
  }
  const header = { ...HEADER, laName: 'n'.repeat(81) };
  await bothRefuse(write([], header), 'LA name one over');
});

test('every rule the general reader applies makes the scanner give up', async () => {
  const cases: [string, (r: Registration) => void][] = [
    ['unknown provision type', (r) => (r.provisionType = 'XYZ' as never)],
    ['bad reference number', (r) => (r.referenceNumber = 'EY1')],
    ['bad RP reference number', (r) => (r.rpReferenceNumber = 'XX100001')],
    ['blank provider name', (r) => (r.provider.name = '  ')],
    ['blank address line 1', (r) => (r.provider.address.addressLine1 = '\n')],
    ['blank town', (r) => (r.setting!.address.town = ' ')],
    ['UPRN 0', (r) => (r.provider.address.uprn = '0')],
    ['UPRN of 13 digits', (r) => (r.provider.address.uprn = '0000000000001')],
    ['UPRN not a number', (r) => (r.provider.address.uprn = '12a')],
    ['unknown consent value', (r) => (r.provider.consentWithheld = 'X' as never)],
    ['a setting on a registered person', (r) => (r.provisionType = 'RPP')],
    ['unknown special consideration', (r) => (r.specialConsiderations = 'X' as never)],
    ['unknown status', (r) => (r.status = 'X' as never)],
    ['unknown status in the history', (r) => (r.statusHistory[0]!.status = 'X' as never)],
    ['bad change date', (r) => (r.statusHistory[0]!.changeDate = '2019-02-30')],
    ['bad registration date', (r) => (r.registrationDate = 'soon')],
    ['unknown register', (r) => (r.registers[0]!.register = 'XYZ' as never)],
    ['unknown register status', (r) => (r.registers[0]!.status = 'X' as never)],
    ['register ends before it starts', (r) => (r.registers[1]!.endDate = '2019-03-03')],
    ['blank condition', (r) => (r.certificateConditions![1]!.condition = ' ')],
    ['unknown condition register', (r) => (r.certificateConditions![0]!.register = 'X' as never)],
    ['unknown childcare period', (r) => (r.childcarePeriods[0] = 'X' as never)],
    ['age to 21', (r) => (r.ageBands[2]!.ageTo = 21)],
    ['age from -1', (r) => (r.ageBands[0]!.ageFrom = -1)],
    ['age from not below age to', (r) => (r.ageBands[0]!.ageFrom = 5)],
    ['negative maximum', (r) => (r.ageBands[0]!.maximumNumber = -1)],
    ['not a whole number', (r) => (r.ageBands[0]!.maximumNumber = 1.5)],
    ['an age band on the voluntary register', (r) => (r.ageBands[0]!.register = 'VCR')],
    ['blank inspection type', (r) => (r.inspections[0]!.inspectionType = '')],
    ['bad inspection date', (r) => (r.inspections[0]!.inspectionDate = '2020-5-6')],
    ['unknown notice type', (r) => (r.notices[0]!.type = 'NOX' as never)],
    ['bad notice date', (r) => (r.notices[0]!.date = '2021-01-32')],
    ['blank welfare category', (r) => (r.welfareNotices![0]!.category = ' ')],
    ['welfare ends before it starts', (r) => (r.welfareNotices![0]!.endDate = '2022-01-09')],
    ['bad linked reference', (r) => (r.linkedRegistrations![0]!.referenceNumber = 'nope')],
    ['blank linked reason', (r) => (r.linkedRegistrations![0]!.reason = ' ')],
    ['bad last change date', (r) => (r.lastChangeDate = '')],
  ];
  for (const [what, change] of cases) {
    const r = everyElementRegistration();
    change(r);
    await bothRefuse(write([r]), what);
  }

  await bothRefuse(
    write([everyElementRegistration(), everyElementRegistration()]),
    'a repeated reference number',
  );

  const xml = write([everyElementRegistration()]);
  const edits: [string, string, string][] = [
    ['a NOD notice with NOIDate', '<NODDate>', '<NOIDate>'],
    ['a NOI notice with NODDate', '<NOIDate>2021-01-05</NOIDate>', '<NODDate>2021-01-05</NODDate>'],
    [
      'both notice dates',
      '<NOIDate>2021-01-05</NOIDate>',
      '<NOIDate>2021-01-05</NOIDate><NODDate>2021-01-05</NODDate>',
    ],
    ['a missing required element', '<Town>Wendover</Town>', ''],
    ['a missing header', /<Extract>[^]*<\/Extract>/.exec(xml)![0], ''],
    ['a repeated element', '<Town>Wendover</Town>', '<Town>Wendover</Town><Town>Wendover</Town>'],
    [
      'a repeated header',
      '</Extract>',
      '</Extract><Extract><ExtractDateTime>2026-11-01T05:30:00</ExtractDateTime><LocalAuthority><LocalAuthorityCode>825</LocalAuthorityCode><LocalAuthorityName>x</LocalAuthorityName></LocalAuthority></Extract>',
    ],
    ['an unknown element', '<LastChangeDate>', '<Extra>1</Extra><LastChangeDate>'],
    ['text in a container', '<Provider>', '<Provider>text'],
    ['an element inside a leaf', '<Town>Wendover</Town>', '<Town><b>Wendover</b></Town>'],
    ['an attribute on an element', '<Town>', '<Town lang="en">'],
    ['the wrong root namespace', EXTRACT_NAMESPACE, 'urn:other'],
    ['a wrong end tag', '</Town>', '</Tow>'],
    ['bad LA code', '<LocalAuthorityCode>825', '<LocalAuthorityCode>8250'],
    ['bad extract date-time', '2026-11-01T05:30:00', '2026-11-31T05:30:00'],
    ['a DOCTYPE', '<OfstedChildcare', '<!DOCTYPE x [<!ENTITY e "e">]>\n<OfstedChildcare'],
    ['an undefined entity', '<Town>Wendover', '<Town>Wendover&e;'],
    ['a reference to a character XML forbids', '<Town>Wendover', '<Town>Wendover&#1;'],
    ['a raw control character', '<Town>Wendover', '<Town>Wendover\u0001'],
    [']]> in text', '<Town>Wendover', '<Town>Wendover]]>'],
    ['another encoding declared', 'encoding="utf-8"', 'encoding="windows-1252"'],
    ['text after the root', `</${ROOT}>`, `</${ROOT}>x`],
  ];
  for (const [what, from, to] of edits) {
    assert.ok(xml.includes(from), what);
    await bothRefuse(xml.replace(from, to), what);
  }
});

test('documents the scanner does not read but readExtract does still read, through readExtractDocument', async () => {
  const xml = write([exemptAgency()]);
  const unusual = [
    xml.replace('<Town>Aylesbury</Town>', '<Town><!-- a comment -->Aylesbury</Town>'),
    xml.replace('<Town>Aylesbury</Town>', '<Town><![CDATA[Aylesbury]]></Town>'),
    xml.replace('<RegistrationStatusHistoryList>', '<?pi data?><RegistrationStatusHistoryList>'),
    xml.replace('<Registration>', '<Registration xs:nil="false">'),
    xml
      .replace(/<(\/?)([A-Z]\w*)( \/)?>/g, '<$1x:$2$3>')
      .replace(`<${ROOT} `, `<x:${ROOT} `)
      .replace(`xmlns="${EXTRACT_NAMESPACE}"`, `xmlns:x="${EXTRACT_NAMESPACE}"`),
  ];
  for (const doc of unusual) {
    const bytes = Buffer.from(doc);
    assert.equal(scanExtract(bytes), undefined, doc);
    const read = await general(bytes);
    assert.ok(!(read instanceof ImportError), read instanceof ImportError ? read.message : '');
    assert.deepEqual(await readExtractDocument(bytes, 'doc.xml'), read);
  }
  // Bad UTF-8: readExtract reads it with U+FFFD; the scanner leaves it to readExtract.
  const bad = Buffer.concat([
    Buffer.from(xml.slice(0, xml.indexOf('Aylesbury'))),
    Buffer.from([0xff]),
    Buffer.from(xml.slice(xml.indexOf('Aylesbury'))),
  ]);
  assert.equal(scanExtract(bad), undefined);
  assert.equal(
    (await readExtractDocument(bad, 'doc.xml')).registrations[0]?.provider.address.town,
    '\ufffdAylesbury',
  );
  // And a refused document is refused with readExtract's own problems.
  await assert.rejects(
    readExtractDocument(Buffer.from(xml.replace('<ProvisionType>CA<', '<ProvisionType>XX<')), 'bad.xml'),
    (err: unknown) =>
      err instanceof ImportError &&
      /bad\.xml:\d+: record EY100003, field ProvisionType: unknown provision type 'XX'/.test(err.message),
  );
});

test('1,500 randomly damaged documents: the scanner gives up or reads exactly what readExtract reads', async () => {
  const nodFirst = everyElementRegistration('EY100004');
  nodFirst.notices.reverse();
  const synthetic = [...generateRegister({ scale: 'demo', seed: 9, today: '2026-11-01' })].slice(0, 3);
  const base = write([everyElementRegistration(), exemptAgency(), nodFirst, ...synthetic]);
  const rand = random(2026);
  const int = (n: number): number => Math.floor(rand() * n);
  const insertAt = (doc: string, text: string): string => {
    const at = int(doc.length);
    return doc.slice(0, at) + text + doc.slice(at);
  };
  const VALUES = [
    '',
    ' ',
    'XYZ',
    'ACTV',
    ' NOD ',
    'EYR',
    '2024-02-30',
    '2024-02-29',
    '2024-01-01T00:00:00',
    '99',
    '-1',
    '0',
    '20',
    'EY1',
    'EY1234567',
    'x'.repeat(101),
    'y'.repeat(1001),
    '\u00a0',
    '&amp;',
    '&#13;',
    '\r\n',
    'Ünïcödé',
  ];
  const NAMES = [
    'Register',
    'Status',
    'Town',
    'County',
    'Type',
    'NOIDate',
    'NODDate',
    'AgeFrom',
    'Registration',
    'Extract',
    'ReferenceNumber',
    'Provider',
    'Setting',
    'ChildcarePeriod',
    'x:Town',
  ];
  const damages: ((doc: string) => string | Buffer)[] = [
    (doc) => Buffer.from(doc).subarray(0, int(Buffer.byteLength(doc))),
    (doc) => {
      const b = Buffer.from(doc);
      const i = int(b.length);
      const j = int(b.length);
      [b[i], b[j]] = [b[j]!, b[i]!];
      return b;
    },
    (doc) => {
      const b = Buffer.from(doc);
      b[int(b.length)] = int(256);
      return b;
    },
    (doc) =>
      insertAt(
        doc,
        pick(rand, [
          '&amp;',
          '&lt;',
          '&#13;',
          '&#x1F31F;',
          '&#0;',
          '&#xD800;',
          '&#xFFFE;',
          '&bogus;',
          '&',
          '&#;',
          '&#x;',
          '&#65',
          '&#1114112;',
          '&#X41;',
          '&#x41;',
        ]),
      ),
    (doc) =>
      doc.replace(
        '<OfstedChildcare',
        '<!DOCTYPE OfstedChildcareRegisterLocalAuthorityExtract [<!ENTITY a "aaaa">]>\n<OfstedChildcare',
      ),
    (doc) => {
      const depth = 1 + int(200);
      const name = pick(rand, NAMES);
      return insertAt(doc, `<${name}>`.repeat(depth) + `</${name}>`.repeat(depth));
    },
    (doc) =>
      insertAt(
        doc,
        pick(rand, [
          '<!-- c -->',
          '<?pi x?>',
          '<![CDATA[x]]>',
          ' ',
          '\n',
          '\t',
          '\r',
          '<',
          '>',
          ']]>',
          '\u0000',
          '\ufffe',
          '\ufeff',
        ]),
      ),
    (doc) => {
      const lines = doc.split('\n');
      lines.splice(int(lines.length), 1);
      return lines.join('\n');
    },
    (doc) => {
      const lines = doc.split('\n');
      const i = int(lines.length);
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    },
    (doc) => {
      // A leaf's text replaced.
      const leaves = [...doc.matchAll(/<(\w+)>([^<]*)<\/\1>/g)];
      const leaf = pick(rand, leaves);
      const at = leaf.index + leaf[1]!.length + 2;
      return doc.slice(0, at) + pick(rand, VALUES) + doc.slice(at + leaf[2]!.length);
    },
    (doc) => {
      // An attribute added to a start tag.
      const tags = [...doc.matchAll(/<(\w+)( ?)>/g)];
      const tag = pick(rand, tags);
      const at = tag.index + tag[1]!.length + 1;
      const attr = pick(rand, [
        ' a="1"',
        ' xs:nil="true"',
        ` xmlns:p="urn:x"`,
        ` xmlns="${EXTRACT_NAMESPACE}"`,
        ' xs:type="t"',
        " b='2'",
      ]);
      return doc.slice(0, at) + attr + doc.slice(at);
    },
    (doc) => {
      // A tag renamed (start or end, so either mismatched or another element).
      const tags = [...doc.matchAll(/<\/?(\w+)/g)];
      const tag = pick(rand, tags);
      const at = tag.index + tag[0].length - tag[1]!.length;
      return doc.slice(0, at) + pick(rand, NAMES) + doc.slice(at + tag[1]!.length);
    },
    (doc) => {
      // A root attribute changed.
      const root = doc.indexOf('<OfstedChildcare');
      const end = doc.indexOf('>', root);
      const attrs = pick(rand, [
        ` xmlns="${EXTRACT_NAMESPACE}"`,
        ` xmlns="${EXTRACT_NAMESPACE}" xmlns="${EXTRACT_NAMESPACE}"`,
        ` xmlns="${EXTRACT_NAMESPACE}" xmlns:xml="urn:x"`,
        ` xmlns="${EXTRACT_NAMESPACE}" xmlns:p=""`,
        ` xmlns="${EXTRACT_NAMESPACE}" xs:schemaLocation="x"`,
        ` xmlns="${EXTRACT_NAMESPACE}" xmlns:xs="${XSI}" xs:schemaLocation="x" xmlns:xsi="${XSI}" xsi:schemaLocation="y"`,
        ` xmlns="${EXTRACT_NAMESPACE}" xmlns:xs="${XSI}" xs:schemaLocation="x"`,
        ` xmlns="${EXTRACT_NAMESPACE}"xmlns:xs="${XSI}"`,
        ` xmlns:xs="${XSI}"`,
        ` xmlns="${EXTRACT_NAMESPACE}" xml:lang="en"`,
        ` xmlns="${EXTRACT_NAMESPACE}" lang="en"`,
      ]);
      return doc.slice(0, root + 1 + ROOT.length) + attrs + doc.slice(end);
    },
  ];
  let read = 0;
  let refused = 0;
  for (let i = 0; i < 1500; i++) {
    let doc: string | Buffer = base;
    const steps = 1 + int(2);
    for (let s = 0; s < steps; s++)
      doc = pick(rand, damages)(typeof doc === 'string' ? doc : doc.toString('latin1'));
    if (await agree(doc, `damaged document ${i}`)) read++;
    else refused++;
  }
  // Both outcomes are common, so both are being tested.
  assert.ok(read > 50 && refused > 500, `read ${read}, gave up ${refused}`);
});

test('hostile shapes cost time in proportion to their size', async () => {
  const xml = write([exemptAgency()]);
  const MB10 = 10_000_000;
  const shapes: Record<string, string> = {
    'one 10 MB text': xml.replace('<Town>Aylesbury', `<Town>${'a'.repeat(MB10)}`),
    '10 MB of entities in a text': xml.replace('<Town>Aylesbury', `<Town>${'&amp;'.repeat(MB10 / 5)}`),
    '10 MB of ampersands with no semicolon': xml.replace('<Town>Aylesbury', `<Town>${'&'.repeat(MB10)}`),
    '10 MB of white space between elements': xml.replace(
      '<Provider>',
      `${' \n\t'.repeat(MB10 / 3)}<Provider>`,
    ),
    '10 MB of nesting': xml.replace('<Provider>', '<Provider>'.repeat(MB10 / 10)),
    '10 MB of root attributes': xml.replace(
      `xmlns="${EXTRACT_NAMESPACE}"`,
      `xmlns="${EXTRACT_NAMESPACE}"` +
        Array.from({ length: MB10 / 40 }, (_, i) => ` xs:a${i}="${'v'.repeat(20)}"`).join(''),
    ),
    '10 MB of unclosed start tags': xml.replace('<Provider>', '<Provider'.repeat(MB10 / 9)),
    '10 MB of registrations': write(
      Array.from({ length: 10_000 }, (_, i) => exemptAgency(`EY${300000 + i}`)),
    ),
  };
  for (const [what, doc] of Object.entries(shapes)) {
    const bytes = Buffer.from(doc);
    const cpu = process.cpuUsage();
    scanExtract(bytes);
    const used = process.cpuUsage(cpu);
    const seconds = (used.user + used.system) / 1e6;
    assert.ok(seconds < 2, `${what}: ${seconds.toFixed(2)} s of CPU`);
  }
});

test('a value kept from a scanned document does not keep the whole document in memory', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Memory outside V8's heap is counted when its sweeping is done: give it a few turns.
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  // The same registrations in UTF-8 and in plain ASCII (read by different paths).
  const ascii = (r: Registration): Registration =>
    JSON.parse(JSON.stringify(r).replace(/[\u0080-\u{10ffff}]/gu, 'x')) as Registration;
  for (const [what, make, keep] of [
    ['UTF-8', everyElementRegistration, (r: Registration) => r.provider.address.town],
    [
      'ASCII',
      (ref: string) => ascii(everyElementRegistration(ref)),
      (r: Registration) => r.provider.address.town,
    ],
  ] as const) {
    const registrations = Array.from({ length: 4000 }, (_, i) => make(`EY${300000 + i}`));
    const xml = write(registrations);
    // Node keeps a long decoded string outside V8's heap (external), so both are counted.
    const used = (): number => {
      const { heapUsed, external } = process.memoryUsage();
      return heapUsed + external;
    };
    const bytes = Buffer.from(xml);
    assert.ok(bytes.length > 20_000_000);
    await settle();
    const before = used();
    // One value, as a kept change would keep it; everything else dropped.
    const kept = keep(scanExtract(bytes)!.registrations[0]!);
    await settle();
    const grown = used() - before;
    assert.equal(kept, keep(registrations[0]!), what);
    assert.ok(kept.length >= 13, what);
    assert.ok(grown < 5_000_000, `${what}: the heap grew by ${(grown / 1e6).toFixed(1)} MB`);
  }
});

test('XML declarations and root start tags: read alike where both read them, else refused by both', async () => {
  const xml = write([exemptAgency()]);
  const body = xml.slice(xml.indexOf('?>') + 2);
  const rootTag = xml.slice(xml.indexOf(`<${ROOT}`), xml.indexOf('>', xml.indexOf(`<${ROOT}`)) + 1);
  const read = [
    '<?xml version = "1.0" ?>',
    `<?xml version="1.0" encoding = "utf-8"  standalone = 'no' ?>`,
    '<?xml\tversion="1.0"\n?>',
    '<?xml version="1.0" encoding="UTF8"?>',
  ].map((declaration) => declaration + body);
  read.push(
    ...[
      `<${ROOT} xmlns = "${EXTRACT_NAMESPACE}" >`,
      `<${ROOT} xmlns="${EXTRACT_NAMESPACE}" xmlns:a="urn:x" xmlns:b="urn:x">`,
      `<${ROOT} xmlns="${EXTRACT_NAMESPACE}" xmlns:xs="${EXTRACT_NAMESPACE}">`,
      `<${ROOT} xmlns="${EXTRACT_NAMESPACE}" xmlns:x-y.z="${XSI}" x-y.z:nil="1">`,
    ].map((tag) => xml.replace(rootTag, tag)),
  );
  for (const doc of read) await bothRead(doc, doc.slice(0, 200));
  const refused = [
    '<?xml version="1.0" standalone="yes" encoding="utf-8"?>',
    '<?xml version="1.0" encoding=""?>',
    '<?xml version="1.0"?><?xml version="1.0"?>',
    '<?xml ?>',
    '<?xml version="1.0" foo="bar"?>',
  ].map((declaration) => declaration + body);
  refused.push(
    xml.replace(
      rootTag,
      `<${ROOT} xmlns="${EXTRACT_NAMESPACE}" xmlns:p="http://www.w3.org/XML/1998/namespace">`,
    ),
  );
  for (const doc of refused) await bothRefuse(doc, doc.slice(0, 200));
  // XML 1.1 and URIs with spaces are left to readExtract, which reads them.
  for (const doc of [
    '<?xml version="1.1"?>' + body,
    xml.replace(rootTag, `<${ROOT} xmlns="${EXTRACT_NAMESPACE}" xmlns:p="a b">`),
  ]) {
    assert.equal(scanExtract(Buffer.from(doc)), undefined);
    assert.ok(!((await general(Buffer.from(doc))) instanceof ImportError));
  }
});
