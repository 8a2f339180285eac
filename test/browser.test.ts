/**
 * A caseworker's journey in a real browser (Debian's chromium driven by playwright-core):
 * sign in, search, open a registration, be refused an illegal change with its reason, make a
 * legal one. Also catches what only a browser sees: CSP violations, broken assets, script errors.
 *
 * Skipped when /usr/bin/chromium is absent, unless EDGATE_REQUIRE_BROWSER=1 (as in CI).
 * EDGATE_SCREENSHOTS=DIR saves a screenshot of each page for a person to look at.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, TEST_PASSWORD, type TestServer } from './support/test-server.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.EDGATE_REQUIRE_BROWSER === '1') {
  throw new Error(`${CHROMIUM} is required (EDGATE_REQUIRE_BROWSER=1): apt-get install -y chromium`);
}

describe('caseworker in a browser', { skip: available ? false : `${CHROMIUM} not installed` }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let register: Registration[];
  const problems: string[] = [];
  const screenshots = process.env.EDGATE_SCREENSHOTS;

  const shoot = async (name: string) => {
    if (!screenshots) return;
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  };

  before(async () => {
    server = await startTestServer({ now: () => new Date('2026-11-02T10:00:00Z') });
    register = [...generateRegister({ scale: 'demo', seed: 4, today: '2026-11-01', laCodes: ['825'] })];
    await upsertRegistrations(server.handle.db, register);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // The test server's certificate is self-signed for 127.0.0.1; the browser is told to accept it.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    page = await context.newPage();
    page.on('console', (message) => {
      // A refused form answers 422 by design; missing assets are caught by the response listener below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() === 404) problems.push(`missing ${response.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('sign in, search, refused change explained, legal change recorded', async () => {
    await page.goto(`${server.baseUrl}/regulator/registrations`);
    assert.match(page.url(), /\/login\?next=/);
    await shoot('01-sign-in');
    await page.getByLabel('Username').fill('casey');
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/regulator\/registrations$/);
    assert.equal(
      await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')),
      true,
    );

    const target = register.find((r) => r.status === 'ACTV' && r.notices.length === 0 && r.setting)!;
    await page.getByLabel('Postcode').fill(target.setting!.address.postcode!.toLowerCase());
    await page.getByLabel('Status').selectOption('ACTV');
    await page.getByRole('button', { name: 'Search' }).click();
    await shoot('02-search');
    await page.getByRole('link', { name: target.referenceNumber }).click();
    await page.getByRole('heading', { level: 1, name: target.provider.name.trim() }).waitFor();
    await shoot('03-registration');

    await page.getByRole('link', { name: 'Change status' }).click();
    await page.getByLabel('Suspend').check();
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
    await shoot('04-refused');

    await page.getByLabel('Resign').check();
    await page.getByLabel('Reason', { exact: true }).fill('Moving out of the area');
    await page.getByRole('button', { name: 'Continue' }).click();
    // What cannot be undone is checked first: what changes, for whom, from when.
    await page.getByRole('heading', { level: 1, name: 'Check the change before you confirm it' }).waitFor();
    assert.match(await page.locator('.govuk-summary-list').innerText(), /Resigned from 2 November 2026/);
    await shoot('05-check');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('.govuk-notification-banner--success').waitFor();
    assert.match(
      await page.locator('.govuk-notification-banner--success').innerText(),
      /Status changed to Resigned/,
    );
    await shoot('06-changed');

    assert.deepEqual(problems, [], 'no script errors, CSP violations or missing assets');
  });
});
