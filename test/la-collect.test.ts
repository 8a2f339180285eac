/**
 * The LA collects its extract from edgate's regulator role over real HTTPS: through the ISPP SOAP
 * gateway (WS-Security, an X.509 signature with RSA-SHA1 or RSA-SHA256, PEM or PFX) and through
 * FID JSON; what it stores reads back as exactly the regulator's registrations, once per
 * distinct document, with every attempt recorded, and two collectors at once collect each LA once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { readExtract } from '../src/contracts/childcare-extract/extract-reader.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { readyExtract } from '../src/regulator/extract/extract-store.ts';
import { addCertificate, authorise, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import { makeTestCertificate, type TestCertificate } from '../src/regulator/gateway/test-signing.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import { FID_JSON_PATH } from '../src/regulator/gateway/fid-routes.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { addSource } from '../src/la/collection/sources.ts';
import { collectAll, type CollectOptions } from '../src/la/collection/collect-all.ts';
import { httpsTransport } from '../src/la/collection/transport.ts';
import { latestSnapshots, readSnapshotDocument } from '../src/la/collection/snapshot-store.ts';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('LA collection from the regulator over HTTPS', () => {
  let server: TestServer;
  let endpoint: string;
  let certificate: TestCertificate;
  let fidKey: string;
  const credentials: Record<string, string> = {};
  const today = londonDateOf(new Date());
  let dir: string;

  before(async () => {
    server = await startTestServer();
    endpoint = `${server.baseUrl}${GATEWAY_PATH}`;
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-la-collect-'));
    const { db } = server.handle;
    await upsertRegistrations(db, [
      ...generateRegister({ scale: 'demo', seed: 3, today, laCodes: ['825', '826'] }),
    ]);
    await runExtracts(db, { extractDate: today, laCodes: ['825', '826'] });
    certificate = await makeTestCertificate('Acme Directories ISPP client');
    const agent = await createGatewayAccount(db, server.secretBox, {
      username: 'acme-ispp',
      agent: 'Acme Directories',
    });
    credentials['acme-ispp'] = agent.password;
    fidKey = agent.apiKey;
    await addCertificate(db, 'acme-ispp', certificate.pem);
    for (const laCode of ['825', '826']) {
      await authorise(db, { organisation: 'Acme Directories', laCode, validFrom: '2020-01-01', by: 'test' });
    }
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (extra: Partial<CollectOptions> = {}): CollectOptions => ({
    now: new Date(),
    secretBox: server.secretBox,
    transport: httpsTransport({ ca: server.ca }),
    retry: { attempts: 2, baseDelayMs: 1 },
    sleep: async () => {},
    ...extra,
  });

  async function regulatorRegistrations(laCode: string) {
    const extract = await readyExtract(server.handle.db, laCode, today);
    assert.ok(extract, `the regulator built ${laCode}'s extract`);
    const content = extract.content[0] === 0x1f ? gunzipSync(extract.content) : extract.content;
    return (await readExtract(content.toString('utf8'), 'regulator.xml')).registrations;
  }

  async function storedRegistrations(snapshotId: number) {
    const bytes = await readSnapshotDocument(server.handle.db, snapshotId);
    assert.ok(bytes);
    return (await readExtract(bytes.toString('utf8'), 'snapshot.xml')).registrations;
  }

  test('an agent collects two LAs over SOAP with an RSA-SHA1 X.509 signature: the regulator’s registrations, stored once', async () => {
    const { db } = server.handle;
    await addSource(db, server.secretBox, {
      name: 'Ofsted ISPP (SHA-1)',
      kind: 'soap',
      endpointUrl: endpoint,
      username: 'acme-ispp',
      password: credentials['acme-ispp'],
      certificate: { format: 'pem', certificatePem: certificate.pem, keyPem: certificate.keyPem },
      laCodes: ['825', '826'],
      by: 'test',
    });
    const seen: number[] = [];
    const results = await collectAll(
      db,
      options({ sources: ['Ofsted ISPP (SHA-1)'], onSnapshot: (id) => void seen.push(id) }),
    );
    assert.deepEqual(results.map((r) => [r.laCode, r.outcome, r.error]).sort(), [
      ['825', 'collected', undefined],
      ['826', 'collected', undefined],
    ]);
    assert.equal(seen.length, 2, 'onSnapshot is called for each new snapshot');
    for (const r of results) {
      assert.deepEqual(await storedRegistrations(r.snapshotId!), await regulatorRegistrations(r.laCode));
      const [latest] = await latestSnapshots(db, r.laCode);
      assert.equal(latest!.state, 'received');
      assert.equal(latest!.recordCount, (await regulatorRegistrations(r.laCode)).length);
    }

    // Today's are collected: a second run leaves them alone; asked again, the same document is not stored twice.
    const rerun = await collectAll(db, options({ sources: ['Ofsted ISPP (SHA-1)'] }));
    assert.deepEqual(
      rerun.map((r) => r.outcome),
      ['claimed-elsewhere', 'claimed-elsewhere'],
    );
    const again = await collectAll(
      db,
      options({ sources: ['Ofsted ISPP (SHA-1)'], again: true, onSnapshot: (id) => void seen.push(id) }),
    );
    assert.deepEqual(
      again.map((r) => r.outcome),
      ['same-as-before', 'same-as-before'],
    );
    assert.deepEqual(again.map((r) => r.snapshotId).sort(), results.map((r) => r.snapshotId).sort());
    assert.equal(seen.length, 2, 'no new snapshot, no onSnapshot call');
    assert.equal((await latestSnapshots(db, '825')).length, 1);
  });

  test('RSA-SHA256 signatures are accepted too', async () => {
    const { db } = server.handle;
    await addSource(db, server.secretBox, {
      name: 'Ofsted ISPP (SHA-256)',
      kind: 'soap',
      endpointUrl: endpoint,
      username: 'acme-ispp',
      password: credentials['acme-ispp'],
      certificate: { format: 'pem', certificatePem: certificate.pem, keyPem: certificate.keyPem },
      signatureAlgorithm: 'rsa-sha256',
      laCodes: ['826'],
      by: 'test',
    });
    const [result] = await collectAll(db, options({ sources: ['Ofsted ISPP (SHA-256)'] }));
    assert.equal(result!.outcome, 'same-as-before', result!.error);
  });

  test(
    'a certificate from a PFX file signs as well as one from PEM',
    { skip: !hasOpenssl && 'no openssl to make a PFX' },
    async () => {
      const { db } = server.handle;
      writeFileSync(path.join(dir, 'cert.pem'), certificate.pem);
      writeFileSync(path.join(dir, 'key.pem'), certificate.keyPem);
      execFileSync('openssl', [
        'pkcs12',
        '-export',
        '-in',
        path.join(dir, 'cert.pem'),
        '-inkey',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'client.pfx'),
        '-passout',
        'pass:pfx-secret',
      ]);
      await addSource(db, server.secretBox, {
        name: 'Ofsted ISPP (PFX)',
        kind: 'soap',
        endpointUrl: endpoint,
        username: 'acme-ispp',
        password: credentials['acme-ispp'],
        certificate: {
          format: 'pfx',
          pfxBase64: readFileSync(path.join(dir, 'client.pfx')).toString('base64'),
          password: 'pfx-secret',
        },
        laCodes: ['825'],
        by: 'test',
      });
      const [result] = await collectAll(db, options({ sources: ['Ofsted ISPP (PFX)'] }));
      assert.equal(result!.outcome, 'same-as-before', result!.error);
      await assert.rejects(
        addSource(db, server.secretBox, {
          name: 'Wrong PFX password',
          kind: 'soap',
          endpointUrl: endpoint,
          username: 'acme-ispp',
          password: 'x',
          certificate: {
            format: 'pfx',
            pfxBase64: readFileSync(path.join(dir, 'client.pfx')).toString('base64'),
            password: 'wrong',
          },
          laCodes: ['825'],
          by: 'test',
        }),
        /check its password/,
      );
    },
  );

  test('FID JSON gives the same registrations as the regulator’s XML', async () => {
    const { db } = server.handle;
    await addSource(db, server.secretBox, {
      name: 'FID',
      kind: 'fid',
      endpointUrl: `${server.baseUrl}${FID_JSON_PATH}`,
      fidApiKey: fidKey,
      fidServiceKey: 'edgate-test',
      laCodes: ['825', '826'],
      by: 'test',
    });
    const results = await collectAll(db, options({ sources: ['FID'] }));
    for (const r of results) {
      assert.equal(r.outcome, 'collected', r.error);
      assert.deepEqual(await storedRegistrations(r.snapshotId!), await regulatorRegistrations(r.laCode));
    }
  });

  test('a wrong password is refused by the gateway, recorded once, not retried', async () => {
    const { db } = server.handle;
    await addSource(db, server.secretBox, {
      name: 'Wrong password',
      kind: 'soap',
      endpointUrl: endpoint,
      username: 'acme-ispp',
      password: 'not-the-password',
      certificate: { format: 'pem', certificatePem: certificate.pem, keyPem: certificate.keyPem },
      laCodes: ['825'],
      by: 'test',
    });
    const [result] = await collectAll(
      db,
      options({ sources: ['Wrong password'], retry: { attempts: 3, baseDelayMs: 1 } }),
    );
    assert.equal(result!.outcome, 'gateway-refused');
    assert.equal(result!.attempts, 1);
    assert.match(result!.error!, /refused/);
  });

  test('two collectors at once: each LA is collected once, one attempt each', async () => {
    const { db } = server.handle;
    await addSource(db, server.secretBox, {
      name: 'Concurrent FID',
      kind: 'fid',
      endpointUrl: `${server.baseUrl}${FID_JSON_PATH}`,
      fidApiKey: fidKey,
      fidServiceKey: 'edgate-test',
      laCodes: ['825', '826'],
      by: 'test',
    });
    const [a, b] = await Promise.all([
      collectAll(db, options({ sources: ['Concurrent FID'] })),
      collectAll(db, options({ sources: ['Concurrent FID'] })),
    ]);
    const done = [...a!, ...b!].filter((r) => r.outcome !== 'claimed-elsewhere');
    assert.equal(done.length, 2);
    const attempts = await db
      .selectFrom('la.collection_attempt')
      .innerJoin('la.source', 'la.source.id', 'la.collection_attempt.source_id')
      .select(['la.collection_attempt.la_code', 'la.collection_attempt.outcome'])
      .where('la.source.name', '=', 'Concurrent FID')
      .execute();
    assert.deepEqual(attempts.map((x) => x.la_code).sort(), ['825', '826']);
  });
});
