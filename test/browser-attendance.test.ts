/**
 * The attendance feed's journeys in a real browser (test/support/browser.ts), on one HTTPS server
 * with every role, the school role sending to the DfE role beside it over HTTPS: a school
 * administrator gives consent (with its check step); the sync runs as `edgate school sync` runs it;
 * a DfE analyst reads a day's unauthorised absence; a teacher corrects a mark on the register; the
 * next sync shows a green tick in the submissions table and the dashboard the new figure. A
 * teacher without the permission is told which one they lack and cannot consent. An
 * administrator creates an OAuth client on the admin pages and its secret gets a token. An LA
 * officer reads their schools' attendance, fetched from the DfE with the LA's own client. Every page
 * visited passes axe (WCAG 2.2 AA) under the real Content-Security-Policy and fits 320 px.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestServer, TEST_PASSWORD, type TestServer } from './support/test-server.ts';
import { browserSkip, BrowserUser, launchBrowser } from './support/browser.ts';
import { dfeSchool } from './support/dfe-receiver.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { createClient } from '../src/dfe/oauth/clients.ts';
import { upsertSchools } from '../src/dfe/schools/school-store.ts';
import { generateSchool } from '../src/school/synthetic-school.ts';
import { replaceSchoolData } from '../src/school/school-data.ts';
import { saveReceiverSettings } from '../src/school/sync/receiver-settings.ts';
import { runSchoolSync } from '../src/school/sync/sync-runner.ts';
import { forgetReceiverTokens } from '../src/school/sync/receiver-client.ts';
import { setAttendanceSource } from '../src/la/attendance/attendance-source.ts';

const URN = 100001;
/** Corrected on the register: a school day before today, still inside the send window. */
const CORRECTED = { day: '18', month: '11', year: '2026', long: '18 November 2026' };

