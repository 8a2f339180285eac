import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { importRegisterFile, loadGeneratedRegister } from './register-load.ts';
import { loadRegistration } from './register-store.ts';
import { writeRegisterCsv } from './register-csv.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { ImportError } from '../../platform/files/import-problem.ts';
import { referencePath } from '../../platform/reference.ts';

const TODAY = '2026-11-01';
const SAMPLE = readFileSync(referencePath('ispp-contract/sample-extract-synthetic.xml'), 'utf8');
// The published sample repeats its one reference number; the second copy gets its own.
const VALID_SAMPLE = SAMPLE.replace(
  /(<Registration>[\s\S]*?<\/Registration>\s*<Registration>\s*<ReferenceNumber>)EY12345/,
  '$1EY12346',
);

/** The readers trim every value, as messy real data needs; the generator leaves some trailing spaces. */
function trimmed<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? v.trim() : v)) as T;
}

describe('importing the register', () => {
  let handle: TestDatabase;
  let dir: string;
  const file = (name: string, content: string) => {
    const full = path.join(dir, name);
    writeFileSync(full, content);
    return full;
  };
  const count = async () =>
    (
      await handle.db
        .selectFrom('regulator.registration')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  before(async () => {
    handle = await openTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-import-'));
  });
  after(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await handle.db.deleteFrom('regulator.registration').execute();
  });

  test('an extract document loads every registration; loading it again replaces them', async () => {
    const xml = file('825.xml', VALID_SAMPLE);
    assert.deepEqual(await importRegisterFile(handle.db, xml), {
      file: xml,
      records: 2,
      added: 2,
      replaced: 0,
    });
    const stored = await loadRegistration(handle.db, 'EY12346');
    assert.equal(stored?.registration.laCode, '825');
    assert.equal(stored?.registration.inspections.length, 3);
    assert.deepEqual(stored?.registration.childcarePeriods, ['ALYR', '4HPD', '5DWK', '45WY', 'WDAL']);
    assert.deepEqual(await importRegisterFile(handle.db, xml), {
      file: xml,
      records: 2,
      added: 0,
      replaced: 2,
    });
  });

  test('a malformed extract names the file and line and changes nothing', async () => {
    await importRegisterFile(handle.db, file('good.xml', VALID_SAMPLE));
    const before = await loadRegistration(handle.db, 'EY12345');
    const broken = VALID_SAMPLE.replace(
      '<ProvisionType>CMR</ProvisionType>',
      '<ProvisionType>XYZ</ProvisionType>',
    ).replace('EY12345', 'EY12399');
    await assert.rejects(importRegisterFile(handle.db, file('broken.xml', broken)), (error: unknown) => {
      assert.ok(error instanceof ImportError);
      assert.match(error.message, /^broken\.xml:\d+: record EY12399, field ProvisionType: .*XYZ/m);
      return true;
    });
    assert.equal(await count(), 2);
    assert.deepEqual(await loadRegistration(handle.db, 'EY12345'), before);
    await assert.rejects(
      importRegisterFile(handle.db, file('cut.xml', VALID_SAMPLE.slice(0, 2000))),
      /cut\.xml:\d+/,
    );
  });

  test('an extract with a DOCTYPE is refused (no entity expansion, ever)', async () => {
    const hostile = VALID_SAMPLE.replace(
      '<?xml version="1.0" encoding="utf-8"?>',
      '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    );
    await assert.rejects(importRegisterFile(handle.db, file('laughs.xml', hostile)), /DOCTYPE/);
    assert.equal(await count(), 0);
  });

  test('a register CSV round-trips every field of a generated register (cells are trimmed)', async () => {
    const registrations = [
      ...generateRegister({ scale: 'demo', seed: 11, today: TODAY, laCodes: ['330', '826'] }),
    ];
    const csv = file('register.csv', writeRegisterCsv(registrations));
    const result = await importRegisterFile(handle.db, csv);
    assert.equal(result.added, registrations.length);
    for (const r of registrations) {
      assert.deepEqual((await loadRegistration(handle.db, r.referenceNumber))?.registration, trimmed(r));
    }
  });

  test('one bad row in a CSV refuses the whole file, naming line, record and column', async () => {
    const registrations = [...generateRegister({ scale: 'demo', seed: 11, today: TODAY, laCodes: ['330'] })];
    const lines = writeRegisterCsv(registrations).split('\r\n');
    lines[3] = lines[3]!.replace(/,(CMR|CCN|CCD|HCR|RPP),/, ',BOGUS,');
    const csv = file('bad.csv', lines.join('\r\n'));
    await assert.rejects(importRegisterFile(handle.db, csv), (error: unknown) => {
      assert.ok(error instanceof ImportError);
      assert.match(error.message, /^bad\.csv:4: record \S+, field provision_type: .*BOGUS/m);
      return true;
    });
    assert.equal(await count(), 0);
  });

  test('a registration in an LA that does not exist is refused', async () => {
    const elsewhere = VALID_SAMPLE.replace(
      '<LocalAuthorityCode>825</LocalAuthorityCode>',
      '<LocalAuthorityCode>999</LocalAuthorityCode>',
    );
    await assert.rejects(
      importRegisterFile(handle.db, file('999.xml', elsewhere)),
      /'999' is not the 3-digit code of a live local authority/,
    );
    assert.equal(await count(), 0);
  });

  test('a missing file or an unknown format is a clear error', async () => {
    await assert.rejects(
      importRegisterFile(handle.db, path.join(dir, 'nope.xml')),
      /nope\.xml:0: no such file/,
    );
    await assert.rejects(
      importRegisterFile(handle.db, file('register.txt', 'x')),
      /name a \.xml or \.csv file/,
    );
  });

  test('the generator loads a whole LA in one transaction', async () => {
    const counts = await loadGeneratedRegister(handle.db, {
      scale: 'demo',
      seed: 1,
      today: TODAY,
      laCodes: ['825'],
    });
    assert.equal(counts.added, await count());
    assert.ok(counts.added > 10);
  });
});
