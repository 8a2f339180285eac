/**
 * Cutting someone off, seen from outside on two instances of one database: a disabled web
 * account is signed out everywhere and answered like a wrong password; a disabled, re-keyed or
 * de-certified gateway account is refused by SOAP and FID at once, on both instances, with no
 * word to either of them. On PostgreSQL each instance has its own pool, as two processes would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../src/platform/http/server.ts';
import { loadTls, type TlsMaterial } from '../src/platform/http/tls.ts';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { setAccountDisabled } from '../src/platform/auth/account-access.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { regulatorRole } from '../src/regulator/regulator-role.ts';
import { addCertificate, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import {
  listCertificates,
  removeCertificate,
  rotateGatewayApiKey,
  rotateGatewayPassword,
  setGatewayAccountDisabled,
} from '../src/regulator/gateway/gateway-access.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import { FID_JSON_PATH } from '../src/regulator/gateway/fid-routes.ts';
import {
  buildGetServiceStatusRequest,
  makeTestCertificate,
  type TestCertificate,
} from '../src/regulator/gateway/test-signing.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';
import { freePort } from './support/postgres-cluster.ts';
import {
  testClient,
  TEST_PASSWORD,
  TEST_ROLE_CONFIG,
  roleContextOf,
  type TestClient,
} from './support/test-server.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';

interface Instance {
  app: FastifyInstance;
  url: string;
  client(): TestClient;
}

describe('cutting someone off, on two instances of one database', () => {
  let database: TestDatabase;
  let secondHandle: DatabaseHandle | undefined;
  let tls: TlsMaterial;
  let dir: string;
  let box: SecretBox;
  let certificate: TestCertificate;
  let spare: TestCertificate;
  const instances: Instance[] = [];
  const secrets: Record<string, { password: string; apiKey: string }> = {};

  before(async () => {
    database = await openTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-cut-off-'));
    tls = await loadTls({ dataDir: dir });
    secondHandle = database.url ? await openDatabase({ databaseUrl: database.url, poolSize: 3 }) : undefined;
    // One sealing key for both, as production requires (GATEWAY_SECRET_KEY on every instance).
    box = new SecretBox(randomBytes(32));
    for (const handle of [database, secondHandle ?? database]) {
      const app = await createHttpServer({ db: handle.db, tls, logLevel: 'silent' });
      // The signed wsa:To names the instance's own address, port included.
      const port = await freePort();
      const url = `https://127.0.0.1:${port}`;
      await regulatorRole(app, {
        handle,
        ...roleContextOf({ ...TEST_ROLE_CONFIG, publicUrl: url }),
        secretBox: box,
      });
      await app.listen({ host: '127.0.0.1', port });
      instances.push({ app, url, client: () => testClient(url, tls.cert) });
    }
    const { db } = database;
    await createAccount(
      db,
      {
        username: 'casey',
        displayName: 'Casey',
        password: TEST_PASSWORD,
        roles: ['caseworker'],
      },
      ACCOUNT_ROLES,
    );
    certificate = await makeTestCertificate('Buckinghamshire ISPP client');
    spare = await makeTestCertificate('Buckinghamshire spare', { keyPem: certificate.keyPem });
    for (const username of ['bucks-ispp', 'keys-ispp', 'certs-ispp']) {
      const created = await createGatewayAccount(db, box, { username, laCode: '825' });
      secrets[username] = { password: created.password, apiKey: created.apiKey };
      await addCertificate(db, username, certificate.pem);
    }
    await addCertificate(db, 'certs-ispp', spare.pem);
  });
  after(async () => {
    for (const instance of instances) await instance.app.close();
    await secondHandle?.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const both = () => instances as [Instance, Instance];

  const serviceStatus = (
    instance: Instance,
    username: string,
    options: { password?: string; signer?: TestCertificate } = {},
  ) => {
    const signer = options.signer ?? certificate;
    return instance.client().request(
      'POST',
      GATEWAY_PATH,
      buildGetServiceStatusRequest({
        to: `${instance.url}${GATEWAY_PATH}`,
        username,
        password: options.password ?? secrets[username]!.password,
        signer: { pem: signer.pem, keyPem: signer.keyPem },
      }),
      { 'content-type': 'application/soap+xml; charset=utf-8' },
    );
  };
  const faultOf = (xml: string) => ({
    subcode: /<s:Subcode><s:Value[^>]*>\w+:(\w+)<\/s:Value>/.exec(xml)?.[1],
    reason: /<s:Text[^>]*>([^<]*)<\/s:Text>/.exec(xml)?.[1],
  });
  const fid = (instance: Instance, apiKey: string) =>
    instance.client().request('GET', FID_JSON_PATH, undefined, {
      APIKEY: apiKey,
      'service-key': 'edgate-test-service',
      LACode: '825',
    });
  const basic = (instance: Instance, password: string) =>
    instance.client().request('GET', '/api/regulator/registrations', undefined, {
      authorization: `Basic ${Buffer.from(`casey:${password}`).toString('base64')}`,
    });

  test('a disabled web account is signed out on both instances at once and answered like a wrong password; enabled, it signs in again', async () => {
    const [first, second] = both();
    const browser = first.client();
    assert.equal((await browser.signIn('casey', TEST_PASSWORD)).status, 303);
    const elsewhere = second.client();
    for (const [name, value] of browser.cookies) elsewhere.cookies.set(name, value);
    assert.equal((await browser.get('/regulator/registrations')).status, 200);
    assert.equal((await elsewhere.get('/regulator/registrations')).status, 200, 'the session works on both');
    const wrongPassword = await first.client().signIn('casey', 'not-the-password-at-all');
    const wrongBasic = await basic(first, 'not-the-password-at-all');

    const change = await setAccountDisabled(database.db, {
      username: 'Casey',
      disabled: true,
      by: 'jo.admin',
    });
    assert.deepEqual(change, { username: 'casey', changed: true, sessionsEnded: 1 });

    for (const session of [browser, elsewhere]) {
      const page = await session.get('/regulator/registrations');
      assert.equal(page.status, 302, 'the session has ended');
      assert.match(String(page.headers.location), /^\/login/);
    }
    for (const instance of both()) {
      const refused = await instance.client().signIn('casey', TEST_PASSWORD);
      assert.equal(refused.status, wrongPassword.status);
      assert.match(refused.body, /Enter a correct username and password/);
      const api = await basic(instance, TEST_PASSWORD);
      assert.equal(api.status, 401);
      assert.equal(api.body, wrongBasic.body, 'the admin API answers as to a wrong password');
    }
    assert.equal(
      (await setAccountDisabled(database.db, { username: 'casey', disabled: true, by: 'jo.admin' })).changed,
      false,
    );

    await setAccountDisabled(database.db, { username: 'casey', disabled: false, by: 'jo.admin' });
    assert.equal((await second.client().signIn('casey', TEST_PASSWORD)).status, 303);
    assert.equal((await basic(first, TEST_PASSWORD)).status, 200);

    const audit = await database.db
      .selectFrom('platform.account_change')
      .select(['username', 'action', 'changed_by'])
      .orderBy('id')
      .execute();
    assert.deepEqual(audit, [
      { username: 'casey', action: 'disable', changed_by: 'jo.admin' },
      { username: 'casey', action: 'enable', changed_by: 'jo.admin' },
    ]);
  });

  test('a disabled gateway account gets the wrong-password fault over SOAP and the auth error over FID on both instances; enabled, it collects again', async () => {
    const [first] = both();
    for (const instance of both()) {
      assert.equal((await serviceStatus(instance, 'bucks-ispp')).status, 200);
      assert.notEqual((await fid(instance, secrets['bucks-ispp']!.apiKey)).status, 401);
    }
    const wrongPassword = await serviceStatus(first, 'bucks-ispp', { password: 'wrong-password-123' });
    const wrongKey = await fid(first, 'no such key');

    assert.equal(
      await setGatewayAccountDisabled(database.db, {
        username: 'bucks-ispp',
        disabled: true,
        by: 'jo.admin',
      }),
      true,
    );
    for (const instance of both()) {
      const soap = await serviceStatus(instance, 'bucks-ispp');
      assert.equal(soap.status, wrongPassword.status);
      assert.deepEqual(faultOf(soap.body), faultOf(wrongPassword.body));
      assert.equal(faultOf(soap.body).subcode, 'FailedAuthentication');
      const json = await fid(instance, secrets['bucks-ispp']!.apiKey);
      assert.equal(json.status, 401);
      assert.deepEqual(json.json(), wrongKey.json());
    }

    await setGatewayAccountDisabled(database.db, { username: 'bucks-ispp', disabled: false, by: 'jo.admin' });
    for (const instance of both()) {
      assert.equal((await serviceStatus(instance, 'bucks-ispp')).status, 200);
      assert.notEqual((await fid(instance, secrets['bucks-ispp']!.apiKey)).status, 401);
    }
    const audit = await database.db
      .selectFrom('regulator.gateway_account_change')
      .select(['username', 'action', 'changed_by'])
      .where('username', '=', 'bucks-ispp')
      // Its creation and certificate are audited too, before the test.
      .where('action', 'not in', ['create', 'add-certificate'])
      .orderBy('id')
      .execute();
    assert.deepEqual(audit, [
      { username: 'bucks-ispp', action: 'disable', changed_by: 'jo.admin' },
      { username: 'bucks-ispp', action: 'enable', changed_by: 'jo.admin' },
    ]);
  });

  test('a rotated password or API key: the old one is refused at once on both instances, the new one works', async () => {
    const old = secrets['keys-ispp']!;
    for (const instance of both()) {
      assert.equal((await serviceStatus(instance, 'keys-ispp')).status, 200);
      assert.notEqual((await fid(instance, old.apiKey)).status, 401);
    }
    const password = await rotateGatewayPassword(database.db, box, { username: 'keys-ispp', by: 'jo.admin' });
    const apiKey = await rotateGatewayApiKey(database.db, { username: 'keys-ispp', by: 'jo.admin' });
    assert.notEqual(password, old.password);
    assert.notEqual(apiKey, old.apiKey);
    for (const instance of both()) {
      const refused = await serviceStatus(instance, 'keys-ispp', { password: old.password });
      assert.equal(faultOf(refused.body).subcode, 'FailedAuthentication');
      assert.equal((await fid(instance, old.apiKey)).status, 401);
      assert.equal((await serviceStatus(instance, 'keys-ispp', { password })).status, 200);
      assert.notEqual((await fid(instance, apiKey)).status, 401);
    }
    const stored = await database.db
      .selectFrom('regulator.gateway_account')
      .select('password_secret')
      .where('username', '=', 'keys-ispp')
      .executeTakeFirstOrThrow();
    assert.ok(!stored.password_secret.includes(password), 'the new password is kept sealed');
    assert.equal(box.open(stored.password_secret), password);
    const audit = await database.db
      .selectFrom('regulator.gateway_account_change')
      .select('action')
      .where('username', '=', 'keys-ispp')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['create', 'add-certificate', 'rotate-password', 'rotate-api-key'],
    );
  });

  test('a removed certificate: signatures made with it are refused at once on both instances, even just after it was used', async () => {
    for (const instance of both()) {
      // Used on both first, so any parsed copy an instance keeps is warm.
      assert.equal((await serviceStatus(instance, 'certs-ispp')).status, 200);
      assert.equal((await serviceStatus(instance, 'certs-ispp', { signer: spare })).status, 200);
    }
    await assert.rejects(
      removeCertificate(database.db, { username: 'certs-ispp', by: 'jo.admin' }),
      /has 2 certificates: name one with --thumbprint/,
    );
    await assert.rejects(
      removeCertificate(database.db, { username: 'certs-ispp', thumbprint: 'abc', by: 'jo.admin' }),
      /--thumbprint abc is not a SHA-1 thumbprint/,
    );
    const removed = await removeCertificate(database.db, {
      username: 'certs-ispp',
      // As another tool shows it: upper case, colon-separated.
      thumbprint: certificate.thumbprintSha1.toUpperCase().replace(/(..)(?!$)/g, '$1:'),
      by: 'jo.admin',
    });
    assert.equal(removed.thumbprintSha1, certificate.thumbprintSha1);
    for (const instance of both()) {
      const refused = await serviceStatus(instance, 'certs-ispp');
      assert.equal(faultOf(refused.body).subcode, 'FailedAuthentication');
      assert.equal((await serviceStatus(instance, 'certs-ispp', { signer: spare })).status, 200);
      // Other accounts registered with the same certificate keep it.
      assert.equal((await serviceStatus(instance, 'bucks-ispp')).status, 200);
    }
    assert.deepEqual(
      (await listCertificates(database.db, 'certs-ispp')).map((c) => c.thumbprintSha1),
      [spare.thumbprintSha1],
    );
    const audit = await database.db
      .selectFrom('regulator.gateway_account_change')
      .select(['action', 'detail'])
      .where('username', '=', 'certs-ispp')
      .where('action', 'not in', ['create', 'add-certificate'])
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.action, 'remove-certificate');
    assert.match(audit[0]!.detail ?? '', new RegExp(certificate.thumbprintSha1));
  });
});
