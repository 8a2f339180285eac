/**
 * An administrator runs the service from pages instead of the CLI (issue 17 item 3), in-process
 * with one app for the file: accounts and roles, gateway accounts with their certificates and
 * agents' authorisations, OAuth clients and signing keys. Each change takes effect at once where
 * it matters (a sign-in, a FID request, a token request, an API call) and is listed, with who
 * made it, in its audit; a non-admin is refused every admin route, and a form without its CSRF
 * token changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { makeTestCertificate } from '../src/regulator/gateway/test-signing.ts';
import {
  csrfTokenIn,
  startTestApp,
  TEST_PASSWORD,
  type TestApp,
  type TestClient,
} from './support/test-app.ts';

const NOW = new Date('2026-11-02T10:00:00Z');

let server: TestApp;
let admin: TestClient;
let caseworker: TestClient;

/** The text shown once in the element with this id. */
function shown(html: string, id: string): string {
  const match = new RegExp(`id="${id}" data-secret>([^<]+)<`).exec(html);
  assert.ok(match, `no ${id} shown in the page`);
  return match[1]!;
}

/** Opens the form page, then posts it with its CSRF token and these fields. */
async function submit(
  client: TestClient,
  page: string,
  fields: Record<string, string | string[]>,
  action = page,
) {
  const form = await client.get(page);
  assert.equal(form.status, 200, `${page}: ${form.body.slice(0, 300)}`);
  const body = new URLSearchParams({ _csrf: csrfTokenIn(form.body) });
  for (const [name, value] of Object.entries(fields))
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  return client.post(action, body.toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'text/html',
  });
}

before(async () => {
  server = await startTestApp({ now: () => NOW });
  await createAccount(
    server.handle.db,
    { username: 'ada', displayName: 'Ada Admin', password: TEST_PASSWORD, roles: ['admin'] },
    ACCOUNT_ROLES,
  );
  admin = server.client();
  assert.equal((await admin.signIn('ada', TEST_PASSWORD)).status, 303);
  caseworker = server.client();
  assert.equal((await caseworker.signIn('casey', TEST_PASSWORD)).status, 303);
});
after(() => server.close());

describe('accounts and roles', () => {
  test('an account created with a role signs in with the password shown once; disabled, its session is refused', async () => {
    const created = await submit(admin, '/admin/new-account', {
      displayName: 'Kim Caseworker',
      username: 'kim@example.gov.uk',
      roles: 'caseworker',
      laCode: '',
    });
    assert.equal(created.status, 200, created.body);
    const password = shown(created.body, 'password');
    assert.match(created.body, /Caseworker/);

    const kim = server.client();
    assert.equal((await kim.signIn('kim@example.gov.uk', password)).status, 303);
    assert.equal((await kim.get('/regulator/registrations')).status, 200);

    const disabled = await submit(admin, '/admin/accounts/kim@example.gov.uk/disable', {});
    assert.equal(disabled.status, 303);
    const refused = await kim.get('/regulator/registrations');
    assert.equal(refused.status, 302, 'the session ends at once');
    assert.match(String(refused.headers.location), /^\/login/);
    assert.equal((await server.client().signIn('kim@example.gov.uk', password)).status, 401);

    const account = await admin.get('/admin/accounts/kim@example.gov.uk');
    assert.match(account.body, /Disabled/);
  });

  test('roles are checkboxes in plain words; a role for one LA needs its LA; a change holds at once', async () => {
    const form = await admin.get('/admin/new-account');
    for (const title of ['Administrator', 'Caseworker', 'Local authority officer', 'DfE analyst'])
      assert.match(form.body, new RegExp(`>\\s*${title}\\s*<`), title);
    const missing = await submit(admin, '/admin/new-account', {
      displayName: 'Lee',
      username: 'lee',
      roles: 'la-officer',
    });
    assert.equal(missing.status, 400);
    assert.match(missing.body, /Select the local authority/);

    const lee = await submit(admin, '/admin/new-account', {
      displayName: 'Lee Officer',
      username: 'lee',
      roles: 'la-officer',
      laCode: '825',
    });
    assert.equal(lee.status, 200, lee.body);
    const leeClient = server.client();
    assert.equal((await leeClient.signIn('lee', shown(lee.body, 'password'))).status, 303);
    assert.equal((await leeClient.get('/regulator/registrations')).status, 403);
    const changed = await submit(admin, '/admin/accounts/lee/roles', { roles: 'caseworker', laCode: '' });
    assert.equal(changed.status, 303);
    assert.equal((await leeClient.get('/regulator/registrations')).status, 200, 'no new sign-in needed');
  });

  test('the audit lists each change to an account with who made it', async () => {
    const changes = await admin.get('/admin/account-changes');
    assert.equal(changes.status, 200);
    for (const what of ['Created', 'Disabled', 'Roles changed']) assert.match(changes.body, new RegExp(what));
    assert.match(changes.body, /Ada Admin \(ada\)/);
    assert.match(changes.body, /Local authority officer, for Buckinghamshire \(825\) → Caseworker/);
  });

  test('an administrator cannot disable themselves or drop their own admin role', async () => {
    const self = await submit(admin, '/admin/accounts/ada/disable', {});
    assert.equal(self.status, 400);
    const demoted = await submit(admin, '/admin/accounts/ada/roles', { roles: 'caseworker', laCode: '' });
    assert.equal(demoted.status, 400);
    assert.match(demoted.body, /cannot take away your own/);
  });
});

