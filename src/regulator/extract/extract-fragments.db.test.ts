import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { selectedRegistrations } from '../../../test/support/extract-selection.ts';
import { upsertRegistrations } from '../register/register-store.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { buildExtract } from './extract-builder.ts';
import { pruneFragments, storeFragments, writerIdentity } from './extract-fragments.ts';
import { extractChunks } from '../../contracts/childcare-extract/extract-writer.ts';

const TODAY = '2026-11-02';
const LA = '825';
const HEADER = { extractDateTime: '2026-11-02T05:30:00', laCode: LA, laName: 'Buckinghamshire' };

describe('stored registration elements', () => {
  let handle: TestDatabase;
  let register: Registration[];

  const build = async (batchSize = 7) => {
    let document = '';
    await buildExtract(
      handle.db,
      { ...HEADER, extractDate: TODAY, batchSize },
      (chunk) => void (document += chunk),
    );
    return document;
  };

  /** The writer's document of the register as it now is, read the ordinary way. */
  const expected = async () =>
    [...extractChunks(HEADER, await selectedRegistrations(handle.db, LA, TODAY))].join('');

  const fragments = async () => {
    const { rows } = await sql<{ reference_number: string; registration_version: number; writer: string }>`
      select reference_number, registration_version, writer from regulator.extract_fragment order by 1
    `.execute(handle.db);
    return rows;
  };

  const tamper = (ref: string, xml: string) =>
    sql`update regulator.extract_fragment set xml = ${xml} where reference_number = ${ref}`.execute(
      handle.db,
    );

  before(async () => {
    handle = await openTestDatabase();
    register = [...generateRegister({ scale: 'demo', seed: 5, today: TODAY, laCodes: [LA] })];
    await upsertRegistrations(handle.db, register);
  });
  beforeEach(() => sql`delete from regulator.extract_fragment`.execute(handle.db));
  after(() => handle.close());

  test('the first build stores every element it writes; the next one uses them and writes the same bytes', async () => {
    const first = await build();
    assert.equal(first, await expected());
    const stored = await fragments();
    assert.equal(stored.length, (first.match(/<Registration>/g) ?? []).length);
    assert.ok(stored.every((f) => f.writer === writerIdentity() && f.registration_version === 1));

    assert.equal(await build(), first);
    // Used, not rebuilt: an element changed in storage shows up in the document.
    await tamper(stored[0]!.reference_number, '  <!-- stored -->\n');
    assert.match(await build(), /<!-- stored -->/);
  });

  test('a changed registration is written afresh, whatever is stored for its old version', async () => {
    await build();
    const changed = { ...register.find((r) => r.laCode === LA && r.status === 'ACTV')! };
    changed.provider = { ...changed.provider, name: 'Renamed Nursery Ltd' };
    await tamper(changed.referenceNumber, '  <!-- old version -->\n');
    await upsertRegistrations(handle.db, [changed]);

    const document = await build();
    assert.doesNotMatch(document, /old version/);
    assert.match(document, /<ProviderName>Renamed Nursery Ltd<\/ProviderName>/);
    assert.equal(document, await expected());
    const stored = (await fragments()).find((f) => f.reference_number === changed.referenceNumber);
    assert.equal(stored?.registration_version, 2);
  });

  test('elements stored by a writer that wrote differently do not count', async () => {
    await build();
    const [first] = await fragments();
    await sql`update regulator.extract_fragment set writer = 'an older release'`.execute(handle.db);
    await tamper(first!.reference_number, '  <!-- older writer -->\n');

    const document = await build(1000);
    assert.equal(document, await expected());
    assert.ok((await fragments()).every((f) => f.writer === writerIdentity()));
  });

  test('an element is never replaced by one of an older version of its registration', async () => {
    const ref = register[0]!.referenceNumber;
    await storeFragments(handle.db, [{ referenceNumber: ref, registrationVersion: 5, xml: 'newer' }], 'w');
    await storeFragments(handle.db, [{ referenceNumber: ref, registrationVersion: 4, xml: 'older' }], 'w');
    const { rows } = await sql<{ xml: string }>`
      select xml from regulator.extract_fragment where reference_number = ${ref}
    `.execute(handle.db);
    assert.equal(rows[0]?.xml, 'newer');
  });

  test('pruning removes elements whose registration is gone', async () => {
    await storeFragments(handle.db, [{ referenceNumber: 'EY999999', registrationVersion: 1, xml: 'x' }], 'w');
    await build();
    const before = (await fragments()).length;
    assert.equal(await pruneFragments(handle.db), 1);
    assert.equal((await fragments()).length, before - 1);
  });
});
