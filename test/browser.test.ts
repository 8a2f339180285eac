/**
 * A caseworker's journey in a real browser (Debian's chromium driven by playwright-core):
 * sign in, search, open a registration, be refused an illegal change with its reason, make a
 * legal one. Also catches what only a browser sees: CSP violations, broken assets, script errors.
 * An LA officer's attendance pages on a 320 px wide screen: no sideways scroll, and axe-core
 * finds nothing against WCAG 2.2 AA.
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
import axe from 'axe-core';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { upsertSchools } from '../src/dfe/schools/school-store.ts';
import { setAttendanceSource } from '../src/la/attendance/attendance-source.ts';
import { clientWithToken } from './support/attendance-app.ts';

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
    page = await watchedPage();
  });

  /** A page of a fresh browser context, its script errors, CSP violations and missing assets noted. */
  const watchedPage = async (viewport?: { width: number; height: number }) => {
    // The test server's certificate is self-signed for 127.0.0.1; the browser is told to accept it.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, ...(viewport ? { viewport } : {}) });
    const watched = await context.newPage();
    watched.on('console', (message) => {
      // A refused form answers 422 by design; missing assets are caught by the response listener below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
    watched.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    watched.on('response', (response) => {
      if (response.status() === 404) problems.push(`missing ${response.url()}`);
    });
    return watched;
  };
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
    await page.getByLabel('Last day of this suspension period').fill('2027-03-01');
    await page.getByLabel('Reason', { exact: true }).fill('Risk of harm');
    await page.getByRole('button', { name: 'Change status' }).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /A suspension period can last at most 6 weeks/);
    await shoot('04-refused');

    await page.getByLabel('Resign').check();
    await page.getByLabel('Reason', { exact: true }).fill('Moving out of the area');
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.locator('.govuk-notification-banner--success').waitFor();
    assert.match(
      await page.locator('.govuk-notification-banner--success').innerText(),
      /Status changed to Resigned/,
    );
    await shoot('05-changed');

    assert.deepEqual(problems, [], 'no script errors, CSP violations or missing assets');
  });

  test('an LA officer’s attendance pages at 320 px: no sideways scroll, nothing axe finds against WCAG 2.2 AA', async () => {
    const db = server.handle.db;
    await upsertSchools(db, [
      {
        urn: 100001,
        name: 'Synthetic Academy with a rather long name for a narrow screen',
        laCode: '825',
        typeOfEstablishment: 'Academy',
        phaseOfEducation: 'Secondary',
        status: 'Open',
        street: null,
        town: 'Exampleton',
        postcode: 'ZZ1 1ZZ',
      },
    ]);
    const mis = await clientWithToken(server, {
      name: 'MIS',
      scopes: ['attendance.submit'],
      requiresConsent: false,
    });
    const day = (date: string, present: number) => ({
      ncYearGroup: '7',
      date,
      schoolSession: 'AM',
      attendances: [
        { attendanceCode: '/', value: present },
        { attendanceCode: 'I', value: 100 - present },
      ],
    });
    const sent = await server.call(
      'POST',
      '/attendances',
      { authorization: `Bearer ${mis.token}`, 'content-type': 'application/json' },
      JSON.stringify({
        urn: 100001,
        totalNoOfPupils: 100,
        submissionData: [day('2026-10-30', 94), day('2026-11-02', 91)],
      }),
    );
    assert.equal(sent.status, 201, sent.text);
    const la = await clientWithToken(server, {
      name: 'Bucks',
      scopes: ['attendance.read.la'],
      laCode: '825',
    });
    await setAttendanceSource(
      db,
      server.secretBox,
      {
        laCode: '825',
        baseUrl: server.baseUrl,
        tokenUrl: `${server.baseUrl}/oauth2/token`,
        clientId: la.clientId,
        clientSecret: la.clientSecret,
        caPem: server.ca,
      },
      'test',
    );
    await createAccount(
      db,
      {
        username: 'officer',
        displayName: 'Lee Officer',
        password: TEST_PASSWORD,
        roles: ['la-officer'],
        laCode: '825',
      },
      ACCOUNT_ROLES,
    );

    const narrow = await watchedPage({ width: 320, height: 900 });
    await narrow.goto(`${server.baseUrl}/la/attendance`);
    await narrow.getByLabel('Username').fill('officer');
    await narrow.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await narrow.getByRole('button', { name: 'Sign in' }).click();
    await narrow.waitForURL(/\/la\/825\/attendance$/);
    for (const [name, target] of [
      ['06-la-attendance', '/la/825/attendance'],
      ['07-la-attendance-school', '/la/825/attendance/schools/100001'],
    ] as const) {
      if (!narrow.url().endsWith(target)) await narrow.goto(`${server.baseUrl}${target}`);
      await narrow.locator('svg[role="img"]').first().waitFor();
      const [pageWidth, screenWidth] = await narrow.evaluate(() => [
        document.documentElement.scrollWidth,
        document.documentElement.clientWidth,
      ]);
      assert.ok(pageWidth <= screenWidth, `${target}: ${pageWidth} px wide on a ${screenWidth} px screen`);
      await narrow.evaluate(axe.source);
      const found = await narrow.evaluate(() =>
        (window as unknown as { axe: typeof axe }).axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
        }),
      );
      assert.deepEqual(
        found.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        [],
        target,
      );
      if (screenshots) {
        mkdirSync(screenshots, { recursive: true });
        await narrow.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
      }
    }
    assert.deepEqual(problems, [], 'no script errors, CSP violations or missing assets');
  });
});
