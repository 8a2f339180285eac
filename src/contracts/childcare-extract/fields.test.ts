import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SaxesParser } from 'saxes';
import { FEED_FIELDS } from './fields.ts';
import { everyElementRegistration, exemptAgency } from './feed-fixtures.ts';
import { extractChunks } from './extract-writer.ts';
import { readExtract, type ExtractHeader } from './extract-reader.ts';
import { fidRegistration } from './fid-document.ts';
import { validateExtractXml } from './extract-schema.ts';
import { ImportError, type ImportProblem } from '../../platform/files/import-problem.ts';
import type { Registration } from './registration.ts';

const HEADER: ExtractHeader = {
  extractDateTime: '2026-11-01T05:30:00',
  laCode: '825',
  laName: 'Buckinghamshire',
};
const write = (registrations: Registration[]): string => [...extractChunks(HEADER, registrations)].join('');
const generic = (path: string): string => path.replace(/\[\d+\]/g, '[]');
const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Leaf property paths of a value, `[]` for list items: `notices[].date`. */
function propertyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => propertyPaths(item, `${path}[]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) => propertyPaths(v, path ? `${path}.${key}` : key));
  }
  // null is an absent container (FID's RegistrationCertificate without conditions).
  return value === null ? [] : [path];
}

/** Leaf element paths below <Registration>, `[]` for repeated items, as fields.ts writes them. */
function elementPaths(xml: string): string[] {
  const parser = new SaxesParser({ xmlns: true });
  const stack: { name: string; children: number }[] = [];
  const found: string[] = [];
  const repeated = new Set(
    FEED_FIELDS.flatMap((f) => [...f.element.matchAll(/(\w+)\[\]/g)].map((m) => m[1]!)),
  );
  const containers = new Set(
    FEED_FIELDS.flatMap((f) =>
      f.element
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  parser.on('opentag', (tag) => {
    const top = stack.at(-1);
    if (top) top.children++;
    stack.push({ name: repeated.has(tag.local) ? `${tag.local}[]` : tag.local, children: 0 });
  });
  parser.on('closetag', () => {
    const node = stack.pop()!;
    const inRegistration = stack.findIndex((s) => s.name === 'Registration');
    const path = [...stack.slice(inRegistration + 1).map((s) => s.name), node.name].join('/');
    // An empty list or certificate (`<NoticeHistoryList />`) is a container, not a leaf.
    if (node.children === 0 && inRegistration >= 0 && !containers.has(path)) found.push(path);
  });
  parser.write(xml).close();
  return found;
}

/** Sets the first value of a property path (`certificateConditions[].condition` → item 0). */
function setFirst(r: Registration, property: string, value: string): void {
  const steps = property.replace(/\[\]/g, '.0').split('.');
  let target = r as unknown as Record<string, unknown>;
  for (const step of steps.slice(0, -1)) target = target[step] as Record<string, unknown>;
  target[steps.at(-1)!] = value;
}

const EVERY = [everyElementRegistration(), exemptAgency()];
/** A NOD notice first, so that its NODDate is a first item's too. */
const NOD_FIRST = (() => {
  const r = everyElementRegistration('EY100004');
  r.notices.reverse();
  return r;
})();

test('the field table names every property of a registration, and the fixture uses every field', () => {
  const table = sorted(FEED_FIELDS.map((f) => f.property));
  // The LA code is the document header's, not an element of a registration.
  const used = sorted(EVERY.flatMap((r) => propertyPaths(r)).filter((p) => p !== 'laCode'));
  assert.deepEqual(used, table);
});

test('the writer writes, and the reader reads back, exactly the elements the table declares', async () => {
  const xml = write([...EVERY, NOD_FIRST]);
  assert.deepEqual(sorted(elementPaths(xml)), sorted(FEED_FIELDS.map((f) => f.element)));
  const extract = await readExtract(xml, 'every.xml');
  assert.deepEqual(extract.registrations, [...EVERY, NOD_FIRST]);
});

test('the FID JSON carries exactly the fields the table declares', () => {
  const paths = [...EVERY, NOD_FIRST].flatMap((r) => propertyPaths(fidRegistration(r)));
  assert.deepEqual(sorted(paths), sorted(FEED_FIELDS.map((f) => f.json)));
});

test("a document using every element, with hostile text, is valid against Ofsted's v1.3 XSD and edgate's", async () => {
  const xml = write([...EVERY, NOD_FIRST]);
  assert.deepEqual(await validateExtractXml(xml, 'ofsted-v1.3'), { valid: true, errors: [] });
  assert.deepEqual(await validateExtractXml(xml), { valid: true, errors: [] });
});

test("every length limit of the table is Ofsted's: one character more is refused by the reader and by Ofsted's XSD", async () => {
  const limited = FEED_FIELDS.filter((f) => f.type === 'text' && f.maxLength !== undefined);
  assert.ok(limited.length >= 20);
  const docs: string[] = [];
  for (const field of limited) {
    const r = everyElementRegistration();
    setFirst(r, field.property, 'y'.repeat(field.maxLength! + 1));
    const xml = write([r]);
    docs.push(xml);
    const problems = await readExtract(xml, 'long.xml').then(
      () => [] as ImportProblem[],
      (err: unknown) => (err instanceof ImportError ? err.problems : []),
    );
    assert.deepEqual(
      problems.map((p) => [generic(p.field ?? ''), p.record, p.message]),
      [
        [
          field.element,
          'EY100001',
          `is longer than ${field.maxLength} characters, the most Ofsted's schema allows`,
        ],
      ],
      field.element,
    );
    assert.ok((problems[0]?.line ?? 0) > 1);
  }
  const official = await validateExtractXml(docs, 'ofsted-v1.3');
  assert.equal(official.valid, false);
  // One complaint per document: Ofsted's schema agrees with every limit.
  assert.equal(new Set(official.errors.map((e) => e.split(':')[0])).size, docs.length);
});

test('a 5-million-character provider name is refused with file, line, record and field, without holding it', async () => {
  const r = everyElementRegistration();
  const xml = write([r]).replace('<ProviderName>', `<ProviderName>${'N'.repeat(5_000_000)}`);
  const line = xml.slice(0, xml.indexOf('<ProviderName>')).split('\n').length;
  await assert.rejects(
    readExtract(xml, 'huge.xml'),
    (err: unknown) =>
      err instanceof ImportError &&
      err.message ===
        `huge.xml:${line}: record EY100001, field Provider/ProviderName: is longer than 100 characters, the most Ofsted's schema allows`,
  );
});
