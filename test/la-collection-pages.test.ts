/**
 * The LA collection pages over HTTPS: an officer adds a source (stored sealed and off until they
 * confirm on the check-your-answers page), sees attempts and snapshots of their own LA only, the
 * reason an invalid one was kept aside, downloads one, and the staleness banner and gauge.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPlainWords } from './support/plain-words.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../src/platform/http/server.ts';
import { loadTls } from '../src/platform/http/tls.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { extractChunks } from '../src/contracts/childcare-extract/extract-writer.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { laRole } from '../src/la/la-role.ts';
import { takeUpload } from '../src/la/collection/collect-all.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { csrfTokenIn, testClient, TEST_PASSWORD, type TestClient } from './support/test-server.ts';

const NOW = new Date('2026-11-10T12:00:00Z'); // a Tuesday
const document = (laCode: string) =>
  Buffer.from(
    [
      ...extractChunks(
        { extractDateTime: '2026-11-10T05:30:00', laCode, laName: 'Somewhere' },
        generateRegister({ scale: 'demo', seed: 2, today: '2026-11-10', laCodes: [laCode] }),
      ),
    ].join(''),
  );

describe('LA collection pages', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let dir: string;
  let baseUrl: string;
  let ca: string;
  let clock = NOW;
  const box = new SecretBox(randomBytes(32));

  before(async () => {
    database = await openTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-la-pages-'));
    const tls = await loadTls({ dataDir: dir });
    ca = tls.cert;
    app = await createHttpServer({
      db: database.db,
      tls,
      logLevel: 'silent',
      now: () => clock,
      metricsToken: 'metrics-secret',
    });
    await laRole(app, {
      handle: database,
      config: { publicUrl: 'https://127.0.0.1' },
      settings: {
        collectSchedule: false,
        collectLeaseSeconds: 900,
        collectRetry: { attempts: 1, baseDelayMs: 0 },
        gatewayCa: undefined,
      },
      secretBox: box,
      now: () => clock,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    baseUrl = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    for (const [username, roles, laCode] of [
      ['officer-825', ['la-officer'], '825'],
      ['officer-826', ['la-officer'], '826'],
      ['ada', ['admin'], undefined],
    ] as const) {
      await createAccount(
        database.db,
        {
          username,
          displayName: username,
          password: TEST_PASSWORD,
          roles: [...roles],
          ...(laCode ? { laCode } : {}),
        },
        ACCOUNT_ROLES,
      );
    }
  });
  after(async () => {
    await app.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signedIn(username: string): Promise<TestClient> {
    const client = testClient(baseUrl, ca);
    const response = await client.signIn(username, TEST_PASSWORD);
    assert.ok(response.status < 400, `${username} signs in`);
    return client;
  }

  test('an officer adds a source: checked before it is collected, its password never shown again', async () => {
    const officer = await signedIn('officer-825');
    const form = await officer.get('/la/sources/new');
    assert.equal(form.status, 200);
    const refused = await officer.post('/la/sources/new', {
      _csrf: csrfTokenIn(form.body),
      name: 'Ofsted ISPP',
      kind: 'soap',
      endpointUrl: 'http://not-https.example',
      username: 'bucks',
      password: 'gateway-password-1',
      collectTime: '25:00',
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /must start https:\/\//);
    assert.match(refused.body, /HH:MM/);
    assert.doesNotMatch(refused.body, /gateway-password-1/);

    const added = await officer.post('/la/sources/new', {
      _csrf: csrfTokenIn(form.body),
      name: 'Ofsted ISPP',
      kind: 'soap',
      endpointUrl: 'https://gateway.example/ISPPGateway/ISPPGatewayServices.svc',
      username: 'bucks',
      password: 'gateway-password-1',
      laCodes: '201 330',
      collectTime: '06:45',
    });
    assert.equal(added.status, 303);
    const checkPath = String(added.headers.location);
    const row = await database.db
      .selectFrom('la.source')
      .selectAll()
      .where('name', '=', 'Ofsted ISPP')
      .executeTakeFirstOrThrow();
    assert.equal(row.enabled, false, 'not collected before it is confirmed');
    assert.deepEqual(row.la_codes, ['825'], 'an officer adds sources for their own LA only');
    assert.notEqual(row.password_sealed, 'gateway-password-1');
    assert.equal(box.open(row.password_sealed!), 'gateway-password-1');

    const check = await officer.get(checkPath);
    assert.match(check.body, /Confirm and collect daily/);
    assert.doesNotMatch(check.body, /gateway-password-1/);
    assert.equal(
      (await (await signedIn('officer-826')).get(checkPath)).status,
      404,
      'another LA’s officer cannot see it',
    );
    const confirmed = await officer.post(checkPath, { _csrf: csrfTokenIn(check.body), decision: 'confirm' });
    assert.equal(confirmed.status, 303);
    const enabled = await database.db
      .selectFrom('la.source')
      .select('enabled')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.equal(enabled.enabled, true);
  });

  test('the staleness banner: shown while no new extract for more than one working day, gone once one arrives', async () => {
    const officer = await signedIn('officer-825');
    let page = await officer.get('/la/collection');
    assert.match(page.body, /The extract is late/);
    assert.match(page.body, /never had an extract collected/);

    const metrics = () =>
      testClient(baseUrl, ca).get('/metrics', {
        authorization: 'Bearer metrics-secret',
        accept: 'text/plain',
      });
    assert.match((await metrics()).body, /edgate_la_extract_stale\{la_code="825"\} 1/);

    clock = new Date('2026-11-06T07:00:00Z'); // the Friday before
    await takeUpload(database.db, { laCode: '825', bytes: document('825'), by: 'test', now: clock });
    clock = new Date('2026-11-09T12:00:00Z'); // Monday: one working day on
    page = await officer.get('/la/collection');
    assert.doesNotMatch(page.body, /The extract is late/);
    assert.match((await metrics()).body, /edgate_la_extract_stale\{la_code="825"\} 0/);
    clock = NOW; // Tuesday: two
    page = await officer.get('/la/collection');
    assert.match(page.body, /The extract is late/);
    assert.match(page.body, /no new extract since 7am on 6 November 2026/);
    assertPlainWords(page.body, '/la/collection');
  });

  test('snapshots and attempts: own LA only, the reason an invalid one was kept aside, download', async () => {
    const bad = await takeUpload(database.db, {
      laCode: '825',
      bytes: Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'),
      by: 'test',
      now: clock,
    });
    const other = await takeUpload(database.db, {
      laCode: '826',
      bytes: document('826'),
      by: 'test',
      now: clock,
    });
    const officer = await signedIn('officer-825');
    const page = await officer.get('/la/collection');
    assert.match(page.body, /Not valid: kept aside/);
    assert.match(page.body, /DOCTYPE is not allowed/);
    assert.match(page.body, /the extract was not valid and was kept aside/);
    assert.doesNotMatch(page.body, /LA 826/);
    const download = await officer.get(`/la/snapshots/${bad.snapshotId}/download`);
    assert.equal(download.status, 200);
    assert.match(String(download.headers['content-disposition']), /attachment/);
    assert.match(download.body, /DOCTYPE/);
    assert.equal((await officer.get(`/la/snapshots/${other.snapshotId}/download`)).status, 404);
    const admin = await signedIn('ada');
    assert.equal((await admin.get(`/la/snapshots/${other.snapshotId}/download`)).status, 200);
    assert.match((await admin.get('/la/collection')).body, /LA 826/);
  });

  test('disabling a source stops its collection', async () => {
    const officer = await signedIn('officer-825');
    const page = await officer.get('/la/collection');
    const source = await database.db
      .selectFrom('la.source')
      .select('id')
      .where('name', '=', 'Ofsted ISPP')
      .executeTakeFirstOrThrow();
    const response = await officer.post(`/la/sources/${source.id}/disable`, {
      _csrf: csrfTokenIn(page.body),
    });
    assert.equal(response.status, 303);
    const row = await database.db
      .selectFrom('la.source')
      .select('enabled')
      .where('id', '=', source.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.enabled, false);
  });
});