describe('gateway accounts, certificates and agents’ authorisations', () => {
  let apiKey = '';
  const fid = (key = apiKey, laCode = '825') =>
    server.call('GET', '/fid/json', { apikey: key, 'service-key': 'any', lacode: laCode });

  before(async () => {
    // Today's extract for 825 (empty register: no registrations, but ready to collect).
    await runExtracts(server.handle.db, { extractDate: '2026-11-02', laCodes: ['825'] });
  });

  test('an agent account created on the page collects once authorised; revoked, it is refused', async () => {
    const created = await submit(admin, '/regulator/gateway/new-account', {
      username: 'agent-one',
      kind: 'agent',
      organisation: 'Childcare Data Ltd',
      laCode: '',
      requireCertificate: 'yes',
    });
    assert.equal(created.status, 200, created.body);
    apiKey = shown(created.body, 'api-key');
    assert.ok(shown(created.body, 'password').length >= 20);
    const stored = await server.handle.db
      .selectFrom('regulator.gateway_account')
      .select(['password_secret', 'api_key_hash'])
      .where('username', '=', 'agent-one')
      .executeTakeFirstOrThrow();
    assert.equal(stored.api_key_hash?.includes(apiKey), false, 'the key is kept hashed');
    assert.equal(stored.password_secret.includes(shown(created.body, 'password')), false, 'sealed');
    assert.equal((await admin.get('/regulator/gateway/accounts/agent-one')).body.includes(apiKey), false);

    assert.equal((await fid()).status, 403, 'not yet authorised by 825');
    const authorised = await submit(admin, '/regulator/gateway/new-authorisation', {
      organisation: 'Childcare Data Ltd',
      laCode: '825',
      'from-day': '2',
      'from-month': '11',
      'from-year': '2026',
    });
    assert.equal(authorised.status, 303);
    assert.equal((await fid()).status, 200, 'collected at once');

    const list = await admin.get('/regulator/gateway/accounts');
    const revokeLink = /href="(\/regulator\/gateway\/authorisations\/\d+\/revoke)"/.exec(list.body)?.[1];
    assert.ok(revokeLink);
    const check = await admin.get(revokeLink);
    assert.match(check.body, /Revoke the authorisation/);
    assert.match(check.body, /Buckinghamshire/);
    assert.equal((await submit(admin, revokeLink, {})).status, 303);
    const refused = await fid();
    assert.equal(refused.status, 403);
    assert.equal(refused.json<{ code: string }>().code, 'LocalAuthorityAccessInvalid');
  });

  test('a local authority’s own account, disabled on the page, is refused at once', async () => {
    const created = await submit(admin, '/regulator/gateway/new-account', {
      username: 'ispp-825',
      kind: 'la',
      laCode: '825',
      requireCertificate: 'no',
    });
    const key = shown(created.body, 'api-key');
    assert.equal((await fid(key)).status, 200);
    assert.equal((await submit(admin, '/regulator/gateway/accounts/ispp-825/disable', {})).status, 303);
    assert.equal((await fid(key)).status, 401);
  });

  test('a certificate uploaded as a PEM file shows its subject, thumbprint and expiry; it can be removed', async () => {
    const certificate = await makeTestCertificate('Childcare Data Ltd gateway', { keySize: 1024 });
    const page = await admin.get('/regulator/gateway/accounts/agent-one/certificate');
    const boundary = '----edgate-test';
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrfTokenIn(page.body)}`,
      `--${boundary}\r\nContent-Disposition: form-data; name="certificate"; filename="agent.pem"\r\nContent-Type: application/x-pem-file\r\n\r\n${certificate.pem}`,
      `--${boundary}\r\nContent-Disposition: form-data; name="pem"\r\n\r\n`,
      `--${boundary}--\r\n`,
    ].join('\r\n');
    const uploaded = await admin.post('/regulator/gateway/accounts/agent-one/certificate', body, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      accept: 'text/html',
    });
    assert.equal(uploaded.status, 303, uploaded.body);
    const account = await admin.get('/regulator/gateway/accounts/agent-one');
    assert.match(account.body, /Childcare Data Ltd gateway/);
    const thumbprint = certificate.thumbprintSha1.toUpperCase().match(/../g)!.join(':');
    assert.match(account.body, new RegExp(thumbprint));
    assert.match(account.body, /Valid until \d{1,2} [A-Z][a-z]+ \d{4}/);

    const notPem = await submit(admin, '/regulator/gateway/accounts/agent-one/certificate', {
      pem: 'not a certificate',
    });
    assert.equal(notPem.status, 400);
    assert.match(notPem.body, /not a PEM X.509 certificate/);

    const remove = `/regulator/gateway/accounts/agent-one/certificates/${certificate.thumbprintSha1}/remove`;
    assert.match((await admin.get(remove)).body, /Remove the certificate/);
    assert.equal((await submit(admin, remove, {})).status, 303);
    assert.doesNotMatch(
      (await admin.get('/regulator/gateway/accounts/agent-one')).body,
      new RegExp(thumbprint),
    );
  });

  test('the gateway audit lists each change with who made it', async () => {
    const changes = await admin.get('/regulator/gateway/changes');
    assert.equal(changes.status, 200);
    for (const what of [
      'Account created',
      'Agent authorised',
      'Authorisation revoked',
      'Account disabled',
      'Certificate registered',
      'Certificate removed',
    ])
      assert.match(changes.body, new RegExp(what), what);
    assert.doesNotMatch(changes.body, /By<\/th>[\s\S]*<td class="govuk-table__cell">edgate<\/td>/);
    assert.match(changes.body, /Ada Admin \(ada\)/);
  });
});
