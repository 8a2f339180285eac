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

  test('a new gateway account asks who collects with it first, then only that one’s field', async () => {
    const kindPage = await admin.get('/regulator/gateway/new-account');
    assert.match(kindPage.body, /Who will collect with the gateway account\?/);
    assert.doesNotMatch(kindPage.body, /name="laCode"|name="organisation"|name="username"/);
    const none = await submit(
      admin,
      '/regulator/gateway/new-account',
      {},
      '/regulator/gateway/new-account/kind',
    );
    assert.equal(none.status, 400);
    assert.match(none.body, /href="#kind">Select who collects with the account/);
    const agent = await submit(
      admin,
      '/regulator/gateway/new-account',
      { kind: 'agent' },
      '/regulator/gateway/new-account/kind',
    );
    assert.equal(agent.status, 303);
    assert.equal(agent.headers.location, '/regulator/gateway/new-account?kind=agent');
    const agentPage = await admin.get(String(agent.headers.location));
    assert.match(agentPage.body, /Create an agent’s gateway account/);
    assert.match(agentPage.body, /name="organisation"/);
    assert.doesNotMatch(agentPage.body, /name="laCode"/);
    const laPage = await admin.get('/regulator/gateway/new-account?kind=la');
    assert.match(laPage.body, /name="laCode"/);
    assert.doesNotMatch(laPage.body, /name="organisation"/);
    // The field the kind needs is checked, its message on that field.
    const noLa = await submit(
      admin,
      '/regulator/gateway/new-account?kind=la',
      {
        username: 'ispp-no-la',
        kind: 'la',
        laCode: '',
        requireCertificate: 'yes',
      },
      '/regulator/gateway/new-account',
    );
    assert.equal(noLa.status, 400);
    assert.match(noLa.body, /href="#laCode">Select the local authority/);
    assert.match(noLa.body, /Create a local authority’s gateway account/);
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
    assert.match(changes.body, /Ada Admin \(ada\)/);
  });
});

describe('OAuth clients and signing keys', () => {
  const tokenRequest = (clientId: string, clientSecret: string) =>
    server.call(
      'POST',
      '/oauth2/token',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: 'attendance.read',
      }).toString(),
    );
  const statistics = (token: string) =>
    server.call('GET', '/statistics/national', { authorization: `Bearer ${token}` });
  let client = { id: '', secret: '' };
  let token = '';

  test('a client created on the page gets a token with the secret shown once; the secret is never shown again', async () => {
    const form = await admin.get('/dfe/oauth-clients/new');
    for (const label of ['Name', 'Scopes', 'Local authority', 'Create the OAuth client'])
      assert.match(form.body, new RegExp(label));
    const created = await submit(admin, '/dfe/oauth-clients/new', {
      name: 'Analysis tool',
      scopes: ['attendance.read'],
      laCode: '',
      requiresConsent: 'no',
    });
    assert.equal(created.status, 200, created.body);
    client = { id: shown(created.body, 'client-id'), secret: shown(created.body, 'client-secret') };
    const answer = await tokenRequest(client.id, client.secret);
    assert.equal(answer.status, 200, answer.text);
    token = answer.json<{ access_token: string }>().access_token;
    assert.notEqual((await statistics(token)).status, 401);

    const page = await admin.get(`/dfe/oauth-clients/${client.id}`);
    assert.equal(page.status, 200);
    assert.equal(page.body.includes(client.secret), false);
    const list = await admin.get('/dfe/oauth-clients');
    assert.match(list.body, /Analysis tool/);
    assert.match(list.body, /Read national and every local authority’s statistics \(attendance\.read\)/);
  });

  test('a read.la client needs its local authority', async () => {
    const missing = await submit(admin, '/dfe/oauth-clients/new', {
      name: 'LA team',
      scopes: 'attendance.read.la',
      laCode: '',
      requiresConsent: 'no',
    });
    assert.equal(missing.status, 400);
    assert.match(missing.body, /Select the local authority whose statistics it reads/);
  });

  test('rotating the signing keys keeps the tokens already issued working', async () => {
    const check = await admin.get('/dfe/oauth-clients/signing-keys/rotate');
    assert.match(check.body, /Rotate the signing keys/);
    assert.equal((await submit(admin, '/dfe/oauth-clients/signing-keys/rotate', {})).status, 303);
    assert.notEqual((await statistics(token)).status, 401, 'the old key still verifies');
    const jwks = await server.call('GET', '/.well-known/jwks.json');
    assert.equal(jwks.json<{ keys: unknown[] }>().keys.length, 2);
  });

  test('a new secret is shown once; the old secret and its tokens stop at once', async () => {
    const rotated = await submit(admin, `/dfe/oauth-clients/${client.id}/rotate-secret`, {});
    assert.equal(rotated.status, 200, rotated.body);
    const secret = shown(rotated.body, 'client-secret');
    assert.equal((await statistics(token)).status, 401);
    assert.equal((await tokenRequest(client.id, client.secret)).status, 401);
    const fresh = await tokenRequest(client.id, secret);
    assert.equal(fresh.status, 200);
    client.secret = secret;
    token = fresh.json<{ access_token: string }>().access_token;
  });

  test('disabled on the page, its next token request and its next API call with a token it holds are refused', async () => {
    const check = await admin.get(`/dfe/oauth-clients/${client.id}/disable`);
    assert.match(check.body, /Disable Analysis tool/);
    assert.equal((await submit(admin, `/dfe/oauth-clients/${client.id}/disable`, {})).status, 303);
    assert.equal((await statistics(token)).status, 401);
    const refused = await tokenRequest(client.id, client.secret);
    assert.equal(refused.status, 401);
    assert.equal(refused.json<{ error: string }>().error, 'invalid_client');
  });

  test('the audit lists each change with who made it', async () => {
    const changes = await admin.get('/dfe/oauth-clients/changes');
    for (const what of ['Client created', 'New signing key', 'New client secret', 'Client disabled'])
      assert.match(changes.body, new RegExp(what), what);
    assert.equal([...changes.body.matchAll(/Ada Admin \(ada\)/g)].length, 4);
  });
});

