/**
 * The ISPP gateway over real HTTPS: a signed request collects the stored extract byte for
 * byte; every refusal answers in SOAP's own format, writes only its audit row, and leaves the
 * service healthy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { startTestServer, TEST_PASSWORD, type TestServer } from './support/test-server.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { readyExtract } from '../src/regulator/extract/extract-store.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import {
  addCertificate,
  authorise,
  createGatewayAccount,
  revoke,
} from '../src/regulator/gateway/gateway-store.ts';
import {
  buildGetLocalAuthorityChildcareRegisterRequest,
  buildGetServiceStatusRequest,
  makeTestCertificate,
  readRegisterData,
  type RequestOptions,
  type TestCertificate,
} from '../src/regulator/gateway/test-signing.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';

describe('ISPP gateway', () => {
  let server: TestServer;
  let endpoint: string;
  let bucksCert: TestCertificate;
  let agentCert: TestCertificate;
  let strangerCert: TestCertificate;
  const passwords: Record<string, string> = {};
  const today = londonDateOf(new Date());

  before(async () => {
    server = await startTestServer();
    endpoint = `${server.baseUrl}${GATEWAY_PATH}`;
    const { db } = server.handle;
    await upsertRegistrations(db, [
      ...generateRegister({ scale: 'demo', seed: 8, today, laCodes: ['825', '826', '201'] }),
    ]);
    await runExtracts(db, { extractDate: today, laCodes: ['825', '826'] });
    bucksCert = await makeTestCertificate('Buckinghamshire ISPP client');
    agentCert = await makeTestCertificate('Acme Directories', { keyPem: bucksCert.keyPem });
    strangerCert = await makeTestCertificate('Not registered', { keyPem: bucksCert.keyPem });
    const bucks = await createGatewayAccount(db, server.secretBox, { username: 'bucks-ispp', laCode: '825' });
    const agent = await createGatewayAccount(db, server.secretBox, {
      username: 'acme-ispp',
      agent: 'Acme Directories',
    });
    const textOnly = await createGatewayAccount(db, server.secretBox, {
      username: 'city-ispp',
      laCode: '201',
      requireCertificate: false,
    });
    passwords['bucks-ispp'] = bucks.password;
    passwords['acme-ispp'] = agent.password;
    passwords['city-ispp'] = textOnly.password;
    await addCertificate(db, 'bucks-ispp', bucksCert.pem);
    await addCertificate(db, 'acme-ispp', agentCert.pem);
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
  after(() => server.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    server.client().request('POST', GATEWAY_PATH, body, {
      'content-type': 'application/soap+xml; charset=utf-8',
      ...headers,
    });

  const signed = (
    username: string,
    certificate: TestCertificate,
    extra: Partial<RequestOptions> = {},
  ): RequestOptions => ({
    to: endpoint,
    username,
    password: passwords[username],
    signer: { pem: certificate.pem, keyPem: certificate.keyPem },
    ...extra,
  });

  const statusOf = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
  const faultOf = (xml: string) => ({
    code: /<s:Value>s:(\w+)<\/s:Value>/.exec(xml)?.[1],
    subcode: /<s:Subcode><s:Value[^>]*>\w+:(\w+)<\/s:Value>/.exec(xml)?.[1],
    reason: /<s:Text[^>]*>([^<]*)<\/s:Text>/.exec(xml)?.[1],
  });
  const auditRows = () =>
    server.handle.db.selectFrom('regulator.gateway_audit').selectAll().orderBy('id', 'desc').execute();
  /** The audit row is written once the response has gone, so it may land just after the client has it. */
  const auditRowsAtLeast = async (count: number) => {
    for (let tries = 0; tries < 100; tries++) {
      const rows = await auditRows();
      if (rows.length >= count) return rows;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return auditRows();
  };
  const extractRows = async () =>
    await server.handle.db
      .selectFrom('regulator.extract')
      .select(['la_code', 'status', 'attempts'])
      .orderBy('la_code')
      .execute();

  test('an LA collects its extract: RegisterData is the stored document byte for byte, and the request is audited', async () => {
    const response = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('825', signed('bucks-ispp', bucksCert)),
    );
    assert.equal(response.status, 200, response.body.slice(0, 500));
    assert.equal(statusOf(response.body), 'Success');
    const auditCount = (await auditRows()).length;
    const stored = (await readyExtract(server.handle.db, '825', today))!;
    assert.equal(readRegisterData(response.body), gunzipSync(stored.content).toString('utf8'));
    assert.match(response.body, /<a:RelatesTo>urn:uuid:[0-9a-f-]+<\/a:RelatesTo>/);
    assert.match(response.body, /GetLocalAuthorityChildcareRegisterResponse<\/a:Action>/);
    const [audit] = await auditRowsAtLeast(Math.max(auditCount, 1));
    assert.equal(audit?.outcome, 'Success');
    assert.equal(audit?.username, 'bucks-ispp');
    assert.equal(audit?.la_code, '825');
    assert.ok(Number(audit?.bytes) > stored.sizeBytes!, 'the audit counts the bytes sent');
  });

  test('gzip is used when the client accepts it, and decodes to the same RegisterData', async () => {
    // Raw bytes: the test client decodes bodies as UTF-8 text.
    const gzipped = (xml: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = httpsRequest(
          `${server.baseUrl}${GATEWAY_PATH}`,
          {
            method: 'POST',
            ca: server.ca,
            headers: { 'content-type': 'application/soap+xml; charset=utf-8', 'accept-encoding': 'gzip' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(xml);
      });
    const stored = (await readyExtract(server.handle.db, '825', today))!;
    // Twice: the first reply deflates the extract, the second is made from the cached form.
    for (let i = 0; i < 2; i++) {
      const response = await gzipped(
        buildGetLocalAuthorityChildcareRegisterRequest('825', signed('bucks-ispp', bucksCert)),
      );
      assert.equal(response.headers['content-encoding'], 'gzip');
      assert.equal(Number(response.headers['content-length']), response.body.length);
      const xml = gunzipSync(response.body).toString('utf8');
      assert.equal(statusOf(xml), 'Success');
      assert.equal(readRegisterData(xml), gunzipSync(stored.content).toString('utf8'));
    }
  });

  test('an authorised agent collects for the LA that authorised it; not for one whose authorisation expired', async () => {
    const allowed = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('826', signed('acme-ispp', agentCert)),
    );
    assert.equal(statusOf(allowed.body), 'Success');
    const expired = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('825', signed('acme-ispp', agentCert)),
    );
    assert.equal(statusOf(expired.body), 'LocalAuthorityAccessInvalid');
    await revoke(server.handle.db, { organisation: 'Acme Directories', laCode: '826', by: 'test' });
    const revoked = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('826', signed('acme-ispp', agentCert)),
    );
    assert.equal(statusOf(revoked.body), 'LocalAuthorityAccessInvalid');
    await authorise(server.handle.db, {
      organisation: 'Acme Directories',
      laCode: '826',
      validFrom: '2026-01-01',
      by: 'test',
    });
  });

  test('another LA’s code, an unknown code, and a day not yet built each get their Status', async () => {
    const other = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('826', signed('bucks-ispp', bucksCert)),
    );
    assert.equal(statusOf(other.body), 'LocalAuthorityAccessInvalid');
    assert.doesNotMatch(other.body, /RegisterData/);
    const unknown = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('999', signed('bucks-ispp', bucksCert)),
    );
    assert.equal(statusOf(unknown.body), 'LocalAuthorityAccessInvalid');
    const notBuilt = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('201', {
        to: endpoint,
        username: 'city-ispp',
        password: passwords['city-ispp'],
      }),
    );
    assert.equal(statusOf(notBuilt.body), 'ServiceUnavailablePeriod');
  });

  test('GetServiceStatus answers an authenticated caller', async () => {
    const response = await post(buildGetServiceStatusRequest(signed('bucks-ispp', bucksCert)));
    assert.equal(response.status, 200);
    assert.match(response.body, /<GetServiceStatusResult>Available<\/GetServiceStatusResult>/);
  });

  test('refusals: each the right fault, nothing written but the audit row, the service still healthy', async () => {
    const registerRequest = (options: RequestOptions) =>
      buildGetLocalAuthorityChildcareRegisterRequest('825', options);
    const cases: {
      name: string;
      body: string;
      headers?: Record<string, string>;
      status: number;
      code: string;
      subcode?: string;
    }[] = [
      {
        name: 'wrong password',
        body: registerRequest({ ...signed('bucks-ispp', bucksCert), password: 'not-it' }),
        status: 400,
        code: 'Sender',
        subcode: 'FailedAuthentication',
      },
      {
        name: 'unknown user',
        body: registerRequest({ ...signed('bucks-ispp', bucksCert), username: 'nobody' }),
        status: 400,
        code: 'Sender',
        subcode: 'FailedAuthentication',
      },
      {
        name: 'expired timestamp',
        body: registerRequest(signed('bucks-ispp', bucksCert, { now: new Date(Date.now() - 3600_000) })),
        status: 400,
        code: 'Sender',
      },
      {
        name: 'certificate not registered to the account',
        body: registerRequest({ ...signed('bucks-ispp', strangerCert) }),
        status: 400,
        code: 'Sender',
      },
      {
        name: 'another account’s certificate',
        body: registerRequest({ ...signed('bucks-ispp', agentCert) }),
        status: 400,
        code: 'Sender',
      },
      {
        name: 'no signature where one is required',
        body: registerRequest({ to: endpoint, username: 'bucks-ispp', password: passwords['bucks-ispp'] }),
        status: 400,
        code: 'Sender',
      },
      {
        name: 'tampered signed To header',
        body: registerRequest(signed('bucks-ispp', bucksCert)).replace(
          `>${endpoint}<`,
          '>https://elsewhere.example/ISPPGateway/ISPPGatewayServices.svc<',
        ),
        status: 400,
        code: 'Sender',
      },
      {
        name: 'SOAP 1.1 envelope',
        body: '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        status: 500,
        code: 'VersionMismatch',
      },
      {
        name: 'XXE',
        body: '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&x;</s:Body></s:Envelope>',
        status: 400,
        code: 'Sender',
      },
      {
        name: 'billion laughs',
        body:
          '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
          '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&c;</s:Body></s:Envelope>',
        status: 400,
        code: 'Sender',
      },
      {
        name: 'oversized body',
        body: `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${'x'.repeat(70_000)}</s:Body></s:Envelope>`,
        status: 413,
        code: 'Sender',
      },
      {
        name: 'truncated body',
        body: registerRequest(signed('bucks-ispp', bucksCert)).slice(0, 900),
        status: 400,
        code: 'Sender',
      },
      { name: 'not XML', body: 'hello', status: 400, code: 'Sender' },
    ];
    const extractsBefore = await extractRows();
    const accountsBefore = await server.handle.db
      .selectFrom('regulator.gateway_account')
      .selectAll()
      .execute();
    for (const c of cases) {
      const auditBefore = (await auditRows()).length;
      const response = await post(c.body, c.headers);
      assert.equal(response.status, c.status, `${c.name}: ${response.body.slice(0, 300)}`);
      assert.match(String(response.headers['content-type']), /^application\/soap\+xml/, c.name);
      const fault = faultOf(response.body);
      assert.equal(fault.code, c.code, `${c.name}: ${response.body.slice(0, 400)}`);
      if (c.subcode) assert.equal(fault.subcode, c.subcode, c.name);
      assert.doesNotMatch(
        response.body,
        new RegExp(passwords['bucks-ispp']!),
        `${c.name}: no secret in the fault`,
      );
      assert.equal(
        (await auditRowsAtLeast(auditBefore + 1)).length,
        auditBefore + 1,
        `${c.name}: audited once`,
      );
    }
    assert.deepEqual(await extractRows(), extractsBefore, 'no extract changed');
    assert.deepEqual(
      await server.handle.db.selectFrom('regulator.gateway_account').selectAll().execute(),
      accountsBefore,
    );
    const health = await server.client().request('GET', '/readyz');
    assert.equal(health.status, 200);
    const stillWorks = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('825', signed('bucks-ispp', bucksCert)),
    );
    assert.equal(statusOf(stillWorks.body), 'Success');
  });

  test('the same wrong-password fault for an unknown user, so names cannot be probed', async () => {
    const wrong = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('825', {
        ...signed('bucks-ispp', bucksCert),
        password: 'x',
      }),
    );
    const unknown = await post(
      buildGetLocalAuthorityChildcareRegisterRequest('825', {
        ...signed('bucks-ispp', bucksCert),
        username: 'ghost',
      }),
    );
    assert.equal(faultOf(wrong.body).reason, faultOf(unknown.body).reason);
  });

  test('a replayed digest nonce is refused', async () => {
    const body = buildGetLocalAuthorityChildcareRegisterRequest(
      '825',
      signed('bucks-ispp', bucksCert, { passwordType: 'digest' }),
    );
    assert.equal(statusOf((await post(body)).body), 'Success');
    const replay = await post(body);
    assert.equal(replay.status, 400);
    assert.equal(faultOf(replay.body).code, 'Sender');
  });

  test('the WSDL keeps the real contract with this endpoint’s address', async () => {
    const client = server.client();
    const wsdl = await client.request('GET', `${GATEWAY_PATH}?wsdl`);
    assert.equal(wsdl.status, 200);
    assert.match(wsdl.body, new RegExp(`<soap12:address location="${endpoint.replace(/[.?]/g, '\\$&')}"/>`));
    assert.match(wsdl.body, /location="[^"]+\?wsdl=wsdl0"/);
    const wsdl0 = await client.request('GET', `${GATEWAY_PATH}?wsdl=wsdl0`);
    assert.match(wsdl0.body, /sp:RequireThumbprintReference/);
    const xsd0 = await client.request('GET', `${GATEWAY_PATH}?xsd=xsd0`);
    assert.match(xsd0.body, /ServiceUnavailablePeriod/);
    const single = await client.request('GET', `${GATEWAY_PATH}?singleWsdl`);
    assert.match(single.body, /<wsdl:binding name="CustomMultiFactorBinding_ISPPGatewayServices"/);
    assert.match(single.body, /<xs:element name="GetLocalAuthorityChildcareRegister">/);
  });

  test('an LA officer sees who collected their LA’s data and their agents; the regulator sees every request', async () => {
    await post(buildGetLocalAuthorityChildcareRegisterRequest('826', signed('acme-ispp', agentCert)));
    await auditRowsAtLeast(1);
    await createAccount(
      server.handle.db,
      {
        username: 'bucks-officer',
        displayName: 'Bucks Officer',
        password: TEST_PASSWORD,
        roles: ['la-officer'],
        laCode: '825',
      },
      ACCOUNT_ROLES,
    );
    const officer = server.client();
    await officer.signIn('bucks-officer', TEST_PASSWORD);
    const page = await officer.get('/regulator/gateway/audit?la=826');
    assert.equal(page.status, 200);
    assert.match(page.body, /Who collected our data: Buckinghamshire \(825\)/);
    assert.match(page.body, /bucks-ispp/);
    assert.doesNotMatch(page.body, />826</, 'another LA’s requests are not shown, whatever the address asks');
    assert.match(page.body, /Acme Directories/, 'the agent whose authorisation expired is listed');

    const caseworker = server.client();
    await caseworker.signIn('casey', TEST_PASSWORD);
    const all = await caseworker.get('/regulator/gateway/audit');
    assert.match(all.body, /acme-ispp/);
    assert.match(all.body, /bucks-ispp/);
    const registerPage = await officer.get('/regulator/registrations');
    assert.equal(registerPage.status, 403, 'an LA officer cannot use the register');
  });
});
