/**
 * The childcare feed's journey in a real browser (test/support/browser.ts), on one HTTPS server
 * with every role: a caseworker is refused an illegal change with its reason and resigns a
 * provider; the next day's extract is built; the LA collects it (FID JSON, triggered as the
 * schedule would) and its officer reviews and accepts the change; the Open Referral UK API,
 * fetched in the browser, no longer publishes the setting. The LA officer's collection, sources
 * (a source's change and its check page), upload and webhook pages and the administrator's
 * account, role and gateway pages are visited too.
 * Every page visited passes axe (WCAG 2.2 AA) under the real Content-Security-Policy and does
 * not scroll sideways at 320 px.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_PASSWORD, type TestServer } from './support/test-server.ts';
import { browserSkip, BrowserUser, launchBrowser } from './support/browser.ts';
import { extractAndCollect } from './support/childcare-day.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import { authorise, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import { FID_JSON_PATH } from '../src/regulator/gateway/fid-routes.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { addSource } from '../src/la/collection/sources.ts';
import { bulkAccept } from '../src/la/directory/directory-store.ts';

const LA = '825';
const DAY_1 = new Date('2026-11-02T06:30:00Z');

describe('the childcare feed in a browser: resign, extract, review, publish', { skip: browserSkip }, () => {
  let clock = DAY_1;
  let server: TestServer;
  let browser: Browser;
  let target: Registration;
  let sourceId: number;

  before(async () => {
    [server, browser] = await Promise.all([startTestServer({ now: () => clock }), launchBrowser()]);
    const { db } = server.handle;
    // Active registrations only: none leaves the extract on its own while the clock moves.
    const register = [
      ...generateRegister({ scale: 'demo', seed: 4, today: londonDateOf(clock), laCodes: [LA] }),
    ].filter((r) => r.status === 'ACTV' && r.laCode === LA);
    await upsertRegistrations(db, register);
    target = register.find(
      (r) => r.notices.length === 0 && r.setting?.address.postcode && r.provider.consentWithheld !== 'Y',
    )!;

    const account = await createGatewayAccount(db, server.secretBox, {
      username: 'bucks-fid',
      agent: 'Bucks',
    });
    await authorise(db, { organisation: 'Bucks', laCode: LA, validFrom: '2020-01-01', by: 'test' });
    sourceId = await addSource(db, server.secretBox, {
      name: 'FID',
      kind: 'fid',
      endpointUrl: `${server.baseUrl}${FID_JSON_PATH}`,
      fidApiKey: account.apiKey,
      fidServiceKey: 'edgate-test',
      laCodes: [LA],
      by: 'test',
    });
    await createAccount(
      db,
      {
        username: 'officer',
        displayName: 'Olu Officer',
        password: TEST_PASSWORD,
        roles: ['la-officer'],
        laCode: LA,
      },
      ACCOUNT_ROLES,
    );
    // Day 1: the whole register arrives and is taken into the directory.
    await extractAndCollect(server, LA, clock);
    await bulkAccept(db, { laCode: LA }, 'setting up', clock);
    clock = new Date('2026-11-03T10:00:00Z');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a caseworker is refused a suspension over 6 weeks with its reason, then resigns the provider', async () => {
    const casey = await BrowserUser.open(browser, server.baseUrl);
    const { page } = casey;
    await casey.goto('/regulator/registrations');
    assert.match(page.url(), /\/login\?next=/);
    await casey.check();
    await page.getByLabel('Username').fill('casey');
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/regulator\/registrations$/);
    assert.equal(
      await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')),
      true,
      'GOV.UK Frontend runs under the CSP',
    );
    await casey.check();
    await casey.goto('/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await casey.check('start');
    await page.goBack();

    await page.getByLabel('Postcode').fill(target.setting!.address.postcode!.toLowerCase());
    await page.getByLabel('Status').selectOption('ACTV');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: target.referenceNumber }).waitFor();
    await casey.check();
    await page.getByRole('link', { name: target.referenceNumber }).click();
    await page.getByRole('heading', { level: 1, name: target.provider.name.trim() }).waitFor();
    await casey.check('caseworker-registration');

    // One question a page: the kind of change, then only what that kind needs.
    await page.getByRole('link', { name: 'Change status' }).click();
    await page.getByRole('heading', { level: 1, name: 'Change the registration status' }).waitFor();
    await casey.check();
    await page.getByLabel('Suspend').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Suspend the registration' }).waitFor();
    await casey.check();
    await page.getByLabel('Grounds for suspension').fill('Allegation under investigation');
    const endDate = page.getByRole('group', { name: 'Last day of this suspension period' });
    await endDate.getByLabel('Day').fill('1');
    await endDate.getByLabel('Month').fill('3');
    await endDate.getByLabel('Year').fill('2027');
    await page.getByLabel('Reason', { exact: true }).fill('Risk of harm');
    await page.getByRole('button', { name: 'Continue' }).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /A suspension period can last at most 6 weeks/);
    await casey.check();

    await page.getByRole('link', { name: 'Back', exact: true }).click();
    await page.getByLabel('Resign').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Record the resignation' }).waitFor();
    await casey.check();
    await page.getByLabel('Reason', { exact: true }).fill('Moving out of the area');
    await page.getByRole('button', { name: 'Continue' }).click();
    // What cannot be undone is checked first: what changes, for whom, from when.
    await page.getByRole('heading', { level: 1, name: 'Check the change before you confirm it' }).waitFor();
    assert.match(await page.locator('.govuk-summary-list').innerText(), /Resigned from 3 November 2026/);
    await casey.check('caseworker-status-check');
    await page.getByRole('button', { name: 'Confirm' }).click();
    const banner = page.locator('.govuk-notification-banner--success');
    await banner.waitFor();
    assert.match(await banner.innerText(), /Status changed to Resigned/);
    await casey.check();
    await casey.finish();
  });

  test('the next extract is collected; the LA officer reviews and accepts the resignation; the ORUK API drops the setting', async () => {
    await extractAndCollect(server, LA, clock);
    const officer = await BrowserUser.open(browser, server.baseUrl);
    const { page } = officer;
    await officer.signIn('officer', `/la/${LA}/review`);
    await page.waitForURL(new RegExp(`/la/${LA}/review$`));
    const change = page.getByRole('link', { name: new RegExp(target.referenceNumber) });
    await change.waitFor();
    await officer.check('la-change-review');

    await change.click();
    await page.getByRole('heading', { level: 1, name: new RegExp(target.setting!.name ?? '') }).waitFor();
    assert.match(await page.locator('main').innerText(), /Resigned/);
    await officer.check('la-change-detail');
    await page.getByRole('button', { name: 'Accept the change' }).click();
    await page.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /Change accepted/);
    await officer.check();

    // The public API, fetched by the page itself (same origin, under its CSP): no session needed.
    const names = await page.evaluate(async (url) => {
      const answer = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'omit' });
      return ((await answer.json()) as { contents: { name: string }[] }).contents.map((s) => s.name);
    }, `/la/${LA}/oruk/services?per_page=200`);
    assert.ok(names.length > 3, 'the directory publishes the other settings');
    assert.ok(!names.includes(target.setting!.name!), 'a resigned setting is not published');
    await officer.finish();
  });

  test('the LA officer’s collection, sources (a change checked, then cancelled), upload and webhook pages, and the administrator’s account, role and gateway pages, pass axe at 320 px', async () => {
    const officer = await BrowserUser.open(browser, server.baseUrl);
    await officer.signIn('officer', '/la/collection');
    for (const target of [
      '/la/collection',
      '/la/sources/new',
      '/la/collection/upload',
      `/la/${LA}/webhook`,
    ]) {
      if (!officer.page.url().endsWith(target)) await officer.goto(target);
      await officer.page.getByRole('heading', { level: 1 }).first().waitFor();
      await officer.check();
    }
    // A source's change is checked before it is saved; cancelled here, the source stays as it was.
    await officer.goto(`/la/sources/${sourceId}/edit`);
    await officer.page.getByRole('heading', { level: 1, name: 'Change FID' }).waitFor();
    await officer.check();
    await officer.page.getByLabel('Collect every day at (London time)').fill('07:15');
    await officer.page.getByRole('button', { name: 'Continue' }).click();
    await officer.page.getByRole('heading', { level: 1, name: 'Check the changes to FID' }).waitFor();
    await officer.check();
    await officer.page.getByRole('button', { name: 'Cancel: keep the source as it is' }).click();
    await officer.page.waitForURL(/\/la\/collection$/);
    await officer.finish();

    await createAccount(
      server.handle.db,
      { username: 'ada', displayName: 'Ada Admin', password: TEST_PASSWORD, roles: ['admin'] },
      ACCOUNT_ROLES,
    );
    const admin = await BrowserUser.open(browser, server.baseUrl);
    await admin.signIn('ada', '/admin/accounts');
    for (const target of [
      '/admin/accounts',
      '/admin/new-account',
      '/admin/accounts/officer',
      '/admin/accounts/officer/roles',
      '/admin/account-changes',
      '/regulator/gateway/accounts',
      '/regulator/gateway/accounts/bucks-fid',
      '/regulator/gateway/new-account',
      '/regulator/gateway/new-account?kind=agent',
      '/regulator/gateway/new-authorisation',
      '/regulator/gateway/changes',
    ]) {
      if (!admin.page.url().endsWith(target)) await admin.goto(target);
      await admin.page.getByRole('heading', { level: 1 }).first().waitFor();
      await admin.check();
    }
    await admin.finish();
  });
});
