/**
 * The FID REST endpoints over real HTTPS: `/fid/xml` serves the stored extract byte for byte,
 * `/fid/json` the same registrations in the FID JSON shape; every refusal is a JSON
 * `{ status, code, message }` with its HTTP status, and every request writes one audit row.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../src/platform/http/server.ts';
import { loadTls, type TlsMaterial } from '../src/platform/http/tls.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { randomBytes } from 'node:crypto';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { readExtract } from '../src/contracts/childcare-extract/extract-reader.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { readyExtract } from '../src/regulator/extract/extract-store.ts';
import { authorise, createGatewayAccount, revoke } from '../src/regulator/gateway/gateway-store.ts';
import {
  fidRoutes,
  FID_JSON_PATH,
  FID_XML_PATH,
  type FidError,
} from '../src/regulator/gateway/fid-routes.ts';
import {
  fidExtract,
  fidRegistration,
  type FidDocument,
} from '../src/contracts/childcare-extract/fid-document.ts';
import { fidSchema, schemaProblems } from '../src/contracts/childcare-extract/fid-schema-check.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

// A fixed clock: London 10:00 on a Monday in GMT, outside the 02:00–02:30 maintenance window.
const TEN_AM = new Date('2026-11-02T10:00:00Z');
const TODAY = '2026-11-02';
const MAINTENANCE = { from: '02:00', to: '02:30' };
const PER_MINUTE = 25;

describe('FID REST endpoints', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let tls: TlsMaterial;
  let dir: string;
  let baseUrl: string;
  let clock = TEN_AM;
  let requests = 0;
  const keys: Record<string, string> = {};

  before(async () => {
    database = await openTestDatabase();
    const { db } = database;
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-fid-'));
    tls = await loadTls({ dataDir: dir });
    app = await createHttpServer({ db, tls, logLevel: 'silent', now: () => clock });
    await fidRoutes(app, {
      db,
      now: () => clock,
      maintenance: MAINTENANCE,
      requestsPerMinute: PER_MINUTE,
      log: app.log,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    baseUrl = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    await upsertRegistrations(db, [
      ...generateRegister({ scale: 'demo', seed: 8, today: TODAY, laCodes: ['825', '826', '201', '330'] }),
    ]);
    await runExtracts(db, { extractDate: TODAY, laCodes: ['825', '826', '330'], now: () => clock });
    const box = new SecretBox(randomBytes(32));
    for (const [username, input] of [
      ['bucks-fid', { laCode: '825' }],
      ['city-fid', { laCode: '201' }],
      ['brum-fid', { laCode: '330' }],
      ['busy-fid', { laCode: '825' }],
      ['acme-fid', { agent: 'Acme Directories' }],
    ] as const) {
      keys[username] = (await createGatewayAccount(db, box, { username, ...input })).apiKey;
    }
    await authorise(db, {
      organisation: 'Acme Directories',
      laCode: '826',
      validFrom: '2026-01-01',
      by: 'test',
    });
    await authorise(db, {
      organisation: 'Acme Directories',
      laCode: '825',
      validFrom: '2020-01-01',
      validUntil: '2021-12-31',
      by: 'test',
    });
  });
  after(async () => {
    await app.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (target: string, headers: Record<string, string>) =>
    new Promise<Response>((resolve, reject) => {
      requests++;
      const req = httpsRequest(`${baseUrl}${target}`, { method: 'GET', ca: tls.cert, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          lastRequestId = String(res.headers['x-request-id'] ?? '');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
      });
      req.on('error', reject);
      req.end();
    });

  const fid = (username: string, laCode: string, extra: Record<string, string> = {}) => ({
    APIKEY: keys[username] ?? 'no such key',
    'service-key': 'edgate-test-service',
    LACode: laCode,
    ...extra,
  });

  const errorOf = (response: Response): FidError => {
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    return JSON.parse(response.text) as FidError;
  };

  const auditRows = () =>
    database.db.selectFrom('regulator.gateway_audit').selectAll().orderBy('id', 'desc').execute();
  /** The audit row is written once the response has gone, so it may land just after the client has it. */
  const auditRowsAtLeast = async (count: number) => {
    for (let tries = 0; tries < 100; tries++) {
      const rows = await auditRows();
      if (rows.length >= count) return rows;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return auditRows();
  };
  // Audit rows are written once a response has gone, so two in quick succession may land out of
  // order: find the last request's own row by its request id.
  let lastRequestId = '';
  const lastAudit = async () => {
    await auditRowsAtLeast(requests);
    for (let tries = 0; tries < 100; tries++) {
      const row = (await auditRows()).find((r) => r.request_id === lastRequestId);
      if (row) return row;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  };

  const storedXml = async (laCode: string) => {
    const stored = await readyExtract(database.db, laCode, TODAY);
    assert.ok(stored, `extract ${laCode} built`);
    return { stored, xml: gunzipSync(stored.content) };
  };

  test('JSON: the day’s extract in the FID shape, the XML’s registrations one for one, audited', async () => {
    const response = await get(FID_JSON_PATH, fid('bucks-fid', '825'));
    assert.equal(response.status, 200, response.text.slice(0, 500));
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-store');
    const doc = JSON.parse(response.text) as FidDocument;
    assert.deepEqual(schemaProblems(fidSchema(), doc, { ignore: ['maxItems'] }), []);

    const { stored, xml } = await storedXml('825');
    const extract = await readExtract(xml.toString('utf8'), 'stored 825');
    const root = doc.OfstedChildcareRegisterLocalAuthorityExtract;
    assert.deepEqual(root.Extract, fidExtract(extract.header));
    assert.equal(root.Extract.LocalAuthority.LocalAuthorityCode, '825');
    assert.ok(root.Registration.length > 0);
    assert.equal(root.Registration.length, stored.recordCount);
    assert.deepEqual(root.Registration, extract.registrations.map(fidRegistration));

    const audit = await lastAudit();
    assert.equal(audit?.channel, 'fid-json');
    assert.equal(audit?.operation, 'GetLocalAuthorityChildcareRegister');
    assert.equal(audit?.outcome, 'Success');
    assert.equal(audit?.username, 'bucks-fid');
    assert.equal(audit?.la_code, '825');
    assert.equal(audit?.client_address, '127.0.0.1');
    assert.equal(Number(audit?.bytes), response.body.length);
    assert.match(audit?.detail ?? '', new RegExp(`sha256 ${stored.sha256}`));
  });

  test('JSON is gzipped when the client accepts it', async () => {
    const plain = await get(FID_JSON_PATH, fid('bucks-fid', '825'));
    const zipped = await get(FID_JSON_PATH, fid('bucks-fid', '825', { 'accept-encoding': 'gzip, deflate' }));
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(zipped.body).toString('utf8'), plain.text);
    const refused = await get(FID_JSON_PATH, fid('bucks-fid', '825', { 'accept-encoding': 'gzip;q=0' }));
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  test('XML: the stored extract byte for byte, inflated or passed through as gzip', async () => {
    const { stored, xml } = await storedXml('825');
    const plain = await get(FID_XML_PATH, fid('bucks-fid', '825'));
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'application/xml; charset=utf-8');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.equals(xml));
    let audit = await lastAudit();
    assert.equal(audit?.channel, 'fid-xml');
    assert.equal(audit?.outcome, 'Success');
    assert.equal(Number(audit?.bytes), xml.length);

    const zipped = await get(FID_XML_PATH, fid('bucks-fid', '825', { 'accept-encoding': 'gzip' }));
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.body.equals(stored.content), 'the stored gzip, not recompressed');
    audit = await lastAudit();
    assert.equal(Number(audit?.bytes), stored.content.length);
  });

  test('a missing key, an unknown key and a missing service-key get the same 401', async () => {
    const { APIKEY: _key, ...noKey } = fid('bucks-fid', '825');
    const { 'service-key': _service, ...noServiceKey } = fid('bucks-fid', '825');
    const cases = [
      { headers: noKey, outcome: 'refused:missing-api-key' },
      { headers: fid('bucks-fid', '825', { APIKEY: '   ' }), outcome: 'refused:missing-api-key' },
      { headers: fid('nobody', '825'), outcome: 'refused:unknown-api-key' },
      { headers: noServiceKey, outcome: 'refused:missing-service-key' },
    ];
    let first: string | undefined;
    for (const { headers, outcome } of cases) {
      for (const target of [FID_JSON_PATH, FID_XML_PATH]) {
        const response = await get(target, headers);
        assert.equal(response.status, 401, outcome);
        assert.equal(response.headers['www-authenticate'], 'APIKEY realm="fid"');
        first ??= response.text;
        assert.equal(response.text, first, 'the same body whatever was wrong');
        assert.equal(errorOf(response).code, 'AuthenticationFailed');
        const audit = await lastAudit();
        assert.equal(audit?.outcome, outcome);
        assert.equal(audit?.username, null);
        assert.equal(audit?.channel, target === FID_XML_PATH ? 'fid-xml' : 'fid-json');
      }
    }
  });

  test('another LA’s code and an unknown LA: 403 LocalAuthorityAccessInvalid, nothing of the document', async () => {
    for (const laCode of ['826', '999']) {
      const response = await get(FID_JSON_PATH, fid('bucks-fid', laCode));
      assert.equal(response.status, 403);
      const error = errorOf(response);
      assert.equal(error.status, 403);
      assert.equal(error.code, 'LocalAuthorityAccessInvalid');
      assert.doesNotMatch(response.text, /Registration/);
      const audit = await lastAudit();
      assert.equal(audit?.outcome, 'LocalAuthorityAccessInvalid');
      assert.equal(audit?.la_code, laCode);
    }
  });

  test('an agent collects for the LA that authorised it; not after its authorisation expired or was revoked', async () => {
    const allowed = await get(FID_JSON_PATH, fid('acme-fid', '826'));
    assert.equal(allowed.status, 200);
    const doc = JSON.parse(allowed.text) as FidDocument;
    assert.equal(
      doc.OfstedChildcareRegisterLocalAuthorityExtract.Extract.LocalAuthority.LocalAuthorityCode,
      '826',
    );
    assert.equal((await lastAudit())?.organisation, 'Acme Directories');
    const expired = await get(FID_XML_PATH, fid('acme-fid', '825'));
    assert.equal(expired.status, 403);
    await revoke(database.db, { organisation: 'Acme Directories', laCode: '826', by: 'test' });
    const revoked = await get(FID_JSON_PATH, fid('acme-fid', '826'));
    assert.equal(revoked.status, 403);
    assert.equal(errorOf(revoked).code, 'LocalAuthorityAccessInvalid');
    await authorise(database.db, {
      organisation: 'Acme Directories',
      laCode: '826',
      validFrom: '2026-01-01',
      by: 'test',
    });
    assert.equal((await get(FID_XML_PATH, fid('acme-fid', '826'))).status, 200);
  });

  test('a day not yet built: 503 ServiceUnavailablePeriod with Retry-After', async () => {
    const response = await get(FID_JSON_PATH, fid('city-fid', '201'));
    assert.equal(response.status, 503);
    assert.equal(response.headers['retry-after'], '300');
    assert.deepEqual(errorOf(response), {
      status: 503,
      code: 'ServiceUnavailablePeriod',
      message: `Today's extract (${TODAY}) for local authority 201 is not ready yet. Try again later.`,
    });
    assert.equal((await lastAudit())?.outcome, 'ServiceUnavailablePeriod');
  });

  test('in the maintenance window: 503 ServiceMaintenanceOutage, Retry-After until it ends', async () => {
    clock = new Date('2026-11-02T02:10:00Z');
    try {
      const response = await get(FID_XML_PATH, fid('bucks-fid', '825'));
      assert.equal(response.status, 503);
      assert.equal(response.headers['retry-after'], String(20 * 60));
      assert.equal(errorOf(response).code, 'ServiceMaintenanceOutage');
      assert.equal((await lastAudit())?.outcome, 'ServiceMaintenanceOutage');
    } finally {
      clock = TEN_AM;
    }
  });

  test('a missing or malformed LACode: 400', async () => {
    const { LACode: _la, ...noLa } = fid('bucks-fid', '825');
    for (const headers of [
      noLa,
      fid('bucks-fid', '82'),
      fid('bucks-fid', '8250'),
      fid('bucks-fid', 'E10000002'),
    ]) {
      const response = await get(FID_JSON_PATH, headers);
      assert.equal(response.status, 400);
      assert.equal(errorOf(response).code, 'InvalidLocalAuthorityCode');
      assert.equal((await lastAudit())?.outcome, 'refused:bad-la-code');
    }
  });

  test('a stored extract that cannot be read: JSON answers 500 with an incident id, logged in the audit', async () => {
    await database.db
      .updateTable('regulator.extract')
      .set({ content: gzipSync('<not-an-extract/>') })
      .where('la_code', '=', '330')
      .execute();
    const response = await get(FID_JSON_PATH, fid('brum-fid', '330'));
    assert.equal(response.status, 500);
    const error = errorOf(response);
    assert.equal(error.code, 'GeneralSystemFailure');
    const incident = /incident ([0-9a-f-]{36})/.exec(error.message)?.[1];
    assert.ok(incident, error.message);
    const audit = await lastAudit();
    assert.equal(audit?.outcome, 'GeneralSystemFailure');
    assert.equal(audit?.detail, `incident ${incident}`);
    // The XML is served as stored: it is the document, not edgate's reading of it.
    const xml = await get(FID_XML_PATH, fid('brum-fid', '330'));
    assert.equal(xml.text, '<not-an-extract/>');
  });

  test('each account has a per-minute budget: beyond it, 429 with Retry-After', async () => {
    for (let i = 0; i < PER_MINUTE; i++) {
      assert.equal((await get(FID_JSON_PATH, fid('busy-fid', 'x'))).status, 400);
    }
    const response = await get(FID_JSON_PATH, fid('busy-fid', '825'));
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '60');
    assert.equal(errorOf(response).code, 'TooManyRequests');
    assert.equal((await lastAudit())?.outcome, 'refused:rate-limit');
    // Another account is not held back.
    assert.equal(
      (await get(FID_XML_PATH, fid('bucks-fid', '825', { 'accept-encoding': 'gzip' }))).status,
      200,
    );
  });

  test('every request wrote exactly one audit row, on the FID channels only', async () => {
    const rows = await auditRowsAtLeast(requests);
    assert.equal(rows.length, requests);
    assert.ok(rows.every((r) => r.channel === 'fid-json' || r.channel === 'fid-xml'));
    assert.ok(rows.every((r) => r.operation === 'GetLocalAuthorityChildcareRegister'));
    assert.ok(rows.every((r) => Number(r.bytes) > 0 && r.client_address === '127.0.0.1'));
  });
});
