import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { selectedRegistrations } from '../../../test/support/extract-selection.ts';
import { upsertRegistrations } from '../register/register-store.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { INACTIVE_STATUSES, type Registration } from '../../contracts/childcare-extract/registration.ts';
import { readRegistrations } from './extract-batches.ts';
import { buildExtract } from './extract-builder.ts';
import { extractChunks } from '../../contracts/childcare-extract/extract-writer.ts';

const TODAY = '2026-11-02';
const LA = '825';

/**
 * Values that test the reading path rather than the generator: every optional value absent,
 * contacts with and without values, no setting, and text the writer must escape or drop
 * (controls XML forbids, CR, markup, an emoji, U+FFFF, JSON's own escapes).
 */
function awkward(base: Registration): Registration[] {
  const bare: Registration = {
    referenceNumber: 'EY000001',
    laCode: LA,
    provisionType: 'CMR',
    provider: { name: 'Bare', address: { addressLine1: '1 Road', town: 'Town', postcode: 'HP1 1AA' } },
    status: 'PROP',
    statusHistory: [],
    registers: [],
    childcarePeriods: [],
    ageBands: [],
    inspections: [],
    notices: [],
    lastChangeDate: '2026-10-01',
  };
  const loaded: Registration = {
    ...base,
    referenceNumber: 'EY000002',
    rpReferenceNumber: 'RP000002',
    secondaryProvisionType: 'HCR',
    specialConsiderations: 'WREF',
    provider: {
      name: 'A & B <Nursery> "quoted" \\ back\u0001slash',
      address: {
        addressLine1: 'line\r\nwith CRLF',
        addressLine2: '   ',
        town: 'Tab\there',
        county: '\u0002',
        postcode: 'SL1 1AA',
      },
      contact: { emailAddress: 'a@example.org 😀', faxNumber: '\uFFFF' },
    },
    setting: {
      name: 'Setting\u001f',
      address: { addressLine1: 'x', addressLine2: 'y', town: 'z', county: 'Bucks', postcode: 'HP2 2BB' },
      contact: { telephoneNumber: '01234 567890' },
    },
    registers: [
      { register: 'EYR', status: 'REGD', startDate: '2020-01-01', endDate: '2021-01-01' },
      { register: 'CCR', status: 'REGD', startDate: '2021-01-02' },
    ],
    notices: [
      { type: 'NOI', subType: 'Non-payment of fee NOI', status: 'Open' },
      { type: 'NOD', subType: 'Cancellation', status: 'Closed', date: '2026-01-05' },
    ],
  };
  const settingWithoutContact: Registration = {
    ...base,
    referenceNumber: 'EY000003',
    setting: { name: 'Only a name', address: { addressLine1: 'a', town: 'b', postcode: 'HP3 3CC' } },
  };
  return [bare, loaded, settingWithoutContact];
}

describe('reading an extract a batch at a time', () => {
  let handle: TestDatabase;
  let expected: Registration[];

  before(async () => {
    handle = await openTestDatabase();
    const register = [...generateRegister({ scale: 'demo', seed: 4, today: TODAY, laCodes: [LA, '805'] })];
    const base = register.find((r) => r.laCode === LA && r.setting && r.inspections.length > 0)!;
    await upsertRegistrations(handle.db, [...register, ...awkward(base)]);
    // What the register store itself reads back, selected by the same rule, in reference order.
    expected = await selectedRegistrations(handle.db, LA, TODAY);
    assert.ok(expected.length > 20, 'enough registrations to span several batches');
    assert.ok(
      expected.some((r) => INACTIVE_STATUSES.includes(r.status)),
      'inactive ones inside the 60 days are selected too',
    );
  });
  after(() => handle.close());

  test('registrations read by reference decode to exactly what completeRegistrations makes of the same rows', async () => {
    const read: Registration[] = [];
    for (let start = 0; start < expected.length; start += 7) {
      const references = expected.slice(start, start + 7).map((r) => r.referenceNumber);
      const batch = await readRegistrations(handle.db, references);
      assert.equal(batch.length, references.length);
      assert.ok(batch.every(({ version }) => version === 1));
      read.push(...batch.map(({ registration }) => registration));
    }
    assert.deepEqual(read, expected);
  });

  test('no references, or unknown ones, read as no registrations', async () => {
    assert.deepEqual(await readRegistrations(handle.db, []), []);
    assert.deepEqual(await readRegistrations(handle.db, ['EY999999']), []);
  });

  test('the built document is the writer’s document of those registrations, whatever the batch size', async () => {
    const header = { extractDateTime: '2026-11-02T05:30:00', laCode: LA, laName: 'Buckinghamshire' };
    const wanted = [...extractChunks(header, expected)].join('');
    for (const batchSize of [1, 7, expected.length, 1000]) {
      let document = '';
      const count = await buildExtract(
        handle.db,
        { ...header, extractDate: TODAY, batchSize },
        (chunk) => void (document += chunk),
      );
      assert.equal(count, expected.length);
      assert.equal(document, wanted, `batch size ${batchSize}`);
    }
  });

  test('a failing sink ends the build with its error, the batch read ahead left to finish harmlessly', async () => {
    await assert.rejects(
      buildExtract(
        handle.db,
        { extractDate: TODAY, extractDateTime: '2026-11-02T05:30:00', laCode: LA, laName: 'x', batchSize: 5 },
        (chunk) => {
          if (chunk.includes('<Registration>')) throw new Error('disk full');
        },
      ),
      /disk full/,
    );
    // The statement sent ahead still completes, and the database is usable as before.
    const again = await readRegistrations(handle.db, [expected[0]!.referenceNumber]);
    assert.equal(again.length, 1);
  });
});
