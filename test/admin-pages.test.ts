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
