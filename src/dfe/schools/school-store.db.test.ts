import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { providerView } from './school.ts';
import { schoolByUrn, upsertSchools } from './school-store.ts';
import { generateSchools } from './synthetic-schools.ts';

let handle: TestDatabase;

describe('school store', () => {
  before(async () => {
    handle = await openTestDatabase();
  });
  after(async () => {
    await handle.close();
  });

  it('upserts in batches and reads back', async () => {
    const schools = generateSchools({ scale: 'demo', seed: 3 });
    assert.ok(schools.length > 1000 / 2);
    const doubled = [...schools, ...generateSchools({ scale: 'demo', seed: 4 })].filter(
      (s, i, all) => all.findIndex((t) => t.urn === s.urn) === i,
    );
    const counts = await upsertSchools(handle.db, doubled);
    assert.deepEqual(counts, { added: doubled.length, replaced: 0 });
    const first = schools[0]!;
    assert.deepEqual(await schoolByUrn(handle.db, first.urn), first);
    assert.equal(await schoolByUrn(handle.db, 999999), undefined);
  });

  it('re-import replaces a school whole', async () => {
    const urn = 123456;
    const base = {
      urn,
      name: "Saint Ælfric's Primary",
      laCode: '201',
      typeOfEstablishment: 'Community school',
      phaseOfEducation: 'Primary',
      status: 'Open',
      street: '1 Lane',
      town: 'Ashford',
      postcode: 'ZA1 1AA',
    };
    await upsertSchools(handle.db, [base]);
    const changed = {
      ...base,
      name: 'Hôtel Academy',
      typeOfEstablishment: 'Academy converter',
      street: null,
    };
    assert.deepEqual(await upsertSchools(handle.db, [changed]), { added: 0, replaced: 1 });
    const read = await schoolByUrn(handle.db, urn);
    assert.deepEqual(read, changed);
    assert.deepEqual(providerView(read!), {
      urn,
      name: 'Hôtel Academy',
      address: 'Ashford, ZA1 1AA',
      phaseOfEducation: 'Primary',
      schoolType: 'Academy converter',
    });
  });
});
