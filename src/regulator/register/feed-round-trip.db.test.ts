import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { everyElementRegistration, exemptAgency } from '../../contracts/childcare-extract/feed-fixtures.ts';
import { extractChunks } from '../../contracts/childcare-extract/extract-writer.ts';
import { readExtract, type ExtractHeader } from '../../contracts/childcare-extract/extract-reader.ts';
import { validateExtractXml } from '../../contracts/childcare-extract/extract-schema.ts';
import { ImportError } from '../../platform/files/import-problem.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { buildExtract } from '../extract/extract-builder.ts';
import { importRegisterFile } from './register-load.ts';
import { loadRegistration } from './register-store.ts';

const EXTRACT_DATE = '2026-11-01';
const HEADER: ExtractHeader = {
  extractDateTime: '2026-10-31T05:30:00',
  laCode: '825',
  laName: 'Buckinghamshire',
};

/** Resigned on `changeDate`. */
function resigned(referenceNumber: string, changeDate: string): Registration {
  const r = everyElementRegistration(referenceNumber);
  r.status = 'RESG';
  r.statusHistory.push({ status: 'RESG', changeDate });
  r.registers = r.registers.map((g) => ({ ...g, endDate: changeDate }));
  delete r.linkedRegistrations;
  r.lastChangeDate = changeDate;
  return r;
}

const IN_WINDOW = [
  everyElementRegistration('EY100001'),
  exemptAgency('EY100003'),
  resigned('EY100005', '2026-10-20'), // 12 days before: still sent
];
const EXPIRED = resigned('EY100007', '2026-07-01'); // 123 days before: gone

let handle: TestDatabase;
let dir: string;
before(async () => {
  handle = await openTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-feed-'));
});
after(async () => {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, registrations: Registration[]): string => {
  const full = path.join(dir, name);
  writeFileSync(full, [...extractChunks(HEADER, registrations)].join(''));
  return full;
};

async function build(): Promise<string> {
  let xml = '';
  await buildExtract(
    handle.db,
    {
      laCode: '825',
      laName: 'Buckinghamshire',
      extractDate: EXTRACT_DATE,
      extractDateTime: '2026-11-01T05:30:00',
      batchSize: 2,
    },
    (chunk) => {
      xml += chunk;
    },
  );
  return xml;
}

test("a document using every v1.3 element, with hostile text, comes back unchanged in the day's extract; expired records are gone", async () => {
  const imported = await importRegisterFile(handle.db, file('825.xml', [...IN_WINDOW, EXPIRED]));
  assert.equal(imported.added, 4);
  for (const r of [...IN_WINDOW, EXPIRED]) {
    assert.deepEqual(
      (await loadRegistration(handle.db, r.referenceNumber))?.registration,
      r,
      r.referenceNumber,
    );
  }

  const xml = await build();
  const extract = await readExtract(xml, 'built.xml');
  assert.deepEqual(
    extract.registrations.map((r) => r.referenceNumber),
    IN_WINDOW.map((r) => r.referenceNumber),
  );
  // Element by element, so a difference names its registration and property.
  for (const [i, expected] of IN_WINDOW.entries()) {
    const actual = extract.registrations[i]!;
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      assert.deepEqual(
        actual[key as keyof Registration],
        expected[key as keyof Registration],
        `${expected.referenceNumber} ${key}`,
      );
    }
  }
  assert.deepEqual(await validateExtractXml(xml, 'ofsted-v1.3'), { valid: true, errors: [] });
  assert.deepEqual(await validateExtractXml(xml), { valid: true, errors: [] });
  // Built a second time, from the elements kept between runs: the same bytes.
  assert.equal(await build(), xml);
});

test("a document that breaks Ofsted's schema is refused, naming file, line, registration and field, and changes nothing", async () => {
  await importRegisterFile(handle.db, file('good.xml', IN_WINDOW));
  const before = await loadRegistration(handle.db, 'EY100001');

  const broken = everyElementRegistration('EY100001');
  broken.provider.name = 'Changed';
  broken.setting!.name = 'S'.repeat(151);
  broken.provider.address.uprn = '0';
  broken.provider.consentWithheld = 'X' as 'Y';
  const brokenFile = file('broken.xml', [broken]);
  const xml = [...extractChunks(HEADER, [broken])].join('');
  const lineOf = (needle: string): number => xml.slice(0, xml.indexOf(needle)).split('\n').length;

  const official = await validateExtractXml(xml, 'ofsted-v1.3');
  assert.equal(official.valid, false);

  await assert.rejects(importRegisterFile(handle.db, brokenFile), (err: unknown) => {
    assert.ok(err instanceof ImportError);
    assert.deepEqual(
      err.problems.map((p) => [p.file, p.line, p.record, p.field, p.message]),
      [
        [
          'broken.xml',
          lineOf('<UniquePropertyReferenceNumber>0<'),
          'EY100001',
          'Provider/ProviderAddress/UniquePropertyReferenceNumber',
          "invalid UPRN '0' (expected a whole number from 1 to 999999999999)",
        ],
        [
          'broken.xml',
          lineOf('<ProviderConsentWithheld>'),
          'EY100001',
          'Provider/ProviderConsentWithheld',
          "unknown consent withheld value 'X' (expected Y, N)",
        ],
        [
          'broken.xml',
          lineOf('<SettingName>'),
          'EY100001',
          'Setting/SettingName',
          "is longer than 150 characters, the most Ofsted's schema allows",
        ],
      ],
    );
    return true;
  });
  assert.deepEqual(await loadRegistration(handle.db, 'EY100001'), before);
});