describe('only an administrator, and only with the form’s own CSRF token', () => {
  const pages = [
    '/admin/accounts',
    '/admin/new-account',
    '/admin/accounts/casey',
    '/admin/accounts/casey/roles',
    '/admin/accounts/casey/disable',
    '/admin/account-changes',
    '/regulator/gateway/accounts',
    '/regulator/gateway/new-account',
    '/regulator/gateway/accounts/agent-one',
    '/regulator/gateway/accounts/agent-one/certificate',
    '/regulator/gateway/accounts/agent-one/disable',
    '/regulator/gateway/new-authorisation',
    '/regulator/gateway/changes',
    '/dfe/oauth-clients',
    '/dfe/oauth-clients/new',
    '/dfe/oauth-clients/changes',
    '/dfe/oauth-clients/signing-keys/rotate',
  ];
  const forms = [
    '/admin/new-account',
    '/admin/accounts/casey/roles',
    '/admin/accounts/casey/disable',
    '/admin/accounts/casey/enable',
    '/regulator/gateway/new-account',
    '/regulator/gateway/new-account/kind',
    '/regulator/gateway/accounts/agent-one/certificate',
    '/regulator/gateway/accounts/agent-one/certificates/0000000000000000000000000000000000000000/remove',
    '/regulator/gateway/accounts/agent-one/disable',
    '/regulator/gateway/new-authorisation',
    '/regulator/gateway/authorisations/1/revoke',
    '/dfe/oauth-clients/new',
    '/dfe/oauth-clients/signing-keys/rotate',
    '/dfe/oauth-clients/x/disable',
    '/dfe/oauth-clients/x/rotate-secret',
  ];

  test('a signed-in person without the admin role is refused every admin page and form (403)', async () => {
    const csrf = csrfTokenIn((await caseworker.get('/logout-confirm')).body);
    for (const page of pages) assert.equal((await caseworker.get(page)).status, 403, page);
    for (const form of forms)
      assert.equal(
        (await caseworker.post(form, { _csrf: csrf, name: 'Forged', username: 'forged', roles: 'admin' }))
          .status,
        403,
        form,
      );
    const accounts = await server.handle.db
      .selectFrom('platform.account')
      .select('username')
      .where('username', '=', 'forged')
      .execute();
    assert.deepEqual(accounts, []);
  });

  test('an administrator’s form without its CSRF token changes nothing', async () => {
    const forged = await admin.post('/dfe/oauth-clients/new', {
      name: 'Forged client',
      scopes: 'attendance.submit',
      requiresConsent: 'yes',
    });
    assert.equal(forged.status, 403);
    const disable = await admin.post('/admin/accounts/casey/disable', {});
    assert.equal(disable.status, 403);
    assert.doesNotMatch((await admin.get('/dfe/oauth-clients')).body, /Forged client/);
    assert.match((await admin.get('/admin/accounts/casey')).body, /Active/);
  });

  test('the navigation offers the admin pages to an administrator only', async () => {
    const home = await admin.get('/');
    for (const text of ['Accounts', 'Gateway accounts', 'OAuth clients'])
      assert.match(home.body, new RegExp(`>${text}<`));
    assert.doesNotMatch((await caseworker.get('/')).body, />OAuth clients</);
  });
});
