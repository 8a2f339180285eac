import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { loadRegistration, upsertRegistrations } from './register-store.ts';
import { searchRegister } from './register-search.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';

const TODAY = '2026-11-01';

describe('register store', () => {
  let handle: TestDatabase;
  let buckinghamshire: Registration[];
  let hartlepool: Registration[];

  before(async () => {
    handle = await openTestDatabase();
    buckinghamshire = [...generateRegister({ scale: 'demo', seed: 7, today: TODAY, laCodes: ['825'] })];
    hartlepool = [...generateRegister({ scale: 'demo', seed: 7, today: TODAY, laCodes: ['805'] })];
    const counts = await upsertRegistrations(handle.db, [...buckinghamshire, ...hartlepool]);
    assert.deepEqual(counts, { added: buckinghamshire.length + hartlepool.length, replaced: 0 });
  });
  after(() => handle.close());

  test('every registration reads back exactly as written, every element included', async () => {
    for (const written of [...buckinghamshire, ...hartlepool]) {
      const stored = await loadRegistration(handle.db, written.referenceNumber);
      assert.ok(stored, written.referenceNumber);
      assert.deepEqual(stored.registration, written);
      assert.equal(stored.version, 1);
    }
  });

  test('writing a registration again replaces it whole and bumps its version', async () => {
    const original = buckinghamshire.find((r) => r.inspections.length > 1 && r.setting)!;
    const changed: Registration = {
      ...original,
      provider: { ...original.provider, name: 'Renamed Provider Ltd' },
      inspections: original.inspections.slice(0, 1),
      setting: undefined,
    };
    delete changed.setting;
    const counts = await upsertRegistrations(handle.db, [changed]);
    assert.deepEqual(counts, { added: 0, replaced: 1 });
    const stored = await loadRegistration(handle.db, original.referenceNumber);
    assert.deepEqual(stored?.registration, changed);
    assert.equal(stored?.version, 2);
    await upsertRegistrations(handle.db, [original]);
  });

  test('an unknown reference number reads as undefined', async () => {
    assert.equal(await loadRegistration(handle.db, 'EY000000'), undefined);
  });

  test('search by LA returns that LA only, paged, with the total', async () => {
    const result = await searchRegister(handle.db, { laCode: '805', pageSize: 10 });
    assert.equal(result.total, hartlepool.length);
    assert.equal(result.rows.length, Math.min(10, hartlepool.length));
    assert.ok(result.rows.every((row) => row.laCode === '805'));
    const last = await searchRegister(handle.db, { laCode: '805', pageSize: 10, page: 999 });
    assert.equal(last.page, last.pages, 'a page past the end shows the last page');
  });

  test('search by URN prefix, name fragment, postcode without spaces, status and type', async () => {
    const target = buckinghamshire.find((r) => r.setting && r.status === 'ACTV')!;
    const byUrn = await searchRegister(handle.db, { urn: target.referenceNumber });
    assert.ok(byUrn.rows.some((row) => row.referenceNumber === target.referenceNumber));

    const fragment = target.provider.name.slice(1, 6).toUpperCase();
    const byName = await searchRegister(handle.db, { name: fragment, pageSize: 200 });
    assert.ok(
      byName.rows.some((row) => row.referenceNumber === target.referenceNumber),
      `name ${fragment}`,
    );

    const postcode = target.setting!.address.postcode!.replace(/\s+/g, '').toLowerCase();
    const byPostcode = await searchRegister(handle.db, { postcode, pageSize: 200 });
    assert.ok(
      byPostcode.rows.some((row) => row.referenceNumber === target.referenceNumber),
      `postcode ${postcode}`,
    );

    const filtered = await searchRegister(handle.db, {
      laCode: '825',
      status: 'ACTV',
      provisionType: target.provisionType,
      pageSize: 200,
    });
    const expected = buckinghamshire.filter(
      (r) => r.status === 'ACTV' && r.provisionType === target.provisionType,
    );
    assert.equal(filtered.total, expected.length);
  });

  test('LIKE wildcards typed by a user match literally', async () => {
    const result = await searchRegister(handle.db, { name: '%' });
    assert.equal(result.total, 0);
  });
});