describe('the attendance feed in a browser: consent, correct, sync, dashboard', { skip: browserSkip }, () => {
  // A Friday in term, after the morning registers.
  let clock = new Date('2026-11-20T10:30:00Z');
  let server: TestServer;
  let browser: Browser;

  /** One sync of every consenting school, as `edgate school sync` runs it. */
  const sync = () =>
    runSchoolSync(
      server.handle.db,
      server.secretBox,
      { syncTimes: [], syncSchedule: false, syncLeaseSeconds: 600, receiverCaFile: undefined },
      { now: clock, receiverOptions: { ca: server.ca } },
    );

  before(async () => {
    [server, browser] = await Promise.all([startTestServer({ now: () => clock }), launchBrowser()]);
    const { db } = server.handle;
    forgetReceiverTokens();
    const data = generateSchool({
      seed: 7,
      phase: 'primary',
      pupils: 40,
      today: '2026-11-20',
      marksFrom: '2026-11-09',
      urn: URN,
    });
    const school = { ...data.school, name: 'Synthetic Primary School', laCode: '825' };
    await replaceSchoolData(db, school, data);
    // The DfE side: the school in its register, the MIS supplier's OAuth client.
    await upsertSchools(db, [dfeSchool(URN, school.name)]);
    const supplier = await createClient(db, { name: 'School MIS', scopes: ['attendance.submit'] });
    await saveReceiverSettings(
      db,
      server.secretBox,
      {
        baseUrl: server.baseUrl,
        tokenUrl: `${server.baseUrl}/oauth2/token`,
        clientId: supplier.clientId,
        clientSecret: supplier.clientSecret,
        scope: 'attendance.submit',
        extraHeaders: {},
        appId: 'edgate-school',
      },
      'test',
    );
    for (const [username, displayName, permissions] of [
      ['head', 'Hana Head', ['data-returns-administer', 'attendance-take']],
      ['teacher', 'Tom Teacher', ['attendance-take']],
    ] as const) {
      await createAccount(
        db,
        { username, displayName, password: TEST_PASSWORD, roles: ['school-user'] },
        ACCOUNT_ROLES,
      );
      await db
        .insertInto('school.staff')
        .values({ username, urn: URN, permissions: [...permissions], added_by: 'test' })
        .execute();
    }
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a teacher is told which permission they lack and cannot consent', async () => {
    const teacher = await BrowserUser.open(browser, server.baseUrl);
    const { page } = teacher;
    await teacher.signIn('teacher', '/school/attendance-api');
    await page.getByRole('heading', { level: 1, name: 'Attendance API submissions' }).waitFor();
    assert.match(
      await page.locator('main').innerText(),
      /you need the permission “Data Returns: Administer”/,
    );
    assert.equal(await page.getByRole('button', { name: 'Give consent' }).count(), 0);
    await teacher.check();
    // Even at the check step's own address.
    await teacher.goto('/school/attendance-api/consent?action=give');
    await page.getByRole('heading', { level: 1, name: 'You cannot give or remove consent' }).waitFor();
    assert.match(await page.locator('main').innerText(), /You do not have it at Synthetic Primary School/);
    await teacher.check();
    await teacher.finish();
  });

  test('consent, a corrected mark and two syncs: a green tick at the school, the new figure at the DfE', async () => {
    const head = await BrowserUser.open(browser, server.baseUrl);
    await head.signIn('head', '/school/attendance-api');
    await head.page.getByRole('heading', { level: 1, name: 'Attendance API submissions' }).waitFor();
    await head.check();
    await head.page.getByRole('button', { name: 'Give consent' }).click();
    await head.page.getByRole('heading', { level: 1 }).waitFor();
    await head.check();
    await head.page.getByRole('button', { name: 'Give consent' }).click();
    await head.page.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await head.page.locator('.govuk-notification-banner--success').innerText(), /Consent given/);
    await head.check();

    const first = await sync();
    assert.deepEqual(
      first.flatMap((r) => r.sends.map((s) => s.state)),
      ['accepted'],
    );
    const analyst = await BrowserUser.open(browser, server.baseUrl);
    await analyst.signIn('nobody', '/dfe/attendance');
    const before = await unauthorisedOn(analyst);

    // The teacher marks a present pupil as an unauthorised absence on the morning of the day before.
    const teacher = await BrowserUser.open(browser, server.baseUrl);
    const { page } = teacher;
    await teacher.signIn('teacher', '/school/register');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await teacher.check();
    await page.getByLabel('Day').fill(CORRECTED.day);
    await page.getByLabel('Month').fill(CORRECTED.month);
    await page.getByLabel('Year', { exact: true }).fill(CORRECTED.year);
    await page.getByLabel('Morning').check();
    await page.getByRole('button', { name: 'Show the register' }).click();
    await page.getByRole('button', { name: 'Save the register' }).waitFor();
    await teacher.check('school-register');
    const present = await page
      .locator('select[name^="mark-"]')
      .evaluateAll((selects) => (selects as HTMLSelectElement[]).find((s) => s.value === '/')?.id);
    assert.ok(present, 'a pupil marked present');
    await page.locator(`#${present}`).selectOption('O');
    await page.getByLabel('Reason for any change (optional)').fill('Not in school after all');
    await page.getByRole('button', { name: 'Save the register' }).click();
    await page.locator('.govuk-notification-banner--success').waitFor();
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /1 mark changed/);
    await teacher.check();
    await teacher.goto('/school/insight');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await teacher.check('school-insight');

    clock = new Date('2026-11-20T13:30:00Z');
    const second = await sync();
    assert.deepEqual(
      second.flatMap((r) => r.sends.map((s) => s.state)),
      ['accepted'],
    );

    await head.goto('/school/attendance-api');
    const received = head.page.locator('.govuk-tag--green', { hasText: 'Received' });
    assert.equal(await received.count(), 2, 'both sends show a green tick');
    assert.match(await received.first().innerText(), /✓ Received/);
    await head.check('school-submissions');

    const after = await unauthorisedOn(analyst);
    assert.equal(after.possible, before.possible);
    assert.equal(
      after.sessions,
      before.sessions + 1,
      `unauthorised absence on ${CORRECTED.long}, ${before.rate} then ${after.rate} of ${after.possible} sessions: one more`,
    );
    for (const user of [head, teacher, analyst]) await user.finish();
  });

  test('an administrator creates an OAuth client: its secret, shown once, gets a token', async () => {
    await createAccount(
      server.handle.db,
      { username: 'ada', displayName: 'Ada Admin', password: TEST_PASSWORD, roles: ['admin'] },
      ACCOUNT_ROLES,
    );
    const admin = await BrowserUser.open(browser, server.baseUrl);
    const { page } = admin;
    await admin.signIn('ada', '/dfe/oauth-clients');
    await page.getByRole('heading', { level: 1, name: 'OAuth clients' }).waitFor();
    await admin.check();
    await page.getByRole('button', { name: 'Create an OAuth client' }).click();
    await page.getByLabel('Name').waitFor();
    await admin.check();
    await page.getByLabel('Name').fill('Analysis tool');
    await page.getByLabel('Read national and every local authority’s statistics').check();
    await page.getByRole('radio', { name: /^No: a client registered before consent/ }).check();
    await page.getByRole('button', { name: 'Create the OAuth client' }).click();
    await page.locator('#client-secret').waitFor();
    await admin.check();
    const clientId = await page.locator('#client-id').innerText();
    const clientSecret = await page.locator('#client-secret').innerText();
    const token = await server.call(
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
    assert.equal(token.status, 200, token.text);

    await admin.goto('/dfe/oauth-clients');
    await page.getByRole('link', { name: 'Analysis tool' }).waitFor();
    await admin.check('admin-oauth-clients');
    await page.getByRole('link', { name: 'Analysis tool' }).click();
    await page.getByRole('heading', { level: 1, name: /Analysis tool/ }).waitFor();
    await admin.check();
    await admin.finish();
  });

  test('an LA officer sees their schools’ attendance, fetched from the DfE with the LA’s own client', async () => {
    const { db } = server.handle;
    const laClient = await createClient(db, {
      name: 'Bucks attendance',
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
        clientId: laClient.clientId,
        clientSecret: laClient.clientSecret,
        caPem: server.ca,
      },
      'test',
    );
    await createAccount(
      db,
      {
        username: 'lee',
        displayName: 'Lee Officer',
        password: TEST_PASSWORD,
        roles: ['la-officer'],
        laCode: '825',
      },
      ACCOUNT_ROLES,
    );
    const officer = await BrowserUser.open(browser, server.baseUrl);
    const { page } = officer;
    await officer.signIn('lee', '/la/825/attendance');
    await page.locator('svg[role="img"]').first().waitFor();
    await page.getByRole('link', { name: 'Synthetic Primary School' }).first().waitFor();
    await officer.check('la-attendance');
    await page.getByRole('link', { name: 'Synthetic Primary School' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Synthetic Primary School' }).waitFor();
    await officer.check('la-attendance-school');
    await officer.finish();
  });

  /** The dashboard's unauthorised absence rate and possible sessions on the corrected day, as an analyst reads them. */
  async function unauthorisedOn(
    analyst: BrowserUser,
  ): Promise<{ rate: string; possible: number; sessions: number }> {
    await analyst.goto('/dfe/attendance');
    await analyst.page.getByRole('heading', { level: 1, name: 'National attendance' }).waitFor();
    await analyst.check('dfe-dashboard');
    await analyst.page.getByText('The figures as a table').click();
    const row = analyst.page.locator('tr', {
      has: analyst.page.getByRole('rowheader', { name: CORRECTED.long }),
    });
    const cells = await row.first().locator('td').allTextContents();
    // Schools, attendance, authorised, unauthorised, possible sessions; the rate shown to 0.1%.
    const rate = cells[3]!;
    const possible = Number(cells[4]!.replace(/,/g, ''));
    return { rate, possible, sessions: Math.round((Number.parseFloat(rate) * possible) / 100) };
  }
});
