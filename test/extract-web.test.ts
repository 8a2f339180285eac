/** The regulator's extract pages, downloads and the published XSD, in-process (support/test-app.ts). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { startTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { readyExtract } from '../src/regulator/extract/extract-store.ts';
import { EXTRACT_XSD_PATH } from '../src/contracts/childcare-extract/extract-schema.ts';

const NOW = new Date('2026-11-02T06:00:00Z');

describe('extract pages', () => {
  let server: TestApp;

  before(async () => {
    server = await startTestApp({ now: () => NOW });
    await upsertRegistrations(server.handle.db, [
      ...generateRegister({ scale: 'demo', seed: 6, today: '2026-11-01', laCodes: ['825', '201'] }),
    ]);
    await runExtracts(server.handle.db, { extractDate: '2026-11-02', laCodes: ['825', '201'] });
    await server.handle.db
      .insertInto('regulator.extract')
      .values({
        extract_date: '2026-11-02',
        la_code: '805',
        status: 'failed',
        claimed_by: 'test',
        lease_until: NOW,
        error: 'disk full',
      })
      .execute();
  });
  after(() => server.close());

  test('the XSD is published at a stable address without signing in', async () => {
    const response = await server.client().request('GET', '/schemas/childcare-register-extract.xsd');
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^application\/xml/);
    assert.equal(response.body, readFileSync(EXTRACT_XSD_PATH, 'utf8'));
  });

  test('today’s run shows every LA with its status, records and failures', async () => {
    const client = server.client();
    assert.equal((await client.get('/regulator/extracts')).status, 302, 'sign-in required');
    await client.signIn('casey', TEST_PASSWORD);
    const page = await client.get('/regulator/extracts');
    assert.equal(page.status, 200);
    assert.match(page.body, /2 of 153 local authorities ready, <strong>1 failed<\/strong>, 150 not started/);
    assert.match(page.body, /disk full/);
    assert.match(page.body, /href="\/regulator\/extracts\/2026-11-02\/825">Buckinghamshire \(825\)/);
    const other = await client.get('/regulator/extracts?date=2026-10-01');
    assert.match(other.body, /0 of 153 local authorities ready/);
  });

  test('another date is chosen with a GOV.UK date input, its errors on the part that is wrong', async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const page = await client.get('/regulator/extracts?date-day=2&date-month=11&date-year=2026');
    assert.equal(page.status, 200);
    assert.match(page.body, /2 of 153 local authorities ready/);
    assert.match(page.body, /name="date-day"/);
    const noDay = await client.get('/regulator/extracts?date-day=&date-month=11&date-year=2026');
    assert.equal(noDay.status, 400);
    assert.match(noDay.body, /href="#date-day">Date must include a day/);
    assert.match(noDay.body, /govuk-input--error" id="date-day"/);
    assert.doesNotMatch(noDay.body, /govuk-input--error" id="date-month"/);
    const future = await client.get('/regulator/extracts?date-day=3&date-month=11&date-year=2026');
    assert.equal(future.status, 400);
    assert.match(future.body, /Date must be today or in the past/);
  });

  test('an extract’s page shows its figures; the download is the stored document, gzipped or not', async () => {
    const client = server.client();
    await client.signIn('casey', TEST_PASSWORD);
    const stored = (await readyExtract(server.handle.db, '825', '2026-11-02'))!;
    const page = await client.get('/regulator/extracts/2026-11-02/825');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(stored.sha256!));
    const plain = await client.get('/regulator/extracts/2026-11-02/825/download');
    assert.equal(plain.status, 200);
    assert.equal(plain.body, gunzipSync(stored.content).toString('utf8'));
    assert.match(String(plain.headers['content-disposition']), /childcare-register-825-2026-11-02\.xml/);
    const gzipped = await client.request('GET', '/regulator/extracts/2026-11-02/825/download', undefined, {
      'accept-encoding': 'gzip',
    });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.equal((await client.get('/regulator/extracts/2026-11-02/826')).status, 404);
    assert.equal(
      (await client.get('/regulator/extracts/2026-11-02/805/download')).status,
      404,
      'a failed extract has nothing to download',
    );
  });
});
