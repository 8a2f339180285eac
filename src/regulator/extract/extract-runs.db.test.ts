import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { openDatabase, type DatabaseHandle } from '../../platform/db/database.ts';
import { upsertRegistrations } from '../register/register-store.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { readExtract } from '../../contracts/childcare-extract/extract-reader.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { belongsInExtract } from './extract-selection.ts';
import { extractCatchUpNeeded, pruneExtracts, runExtracts } from './extract-runs.ts';
import { londonLocalDateTime } from '../../platform/calendar.ts';
import { statusChangedOn } from '../register/register-store.ts';
import { validateExtractXml } from '../../contracts/childcare-extract/extract-schema.ts';

const TODAY = '2026-11-02';
const LAS = ['825', '805', '201'];

describe('daily extract runs', () => {
  let handle: TestDatabase;
  let register: Registration[];

  const storedDocument = async (laCode: string, date = TODAY) => {
    const row = await handle.db
      .selectFrom('regulator.extract')
      .selectAll()
      .where('la_code', '=', laCode)
      .where('extract_date', '=', date)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'ready');
    const xml = gunzipSync(row.content!).toString('utf8');
    return { row, xml };
  };

  before(async () => {
    handle = await openTestDatabase();
    register = [...generateRegister({ scale: 'demo', seed: 9, today: TODAY, laCodes: LAS })];
    // Two registrations either side of the 60-day boundary, so the query itself is tested on it.
    const base = register.find((r) => r.laCode === '825' && r.status === 'ACTV')!;
    const leaving = (referenceNumber: string, status: 'RESG' | 'CANC', changeDate: string): Registration => ({
      ...base,
      referenceNumber,
      status,
      statusHistory: [...base.statusHistory, { status, changeDate }],
      lastChangeDate: changeDate,
    });
    register.push(leaving('EY900060', 'RESG', '2026-09-03'), leaving('EY900061', 'CANC', '2026-09-02'));
    await upsertRegistrations(handle.db, register);
  });
  after(() => handle.close());
  beforeEach(async () => {
    await handle.db.deleteFrom('regulator.extract').execute();
  });

  test('each LA gets exactly its own registrations under the 60-day rule, stored with hash, size and count', async () => {
    const summary = await runExtracts(handle.db, { extractDate: TODAY, laCodes: LAS });
    assert.equal(summary.built, LAS.length);
    for (const laCode of LAS) {
      const { row, xml } = await storedDocument(laCode);
      const expected = register
        .filter((r) => belongsInExtract({ ...r, statusChangedOn: statusChangedOn(r) }, laCode, TODAY))
        .map((r) => r.referenceNumber)
        .sort();
      const extract = await readExtract(xml, `${laCode}.xml`);
      assert.equal(extract.header.laCode, laCode);
      assert.deepEqual(
        extract.registrations.map((r) => r.referenceNumber),
        expected,
        'every registration of the LA that belongs, in reference order, and nothing else',
      );
      assert.ok(extract.registrations.every((r) => r.laCode === laCode));
      assert.equal(row.record_count, expected.length);
      assert.equal(row.size_bytes, Buffer.byteLength(xml));
      assert.equal(row.sha256, createHash('sha256').update(xml).digest('hex'));
      assert.match(row.extract_date_time!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    }
    const withInactive = register.filter(
      (r) => ['RESG', 'CANC', 'INAC', 'REFU'].includes(r.status) && r.laCode === '825',
    );
    assert.ok(withInactive.length > 0, 'the fixture has inactive registrations to exercise the rule');
  });

  test('stored extracts are valid against the published XSD', async () => {
    await runExtracts(handle.db, { extractDate: TODAY, laCodes: LAS });
    const documents = await Promise.all(LAS.map(async (la) => (await storedDocument(la)).xml));
    const validation = await validateExtractXml(documents);
    assert.deepEqual(validation.errors, []);
    assert.equal(validation.valid, true);
  });

  test('the same register on the same date gives the same bytes apart from ExtractDateTime', async () => {
    await runExtracts(handle.db, {
      extractDate: TODAY,
      laCodes: ['825'],
      now: () => new Date('2026-11-02T05:30:00Z'),
    });
    const first = (await storedDocument('825')).xml;
    await handle.db.deleteFrom('regulator.extract').execute();
    await runExtracts(handle.db, {
      extractDate: TODAY,
      laCodes: ['825'],
      now: () => new Date('2026-11-02T09:15:07Z'),
    });
    const second = (await storedDocument('825')).xml;
    assert.notEqual(first, second);
    const withoutTime = (xml: string) => xml.replace(/<ExtractDateTime>[^<]*<\/ExtractDateTime>/, '');
    assert.equal(withoutTime(first), withoutTime(second));
    assert.match(first, /<ExtractDateTime>2026-11-02T05:30:00<\/ExtractDateTime>/);
  });

  test('ExtractDateTime is London local time in both clock regimes', () => {
    assert.equal(londonLocalDateTime(new Date('2026-07-01T04:30:00Z')), '2026-07-01T05:30:00');
    assert.equal(londonLocalDateTime(new Date('2026-12-01T05:30:00Z')), '2026-12-01T05:30:00');
  });

  test('a ready extract is not built again; a dead builder’s claim is taken over after its lease; a live claim is left alone', async () => {
    await runExtracts(handle.db, { extractDate: TODAY, laCodes: ['825'] });
    await handle.db
      .insertInto('regulator.extract')
      .values([
        {
          extract_date: TODAY,
          la_code: '805',
          status: 'building',
          claimed_by: 'crashed-instance',
          lease_until: sql<Date>`now() - interval '1 minute'`,
        },
        {
          extract_date: TODAY,
          la_code: '201',
          status: 'building',
          claimed_by: 'busy-instance',
          lease_until: sql<Date>`now() + interval '10 minutes'`,
        },
      ])
      .execute();
    const summary = await runExtracts(handle.db, { extractDate: TODAY, laCodes: LAS });
    assert.deepEqual(
      summary.outcomes.map((o) => [o.laCode, o.outcome, o.outcome === 'skipped' ? o.reason : '']),
      [
        ['201', 'skipped', 'claimed-elsewhere'],
        ['805', 'built', ''],
        ['825', 'skipped', 'ready'],
      ],
    );
    const taken = await storedDocument('805');
    assert.equal(taken.row.attempts, 2);
    const visible = await handle.db
      .selectFrom('regulator.extract')
      .select('la_code')
      .where('status', '=', 'ready')
      .orderBy('la_code')
      .execute();
    assert.deepEqual(
      visible.map((r) => r.la_code),
      ['805', '825'],
      'the one still building is not visible',
    );
  });

  test('two runners at once build every extract exactly once', async () => {
    let second: DatabaseHandle | undefined;
    try {
      second = handle.url ? await openDatabase({ databaseUrl: handle.url, poolSize: 4 }) : undefined;
      const [a, b] = await Promise.all([
        runExtracts(handle.db, { extractDate: TODAY, laCodes: LAS, instanceId: 'instance-a' }),
        runExtracts((second ?? handle).db, {
          extractDate: TODAY,
          laCodes: [...LAS].reverse(),
          instanceId: 'instance-b',
        }),
      ]);
      assert.equal(a.built + b.built, LAS.length);
      assert.equal(a.failed + b.failed, 0);
      const rows = await handle.db
        .selectFrom('regulator.extract')
        .select(['la_code', 'attempts', 'status'])
        .execute();
      assert.equal(rows.length, LAS.length);
      assert.ok(
        rows.every((r) => r.status === 'ready' && r.attempts === 1),
        'no extract was claimed twice',
      );
    } finally {
      await second?.close();
    }
  });

  test('an unknown LA code is refused before anything is claimed', async () => {
    await assert.rejects(
      runExtracts(handle.db, { extractDate: TODAY, laCodes: ['999'] }),
      /'999' is not the 3-digit code/,
    );
    const rows = await handle.db.selectFrom('regulator.extract').select('la_code').execute();
    assert.equal(rows.length, 0);
  });

  test('extracts older than the retention period are pruned', async () => {
    for (const date of ['2026-09-01', '2026-10-03', '2026-10-04']) {
      await runExtracts(handle.db, { extractDate: date, laCodes: ['201'] });
    }
    assert.equal(await pruneExtracts(handle.db, '2026-11-02', 30), 1);
    const left = await handle.db
      .selectFrom('regulator.extract')
      .select('extract_date')
      .orderBy('extract_date')
      .execute();
    assert.deepEqual(
      left.map((r) => r.extract_date),
      ['2026-10-03', '2026-10-04'],
    );
  });
});

describe('catching up after a late start', () => {
  test('needed after the run time when some LA has no ready extract, not before', async () => {
    const handle = await openTestDatabase();
    try {
      const before = new Date('2026-11-02T05:29:00Z');
      const afterwards = new Date('2026-11-02T05:31:00Z');
      assert.equal(await extractCatchUpNeeded(handle.db, before, '05:30'), false);
      assert.equal(await extractCatchUpNeeded(handle.db, afterwards, '05:30'), true);
      // In summer 05:30 London is 04:30 UTC.
      assert.equal(await extractCatchUpNeeded(handle.db, new Date('2026-07-01T04:31:00Z'), '05:30'), true);
      assert.equal(await extractCatchUpNeeded(handle.db, new Date('2026-07-01T04:29:00Z'), '05:30'), false);
    } finally {
      await handle.close();
    }
  });
});
